"""Staff run polls from the chat; nobody else can tell the commands exist (every test on
SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from conftest import Harness, make_settings, start_markbot, vote

from standin import BotApiStandin, FakeUser
from tests.stored import count, found_anywhere, rows

OWNER = 9001
STAFF_COMMANDS = ("polls", "open", "close", "link", "results", "export", "invite", "workers")


@pytest.fixture
async def staffed(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Harness]:
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, admins=(OWNER,), min_cell=5
    )
    harness = await start_markbot(standin, settings)
    try:
        yield harness
    finally:
        await harness.shutdown()


@asynccontextmanager
async def _with_public_address(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> AsyncIterator[tuple[Harness, FakeUser]]:
    """markbot with an owner and a public web address (what /codes needs), the test poll added:
    the running harness and the owner's chat; markbot stops when the block ends."""
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        admins=(OWNER,),
        public_url="https://votes.example.gov.uk",
    )
    harness = await start_markbot(standin, settings)
    try:
        await harness.add_poll()
        yield harness, harness.user(OWNER, first_name="Pat")
    finally:
        await harness.shutdown()


async def test_staff_commands_look_unknown_to_everyone_else(staffed: Harness) -> None:
    await staffed.add_poll()
    user = staffed.user(1234)
    await user.send_command("frobnicate")
    unknown = (await user.next_output()).plain
    for command in STAFF_COMMANDS:
        await user.send_command(command, "test-poll")
        out = await user.next_output()
        assert out.plain == unknown, command
    await user.expect_no_output(0.2)
    assert (await staffed.runtime.store.get_poll("test-poll")).status == "open"


async def test_owner_menu_is_scoped_to_the_owner(staffed: Harness) -> None:
    await staffed.standin.wait_idle()
    everyone = [c["command"] for c in staffed.standin.commands["all_private_chats"]]
    assert everyone == ["start", "help", "privacy", "language", "cancel", "stop"]
    owner = [c["command"] for c in staffed.standin.commands[f"chat:{OWNER}"]]
    assert set(STAFF_COMMANDS) <= set(owner)


async def test_poll_lifecycle_from_the_chat(staffed: Harness) -> None:
    await staffed.add_poll(status="draft")
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("polls")
    listing = (await owner.next_output()).plain
    assert "test-poll (draft): 0 today, 0 in total" in listing
    await owner.send_command("open", "test-poll")
    assert "now open" in (await owner.next_output()).plain
    await owner.send_command("link", "test-poll")
    text = await owner.next_output()
    assert "https://t.me/markbot_test_bot?start=test-poll" in text.plain
    photo = await owner.next_output()
    assert photo.method == "sendPhoto"
    files = staffed.standin.sent_files()
    assert files[-1].content.startswith(b"\x89PNG")
    for i in range(6):
        await vote(staffed.user(3000 + i), "test-poll", ["13-15", "North", "Climate"])
    await owner.send_command("polls")
    assert "6 today, 6 in total" in (await owner.next_output()).plain
    await owner.send_command("results", "test-poll")
    results = (await owner.next_output()).plain
    assert "6 ballots" in results and "1. Climate: 6 (100%)" in results
    assert "fewer than 5" in results
    chart = await owner.next_output(timeout=20)
    assert chart.method == "sendPhoto"
    await owner.send_command("export", "test-poll")
    docs = [await owner.next_output(timeout=20), await owner.next_output(timeout=20)]
    assert [d.method for d in docs] == ["sendDocument", "sendDocument"]
    names = [f.filename for f in staffed.standin.sent_files()]
    assert "test-poll.csv" in names
    csv_file = next(f for f in staffed.standin.sent_files() if f.filename == "test-poll.csv")
    assert b"test-poll,priority,Climate,,,6,1.0000" in csv_file.content
    await owner.send_command("close", "test-poll")
    assert "now closed" in (await owner.next_output()).plain
    assert (await staffed.runtime.store.get_poll("test-poll")).status == "closed"
    await owner.send_command("open")
    assert "like this: /open CODE" in (await owner.next_output()).plain
    await owner.send_command("open", "nope")
    assert "no poll with the code nope" in (await owner.next_output()).plain


async def test_open_poll_results_move_only_in_steps_of_min_cell(staffed: Harness) -> None:
    """Two looks one ballot apart must not show how that one person voted."""
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    for i in range(6):
        await vote(staffed.user(3100 + i), "test-poll", ["13-15", "North", "Climate"])
    await owner.send_command("results", "test-poll")
    first = (await owner.next_output()).plain
    assert "6 ballots" in first and "Climate: 6" in first
    await owner.next_output(timeout=20)  # the chart
    await vote(staffed.user(3199), "test-poll", ["13-15", "North", "Jobs"])  # one more
    await owner.send_command("results", "test-poll")
    second = (await owner.next_output()).plain
    assert "6 ballots" in second and "Climate: 6 (100%)" in second  # not 6 of 7
    assert "every 5 new ballots" in second
    await owner.next_output(timeout=20)
    await owner.send_command("export", "test-poll")
    await owner.next_output(timeout=20)
    await owner.next_output(timeout=20)
    csv_file = next(f for f in staffed.standin.sent_files()[::-1] if f.filename.endswith(".csv"))
    assert b"test-poll,priority,Climate,,,6," in csv_file.content  # the same held figures
    for i in range(4):  # 5 new in all: the figures move
        await vote(staffed.user(3200 + i), "test-poll", ["16-18", "South", "Transport"])
    await owner.send_command("results", "test-poll")
    third = (await owner.next_output()).plain
    assert "11 ballots" in third and "every 5 new ballots" not in third
    await owner.next_output(timeout=20)
    await vote(staffed.user(3299), "test-poll", ["13-15", "North", "Jobs"])
    await owner.send_command("results", "test-poll")
    assert "11 ballots" in (await owner.next_output()).plain  # held again
    await owner.next_output(timeout=20)
    # The command line always gives the current figures.
    results = await staffed.runtime.services.reports.results("test-poll", 5)
    assert results.ballots == 12
    await owner.send_command("close", "test-poll")
    await owner.next_output()
    await owner.send_command("results", "test-poll")
    assert "12 ballots" in (await owner.next_output()).plain  # closed: always current


async def test_only_an_owner_can_reopen_a_closed_poll(staffed: Harness) -> None:
    """Closed figures are exact: reopening for one more vote would let them be compared."""
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("invite")
    text = (await owner.next_output()).plain
    payload = next(w for w in text.split() if w.startswith("https://t.me/")).split("start=")[1]
    worker = staffed.user(4343, first_name="Sam")
    await worker.send_command("start", payload)
    await worker.next_output()
    await worker.send_text("Sam")
    await worker.next_output()
    await worker.send_command("close", "test-poll")
    assert "now closed" in (await worker.next_output()).plain
    await worker.send_command("open", "test-poll")
    assert "Only an owner can open it again" in (await worker.next_output()).plain
    assert (await staffed.runtime.store.get_poll("test-poll")).status == "closed"
    await owner.send_command("open", "test-poll")
    assert "now open" in (await owner.next_output()).plain


async def test_invite_join_reuse_and_removal(staffed: Harness) -> None:
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("invite")
    text = (await owner.next_output()).plain
    link = next(w for w in text.split() if w.startswith("https://t.me/"))
    payload = link.split("start=", 1)[1]
    worker = staffed.user(4242, first_name="Robin", username="robin_w")
    await worker.send_command("start", payload)
    assert "What name should the other staff see" in (await worker.next_output()).plain
    await worker.send_text("Robin (youth service)")
    assert "You can now run polls" in (await worker.next_output()).plain
    await worker.send_command("polls")
    assert "test-poll (open)" in (await worker.next_output()).plain
    await staffed.standin.wait_idle()
    assert "polls" in [c["command"] for c in staffed.standin.commands["chat:4242"]]
    # the link works once only
    other = staffed.user(4343)
    await other.send_command("start", payload)
    assert "can't find that poll" in (await other.next_output()).plain  # no hint of staff
    await other.send_text("Sneaky")
    assert "open the link" in (await other.next_output()).plain  # an ordinary message
    await other.send_command("polls")
    assert "don't know that command" in (await other.next_output()).plain
    # workers can't invite; owners list and remove them
    await worker.send_command("invite")
    assert "don't know that command" in (await worker.next_output()).plain
    await owner.send_command("workers")
    listing = await owner.next_output()
    assert listing.buttons == [["Remove Robin (youth service)"]]
    await owner.press("Remove Robin")
    assert "has been removed" in (await owner.next_output()).plain
    await worker.send_command("polls")
    assert "don't know that command" in (await worker.next_output()).plain


async def test_invite_expires_after_48_hours(staffed: Harness) -> None:
    staff = staffed.runtime.services.staff
    import time

    start = time.time()
    token = await staff.invite()
    staff._clock = lambda: start + 48 * 3600 - 60  # a minute before it expires
    assert await staff.begin_join(554, token)
    staff._clock = lambda: start + 48 * 3600 + 60  # ... and the name comes a minute after
    assert await staff.finish_join(554, "Late") == "expired"
    assert not await staff.begin_join(555, token)
    assert not await staff.begin_join(556, "made-up-token")


async def test_commands_in_edited_messages_do_nothing(staffed: Harness) -> None:
    await staffed.add_poll()
    user = staffed.user(1235)
    sent = await user.send_text("hello")
    await user.next_output()
    for command in ("/frobnicate", "/polls", "/invite"):
        await user.edit_text(sent["message_id"], command)
    await user.expect_no_output(0.3)


async def test_staff_and_invite_tables_hold_no_ids(staffed: Harness) -> None:
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("invite")
    link = next(w for w in (await owner.next_output()).plain.split() if "start=" in w)
    worker = staffed.user(777_888_999, first_name="Quinn", username="quinn_staff")
    await worker.send_command("start", link.split("start=", 1)[1])
    await worker.next_output()
    await worker.send_text("Quinn")
    await worker.next_output()
    workers = await rows(staffed, "workers", "person", "name")
    invites = await rows(staffed, "invites", "token")
    assert workers[0][1] == "Quinn" and len(workers[0][0]) == 16
    token = link.split("start=join_", 1)[1]
    assert token.encode() not in invites[0][0]
    assert await found_anywhere(staffed, "Quinn") == {"Quinn": ["workers.name"]}  # it finds
    assert await found_anywhere(staffed, 777_888_999, "quinn_staff", token) == {}


async def test_newpoll_from_template_and_from_a_file(staffed: Harness) -> None:
    from conftest import SIMPLE_POLL

    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("newpoll")
    menu = await owner.next_output()
    assert ["somerset-cypp"] in menu.buttons
    await owner.press("somerset-cypp")
    assert "send a code and a title" in (await owner.next_output()).plain
    await owner.send_text("sc-north Somerset North 2026")
    assert "Created sc-north (Somerset North 2026) as a draft" in (await owner.next_output()).plain
    row = await staffed.runtime.store.get_poll("sc-north")
    assert row is not None and row.status == "draft" and row.title == "Somerset North 2026"

    await owner.send_command("newpoll")
    await owner.next_output()
    bad = SIMPLE_POLL.replace("kind: text", "kind: essay").encode()
    await owner.send_document("poll.yaml", bad, "application/x-yaml")
    out = (await owner.next_output()).plain
    assert "can't be used yet" in out and "line 22" in out and "kind" in out
    await owner.send_document("poll.yaml", SIMPLE_POLL.encode(), "application/x-yaml")
    assert "Created test-poll" in (await owner.next_output()).plain
    # a young person who sends a file gets the usual kind reply, not staff handling
    kid = staffed.user(5151)
    await kid.send_document("poll.yaml", SIMPLE_POLL.encode())
    assert "open the link" in (await kid.next_output()).plain


async def test_preview_counts_nothing_even_on_a_draft(staffed: Harness) -> None:
    await staffed.add_poll(status="draft")
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("preview", "test-poll")
    assert "Before you start" in (await owner.next_output()).plain
    for label in ("Start", "13-15", "North", "Jobs", "Skip this question", "Send my answers"):
        await owner.press(label)
        out = await owner.next_output()
    assert "Nothing was counted" in out.plain
    assert (await staffed.runtime.store.tally(1, [])).ballots == 0


async def test_session_links_add_a_breakdown(staffed: Harness) -> None:
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command(
        "session",
        "test-poll",
    )
    assert "add a label" in (await owner.next_output()).plain
    owner.drain()
    await owner.send_command("session", "test-poll Year 9, Hillside School")
    text = (await owner.next_output()).plain
    link = next(w for w in text.split() if "start=" in w)
    assert "Year 9, Hillside School" in text
    assert (await owner.next_output()).method == "sendPhoto"
    payload = link.split("start=", 1)[1]
    assert payload.startswith("test-poll_")
    for i in range(5):
        user = staffed.user(6000 + i)
        await user.send_command("start", payload)
        await user.next_output()
        for label in ("Start", "13-15", "North", "Jobs", "Skip this question", "Send my answers"):
            await user.press(label)
            await user.next_output()
    await vote(staffed.user(6100), "test-poll", ["13-15", "South", "Climate"])
    await user.send_command("start", "test-poll_deadbeef")
    assert "can't find that poll" in (await user.next_output()).plain
    results = await staffed.runtime.services.reports.results("test-poll", 0)
    session = [t for t in results.tables if t.dimension == "session" and t.question == "priority"]
    assert len(session) == 1 and session[0].group_label == "Year 9, Hillside School"
    assert {c.option: c.count for c in session[0].cells}["jobs"] == 5


async def test_paper_upload_from_the_chat(staffed: Harness) -> None:
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("paper", "test-poll")
    assert "Send the paper-ballot CSV" in (await owner.next_output()).plain
    await owner.send_document("p.csv", b"option,count\nClimate,7\nJobs,x\n", "text/csv")
    out = (await owner.next_output()).plain
    assert "nothing was added" in out and "line 3" in out
    await owner.send_command("paper", "test-poll")
    await owner.next_output()
    await owner.send_document("p.csv", b"option,count\nClimate,7\n", "text/csv")
    assert "Added 7 paper ballots to test-poll" in (await owner.next_output()).plain
    await owner.send_command("paper", "test-poll")
    await owner.next_output()
    await owner.send_document("q.csv", b"option,count\nJobs,1\n", "text/csv")
    assert "Added 1 paper ballot to test-poll." in (await owner.next_output()).plain


async def test_codes_come_as_a_printable_sheet(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    async with _with_public_address(standin, tmp_path, database_url) as (h, owner):
        await owner.send_command("codes", "test-poll 12 Year 9, Hillside")
        out = await owner.next_output(timeout=30)
        assert out.method == "sendDocument" and "12 single-use voting codes" in out.plain
        (sheet,) = [f for f in standin.sent_files() if f.method == "sendDocument"]
        assert sheet.filename == "codes-test-poll-year-9-hillside.pdf"
        assert sheet.content.startswith(b"%PDF")
        stranger = h.user(4242)
        await stranger.send_command("codes", "test-poll 12")
        assert "don't know that command" in (await stranger.next_output()).plain
    assert await count(h.settings, "vote_codes") == 12


async def test_codes_need_the_public_address(staffed: Harness) -> None:
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("codes", "test-poll 5")
    assert "MARKBOT_PUBLIC_URL" in (await owner.next_output()).plain


async def test_a_removed_worker_loses_the_staff_menu(staffed: Harness) -> None:
    """Workers are kept by keyed hash, so the menu goes when the removed worker next uses a
    staff command (from that very menu); a worker refused an owner's command keeps theirs."""
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("invite")
    text = (await owner.next_output()).plain
    payload = next(w for w in text.split() if w.startswith("https://t.me/")).split("start=")[1]
    worker = staffed.user(4545, first_name="Alex")
    await worker.send_command("start", payload)
    await worker.next_output()
    await worker.send_text("Alex")
    assert "You can now run polls" in (await worker.next_output()).plain
    await worker.send_command("workers")  # owners only: refused, but still staff
    assert "don't know that command" in (await worker.next_output()).plain
    await staffed.standin.wait_idle()
    assert "polls" in [c["command"] for c in staffed.standin.commands["chat:4545"]]
    await owner.send_command("workers")
    await owner.next_output()
    await owner.press("Remove Alex")
    assert "has been removed" in (await owner.next_output()).plain
    await worker.send_command("polls")
    assert "don't know that command" in (await worker.next_output()).plain
    await staffed.standin.wait_idle()
    assert "chat:4545" not in staffed.standin.commands  # everyone's menu again


async def test_codes_with_a_count_in_other_digits_make_a_sheet(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """/codes CODE ² ("²" passes str.isdigit() but not int()): no crash; it is taken as the
    sheet's label, as any other word after the code that isn't a count."""
    async with _with_public_address(standin, tmp_path, database_url) as (_, owner):
        await owner.send_command("codes", "test-poll \u00b2")
        out = await owner.next_output(timeout=30)
        assert out.method == "sendDocument", out.plain
