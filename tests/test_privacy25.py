"""A black-box privacy check (round 25): realistic sessions through both channels, then every
byte markbot wrote is searched for each person's identity in many encodings, and the stored
ballots are checked for anything that would line them up with the people who cast them.

The people are distinctive on purpose (ids, usernames, first and last names, a phone-shaped
name, language codes; a browser's User-Agent, forwarded address, Accept-Language and cookies),
so a hit can only be a leak. What is searched: the database (SQLite's file, -wal, -shm and
-journal; on PostgreSQL the whole throwaway cluster: table files, write-ahead log and the
server's log), every file in the test's folder (exports, the results site, temporary files),
and markbot's log at DEBUG level (a log file, as an operator would keep one).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import zipfile
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp
import pytest
from conftest import SIMPLE_POLL, Harness, make_settings, start_markbot

from bot.app import Runtime, open_runtime
from bot.logs import setup_logging
from bot.settings import Settings
from handlers.web.server import build_web_app, start_web
from services.site import SiteService
from standin import BotApiStandin, FakeGroup, FakeUser
from tests.stored import rows
from tests.webclient import Browser

LEAD_CHAT = -1_001_987_654_321
OWNER = 8_642_097_531
POLL = SIMPLE_POLL.replace("code: test-poll", "code: test-poll\nweb: open")
AGENT = "Mozilla/5.0 (X11; Zorblaxian 4.2; rv:77) Quenderfox/77.0"
FORWARDED = "198.51.100.173"
ACCEPT_LANGUAGE = "tlh-Piqd,kw-GB;q=0.7"
FOREIGN_COOKIE = "zorblax_tracker=QWERTY-7788-cookie"

# (id, first name, last name, username, language code): an id as large as Telegram's new ones,
# a phone-shaped first name, a name in another script, and unusual language tags
PEOPLE = (
    (7_300_481_926, "Xanthippe", "Quillfeather", "xq_tallowmere", "pt-BR"),
    (5_918_273_640, "07700 900417", None, "marrowvane_77", "uk"),
    (6_402_775_113, "Oyelaranke", "Brightwaterson", "obw_larkspur", "cy"),
    (2_147_483_699, "Ждановична", "Фролушкина", "zhd_frolushka", "ru"),
)


def forms(needle: int | str) -> list[bytes]:
    """Every encoding of an identity a careless writer might leave: text (UTF-8, lower case,
    UTF-16 either way), hex, base64 (at each of the three alignments), and a number as 4- and
    8-byte integers either way round."""
    found: list[bytes] = []
    text = str(needle)
    raw = text.encode()
    found += [raw, text.lower().encode(), text.encode("utf-16-le"), text.encode("utf-16-be")]
    found += [raw.hex().encode(), raw.hex().upper().encode()]
    for pad in range(3):  # base64 of the needle wherever it starts in a longer value
        encoded = base64.b64encode(b"\0" * pad + raw)[4 if pad else 0 :]
        found.append(encoded[: len(encoded) - 4])
    if isinstance(needle, int):
        for size in (4, 8):
            if needle < 1 << (8 * size - 1):
                found += [needle.to_bytes(size, "big"), needle.to_bytes(size, "little")]
        found += [f"{needle:x}".encode(), f"{needle:X}".encode()]
    return [f for f in found if len(f) >= 4]


def identities() -> list[int | str]:
    found: list[int | str] = [OWNER]
    for uid, first, last, username, _ in PEOPLE:
        found += [uid, first, username]
        if last:
            found += [last, f"{first} {last}"]
    found += ["07700900417", "Zorblaxian", "Quenderfox", FORWARDED, "QWERTY-7788", "tlh-Piqd"]
    return found


def files_under(
    *roots: Path, skip: Iterable[Path] = (), since: float = 0.0
) -> Iterator[tuple[Path, bytes]]:
    """Every file under the roots (and each member of a workbook); with ``since``, only those
    written since then (a PostgreSQL cluster shared by the whole test run holds hundreds of
    megabytes of other tests' files, which can't hold this test's identities: scanning them
    all took over five minutes)."""
    skipped = {p.resolve() for p in skip}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.resolve() not in skipped and path.stat().st_mtime >= since:
                yield path, path.read_bytes()
                if path.suffix in (".xlsx", ".zip"):  # compressed: read each member too
                    with zipfile.ZipFile(path) as archive:
                        for member in archive.namelist():
                            yield f"{path}:{member}", archive.read(member)


def leaks(
    blobs: Iterable[tuple[object, bytes]], extra: Iterable[str] = ()
) -> list[tuple[str, str]]:
    hits = []
    needles = [*identities(), *extra]
    for where, blob in blobs:
        for needle in needles:
            for form in forms(needle):
                if form in blob:
                    hits.append((str(where), f"{needle!r} as {form!r}"))
                    break
    return hits


@contextmanager
def debug_log(path: Path) -> Iterator[None]:
    """markbot's own logging set up at DEBUG (bot.logs.setup_logging, as `markbot run` does),
    copied into a log file; the previous logging is put back after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "telegram")}
    setup_logging("DEBUG", ["123456:TEST-TOKEN"])
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(root.handlers[0].formatter)
    handler.filters = root.handlers[0].filters[:]
    root.addHandler(handler)
    try:
        yield
    finally:
        handler.close()
        root.handlers[:], root.level = saved
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def settle(standin: BotApiStandin, *users: FakeUser | FakeGroup) -> None:
    await standin.wait_idle()
    await asyncio.sleep(0.05)
    for u in users:
        u.drain()


async def telegram_journey(h: Harness, user: FakeUser, why: str | None) -> None:
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    for label in ("13-15", "North", "Climate"):
        await user.press(label)
        await user.next_output()
    if why is None:
        await user.press("Skip this question")
    else:
        await user.send_text(why)
    await user.next_output()


def _with_button(user: FakeUser, label: str) -> int:
    """The latest message in the chat with this button."""
    for message in reversed(user.messages):
        if any(label in str(b) for row in message.get("buttons") or [] for b in row):
            return int(message["message_id"])
    raise LookupError(label)


@asynccontextmanager
async def web_client(
    runtime: Runtime, headers: dict[str, str]
) -> AsyncIterator[aiohttp.ClientSession]:
    """The web ballot served as `markbot run` serves it (start_web), behind a proxy whose
    X-Forwarded-For is trusted; every request carries ``headers``."""
    app = build_web_app(runtime.services, runtime.key, public_url=None, trust_proxy=True)
    runner = await start_web(app, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    jar = aiohttp.CookieJar(unsafe=True)  # cookies from an IP address
    try:
        async with aiohttp.ClientSession(base, headers=headers, cookie_jar=jar) as client:
            yield client
    finally:
        await runner.cleanup()


@pytest.fixture
def lead_settings(tmp_path: Path, standin: BotApiStandin, database_url: str | None) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        safeguarding_chat=LEAD_CHAT,
        admins=(OWNER,),
        min_cell=0,
        log_level="DEBUG",
    )


async def test_no_identity_in_any_byte_written_by_either_channel(
    standin: BotApiStandin,
    lead_settings: Settings,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    started = time.time() - 2  # (file times may be a tick behind the clock)
    log_file = tmp_path / "markbot.log"
    lead = standin.group(LEAD_CHAT, "Safeguarding leads")
    users = [
        standin.user(uid, first, last_name=last, username=name, language_code=lang)
        for uid, first, last, name, lang in PEOPLE
    ]
    owner = standin.user(OWNER, "Peregrinus", last_name="Staffwick", username="pstaffwick_council")
    with debug_log(log_file):
        h = await start_markbot(standin, lead_settings)
        try:
            await h.add_poll(POLL)
            await h.add_poll(POLL.replace("code: test-poll", "code: next-poll"))
            await h.add_poll(POLL.replace("code: test-poll\nweb: open", "code: code-poll"))
            x, m, o, z = users
            # 1: names and handle in the answer (scrubbed), then subscribes
            await telegram_journey(
                h, x, f"my name is {x.first_name} Quillfeather, add me @{PEOPLE[0][3]}"
            )
            await x.press("Send my answers")
            await x.next_output()
            await x.press("Yes, tell me")
            await settle(standin, x)
            # 2: a disclosure, then asks for an adult and sends a contact detail
            await telegram_journey(h, m, "i want to kill myself, my dad hits me every night")
            await settle(standin, m, lead)
            await m.press("I'd like an adult to contact me")
            await m.next_output()
            await m.send_text("ring 07700 900418 after school, ask for Marrowvane")
            await m.next_output()
            await m.press("Send it")
            await settle(standin, m, lead)
            await m.press("Send my answers", message_id=_with_button(m, "Send my answers"))
            await settle(standin, m, lead)
            # 3: /language, a Welsh answer, and a shared contact card and location (discarded)
            await o.send_command("language")
            await settle(standin, o)
            await o.send_contact("+447700900419")
            await o.send_location()
            await settle(standin, o)
            await telegram_journey(h, o, "Mae angen mwy o fysiau i'r pentref, diolch Oyelaranke")
            await o.press("Send my answers")
            await settle(standin, o)
            # 4: a journey left unfinished, an unknown command and forged buttons
            await z.send_command("start", "test-poll")
            await z.next_output()
            await z.press("Start")
            await z.next_output()
            await z.press("13-15")
            await z.send_command("nonsense", "Фролушкина")
            await z.press_data("zz:" + "x" * 40)
            await settle(standin, z)
            # the owner: results, review, export, a broadcast to the subscriber
            for command, arg in (
                ("results", "test-poll"),
                ("review", "test-poll"),
                ("export", "test-poll"),
            ):
                await owner.send_command(command, arg)
                await settle(standin, owner)
            await owner.send_command("broadcast", "next-poll")
            for _ in range(50):
                if "Finished telling subscribers" in (owner.last_bot_message() or {}).get(
                    "plain", ""
                ):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the broadcast did not finish")
            await settle(standin, owner, x)
            await lead.send_command(owner, "contacts")
            await settle(standin, lead)

            # the web: a browser with a distinctive agent, address, language and cookie
            headers = {
                "User-Agent": AGENT,
                "X-Forwarded-For": FORWARDED,
                "Accept-Language": ACCEPT_LANGUAGE,
                "Cookie": FOREIGN_COOKIE,
            }
            async with web_client(h.runtime, headers) as client:
                b = Browser(client)
                await b.get("/v/test-poll")
                await b.submit("/v/test-poll/start", {})
                for i, value in enumerate(
                    ["16-18", "south", "jobs", "I'm Zorblaxian Quenderfox from 198.51.100.173"]
                ):
                    await b.submit(f"/v/test-poll/q/{i}", {"answer": value})
                page = await b.submit("/v/test-poll/send", {})
                assert page.url == "/v/test-poll/done", page.plain
                await b.get("/v/nowhere/q/9")  # a 404
                await b.post("/v/test-poll/q/0", {"answer": "x"})  # a forged form
                # the browser's cookies: random ids, to be used only through keyed hashes
                secrets_ = [c.value.split(".")[0] for c in client.cookie_jar]
                assert len(secrets_) == 2  # the session and, in an open poll, the voter id
                # a second browser with a voting code: a disclosure, then a contact detail
                client.cookie_jar.clear()
                (code,) = await h.runtime.services.codes.make("code-poll", 1, "Year 9, Oakfield")
                secrets_ += [code, code.replace("-", "")]
                await b.get(f"/v/code-poll?code={code}")
                await b.submit("/v/code-poll/start", {"code": code})
                for i, value in enumerate(["13-15", "north", "jobs", "i want to kill myself"]):
                    page = await b.submit(f"/v/code-poll/q/{i}", {"answer": value})
                await b.get("/v/code-poll/help")
                await b.submit("/v/code-poll/help", {"detail": "Zorblaxian, 07700 900416"})
                page = await b.submit("/v/code-poll/help/send", {})
                assert "We have passed this on" in page.plain
                await b.get("/v/code-poll/check")
                page = await b.submit("/v/code-poll/send", {})
                assert page.url == "/v/code-poll/done", page.plain
                secrets_ += [c.value.split(".")[0] for c in client.cookie_jar]
            await h.runtime.services.polls.set_status("test-poll", "closed")
        finally:
            await h.shutdown()
    ballots = await rows(lead_settings, "ballots", "channel")
    assert sorted(c for (c,) in ballots) == ["telegram", "telegram", "telegram", "web", "web"]
    await write_exports(lead_settings, tmp_path)

    blobs: list[tuple[object, bytes]] = list(files_under(tmp_path, skip=[lead_settings.key_file]))
    if lead_settings.on_postgres:
        cluster = request.getfixturevalue("pg_cluster")
        await checkpoint(cluster, lead_settings)
        blobs += files_under(cluster.folder, since=started)
    assert log_file.stat().st_size > 0
    assert leaks(blobs, secrets_) == []
    # the scan sees what is stored: the session's name, kept on purpose, is found
    assert leaks(blobs, ["Oakfield"]) != []


async def checkpoint(cluster: object, settings: Settings) -> None:
    """Everything PostgreSQL has written reaches its files."""
    from tests.pg import Cluster

    assert isinstance(cluster, Cluster)
    await asyncio.to_thread(cluster.sql, "CHECKPOINT")


async def write_exports(settings: Settings, folder: Path) -> None:
    """Every export format and the results site, as an officer would write them."""
    out = folder / "exports"
    out.mkdir()
    rt = await open_runtime(settings)
    try:
        s = rt.services
        for fmt in ("csv", "json", "xlsx", "png"):
            await s.reports.export("test-poll", fmt, out / f"r.{fmt}", 0)
        await SiteService(s.reports, s.polls, s.catalog).build(["test-poll"], folder / "site", 0)
    finally:
        await rt.close()


# A person's own Telegram names typed the way young people type handles and possessives: glued
# together, with digits or an underscore, with an "s"; and a phone-shaped first name typed with
# dashes or an international prefix (own names were replaced first, leaving the phone rules
# only fragments: "[name]-900-417").
OWN_NAME_TEXTS = (
    (PEOPLE[0], "XanthippeQuillfeather on every app, buses please"),
    (PEOPLE[0], "add xanthippe07 or Xanthippe_Quillfeather for the petition"),
    (PEOPLE[2], "the Brightwatersons next door need a bus too"),
    (PEOPLE[1], "text 07700-900-417 if the bus changes"),
    (PEOPLE[1], "or +44 7700 900417 any time"),
)


@pytest.mark.parametrize("person,text", OWN_NAME_TEXTS)
async def test_a_person_s_own_names_typed_as_handles_are_not_kept(
    markbot: Harness, person: tuple, text: str, tmp_path: Path
) -> None:
    uid, first, last, username, lang = person
    await markbot.add_poll(POLL)
    user = markbot.user(
        uid, first_name=first, last_name=last, username=username, language_code=lang
    )
    await telegram_journey(markbot, user, text)
    await user.press("Send my answers")
    assert "counted" in (await user.next_output()).plain
    (body,) = [b for (b,) in await rows(markbot, "text_answers", "body")]
    assert "[" in body, body
    needles = [n for n in (first, last, "07700900417", "900417", "900-417") if n]
    assert not [n for n in needles if n.lower() in body.lower()], body
    if not markbot.settings.on_postgres:
        await markbot.runtime.store.flush_drafts()
        blobs = list(files_under(tmp_path, skip=[markbot.settings.key_file]))
        assert leaks(blobs) == []


def test_own_names_glued_or_with_an_s_go_but_everyday_words_stay() -> None:
    from services.scrub import scrub

    assert scrub("I like roses, Rose likes bills, ask Bill", ("Rose", "Bill"))[0] == (
        "I like roses, [name] likes bills, ask [name]"
    )
    assert scrub("Jos and Jo and jo2", ("Jo",))[0] == "Jos and [name] and [name]"
    assert scrub("Jessica and Jessie like the park", ("Jess",))[0] == (
        "Jessica and Jessie like the park"
    )
    assert scrub("KaiBegum_09 and the Begums", ("Kai", "Begum"))[0] == "[name] and the [name]"
    assert scrub("ring 07700-900-417", ("07700 900417",))[0] == "ring [phone]"
    assert (
        scrub("MaryJane, maryjane07 and the Smith-Joneses", ("Mary-Jane", "Smith-Jones"))[0]
        == "[name], [name] and the [name]"
    )


WELSH_POLL = """\
code: test-poll
title: {en: Our area, cy: Ein hardal}
questions:
  - id: area
    kind: choice
    text: {en: "Where do you live?", cy: "Ble rwyt ti'n byw?"}
    options:
      - {id: north, label: {en: North, cy: Gogledd}}
      - {id: south, label: {en: South, cy: De}}
    breakdown: true
  - id: why
    kind: text
    text: {en: "What would make it better?", cy: "Beth fyddai'n ei wella?"}
"""


def _say(user: FakeUser, key: str) -> str:
    """A button's words in the language the person's Telegram is set to."""
    from prompts import load_catalog

    return load_catalog().plain("cy" if user.language_code == "cy" else "en", key)


async def test_a_ballot_does_not_say_which_language_its_voter_used(markbot: Harness) -> None:
    """The one Welsh-speaking voter of a class (their Telegram set to Welsh, or /language)
    must not be picked out by a language tag on their ballot: nothing reads a ballot's
    language (tallies, exports and the site count answers by option id), so it is not kept.
    The language of a typed answer is a property of the words and stays on the answer."""
    poll = await markbot.add_poll(WELSH_POLL)
    assert "cy" in poll.languages()
    english = markbot.user(4_100_000_001, first_name="Ari", language_code="en")
    welsh = markbot.user(4_100_000_002, first_name="Elin", language_code="cy")
    for user in (english, welsh):
        await user.send_command("start", "test-poll")
        await user.next_output()
        await user.press(_say(user, "button_start"))
        await user.next_output()
        await user.press("Gogledd" if user is welsh else "North")
        await user.next_output()
        await user.send_text("Mae angen mwy o fysiau yn y pentref" if user is welsh else "buses")
        await user.next_output()
        await user.press(_say(user, "button_submit"))
        await user.next_output()
    assert await rows(markbot, "ballots", "channel") == [("telegram",), ("telegram",)]
    assert {lang for (lang,) in await rows(markbot, "ballots", "lang")} == {None}
    langs = sorted(lang for (lang,) in await rows(markbot, "text_answers", "lang"))
    assert langs == ["cy", "en"]


async def test_after_close_nothing_stored_says_who_voted_when(markbot: Harness) -> None:
    """Eight people vote one after another; once the poll closes, neither where their rows sit
    (SQLite's file and WAL; PostgreSQL's row positions and transaction ids) nor any stored
    time finer than a day follows the order they voted in."""
    import time as clock

    from tests.stored import tables

    await markbot.add_poll(POLL)
    started = int(clock.time())
    for n in range(8):
        uid = 9_100_000_000 + n * 7919
        user = markbot.user(uid, first_name=f"Voter{n}", language_code="en")
        await telegram_journey(markbot, user, f"reason-{n:02d}-marker")
        await user.press("Send my answers")
        assert "counted" in (await user.next_output()).plain
        if n % 2 == 0:
            await user.press("Yes, tell me")
            await user.next_output()
        await asyncio.sleep(1.05)  # each vote in a second of its own
    ended = int(clock.time())
    await markbot.runtime.services.polls.set_status("test-poll", "closed")

    everything = await tables(markbot)
    bodies = {row["ballot_id"]: row["body"] for row in everything["text_answers"]}
    in_key_order = [bodies[k] for k in sorted(bodies)]
    assert sorted(in_key_order) != in_key_order  # (random ids: not the order they came in)
    timed = sorted(
        f"{table}.{column}"
        for table, found in everything.items()
        for row in found
        for column, value in row.items()
        if isinstance(value, int) and started - 2 <= value <= ended + 2
    )
    assert set(timed) <= {"polls.created_at", "polls.closed_at"}, timed  # the poll's own

    settings = markbot.settings
    if settings.on_postgres:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            stored = [r[0] for r in await conn.fetch("SELECT body FROM text_answers ORDER BY ctid")]
            xmins = await conn.fetchval(
                "SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM ballots UNION ALL"
                " SELECT xmin FROM voters UNION ALL SELECT xmin FROM answers UNION ALL"
                " SELECT xmin FROM text_answers) AS rows"
            )
        finally:
            await conn.close()
        assert stored == in_key_order and xmins == 1
        return
    db = settings.db
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    raw = db.read_bytes()
    found = sorted((raw.index(body.encode()), body) for body in bodies.values())
    # a page fills from its end, so a page written in key order holds it back to front
    assert [body for _, body in found] in (in_key_order, in_key_order[::-1])
    for body in bodies.values():
        assert raw.count(body.encode()) == 1, body  # no old copy in a free page


def test_own_names_that_overlap_are_read_in_linear_time() -> None:
    """Names that can split one word several ways ("ab", "aba", "ba", "bab") must not make
    the glued-names pattern try every split: before it was possessive, 'ab' * 200 did not
    finish in two minutes."""
    from services.scrub import scrub_rules

    started = time.perf_counter()
    for unit in ("ab", "ab_", "anna"):
        scrub_rules(unit * 1000 + "zq", ("ab", "aba", "ba", "bab", "Ann", "Anna", "Nann"))
    assert time.perf_counter() - started < 3.0
