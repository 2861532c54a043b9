"""Crash safety and exactly-once counting, black box (review crash27): real ``markbot run``
processes killed with SIGKILL mid-vote and mid-broadcast, Telegram delivering the same update
ids again, a file-size limit that makes every write fail as a full disk does (SQLite), a
tablespace on a tmpfs that fills up (PostgreSQL), and the raw bytes of the database, its WAL
and the logs searched for the voters' identities."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stored
from conftest import SIMPLE_POLL
from processes import identity_bytes as _needles
from processes import process_env as _env
from processes import process_settings as _settings
from processes import run_cli as _cli
from processes import wait_polling as _wait_ready

from standin import BotApiStandin, FakeUser
from tests.full_disk import fill, small_tmpfs
from tests.pg import Cluster

WAY = ("Start", "13-15", "North", "Climate")


class Bot:
    """``markbot run`` as a process, its output read from a pipe (a pipe is no file: a
    file-size limit on the process does not stop its log)."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.log.open("ab") as fh:
            while chunk := await self.proc.stdout.read(65536):
                fh.write(chunk)
                fh.flush()

    @classmethod
    async def start(cls, env: dict[str, str], log: Path, *args: str) -> Bot:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        return cls(proc, log)

    async def kill(self) -> None:
        self.proc.kill()
        await self.proc.wait()
        await self._reader

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), 30)
        await self._reader
        return code


async def _to_check(user: FakeUser, why: str | None = None) -> None:
    await user.send_command("start", "test-poll")
    await user.next_output(timeout=20)
    for label in WAY:
        await user.press(label)
        await user.next_output(timeout=20)
    if why is None:
        await user.press("Skip this question")
    else:
        await user.send_text(why)
    assert "Check your answers" in (await user.next_output(timeout=20)).plain


def _told_counted(user: FakeUser) -> bool:
    return any("counted" in m["plain"] for m in user.messages if m["from_bot"])


async def _create_poll(env: dict[str, str], tmp_path: Path, text: str = SIMPLE_POLL) -> None:
    poll_file = tmp_path / "poll.yaml"
    poll_file.write_text(text, encoding="utf-8")
    code, _out, err = await _cli(env, "poll", "create", str(poll_file), "--open")
    assert code == 0, err


def _integrity(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


# ------------------------------------------------------------------ a full disk, for real


@pytest.mark.sqlite_only("a file-size limit on the process that writes the SQLite file")
async def test_a_file_size_limit_at_send_says_try_again_and_a_kill_then_counts_once(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Every write of the live process fails (RLIMIT_FSIZE 0: EFBIG, as a full disk fails
    it) while three young people press Send: each is told kindly to try again, none is
    counted; the process is killed -9 while the disk is "full", restarts on a file that is
    whole, and the same buttons count each ballot exactly once."""
    env = _env(standin, tmp_path, database_url, MARKBOT_LOG_LEVEL="INFO")
    settings = _settings(tmp_path, database_url)
    await _create_poll(env, tmp_path)
    log = tmp_path / "bot.log"
    bot = await Bot.start(env, log)
    users = [standin.user(881_000 + i, "Peregrine") for i in range(3)]
    try:
        await _wait_ready(standin, 0)
        await asyncio.gather(*(_to_check(u) for u in users))
        await asyncio.sleep(1.0)  # the drafts' write-behind is on disk
        resource.prlimit(bot.proc.pid, resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
        for u in users:
            u.drain_callback_answers()
            await u.press("Send my answers")
        for u in users:
            answer = await u.next_callback_answer(timeout=20)
            assert answer["show_alert"] and "couldn't be sent just now" in answer["text"], answer
            assert "Check your answers" in (u.last_bot_message() or {}).get("plain", "")
        assert not any(_told_counted(u) for u in users)
    finally:
        await bot.kill()  # still "full"
    assert _integrity(settings.db) == "ok"
    assert await stored.count(settings, "ballots") == 0
    since = len(standin.calls)
    bot = await Bot.start(env, log)
    try:
        await _wait_ready(standin, since)
        await standin.wait_idle(timeout=20)
        for u in users:
            u.drain()
            u.drain_callback_answers()
            await u.press("Send my answers")
            assert "Thank you!" in (await u.next_output(timeout=20)).plain
    finally:
        assert await bot.stop() == 0
    assert await stored.count(settings, "ballots") == 3
    assert await stored.count(settings, "voters") == 3
    assert _integrity(settings.db) == "ok"
    assert b"Traceback" not in log.read_bytes()


# ------------------------------------------------- PostgreSQL on a full disk, for real


@pytest.fixture
def pg_small_disk(pg_cluster: Cluster, pg_url: str) -> Iterator[tuple[str, Path]]:
    """``pg_url``'s database moved whole onto a tablespace of its own on a 16 MB tmpfs (root
    only; skipped elsewhere): (its URL, the tmpfs to fill). PostgreSQL's write-ahead log stays
    on the cluster's disk, as a tablespace on a volume of its own would leave it."""
    top = Path(tempfile.mkdtemp(prefix="markbot-pgdisk-"))
    top.chmod(0o755)  # PostgreSQL's user reaches the tablespace through it
    database = pg_cluster.database(pg_url)
    name = f"small_{database}"
    try:
        with small_tmpfs(top / "disk", "16m") as disk:
            space = disk / "space"
            space.mkdir()
            shutil.chown(space, "postgres", "postgres")
            pg_cluster.sql(f"CREATE TABLESPACE {name} LOCATION '{space}'")
            try:
                pg_cluster.sql(f'ALTER DATABASE "{database}" SET TABLESPACE {name}')
                yield pg_url, disk
            finally:
                pg_cluster.drop_database(pg_url)
                pg_cluster.sql(f"DROP TABLESPACE IF EXISTS {name}")
    finally:
        shutil.rmtree(top, ignore_errors=True)


async def _web_open_to_check(b: WebBrowser, base: str, why: str) -> Any:
    """Through OPEN_POLL's web ballot to its check page."""
    await b.get(f"{base}/v/test-poll")
    page = await b.submit(f"{base}/v/test-poll/start", {})
    assert page.url == "/v/test-poll/q/0", page.plain[:300]
    for i, value in enumerate(["13-15", "north", "jobs", why]):
        page = await b.submit(f"{base}/v/test-poll/q/{i}", {"answer": value})
    assert page.url == "/v/test-poll/check", page.plain[:300]
    return page


async def test_postgresql_on_a_full_disk_says_try_again_on_both_channels_then_counts_once(
    standin: BotApiStandin, tmp_path: Path, pg_small_disk: tuple[str, Path]
) -> None:
    """The database's disk (a tmpfs holding its tablespace) fills up while a young person on
    Telegram and one on the web are at Check your answers. PostgreSQL still fills the pages it
    already has (a ballot like those cast before may go in), but their typed answers need a
    page the table of typed answers hasn't got: "could not extend file" (SQLSTATE 53100).
    Each Send, twice, is answered "couldn't be sent just now" (a kind alert on Telegram, the
    web's try-again page with the way back), never "Thank you" and never a traceback; the
    ballots acknowledged before are still there; with room again the same person's next try
    counts exactly once."""
    url, disk = pg_small_disk
    port = _free_port()
    env = _env(standin, tmp_path, url, MARKBOT_WEB_PORT=str(port), MARKBOT_LOG_LEVEL="INFO")
    settings = _settings(tmp_path, url)
    await _create_poll(env, tmp_path, OPEN_POLL)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "bot.log"
    bot = await Bot.start(env, log)
    early, late = standin.user(883_001, "Rowan"), standin.user(883_002, "Hazel")
    web_early, web_late = WebBrowser(), WebBrowser()
    try:
        await _wait_ready(standin, 0)
        await _listening(port, bot.proc)
        await _to_check(early)  # counted before the disk fills, on both channels
        await early.press("Send my answers")
        assert "Thank you!" in (await early.next_output(timeout=20)).plain
        await _web_open_to_check(web_early, base, "")
        page = await web_early.submit(f"{base}/v/test-poll/send", {})
        assert page.url == "/v/test-poll/done", page.plain[:300]
        await _to_check(late, "more buses at night")
        check = await _web_open_to_check(web_late, base, "a skatepark near school")
        filler = fill(disk)
        for _ in range(2):  # still full the second time: the same kind answer
            late.drain_callback_answers()
            await late.press("Send my answers")
            answer = await late.next_callback_answer(timeout=20)
            assert answer["show_alert"] and "couldn't be sent just now" in answer["text"], answer
            assert "Check your answers" in (late.last_bot_message() or {}).get("plain", "")
            page = await web_late.submit(f"{base}/v/test-poll/send", {}, check)
            assert page.status == 503 and "couldn't be sent just now" in page.plain, page.plain
            assert 'href="/v/test-poll/check"' in page.text and "Traceback" not in page.text
            check = await web_late.get(f"{base}/v/test-poll/check")
        assert not _told_counted(late)
        assert await stored.count(settings, "ballots") == 2  # read while the disk is full
        filler.unlink()  # room again
        late.drain()
        await late.press("Send my answers")
        assert "Thank you!" in (await late.next_output(timeout=20)).plain
        page = await web_late.submit(f"{base}/v/test-poll/send", {}, check)
        assert page.url == "/v/test-poll/done", page.plain[:300]
    finally:
        for b in (web_early, web_late):
            await b.close()
        assert await bot.stop() == 0
    assert await stored.count(settings, "ballots") == 4
    assert await stored.count(settings, "voters") == 4
    bodies = sorted(b for (b,) in await stored.rows(settings, "text_answers", "body"))
    assert bodies == ["a skatepark near school", "more buses at night"]
    assert b"Traceback" not in log.read_bytes()


# ------------------------------------------------------------------ kill -9 mid-broadcast

OWNER = 9027
DONE = "Finished telling subscribers"


def _got(user: FakeUser) -> int:
    """How many messages the bot left in this person's chat (each broadcast one)."""
    return sum(1 for m in user.messages if m["from_bot"])


async def test_kill_9_mid_broadcast_sends_each_subscriber_at_most_once_and_says_who_is_unknown(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """120 subscribers; Telegram holds the answers to three sends (done, the answer lost: on
    the wire at the kill), then answers one with 429 (retry after 3 s); markbot is killed -9
    in that wait. After the restart every subscriber has the message exactly once (the three
    on the wire are not sent again, the ones queued behind the 429 are), and the worker's
    final count names the three as not known. On PostgreSQL the killed process's lease holds
    until it runs out (a short one here, 3 s), and then the restarted process carries on."""
    from bot.app import open_runtime

    n = 120
    env = _env(standin, tmp_path, database_url, MARKBOT_ADMINS=str(OWNER),
               MARKBOT_LOG_LEVEL="WARNING", MARKBOT_BROADCAST_LEASE_SECONDS="3")  # fmt: skip
    settings = _settings(tmp_path, database_url)
    await _create_poll(env, tmp_path)
    ids = list(range(770_000, 770_000 + n))
    people = {uid: standin.user(uid) for uid in ids}
    rt = await open_runtime(settings)
    try:
        await asyncio.gather(*(rt.services.subscriptions.add(uid, "en") for uid in ids))
    finally:
        await rt.close()
    seen: list[int] = []
    held: list[int] = []
    flooded: list[int] = []

    def fault(method: str, params: dict[str, Any]) -> Any:
        from standin import Fault

        chat = int(str(params.get("chat_id", 0)))
        if method != "sendMessage" or chat not in people:
            return None
        if chat in held or chat in flooded or chat in seen:
            return None
        seen.append(chat)
        if 30 <= len(seen) < 33:
            held.append(chat)
            return Fault.hold(60, applied=True)
        if len(seen) == 45:
            flooded.append(chat)
            return Fault.flood(3)
        return None

    standin.fault = fault
    log = tmp_path / "bot.log"
    bot = await Bot.start(env, log)
    owner = standin.user(OWNER, first_name="Pat")
    try:
        await _wait_ready(standin, 0)
        await owner.send_command("broadcast", "test-poll")
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while not flooded and loop.time() < end:
            await asyncio.sleep(0.02)
        assert flooded, "no 429 came"
        await asyncio.sleep(0.5)  # in the 429's wait, three sends on the wire
    finally:
        await bot.kill()
    before = {uid: _got(p) for uid, p in people.items()}
    assert 40 <= sum(before.values()) < n, sum(before.values())
    owner.drain()
    since = len(standin.calls)
    bot = await Bot.start(env, log)
    try:
        await _wait_ready(standin, since)
        final = ""
        loop = asyncio.get_running_loop()
        end = loop.time() + 40
        while DONE not in final and loop.time() < end:
            out = await owner.next_output(timeout=max(0.1, end - loop.time()))
            if out.method == "sendMessage":
                final = out.plain
    finally:
        assert await bot.stop() == 0
    after = Counter({uid: _got(p) for uid, p in people.items()})
    assert {uid: k for uid, k in after.items() if k != 1} == {}  # none lost, none twice
    assert "Not known: 3" in final and f"Sent: {n - 3}" in final, final


# ------------------------------------- kill -9 mid-burst behind webhooks, updates delivered again

SECRET = "crash27-webhook-secret-0123456789"


def _record_updates(standin: BotApiStandin) -> list[dict[str, Any]]:
    """Every update the stand-in queues from now on, as delivered (with its update_id)."""
    recorded: list[dict[str, Any]] = []
    push = standin.push_update

    def recording(update: dict[str, Any]) -> int:
        update_id = push(update)
        body = {k: v for k, v in update.items() if k != "update_id"}
        recorded.append({"update_id": update_id, **body})
        return update_id

    standin.push_update = recording  # type: ignore[method-assign]
    return recorded


async def _listening(port: int, proc: asyncio.subprocess.Process, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        assert proc.returncode is None, "markbot exited"
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"markbot did not listen on {port}")


def _has_send(user: FakeUser) -> bool:
    message = user.last_bot_message() or {}
    return "Send my answers" in [b for row in message.get("buttons", []) for b in row]


PATH = (*WAY, "Skip this question", "Send my answers")


def _already(user: FakeUser) -> bool:
    return any("already voted" in m["plain"] for m in user.messages if m["from_bot"])


async def _until_counted(user: FakeUser) -> list[str]:
    """A young person not told "counted" tries again as a person would: the next button on
    the newest message, or the link again when there is none or a button is refused (as the
    refusal says). Returns what the bot told them, in order (taps' refusals included)."""
    said: list[str] = []
    for _ in range(20):
        if _told_counted(user) or _already(user):
            return said
        user.drain()
        message = user.last_bot_message() or {}
        labels = [b for row in message.get("buttons", []) for b in row]
        label = next((b for b in PATH if b in labels), None)
        refused = [str(a.get("text") or "") for a in user.drain_callback_answers()]
        said += [f"toast: {t}" for t in refused if t]
        gone = any("open your poll link" in t for t in refused)  # the journey is gone
        if label is None or gone:
            await user.send_command("start", "test-poll")
        else:
            await user.press(label, message_id=message["message_id"])
        with contextlib.suppress(TimeoutError):
            said.append((await user.next_output(timeout=10)).plain[:40])
        await asyncio.sleep(0.05)
    seen = [(m["message_id"], m["plain"][:60], m.get("buttons")) for m in user.messages]
    raise AssertionError(f"{user!r} was never told it counted: {seen}")


async def test_kill_9_behind_webhooks_with_updates_delivered_again_counts_each_voter_once(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """30 young people press Send at once; one process (of two on PostgreSQL, the only one on
    SQLite) is killed -9 mid-burst and started again; Telegram then delivers every /start and
    every Send tap of the burst again, with the same update ids. Everyone told "counted"
    before the kill is in the register, and the tally is exactly the 30 distinct voters:
    one ballot, one register entry and one answer per question each."""
    from bot.app import open_runtime
    from services.identity import Hasher

    n_procs = 1 if database_url is None else 2
    ports = [_free_port() for _ in range(n_procs)]
    base = dict(
        MARKBOT_WEBHOOK_URL=f"http://127.0.0.1:{ports[0]}/telegram",
        MARKBOT_WEBHOOK_SECRET=SECRET,
        MARKBOT_WEBHOOK_LEASE_SECONDS="3",
        MARKBOT_LOG_LEVEL="WARNING",
    )
    envs = [_env(standin, tmp_path, database_url, MARKBOT_WEB_PORT=str(p), **base) for p in ports]
    settings = _settings(tmp_path, database_url)
    await _create_poll(envs[0], tmp_path)
    standin.webhook_spread = [f"http://127.0.0.1:{p}/telegram" for p in ports]
    recorded = _record_updates(standin)
    logs = [tmp_path / f"bot{i}.log" for i in range(n_procs)]
    bots = [await Bot.start(env, log, "--webhook") for env, log in zip(envs, logs, strict=True)]
    users = [standin.user(731_000 + i, "Voter") for i in range(30)]
    try:
        for bot, port in zip(bots, ports, strict=True):
            await _listening(port, bot.proc)
        while len(standin.calls_to("setWebhook")) < n_procs:
            await asyncio.sleep(0.05)
        await asyncio.gather(*(_to_check(u) for u in users))
        for u in users:
            await u.press("Send my answers")
        loop = asyncio.get_running_loop()
        end = loop.time() + 20
        while sum(map(_told_counted, users)) < 8 and loop.time() < end:
            await asyncio.sleep(0.005)
        await bots[0].kill()  # mid-burst
        told_before = {u.id for u in users if _told_counted(u)}
        assert 8 <= len(told_before) < 30, len(told_before)
        bots[0] = await Bot.start(envs[0], logs[0], "--webhook")
        await _listening(ports[0], bots[0].proc)
        for update in list(recorded):  # every /start and tap of the burst, same ids
            standin.redeliver(update)
        with contextlib.suppress(TimeoutError):
            await standin.wait_idle(timeout=30)
        told_after = await asyncio.gather(*(_until_counted(u) for u in users))
        await standin.wait_idle(timeout=30)
    finally:
        for bot in bots:
            if bot.proc.returncode is None:
                await bot.stop()
    rt = await open_runtime(settings)
    try:
        loaded = await rt.services.polls.by_code("test-poll")
        assert loaded is not None
        hasher = Hasher(rt.key)
        registered = {
            u.id
            for u in users
            if await rt.store.has_voted(loaded[0].id, hasher.voter("test-poll", u.id))
        }
    finally:
        await rt.close()
    assert told_before <= registered == {u.id for u in users}
    # (A Send whose ballot committed just before the kill, but not the note that it did,
    # is told "That button doesn't work any more. If you sent your answers, they were
    # counted ..." and then "already voted" at the link: counted once, never lost.)
    assert all(
        "Thank you" in said[-1] or "already voted" in said[-1] for said in told_after if said
    )
    assert await stored.count(settings, "ballots") == 30
    assert await stored.count(settings, "voters") == 30
    questions = Counter(q for (q,) in await stored.rows(settings, "answers", "question"))
    assert questions == Counter({"age": 30, "area": 30, "priority": 30}), questions


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------ the web ballot, for real

CODES_POLL = SIMPLE_POLL.replace("code: test-poll", "code: code-poll\nweb: codes")


class WebBrowser:
    """One browser over real HTTP (its own cookies), posting each page's hidden fields."""

    def __init__(self, agent: str = "Mozilla/5.0 (crash27)", **headers: str) -> None:
        import aiohttp

        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"User-Agent": agent, **headers}
        )
        self.page: Any = None

    async def close(self) -> None:
        await self.http.close()

    async def get(self, url: str) -> Any:
        from tests.webclient import Page

        async with self.http.get(url) as r:
            self.page = Page(r.status, r.url.path, await r.text(), r.headers)
        return self.page

    async def submit(self, url: str, fields: dict[str, str], page: Any = None) -> Any:
        from tests.webclient import Page

        data = {**(page or self.page).hidden(), **fields}
        async with self.http.post(url, data=data) as r:
            self.page = Page(r.status, r.url.path, await r.text(), r.headers)
        return self.page


async def _web_to_check(b: WebBrowser, base: str, code: str) -> Any:
    await b.get(f"{base}/v/code-poll")
    page = await b.submit(f"{base}/v/code-poll/start", {"code": code})
    assert page.url == "/v/code-poll/q/0", page.plain
    for i, value in enumerate(["13-15", "north", "jobs", ""]):
        page = await b.submit(f"{base}/v/code-poll/q/{i}", {"answer": value})
    assert page.url == "/v/code-poll/check", page.plain
    return page


async def test_one_code_two_browsers_two_processes_two_tabs_and_a_close_count_exactly(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Real web processes (two on PostgreSQL, behind no proxy: each browser talks to one;
    one on SQLite): one slip used at once in two browsers counts once and the other is told
    the code was used; one browser's two tabs sending at once (to both processes) count
    once, as does Back and Send again; a code whose poll closes before Send counts nothing,
    says why, and the closed poll refuses a code at its start page."""
    from bot.app import open_runtime

    n_procs = 1 if database_url is None else 2
    ports = [_free_port() for _ in range(n_procs)]
    envs = [_env(standin, tmp_path, database_url, MARKBOT_WEB_PORT=str(p),
                 MARKBOT_LOG_LEVEL="WARNING") for p in ports]  # fmt: skip
    for env in envs:
        del env["MARKBOT_TOKEN"]
    settings = _settings(tmp_path, database_url)
    await _create_poll(envs[0], tmp_path, CODES_POLL)
    rt = await open_runtime(settings)
    try:
        codes = await rt.services.codes.make("code-poll", 3, "Year 9")
        used_text = rt.services.catalog.plain("en", "web_code_used")
    finally:
        await rt.close()
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    other = bases[-1]
    bots = [await Bot.start(env, tmp_path / f"web{i}.log") for i, env in enumerate(envs)]
    browsers = [WebBrowser() for _ in range(4)]
    try:
        for bot, port in zip(bots, ports, strict=True):
            await _listening(port, bot.proc)
        one, two, tabs, late = browsers
        # one slip, two browsers (two processes), Send at once
        checks = [await _web_to_check(one, bases[0], codes[0]),
                  await _web_to_check(two, other, codes[0])]  # fmt: skip
        ends = await asyncio.gather(
            one.submit(f"{bases[0]}/v/code-poll/send", {}, checks[0]),
            two.submit(f"{other}/v/code-poll/send", {}, checks[1]),
        )
        done = [e for e in ends if e.url == "/v/code-poll/done"]
        assert len(done) == 1, [(e.url, e.plain[:200]) for e in ends]
        loser = next(e for e in ends if e.url != "/v/code-poll/done")
        assert used_text in loser.plain, loser.plain[:400]
        # the same browser, two tabs on the check page, Send at once (to two processes),
        # then Back and Send again
        check = await _web_to_check(tabs, bases[0], codes[1])
        both = await asyncio.gather(
            tabs.submit(f"{bases[0]}/v/code-poll/send", {}, check),
            tabs.submit(f"{other}/v/code-poll/send", {}, check),
        )
        assert [p.url for p in both] == ["/v/code-poll/done"] * 2, [p.plain[:300] for p in both]
        again = await tabs.submit(f"{other}/v/code-poll/send", {}, check)
        assert again.url == "/v/code-poll/done"
        # a code at the check page when the poll closes
        check = await _web_to_check(late, bases[0], codes[2])
        code, _out, err = await _cli(envs[0], "poll", "close", "code-poll")
        assert code == 0, err
        end = await late.submit(f"{other}/v/code-poll/send", {}, check)
        assert "closed before your answers were sent" in end.plain, end.plain[:400]
        await asyncio.sleep(2.2)  # poll rows are cached for 2 s (README)
        fresh = WebBrowser()
        try:
            await fresh.get(f"{bases[0]}/v/code-poll")
            assert "This poll has closed" in fresh.page.plain, fresh.page.plain[:300]
        finally:
            await fresh.close()
    finally:
        for b in browsers:
            await b.close()
        for bot in bots:
            await bot.stop()
    assert await stored.count(settings, "ballots") == 2
    assert await stored.count(settings, "voters") == 2


# ------------------------------------------ identities in the raw bytes after a kill -9

OPEN_POLL = SIMPLE_POLL.replace("code: test-poll", "code: test-poll\nweb: open")
AGENT = "Mozilla/5.0 (CrashAgent27; Quokkaphone 3)"
ADDRESS = "203.0.113.77"


async def _web_vote(base: str, why: str) -> None:
    b = WebBrowser(AGENT, **{"X-Forwarded-For": ADDRESS, "Referer": "https://quokka.example/"})
    try:
        await b.get(f"{base}/v/test-poll")
        page = await b.submit(f"{base}/v/test-poll/start", {})
        assert page.url == "/v/test-poll/q/0", page.plain[:300]
        for i, value in enumerate(["13-15", "north", "jobs", why]):
            page = await b.submit(f"{base}/v/test-poll/q/{i}", {"answer": value})
        page = await b.submit(f"{base}/v/test-poll/send", {})
        assert page.url == "/v/test-poll/done", page.plain[:300]
    finally:
        await b.close()


@pytest.mark.sqlite_only("the raw bytes of a live SQLite file and its WAL, left by a kill -9")
async def test_no_identity_in_the_file_wal_or_logs_after_a_kill_9(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Telegram voters (ids, names, usernames, some typing their own names, one disclosing,
    one half-way, one cancelling) and web voters (a distinctive user agent and address behind
    a trusted proxy) at DEBUG logging; markbot is killed -9, so the WAL is left as it was.
    Neither the file, its WAL, its shared-memory file nor the log holds any of them."""
    lead = -100_427_027
    standin.group(lead, "Safeguarding")
    port = _free_port()
    env = _env(standin, tmp_path, database_url, MARKBOT_WEB_PORT=str(port),
               MARKBOT_WEB_TRUST_PROXY="true", MARKBOT_SAFEGUARDING_CHAT=str(lead))  # fmt: skip
    settings = _settings(tmp_path, database_url)
    await _create_poll(env, tmp_path, OPEN_POLL)
    log = tmp_path / "bot.log"
    bot = await Bot.start(env, log)
    users = [
        standin.user(734_271_000 + i, f"Xanthippe{i}", last_name=f"Brackenridge{i}",
                     username=f"xb_crash_{i}", language_code="en")
        for i in range(6)
    ]  # fmt: skip
    try:
        await _wait_ready(standin, 0)
        await _listening(port, bot.proc)
        whys = [f"my name is {u.first_name} {u.last_name}, I'm @{u.username}" for u in users]
        whys[1] = "my dad hits me every night"
        await asyncio.gather(
            *(_to_check(u, why) for u, why in zip(users[:4], whys, strict=False)),
            _web_vote(f"http://127.0.0.1:{port}", "parks, from Xanthippe9 Brackenridge9"),
            _web_vote(f"http://127.0.0.1:{port}", "more buses"),
        )
        for u in users[:4]:
            await u.press("Send my answers")
            assert "counted" in (await u.next_output(timeout=20)).plain
        await users[4].send_command("start", "test-poll")  # half-way when killed
        await users[4].next_output(timeout=20)
        await users[4].press("Start")
        await users[4].next_output(timeout=20)
        await users[5].send_command("start", "test-poll")  # cancels
        await users[5].next_output(timeout=20)
        await users[5].send_command("cancel")
        await users[5].next_output(timeout=20)
        await asyncio.sleep(1.0)  # the write-behind and the alert's send
        db = settings.db
        raw = b"".join(
            p.read_bytes() for p in (db, db.with_name(db.name + "-wal"),
                                     db.with_name(db.name + "-shm")) if p.exists()
        )  # fmt: skip
    finally:
        await bot.kill()
    assert await stored.count(settings, "ballots") == 6
    needles = [
        *_needles(users),
        b"Xanthippe9", b"Brackenridge9", AGENT.encode(), b"CrashAgent27", b"Quokkaphone",
        ADDRESS.encode(), bytes([203, 0, 113, 77]), b"quokka.example",
    ]  # fmt: skip
    logs = log.read_bytes()
    leaks = [n for n in needles if n in raw or n in logs]
    assert leaks == [], leaks
    await stored.assert_nowhere(settings, *needles, *(u.id for u in users))


# ------------------------------------------------------------------ a full log disk


@pytest.mark.sqlite_only("the log's disk, not the database's")
async def test_markbot_starts_and_counts_with_its_log_disk_full_after_a_kill(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """markbot's output goes where nothing can be written (/dev/full: ENOSPC, as a log
    folder that filled up; the database's disk has room). markbot starts, a kill -9 mid-vote
    and a start again (the line saying it released the dead process's claims can't be
    written either), and the vote counts: a line that can't be logged never costs a vote or
    keeps the bot down. It stopped at its first start-up line, and, with the database open,
    never exited (the supervisor saw it running)."""
    port = _free_port()
    env = _env(standin, tmp_path, database_url, MARKBOT_LOG_LEVEL="INFO",
               MARKBOT_WEB_PORT=str(port), MARKBOT_WEBHOOK_SECRET=SECRET,
               MARKBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram")  # fmt: skip
    settings = _settings(tmp_path, database_url)
    await _create_poll(env, tmp_path)

    async def start() -> asyncio.subprocess.Process:
        with open("/dev/full", "wb") as full:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--webhook", env=env,
                stdout=full, stderr=full,
            )  # fmt: skip
        try:
            await _listening(port, proc, timeout=15)
        except BaseException:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            raise
        return proc

    user = standin.user(882_001, "Wren")
    proc = await start()
    try:
        await _to_check(user)
        await user.press("Send my answers")
        await asyncio.sleep(0.01)
    finally:
        proc.kill()
        await proc.wait()
    proc = await start()
    try:
        with contextlib.suppress(TimeoutError):
            await standin.wait_idle(timeout=10)
        if not _told_counted(user):
            user.drain()
            await user.press("Send my answers")
            assert "Thank you!" in (await user.next_output(timeout=20)).plain
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
    assert await stored.count(settings, "ballots") == 1
