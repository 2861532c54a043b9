"""Real `markbot run` processes, broken the way a black-box checker breaks them: kill -9 of one
of two webhook processes with Telegram and web voters mid-journey (and it restarted), one web
Send posted to two processes at once, kill -9 of the broadcast's process, PostgreSQL restarted
mid-vote, SIGTERM in a burst of Sends. Counted against what each voter was shown."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import stored
from conftest import SIMPLE_POLL
from conftest import TOKEN as TEST_TOKEN
from test_multiprocess_e2e import GAVE_UP, THANKED, VOTED, persistent_vote
from test_process import _cli, _env, _journey_to_check, _settings, _start_bot, _wait_ready

from bench.poll import CODE, POLL_YAML, TOKEN, bench_poll
from bench.webhook import _env as fleet_env
from bot.app import open_runtime
from bot.settings import Settings
from standin import BotApiStandin, Fault
from standin.proxy import RoundRobinProxy
from tests.pg import Cluster, _as_postgres
from tests.webclient import free_port

ROOT = Path(__file__).resolve().parent.parent
WEB_POLL = POLL_YAML.replace(f"code: {CODE}\n", f"code: {CODE}\nweb: open\n")
OWNER = 9001
CONFIRMED, WEB_VOTED, WEB_GAVE_UP = "confirmed", "already voted", "gave up"
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN, bot_username="markbot_bench_bot") as server:
        yield server


@dataclass
class Procs:
    """`markbot run --webhook` processes on one PostgreSQL database, behind a round-robin
    proxy (a dead backend answers 502, so the stand-in delivers the update again, to the
    next one): each can be killed and started again on its port."""

    database: str
    standin: BotApiStandin
    workdir: Path
    ports: list[int]
    proxy: RoundRobinProxy
    extra: dict[str, str]
    key: Path
    procs: list[asyncio.subprocess.Process | None] = field(default_factory=list)
    starts: int = 0

    def env(self, port: int) -> dict[str, str]:
        hook = f"{self.proxy.url}/telegram"
        env = fleet_env(self.database, self.standin.base_url, self.key, port, hook)
        return env | {"PYTHONPATH": str(ROOT)} | self.extra

    def log(self, i: int) -> Path:
        return self.workdir / f"markbot-{i}.log"

    async def start(self, i: int) -> None:
        with self.log(i).open("ab") as fh:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--webhook", env=self.env(self.ports[i]),
                cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=fh,
            )  # fmt: skip
        self.procs[i] = proc
        self.starts += 1
        deadline = time.monotonic() + 60
        while len(self.standin.calls_to("setWebhook")) < self.starts:
            assert proc.returncode is None, self.log(i).read_text()
            assert time.monotonic() < deadline, "markbot did not start"
            await asyncio.sleep(0.05)

    async def kill(self, i: int) -> None:
        proc = self.procs[i]
        assert proc is not None
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
        self.procs[i] = None

    async def term(self, i: int) -> int:
        proc = self.procs[i]
        assert proc is not None
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 60)  # once, under load, not within 30 s
        self.procs[i] = None
        return code

    async def stop(self) -> list[int]:
        codes = []
        for proc in self.procs:
            if proc is not None and proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            if proc is None:
                continue
            try:
                codes.append(await asyncio.wait_for(proc.wait(), 30))
            except TimeoutError:
                proc.kill()
                codes.append(await proc.wait())
        return codes

    def logs(self) -> str:
        return "".join(self.log(i).read_text() for i in range(len(self.ports)))


@contextlib.asynccontextmanager
async def processes(
    database: str,
    standin: BotApiStandin,
    workdir: Path,
    n: int = 2,
    extra: dict[str, str] | None = None,
) -> AsyncIterator[Procs]:
    ports = [free_port() for _ in range(n)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in ports])
    await proxy.start()
    fleet = Procs(database, standin, workdir, ports, proxy, extra or {}, workdir / "markbot.key")
    fleet.procs = [None] * n
    try:
        poll_file = workdir / "poll.yaml"
        poll_file.write_text(WEB_POLL, encoding="utf-8")
        code, _out, err = await _cli(
            fleet.env(ports[0]) | {"MARKBOT_DB": str(workdir / "unused.db")},
            "poll",
            "create",
            str(poll_file),
            "--open",
        )
        assert code == 0, err
        for i in range(n):
            await fleet.start(i)
        yield fleet
    finally:
        await fleet.stop()
        await proxy.stop()


# --------------------------------------------------------------------------- web voters


class WebVoter:
    """One browser (its own cookies) that goes to whichever process answers: on a refused or
    cut connection it tries the next one, as a proxy with health checks would send it."""

    def __init__(self, ports: list[int], first: int, jar: aiohttp.CookieJar | None = None) -> None:
        self.ports = ports
        self.turn = first
        self.http = aiohttp.ClientSession(
            cookie_jar=jar or aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        self.hidden: dict[str, str] = {}

    def base(self) -> str:
        return f"http://127.0.0.1:{self.ports[self.turn % len(self.ports)]}"

    async def request(self, method: str, path: str, data: dict[str, str] | None = None) -> str:
        """The final page's path and text, after redirects (``path`` + "\\n" + text)."""
        for _ in range(40):
            try:
                async with self.http.request(method, self.base() + path, data=data) as r:
                    text = await r.text()
                    if r.status >= 500 and r.status != 503:
                        raise aiohttp.ClientError(str(r.status))
                    self.hidden = dict(_HIDDEN.findall(text)) or self.hidden
                    return r.url.path + "\n" + text
            except (aiohttp.ClientError, TimeoutError):
                self.turn += 1
                await asyncio.sleep(0.3)
        raise AssertionError("no process answered")

    async def post(self, path: str, **fields: str) -> str:
        return await self.request("POST", path, {**self.hidden, **fields})

    async def vote(self, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                await self.request("GET", f"/v/{CODE}")
                page = await self.post(f"/v/{CODE}/start")
                for i, answer in enumerate(("14-16", "north", "climate")):
                    if not page.startswith(f"/v/{CODE}/q/{i}"):
                        break
                    page = await self.post(f"/v/{CODE}/q/{i}", answer=answer)
                if page.startswith(f"/v/{CODE}/check"):
                    page = await self.post(f"/v/{CODE}/send")
                if page.startswith(f"/v/{CODE}/done") and "Your vote is counted" in page:
                    return CONFIRMED
                if "already voted" in page:
                    return WEB_VOTED
                await asyncio.sleep(0.5)  # anything else: start again, as a person would
            return WEB_GAVE_UP
        finally:
            await self.http.close()


async def _ballots(database: str, key: Path) -> tuple[int, int]:
    """(ballots, registered voters) of the poll, read beside the processes."""
    rt = await open_runtime(Settings(database_url=database, key_file=key, _env_file=None))  # type: ignore[call-arg]
    try:
        loaded = await rt.services.polls.by_code(CODE)
        assert loaded is not None
        ballots = sum(n for _, n in await rt.store.ballots_by_day(loaded[0].id))
        return ballots, ballots
    finally:
        await rt.close()


def _clean(logs: str, ids: list[int]) -> None:
    """No identity in the logs; a traceback only in markbot's form, its messages left out."""
    tracebacks = [line for line in logs.splitlines() if line.startswith("Traceback")]
    assert all("messages left out" in line for line in tracebacks), logs[-3000:]
    for uid in ids:
        assert str(uid) not in logs


def _thanked_per_chat(standin: BotApiStandin) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in standin.calls
        if c.method in ("editMessageText", "sendMessage")
        and c.status == 200
        and "Thank you" in str(c.params.get("text", ""))
    )


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("how", ["kill -9", "SIGTERM"])
async def test_one_of_two_processes_stopped_with_telegram_and_web_voters_mid_journey(
    standin: BotApiStandin, pg_url: str, tmp_path: Path, how: str
) -> None:
    """20 Telegram and 12 web voters; one process is killed -9 (or stopped with SIGTERM: it
    exits 0) in the middle and started again 5 s later. Telegram's updates the dead one held
    are delivered again (to the other, then to it); web voters go to the other. Every voter
    ends told "counted" or "already voted", the ballots are exactly the voters, and no
    thank-you is shown twice."""
    poll = bench_poll()
    lease = {"MARKBOT_WEBHOOK_LEASE_SECONDS": "3"}
    async with processes(pg_url, standin, tmp_path, extra=lease) as fleet:
        tg = [standin.user(761_000_000 + i, language_code="en") for i in range(20)]
        web = [WebVoter(fleet.ports, i) for i in range(12)]
        voting = [asyncio.create_task(persistent_vote(u, poll, i)) for i, u in enumerate(tg)]
        browsing = [asyncio.create_task(w.vote()) for w in web]
        deadline = time.monotonic() + 30
        while len(standin.calls_to("editMessageText")) < 25 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if how == "kill -9":
            await fleet.kill(0)
        else:
            assert (await fleet.term(0)) == 0, fleet.log(0).read_text()[-2000:]
        await asyncio.sleep(5)
        await fleet.start(0)
        ends = await asyncio.gather(*voting)
        web_ends = await asyncio.gather(*browsing)
        await standin.wait_idle(10)
        ballots, _ = await _ballots(pg_url, fleet.key)
        codes = await fleet.stop()
    assert GAVE_UP not in ends and WEB_GAVE_UP not in web_ends, (ends, web_ends)
    assert ballots == len(tg) + len(web), (ballots, ends, web_ends)
    assert ends.count(THANKED) + ends.count(VOTED) == len(tg)
    assert web_ends.count(CONFIRMED) + web_ends.count(WEB_VOTED) == len(web)
    assert codes.count(0) == len(codes), codes  # the survivors stop cleanly
    per_chat = _thanked_per_chat(standin)
    twice = {chat: n for chat, n in per_chat.items() if n > 1}
    assert not twice, twice  # a thank-you shown twice reads as two votes
    assert any(status == 0 for _, status in fleet.proxy.forwarded)  # the stop was felt
    _clean(fleet.logs(), [u.id for u in tg])


async def test_one_web_send_posted_to_two_processes_at_once_counts_once(
    standin: BotApiStandin, pg_url: str, tmp_path: Path
) -> None:
    """A double click whose two POSTs a proxy spreads over both processes: one ballot, and
    both answers are the confirmation page."""
    async with processes(pg_url, standin, tmp_path) as fleet:
        voters = [WebVoter(fleet.ports, i) for i in range(8)]

        async def double(w: WebVoter) -> tuple[str, str]:
            try:
                await w.request("GET", f"/v/{CODE}")
                page = await w.post(f"/v/{CODE}/start")
                for i, answer in enumerate(("14-16", "south", "jobs")):
                    assert page.startswith(f"/v/{CODE}/q/{i}"), page[:300]
                    page = await w.post(f"/v/{CODE}/q/{i}", answer=answer)
                assert page.startswith(f"/v/{CODE}/check")
                form = dict(w.hidden)
                jar = w.http.cookie_jar
                one, two = WebVoter(fleet.ports, 0, jar), WebVoter(fleet.ports, 1, jar)
                one.hidden, two.hidden = dict(form), dict(form)
                try:
                    a, b = await asyncio.gather(
                        one.post(f"/v/{CODE}/send"), two.post(f"/v/{CODE}/send")
                    )
                finally:
                    await one.http.close()
                    await two.http.close()
                return a, b
            finally:
                await w.http.close()

        pages = await asyncio.gather(*(double(w) for w in voters))
        ballots, _ = await _ballots(pg_url, fleet.key)
        codes = await fleet.stop()
    assert ballots == len(voters)
    for a, b in pages:
        assert a.startswith(f"/v/{CODE}/done") and "Your vote is counted" in a, a[:400]
        assert b.startswith(f"/v/{CODE}/done") and "Your vote is counted" in b, b[:400]
    assert codes == [0, 0]
    _clean(fleet.logs(), [])


async def test_kill_9_of_the_broadcasting_process_with_two_running(
    standin: BotApiStandin, pg_url: str, tmp_path: Path
) -> None:
    """A broadcast to 300 from one of two processes; that process is killed -9 mid-send and
    started again. Nobody gets it twice; it finishes (the other takes the lease over), and
    those not sent are only the few "not known" (on the wire at the kill), as the README says."""
    ids = list(range(762_000_000, 762_000_300))
    for uid in ids:
        standin.user(uid)
    async with processes(pg_url, standin, tmp_path, extra={"MARKBOT_ADMINS": str(OWNER)}) as fleet:
        rt = await open_runtime(Settings(database_url=pg_url, key_file=fleet.key, _env_file=None))  # type: ignore[call-arg]
        try:
            await asyncio.gather(*(rt.services.subscriptions.add(uid, "en") for uid in ids))
        finally:
            await rt.close()
        owner = standin.user(OWNER, first_name="Pat")
        since = len(standin.calls)
        await owner.send_command("broadcast", CODE)

        def sent() -> list[int]:
            return [
                int(c.params["chat_id"])
                for c in standin.calls[since:]
                if c.method == "sendMessage" and c.params.get("chat_id") in set(ids)
            ]

        deadline = time.monotonic() + 30
        while len(sent()) < 60 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        # kill the one that is sending: if the sends go on after killing the first, the
        # other was sending, and is killed too (then both are started again)
        await fleet.kill(0)
        at_kill = len(sent())
        await asyncio.sleep(1.0)
        if len(sent()) > at_kill + 10:
            await fleet.kill(1)
            await fleet.start(1)
        await fleet.start(0)
        finals = []
        deadline = time.monotonic() + 60
        while not finals and time.monotonic() < deadline:
            finals = [o for o in owner.drain() if "Finished telling subscribers" in o.plain]
            await asyncio.sleep(0.2)
        await standin.wait_idle(10)
        await fleet.stop()
    per_chat = Counter(sent())
    assert max(per_chat.values()) == 1, [c for c, n in per_chat.items() if n > 1]
    assert len(finals) == 1, [o.plain for o in owner.drain()]
    text = finals[0].plain
    found = re.search(r"Not known: (\d+)", text)
    unknown = int(found.group(1)) if found else 0
    lost = len(ids) - len(per_chat)
    assert f"Sent: {len(per_chat) - unknown}" in text or f"Sent: {len(per_chat)}" in text, text
    assert lost <= unknown <= 5, (lost, text)
    print(f"broadcast after a kill -9: {len(per_chat)} of {len(ids)} delivered; {text!r}")


async def test_postgresql_restarted_mid_vote(
    standin: BotApiStandin, pg_cluster: Cluster, pg_url: str, tmp_path: Path
) -> None:
    """PostgreSQL restarted (fast shutdown) while 16 Telegram voters are mid-journey on two
    processes: both processes live on, every voter ends counted once."""
    poll = bench_poll()
    async with processes(pg_url, standin, tmp_path) as fleet:
        tg = [standin.user(763_000_000 + i, language_code="en") for i in range(16)]
        voting = [asyncio.create_task(persistent_vote(u, poll, i)) for i, u in enumerate(tg)]
        deadline = time.monotonic() + 30
        while len(standin.calls_to("editMessageText")) < 20 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        folder = pg_cluster.folder
        restart = [folder / "data", "-l", folder / "log", "-m", "fast", "-w", "restart"]
        await asyncio.to_thread(
            subprocess.run,
            _as_postgres(pg_cluster.bin / "pg_ctl", "-D", *restart),
            capture_output=True,  # the log file: the server keeps no pipe of this call open
            check=True,
            timeout=60,
        )
        ends = await asyncio.gather(*voting)
        await standin.wait_idle(10)
        alive = [p is not None and p.returncode is None for p in fleet.procs]
        ballots, _ = await _ballots(pg_url, fleet.key)
        codes = await fleet.stop()
    assert alive == [True, True]
    assert GAVE_UP not in ends, ends
    assert ballots == len(tg)
    assert codes == [0, 0]
    per_chat = _thanked_per_chat(standin)
    assert all(n == 1 for n in per_chat.values()), per_chat
    _clean(fleet.logs(), [u.id for u in tg])


async def test_sigterm_in_a_burst_of_sends_loses_nothing(
    tmp_path: Path, database_url: str | None
) -> None:
    """30 people tap Send together and markbot (long polling) gets SIGTERM in the middle: it
    exits 0, and once it is started again every one of them is counted exactly once and told
    so, without tapping again."""
    async with BotApiStandin(TEST_TOKEN, bot_username="markbot_test_bot") as standin:
        env = _env(standin, tmp_path, database_url, MARKBOT_LOG_LEVEL="WARNING")
        settings = _settings(tmp_path, database_url)
        poll_file = tmp_path / "poll.yaml"
        poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
        assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
        log = tmp_path / "bot.log"
        bot = await _start_bot(env, log)
        users = [standin.user(764_000_000 + i, "Voter") for i in range(30)]
        try:
            await _wait_ready(standin, 0)
            await asyncio.gather(*(_journey_to_check(u, "test-poll", "North", "ok") for u in users))
            for u in users:
                await u.press("Send my answers")
            await asyncio.sleep(0.02)
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 30)
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        assert code == 0, log.read_text()[-2000:]
        since = len(standin.calls)
        bot = await _start_bot(env, log)
        try:
            await _wait_ready(standin, since)
            await standin.wait_idle(timeout=20)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 30) == 0
        told = [u for u in users if "counted" in (u.last_bot_message() or {}).get("plain", "")]
        assert len(told) == len(users), len(told)
        assert await stored.count(settings, "ballots") == len(users)
        _clean(log.read_text(), [u.id for u in users])


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_kill_9_between_the_ballots_commit_and_its_thank_you(
    tmp_path: Path, database_url: str | None, mode: str
) -> None:
    """Six people tap Send; the first thank-you reaches the stand-in (so that ballot, at least,
    is committed) and is held there, and markbot is killed -9 with Sends committed and their
    replies lost. After a restart each person is told "counted" exactly once more at most and
    counted exactly once: by webhook the Sends are delivered again by Telegram; by polling the
    person taps Send again on the message they have."""
    async with BotApiStandin(TEST_TOKEN, bot_username="markbot_test_bot") as standin:
        port = free_port()
        extra = {"MARKBOT_LOG_LEVEL": "WARNING"}
        if mode == "webhook":
            extra |= {
                "MARKBOT_WEB_PORT": str(port),
                "MARKBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                "MARKBOT_WEBHOOK_SECRET": "a-webhook-secret-for-tests-0123456789",
                "MARKBOT_WEBHOOK_LEASE_SECONDS": "3",
            }
        env = _env(standin, tmp_path, database_url, **extra)
        args = ("run", "--webhook") if mode == "webhook" else ("run",)
        settings = _settings(tmp_path, database_url)
        poll_file = tmp_path / "poll.yaml"
        poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
        assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
        log = tmp_path / "bot.log"

        async def start() -> asyncio.subprocess.Process:
            since = len(standin.calls)
            with log.open("ab") as fh:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", *args, env=env, stdout=fh, stderr=fh
                )
            deadline = time.monotonic() + 30
            ready = "setWebhook" if mode == "webhook" else "getUpdates"
            while not any(c.method == ready for c in standin.calls[since:]):
                assert proc.returncode is None and time.monotonic() < deadline, log.read_text()
                await asyncio.sleep(0.05)
            return proc

        thanked = asyncio.Event()

        def fault(method: str, params: dict[str, object]) -> Fault | None:
            if method == "editMessageText" and "Thank you!" in str(params.get("text", "")):
                thanked.set()
                return Fault.hold(60, applied=False)  # never arrives
            return None

        users = [standin.user(765_000_000 + i, "Voter") for i in range(6)]
        bot = await start()
        try:
            await asyncio.gather(*(_journey_to_check(u, "test-poll", "North", "ok") for u in users))
            standin.fault = fault
            for u in users:
                await u.press("Send my answers")
            await asyncio.wait_for(thanked.wait(), 30)
            await asyncio.sleep(0.2)  # the other Sends commit meanwhile
        finally:
            bot.kill()
            await bot.wait()
        committed = await stored.count(settings, "ballots")
        assert committed >= 1
        standin.fault = None
        since = len(standin.calls)
        bot = await start()
        try:
            if mode == "polling":
                await standin.wait_idle(timeout=20)
                for u in users:  # nothing came back: they tap Send again
                    msg = u.last_bot_message() or {}
                    if "Send my answers" in [b for row in msg.get("buttons", []) for b in row]:
                        await u.press("Send my answers")
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline:
                last = [(u.last_bot_message() or {}).get("plain", "") for u in users]
                if all("counted" in text for text in last):
                    break
                await asyncio.sleep(0.2)
            await standin.wait_idle(timeout=20)
        finally:
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 30)
        shown = {u.id: (u.last_bot_message() or {}).get("plain", "")[:80] for u in users}
        assert all("counted" in text for text in shown.values()), (committed, shown)
        assert await stored.count(settings, "ballots") == len(users)
        after = Counter(
            int(c.params["chat_id"])
            for c in standin.calls[since:]
            if c.status == 200 and "Thank you!" in str(c.params.get("text", ""))
        )
        assert all(n == 1 for n in after.values()), after
        assert code == 0
        _clean(log.read_text(), [u.id for u in users])


async def test_kill_9_with_an_alert_on_the_wire_labels_it_when_sent_again(
    tmp_path: Path, database_url: str | None
) -> None:
    """Three disclosures; Telegram posts the first alert but its answer never comes, and markbot
    is killed -9 then. After a restart each alert reaches the lead: the first twice at most and
    then only under the "may have arrived already" label, the others exactly once, unlabelled."""
    lead = -100765765
    async with BotApiStandin(TEST_TOKEN, bot_username="markbot_test_bot") as standin:
        standin.group(lead, "Safeguarding leads")
        env = _env(
            standin,
            tmp_path,
            database_url,
            MARKBOT_SAFEGUARDING_CHAT=str(lead),
            MARKBOT_LOG_LEVEL="WARNING",
        )
        settings = _settings(tmp_path, database_url)
        poll_file = tmp_path / "poll.yaml"
        poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
        assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
        on_wire = asyncio.Event()

        def fault(method: str, params: dict[str, object]) -> Fault | None:
            if method == "sendMessage" and int(str(params.get("chat_id", 0))) == lead:
                on_wire.set()
                return Fault.hold(60, applied=True)  # posted; the answer never comes
            return None

        standin.fault = fault
        log = tmp_path / "bot.log"
        bot = await _start_bot(env, log)
        users = [standin.user(766_000_000 + i, "Ada") for i in range(3)]
        try:
            await _wait_ready(standin, 0)
            for i, u in enumerate(users):
                await _journey_to_check(u, "test-poll", "North", f"my dad hits me (case {i:03d})")
            await asyncio.wait_for(on_wire.wait(), 30)
            await asyncio.sleep(0.3)
        finally:
            bot.kill()
            await bot.wait()
        standin.fault = None
        since = len(standin.calls)
        bot = await _start_bot(env, log)
        try:
            await _wait_ready(standin, since)
            # the dead process's posting lease runs out first (a minute, services/leases.py)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if await stored.count(settings, "alert_outbox") == 0:
                    break
                await asyncio.sleep(0.2)
            await standin.wait_idle(timeout=20)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 30) == 0
        copies: dict[str, list[bool]] = {}
        for call in standin.calls_to("sendMessage"):
            if int(str(call.params.get("chat_id", 0))) != lead:
                continue
            text = str(call.params.get("text", ""))
            for case in re.findall(r"case (\d{3})", text):
                copies.setdefault(case, []).append("may have arrived already" in text)
        assert sorted(copies) == ["000", "001", "002"], copies
        first = min(copies, key=lambda c: 0 if len(copies[c]) > 1 else 1)
        assert copies[first] in ([False], [False, True]), copies
        assert all(copies[c] == [False] for c in copies if c != first), copies
        _clean(log.read_text(), [u.id for u in users])
