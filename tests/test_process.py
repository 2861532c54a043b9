"""``markbot run`` as a real process: privacy of what is stored and logged, kill -9, locks.

The tests that start markbot run on both backends (conftest's ``database_url``): what was
stored is read through tests/stored.py, and on SQLite the file's bytes are searched too."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from pathlib import Path

import pytest
import stored
from conftest import SIMPLE_POLL, TOKEN
from processes import identity_bytes as _needles
from processes import process_env as _env
from processes import process_settings as _settings
from processes import run_cli as _cli
from processes import wait_polling as _wait_ready

from standin import BotApiStandin, FakeUser, Fault
from tests.webclient import free_port


async def _start_bot(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    fh = log.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            stdout=fh,
            stderr=fh,
        )
    finally:
        fh.close()


async def _journey_to_check(
    user: FakeUser, code: str, area: str, why: str, *, started: bool = False
) -> None:
    if not started:
        await user.send_command("start", code)
        await user.next_output(timeout=15)
    for label in ("Start", "13-15", area, "Climate"):
        await user.press(label)
        await user.next_output(timeout=15)
    await user.send_text(why)
    await user.next_output(timeout=15)


def _identity(users: list[FakeUser]) -> list[str | int]:
    """Each user's id, as a number, and names, as text (``stored.found_anywhere``'s needles)."""
    found: list[str | int] = []
    for u in users:
        found += [u.id, *(t for t in (u.username, u.first_name, u.last_name) if t)]
    return found


async def test_no_identity_in_database_wal_or_logs(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    env = _env(standin, tmp_path, database_url)
    settings = _settings(tmp_path, database_url)
    poll_file = tmp_path / "poll.yaml"
    poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
    assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
    log = tmp_path / "bot.log"
    bot = await _start_bot(env, log)
    try:
        await _wait_ready(standin, 0)
        users = [
            standin.user(
                734_219_000 + i,
                f"Zephyrine{i}",
                last_name=f"Quillfeather{i}",
                username=f"zq_tester_{i}",
                language_code="en",
            )
            for i in range(6)
        ]
        await asyncio.gather(
            *(
                _journey_to_check(
                    u,
                    "test-poll",
                    "North",
                    f"my name is {u.first_name} {u.last_name}, I'm @{u.username}",
                )
                for u in users
            )
        )
        for u in users:
            await u.press("Send my answers")
            assert "counted" in (await u.next_output(timeout=15)).plain
        live = b""  # the SQLite file while markbot runs, WAL and all
        if database_url is None:
            db, wal = settings.db, settings.db.with_name(settings.db.name + "-wal")
            live = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 20) == 0
    await stored.assert_nowhere(settings, *_identity(users), *_needles(users))
    logs = log.read_bytes()
    assert TOKEN.encode() not in logs and TOKEN.split(":")[1].encode() not in logs
    for needle in _needles(users):
        assert needle not in live, needle
        assert needle not in logs, needle
    # the answers themselves are there, scrubbed
    bodies = [body for (body,) in await stored.rows(settings, "text_answers", "body")]
    assert len(bodies) == 6 and all("[name]" in b for b in bodies), bodies


async def test_contact_detail_is_never_in_clear_on_disk_or_in_logs(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    env = _env(standin, tmp_path, database_url, MARKBOT_SAFEGUARDING_CHAT="-100424242")
    lead = standin.group(-100424242, "Safeguarding")
    poll_file = tmp_path / "poll.yaml"
    poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
    assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
    log = tmp_path / "bot.log"
    bot = await _start_bot(env, log)
    detail = "quokka.wanderer@example.org or 07700 900789"
    user = standin.user(734_555_001, "Marigold", username="marigold_q")
    try:
        await _wait_ready(standin, 0)
        await _journey_to_check(user, "test-poll", "North", "my dad hits me")
        await lead.next_output(timeout=15)  # the anonymous alert
        await user.press("I'd like an adult to contact me")
        await user.next_output(timeout=15)
        await user.send_text(detail)
        await user.next_output(timeout=15)
        await user.press("Send it")
        await user.next_output(timeout=15)
        assert detail in (await lead.next_output(timeout=15)).plain
        await user.press("Send my answers", message_id=_id_of_check(user))
        assert "counted" in (await user.next_output(timeout=15)).plain
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 20) == 0
    parts = ("quokka", "900789", "07700")
    await stored.assert_nowhere(
        _settings(tmp_path, database_url), *parts, *_identity([user]), *_needles([user])
    )
    logs = log.read_bytes()
    for needle in (*(p.encode() for p in parts), *_needles([user])):
        assert needle not in logs, needle


def _id_of_check(user: FakeUser) -> int:
    """The message that shows "Check your answers" (the journey screen, not the contact ones)."""
    for message in reversed(user.messages):
        if "Check your answers" in message.get("plain", ""):
            return int(message["message_id"])
    raise LookupError("no check screen")


async def test_kill_9_mid_vote_counts_each_ballot_exactly_once(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    env = _env(standin, tmp_path, database_url, MARKBOT_LOG_LEVEL="WARNING")
    settings = _settings(tmp_path, database_url)
    poll_file = tmp_path / "poll.yaml"
    poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
    assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
    log = tmp_path / "bot.log"
    bot = await _start_bot(env, log)
    users = [standin.user(500_000 + i, "Voter") for i in range(40)]
    try:
        await _wait_ready(standin, 0)
        await asyncio.gather(*(_journey_to_check(u, "test-poll", "South", "ok") for u in users))
        for u in users:  # everyone taps Send at once; the process dies in the middle
            await u.press("Send my answers")
        await asyncio.sleep(0.02)
    finally:
        bot.kill()
        await bot.wait()
    told_counted = {
        u.id for u in users if "counted" in (u.last_bot_message() or {}).get("plain", "")
    }
    ballots_after_crash = await stored.count(settings, "ballots")
    # everyone told "counted" is in the database (it may hold more: committed, not yet told)
    assert ballots_after_crash >= len(told_counted)

    since = len(standin.calls)
    bot = await _start_bot(env, log)
    try:
        await _wait_ready(standin, since)
        await standin.wait_idle(timeout=20)
        for u in users:  # each taps Send again on the message they have
            msg = u.last_bot_message() or {}
            if "Send my answers" in [b for row in msg.get("buttons", []) for b in row]:
                await u.press("Send my answers")
        await standin.wait_idle(timeout=20)
        for u in users:  # anyone not told "counted" opens the link again
            u.drain()
            if "counted" in (u.last_bot_message() or {}).get("plain", ""):
                continue
            await u.send_command("start", "test-poll")
            text = (await u.next_output(timeout=15)).plain
            # a late edit from before (a busy machine): skip it; the link again mid-poll carries
            # on where they were, so this voter starts over with /cancel to follow the script
            while "Question" in text and "carry on where you were" not in text:
                text = (await u.next_output(timeout=15)).plain
            if "carry on where you were" in text:
                await u.send_command("cancel")
                await u.next_output(timeout=15)
                await u.send_command("start", "test-poll")
                text = (await u.next_output(timeout=15)).plain
            if "already voted" in text or "counted" in text:  # or the late reply to Send
                continue
            assert "Before you start" in text
            await _journey_to_check(u, "", "South", "ok", started=True)
            await u.press("Send my answers")
            assert "counted" in (await u.next_output(timeout=15)).plain
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 20)
    ballots = await stored.count(settings, "ballots")
    voters = await stored.count(settings, "voters")
    questions = await stored.rows(settings, "answers", "question")
    assert ballots == voters == questions.count(("priority",)) == 40


ALERT_BURST = 60  # issue 14: a burst of 60 disclosures, a 429 and a kill -9 mid-burst


async def _disclose(user: FakeUser, n: int) -> float:
    """Answer up to the text question and type a disclosure: the reply's wait in seconds."""
    await user.send_command("start", "test-poll")
    await user.next_output(timeout=60)
    for label in ("Start", "13-15", "North", "Climate"):
        await user.press(label)
        await user.next_output(timeout=60)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await user.send_text(f"my dad hits me every night (case {n:03d})")
    reply = await user.next_output(timeout=60)
    assert "Childline" in reply.plain  # signposted in the same reply
    return loop.time() - started


def _alert_cases(standin: BotApiStandin, chat: int) -> list[str]:
    """The case numbers of the alerts the lead's group has had, repeats included."""
    found: list[str] = []
    for call in standin.calls_to("sendMessage"):
        if call.status == 200 and int(str(call.params.get("chat_id", 0))) == chat:
            found += re.findall(r"case (\d{3})", str(call.params.get("text", "")))
    return found


async def _until_alerts(standin: BotApiStandin, chat: int, count: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end and len(set(_alert_cases(standin, chat))) < count:
        await asyncio.sleep(0.2)


async def test_a_burst_of_60_alerts_a_429_and_kill_9_deliver_each_alert_once(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Every alert is stored with its answer and sent in the background at the group's pace
    (about 20 a minute): 60 young people are signposted at once without waiting for it, the
    group answers the first alert with a 429, markbot is killed (-9) with most alerts still
    queued, and after a restart each of the 60 reaches the lead exactly once."""
    lead = -100424243
    standin.group(lead, "Safeguarding leads")
    env = _env(
        standin,
        tmp_path,
        database_url,
        MARKBOT_SAFEGUARDING_CHAT=str(lead),
        MARKBOT_LOG_LEVEL="WARNING",
    )
    settings = _settings(tmp_path, database_url)
    flooded = {"done": False}

    def fault(method: str, params: dict[str, object]) -> Fault | None:
        to_lead = method == "sendMessage" and int(str(params.get("chat_id", 0))) == lead
        if to_lead and not flooded["done"]:
            flooded["done"] = True
            return Fault.flood(2)
        return None

    standin.fault = fault
    poll_file = tmp_path / "poll.yaml"
    poll_file.write_text(SIMPLE_POLL, encoding="utf-8")
    assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
    log = tmp_path / "bot.log"
    bot = await _start_bot(env, log)
    users = [standin.user(610_000 + i, "Ada") for i in range(ALERT_BURST)]
    try:
        await _wait_ready(standin, 0)
        waits = await asyncio.gather(*(_disclose(u, i) for i, u in enumerate(users)))
        # past the group's burst of 20, the sender waits about 3 s between alerts: kill it -9
        # in such a wait, with most alerts still queued. (A kill in the few milliseconds
        # between Telegram's answer and the delete would repeat that one alert: README.)
        await _until_alerts(standin, lead, 21, timeout=120)
        await asyncio.sleep(1.0)
    finally:
        bot.kill()
        await bot.wait()
    # 60 alerts at 20 a minute take two minutes: had a reply waited for its alert, the last
    # young person would have waited that long
    assert max(waits) < 30, max(waits)
    assert flooded["done"]
    before = set(_alert_cases(standin, lead))
    assert 21 <= len(before) < ALERT_BURST
    assert await stored.count(settings, "alert_outbox") == ALERT_BURST - len(before)

    since = len(standin.calls)
    bot = await _start_bot(env, log)
    try:
        await _wait_ready(standin, since)
        await _until_alerts(standin, lead, ALERT_BURST, timeout=300)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 20)
    cases = _alert_cases(standin, lead)
    assert sorted(set(cases)) == [f"{i:03d}" for i in range(ALERT_BURST)]  # none lost
    assert len(cases) == ALERT_BURST  # none twice
    assert await stored.count(settings, "alert_outbox") == 0


async def test_second_run_is_refused(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """One process polls a token (on PostgreSQL, where several may share the database, too)."""
    env = _env(standin, tmp_path, database_url, MARKBOT_LOG_LEVEL="WARNING")
    log = tmp_path / "bot.log"
    bot = await _start_bot(env, log)
    try:
        await _wait_ready(standin, 0)
        code, _out, err = await _cli(env, "run")
        assert code == 1
        assert err.strip().count("\n") == 0 and "already running" in err
        # the same token with another database on this machine is refused too
        other = dict(
            env, MARKBOT_DB=str(tmp_path / "other.db"), MARKBOT_KEY_FILE=str(tmp_path / "other.key")
        )
        code, _out, err = await _cli(other, "run")
        assert code == 1 and "already running" in err
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 20)


async def test_conflict_exits_with_a_clear_line(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    import telegram

    env = _env(standin, tmp_path, database_url, MARKBOT_LOG_LEVEL="WARNING")
    # a foreign poller holds getUpdates open, as another machine running the same token would
    rival = telegram.Bot(TOKEN, base_url=standin.base_url)
    await rival.initialize()
    stop = asyncio.Event()

    async def rival_poll() -> None:
        while not stop.is_set():
            with contextlib.suppress(telegram.error.Conflict):
                await rival.get_updates(timeout=1)

    task = asyncio.create_task(rival_poll())
    try:
        code, _out, err = await asyncio.wait_for(_cli(env, "run"), 60)
    finally:
        stop.set()
        await task
        await rival.shutdown()
    assert code == 1
    assert "Conflict" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("env_edit", "args", "needle"),
    [
        ({"MARKBOT_TOKEN": ""}, ["run"], "MARKBOT_TOKEN"),
        ({"MARKBOT_MIN_CELL": "lots"}, ["poll", "list"], "MARKBOT_MIN_CELL"),
        ({"MARKBOT_ADMINS": "12,abc"}, ["poll", "list"], "MARKBOT_ADMINS"),
        ({"MARKBOT_API_URL": "ftp://x"}, ["poll", "list"], "MARKBOT_API_URL"),
        ({"MARKBOT_TEXT_LANGUAGES": "en,klingon"}, ["poll", "list"], "MARKBOT_TEXT_LANGUAGES"),
    ],
)
async def test_bad_settings_are_one_line_and_exit_2(
    standin: BotApiStandin,
    tmp_path: Path,
    env_edit: dict[str, str],
    args: list[str],
    needle: str,
) -> None:
    env = _env(standin, tmp_path)
    env.update(env_edit)
    code, _out, err = await _cli(env, *args)
    assert code == 2
    assert re.fullmatch(rf"markbot: {needle} .+\n", err), err


async def _web_ready(port: int, timeout: float = 20) -> None:
    import aiohttp

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        with contextlib.suppress(aiohttp.ClientError):
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/"):
                return
        await asyncio.sleep(0.1)
    raise TimeoutError("the web ballot did not start")


async def test_run_serves_the_web_alone_without_a_token(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """A council that doesn't use Telegram: `markbot run` with a web port and no token."""
    import aiohttp

    port = free_port()
    env = _env(standin, tmp_path, database_url, MARKBOT_WEB_PORT=str(port))
    del env["MARKBOT_TOKEN"]
    poll_file = tmp_path / "poll.yaml"
    poll_file.write_text(SIMPLE_POLL.replace("code: test-poll", "code: test-poll\nweb: open"))
    assert (await _cli(env, "poll", "create", str(poll_file), "--open"))[0] == 0
    log = tmp_path / "web.log"
    proc = await _start_bot(env, log)
    try:
        await _web_ready(port)
        jar = aiohttp.CookieJar(unsafe=True)
        url = f"http://127.0.0.1:{port}/v/test-poll"
        async with aiohttp.ClientSession(cookie_jar=jar) as http, http.get(url) as r:
            assert r.status == 200 and "Start now" in await r.text()
        if database_url is None:  # one process per SQLite file (PostgreSQL's may be several)
            second = await _start_bot(env, tmp_path / "second.log")
            assert await asyncio.wait_for(second.wait(), 20) != 0
            assert "already running" in (tmp_path / "second.log").read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0, log.read_text()
    assert not any(c.method == "getUpdates" for c in standin.calls)  # no Telegram at all
