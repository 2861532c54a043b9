"""Defects found in review telegram24 (issue 14), each seen first from the outside: the real
PTB client over HTTP against the Bot API stand-in (every test on SQLite and PostgreSQL)."""

from __future__ import annotations

from conftest import Harness

from tests.stored import count
from tests.test_staff_e2e import OWNER, staffed  # noqa: F401  (the owner's fixture)


async def test_a_paper_file_with_a_huge_bad_cell_lists_its_problems(
    staffed: Harness,  # noqa: F811
) -> None:
    """A paper CSV whose bad cells are long (a pasted paragraph, a spreadsheet's runaway
    cell) was refused with each cell quoted whole: the list of problems was longer than a
    Telegram message, Telegram refused it, and the worker got the young person's "something
    went wrong, your answers so far are safe" instead of what to fix. Cells are now quoted
    shortened, so the list fits and says which lines are wrong."""
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("paper", "test-poll")
    await owner.next_output()
    long_option = "Clim" + "a" * 5000
    body = f"option,count\n{long_option},7\nJobs,{'9' * 3000}x\n"
    await owner.send_document("p.csv", body.encode(), "text/csv")
    said = (await owner.next_output()).plain
    assert "nothing was added" in said and "line 2" in said and "line 3" in said
    assert "went wrong" not in said and len(said) < 1500
    assert await count(staffed, "ballots") == 0


def _many_open_questions(n: int) -> str:
    questions = "".join(
        f"  - id: q{i}\n    kind: text\n    text: Idea {i}?\n" for i in range(1, n + 1)
    )
    return f"code: ideas-poll\ntitle: Ideas\nquestions:\n{questions}"


async def test_the_check_screen_fits_one_message_when_answers_are_emoji(
    markbot: Harness,
) -> None:
    """A poll file is checked so that its "Check your answers" screen fits one Telegram
    message, allowing 150 characters for each typed answer; but Telegram counts UTF-16 units,
    in which an emoji is two. Twenty answers of emoji (a young person's "🚌🚌🚌…") made the
    screen too long: Telegram refused it and the person, stuck after the last question,
    got "something went wrong" every time. Typed answers are now shortened on that screen by
    Telegram's count, and the ballot goes in."""
    await markbot.add_poll(_many_open_questions(20))
    user = markbot.user(2401)
    await user.send_command("start", "ideas-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    for _ in range(20):
        await user.send_text("🚌" * 150)
        said = await user.next_output()
    assert "Check your answers" in said.plain, said.plain[:200]
    await user.press("Send my answers")
    assert "counted" in (await user.next_output()).plain
    assert await count(markbot, "ballots") == 1


async def test_a_poll_file_is_measured_as_telegram_counts_emoji(
    staffed: Harness,  # noqa: F811
) -> None:
    """A poll file is refused when a screen would not fit one Telegram message, but the
    check counted characters while Telegram counts UTF-16 units (an emoji is two): a question
    of 2,100 emoji passed, was created, and its screen was then refused by Telegram for
    every young person ("something went wrong", nobody past it). Now it is measured as
    Telegram measures it and the worker is told which question is too long."""
    options = "".join(f"      - Option {n}\n" for n in range(1, 4))
    poll = (
        "code: emoji-poll\ntitle: Emoji\nquestions:\n  - id: pick\n    kind: choice\n"
        f'    text: "{"🌍" * 2100}"\n    options:\n{options}'
    )
    said = await _refused_poll_file(staffed, "emoji.yaml", poll)
    assert "'pick'" in said, said[:300]
    assert await count(staffed, "polls") == 0


async def test_a_poll_file_quoting_a_huge_value_still_gets_its_problems_listed(
    staffed: Harness,  # noqa: F811
) -> None:
    """Some poll-file problems quote what the file says (an ``ineligible`` name that is not
    an option, an unknown language or population key). A 5,000-character value made the
    list longer than a Telegram message, so /newpoll answered "something went wrong" instead
    of the problems. Each problem shown in the chat is now cut short."""
    poll = (
        "code: long-poll\ntitle: Long\nquestions:\n  - id: pick\n    kind: choice\n"
        f"    text: Which?\n    options: [One, Two]\n    ineligible: [{'z' * 5000}]\n"
    )
    said = await _refused_poll_file(staffed, "long.yaml", poll)
    assert "ineligible" in said, said[:300]
    assert len(said) < 1000


async def _refused_poll_file(harness: Harness, name: str, poll: str) -> str:
    """What the bot says to the owner sending ``poll`` after /newpoll: a refusal."""
    owner = harness.user(OWNER, first_name="Pat")
    await owner.send_command("newpoll")
    await owner.next_output()
    await owner.send_document(name, poll.encode(), "text/yaml")
    said = (await owner.next_output()).plain
    assert "can't be used yet" in said, said[:300]
    return said


async def test_polls_lists_every_poll_however_many_there_are(
    staffed: Harness,  # noqa: F811
) -> None:
    """/polls put every poll in one message; a council with sixty polls (a year of school
    sessions) went over Telegram's 4,096 characters, Telegram refused it and the worker got
    "something went wrong" instead of the list. The list now runs over as many messages as
    it needs, every poll in it once."""
    codes = [f"school-{n:02d}-2026" for n in range(60)]
    for code in codes:
        title = f"Make Your Mark at school number {code[7:9]}: what matters most to you?"
        await staffed.add_poll(code=code, title={"en": title})
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("polls")
    shown = (await owner.next_output()).plain
    while not all(code in shown for code in codes):
        shown += (await owner.next_output()).plain
    assert "went wrong" not in shown
    assert all(shown.count(f"{code} (") == 1 for code in codes)


async def test_a_long_unknown_poll_code_is_answered(staffed: Harness) -> None:  # noqa: F811
    """A staff command names the poll code it could not find; a mistyped or pasted code of
    4,050 characters (Telegram allows 4,096 in the message) made that answer longer than a
    message, so the worker got "something went wrong" instead of "there is no poll". The
    code is now quoted cut short."""
    owner = staffed.user(OWNER, first_name="Pat")
    for command in ("results", "open", "broadcast"):
        await owner.send_command(command, "x" * 4050)
        said = (await owner.next_output()).plain
        assert "There is no poll with the code" in said, (command, said[:200])
        assert len(said) < 200


async def test_a_tap_after_the_poll_closed_says_so_at_once(markbot: Harness) -> None:
    """Someone part-way through when the poll closed could go on tapping through every
    question and the check screen, to be told only at Send that nothing counted. A tap
    now says at once that the poll has closed and nothing was counted; the unfinished
    answers are deleted, and the poll's other buttons say so too."""
    await markbot.add_poll()
    user = markbot.user(2402)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.press("13-15")
    await user.next_output()
    await markbot.runtime.services.polls.set_status("test-poll", "closed")
    await user.press("North")
    said = await user.next_output()
    assert "closed before your answers were sent" in said.plain and not said.buttons
    assert await count(markbot, "drafts") == 0 and await count(markbot, "ballots") == 0


BILINGUAL = """\
code: both-poll
title: {en: Both, cy: Y ddau}
questions:
  - id: place
    kind: choice
    text: {en: "Where do you live?", cy: "Ble wyt ti'n byw?"}
    options:
      - {id: north, label: {en: North, cy: Gogledd}}
      - {id: south, label: {en: South, cy: De}}
  - id: topic
    kind: choice
    text: {en: "What matters most?", cy: "Beth sydd bwysicaf?"}
    options:
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: parks, label: {en: Parks, cy: Parciau}}
"""


async def test_switching_language_mid_journey_shows_the_question_again(
    markbot: Harness,
) -> None:
    """/language part-way through a poll written in both languages changed the journey's
    language but left the question on screen in the old one, with its old buttons: the
    person read "OK, I'll use Welsh" under an English question and nothing in Welsh until
    they answered it. The confirmation now comes with the current question in the new
    language, and answering there carries on in it."""
    await markbot.add_poll(BILINGUAL)
    user = markbot.user(2403)
    await user.send_command("start", "both-poll")
    await user.next_output()
    await user.press("Start")
    assert "Where do you live?" in (await user.next_output()).plain
    await user.send_command("language")
    await user.next_output()
    await user.press("Cymraeg")
    said = await user.next_output()
    assert "Cymraeg" in said.plain and "Ble wyt ti'n byw?" in said.plain
    assert ["Gogledd"] in said.buttons
    await user.press("Gogledd")
    assert "Beth sydd bwysicaf?" in (await user.next_output()).plain


async def test_cancel_stops_waiting_for_a_staff_file(staffed: Harness) -> None:  # noqa: F811
    """After /paper (or /newpoll) the bot waits ten minutes for the file. /cancel answered
    "There is nothing to cancel" and went on waiting, so a worker who changed their mind
    and then sent another file had it taken as paper ballots. /cancel now stops the wait
    and says so; a file sent afterwards is not imported."""
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("paper", "test-poll")
    await owner.next_output()
    await owner.send_command("cancel")
    said = (await owner.next_output()).plain
    assert "stopped waiting" in said and "nothing to cancel" not in said
    await owner.send_document("p.csv", b"option,count\nClimate,7\n", "text/csv")
    assert "Added" not in (await owner.next_output()).plain
    assert await count(staffed, "ballots") == 0


async def test_a_photo_instead_of_the_paper_file_is_answered_for_staff(
    staffed: Harness,  # noqa: F811
) -> None:
    """A worker asked for the paper-ballot CSV who sent a photo (of the ballots, say) was
    answered as a young person: "To take part in a poll, open the link or QR code". They
    are now asked to send the file as a document, and the bot goes on waiting for it."""
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("paper", "test-poll")
    await owner.next_output()
    await owner.send_photo()
    said = (await owner.next_output()).plain
    assert "as a file" in said and "open the link" not in said
    await owner.send_document("p.csv", b"option,count\nClimate,7\n", "text/csv")
    assert "Added 7 paper ballots" in (await owner.next_output()).plain
