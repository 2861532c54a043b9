"""Multi-choice and ranked questions, and the journey in Welsh, end to end (every test on
SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

from conftest import Harness, to_text_question

from bot.settings import Settings
from standin import BotApiStandin, BotOutput, FakeUser
from tests.stored import found_anywhere, rows

KINDS_POLL = """\
code: kinds
title: {en: Kinds, cy: Mathau}
questions:
  - id: area
    kind: choice
    text: {en: "Where do you live?", cy: "Ble rwyt ti'n byw?"}
    options:
      - {id: north, label: {en: North, cy: Gogledd}}
      - {id: south, label: {en: South, cy: De}}
      - {id: prefer-not-to-say, label: {en: Prefer not to say, cy: Gwell gen i beidio â dweud}}
    breakdown: true
  - id: top3
    kind: multi
    max: 2
    text: {en: Pick up to two, cy: Dewis hyd at ddau}
    options:
      - {id: a, label: {en: Apples, cy: Afalau}}
      - {id: b, label: {en: Bananas, cy: Bananas}}
      - {id: c, label: {en: Cherries, cy: Ceirios}}
  - id: order
    kind: rank
    max: 3
    text: {en: Put them in order, cy: Rho nhw mewn trefn}
    options:
      - {id: x, label: {en: Buses, cy: Bysiau}}
      - {id: y, label: {en: Parks, cy: Parciau}}
      - {id: z, label: {en: Youth clubs, cy: Clybiau ieuenctid}}
      - {id: w, label: {en: Jobs, cy: Swyddi}}
"""


async def _tap(user: FakeUser, label: str) -> BotOutput:
    await user.press(label)
    return await user.next_output()


async def test_multi_and_rank(markbot: Harness) -> None:
    await markbot.add_poll(KINDS_POLL)
    user = markbot.user(2001)
    await user.send_command("start", "kinds")
    await user.next_output()
    await _tap(user, "Start")
    await _tap(user, "North")
    out = await _tap(user, "Apples")
    assert ["☑ Apples"] in out.buttons and "Done" in out.buttons[-1]
    await _tap(user, "Cherries")
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    await user.press("Bananas")  # a third pick is over the limit: a toast, nothing changes
    answer = await user.next_callback_answer()
    assert "up to 2" in answer["text"]
    await _tap(user, "☑ Cherries")  # untick
    out = await _tap(user, "☐ Bananas")
    assert ["☑ Bananas"] in out.buttons
    out = await _tap(user, "Done")
    assert "Put them in order" in out.plain
    await _tap(user, "Parks")
    out = await _tap(user, "Buses")
    assert ["1. Parks"] in out.buttons and ["2. Buses"] in out.buttons
    out = await _tap(user, "Undo last")
    assert ["Buses"] in out.buttons
    await _tap(user, "Youth clubs")
    await _tap(user, "Jobs")
    out = await _tap(user, "Done")
    assert "Check your answers" in out.plain
    assert "1. Parks, 2. Youth clubs, 3. Jobs" in out.plain
    assert "Apples, Bananas" in out.plain
    out = await _tap(user, "Send my answers")
    assert "counted" in out.plain
    assert sorted(await rows(markbot, "answers", "question", "option", "rank")) == [
        ("area", "north", None),
        ("order", "w", 3),
        ("order", "y", 1),
        ("order", "z", 2),
        ("top3", "a", None),
        ("top3", "b", None),
    ]


async def test_welsh_speaker_gets_welsh_and_counts_the_same(markbot: Harness) -> None:
    await markbot.add_poll(KINDS_POLL)
    user = markbot.user(2002, language_code="cy")
    await user.send_command("start", "kinds")
    notice = await user.next_output()
    assert "Mathau" in notice.plain
    start = notice.buttons[0][0]
    assert start != "Start"  # the button is in Welsh too
    await _tap(user, start)
    out = await _tap(user, "Gogledd")
    assert "Dewis hyd at ddau" in out.plain
    await _tap(user, "Afalau")
    done = user.last_bot_message()["buttons"][-1][-1]
    await _tap(user, done)
    await _tap(user, "Swyddi")
    done = user.last_bot_message()["buttons"][-1][-1]
    check = await _tap(user, done)
    submit = check.buttons[0][0]
    await _tap(user, submit)
    assert sorted(await rows(markbot, "answers", "question", "option", "rank")) == [
        ("area", "north", None),
        ("order", "w", 1),
        ("top3", "a", None),
    ]
    assert await rows(markbot, "ballots", "lang") == [(None,)]  # kept by no ballot (privacy25)


async def test_rank_and_multi_tallies(markbot: Harness) -> None:
    from storage.records import NewBallot

    await markbot.add_poll(KINDS_POLL)
    row = await markbot.runtime.store.get_poll("kinds")
    assert row is not None
    ballots = [
        (("top3", "a"), ("top3", "b"), ("order", "y", 1), ("order", "x", 2)),
        (("top3", "a"), ("order", "x", 1), ("order", "y", 2), ("order", "z", 3)),
        (("top3", "c"), ("order", "x", 1)),
    ]
    for i, b in enumerate(ballots):
        choices = [("area", "north", None)] + [
            (c[0], c[1], c[2] if len(c) > 2 else None) for c in b
        ]
        await markbot.runtime.store.cast_ballot(
            NewBallot(row.id, "2026-11-25", choices=tuple(choices)),
            bytes([i]) * 16,
            None,
            1_790_000_000,
        )
    results = await markbot.runtime.services.reports.results("kinds", 0)
    order = next(t for t in results.tables if t.question == "order" and not t.dimension)
    # Borda with 3 places: x = 2+3+3 = 8, y = 3+2 = 5, z = 1; first preferences x 2, y 1
    assert [(c.option, c.points, c.first, c.count) for c in order.cells] == [
        ("x", 8, 2, 3),
        ("y", 5, 1, 2),
        ("z", 1, 0, 1),
        ("w", 0, 0, 0),
    ]
    top3 = next(t for t in results.tables if t.question == "top3" and not t.dimension)
    assert top3.respondents == 3
    assert [(c.option, c.count, round(c.share, 4)) for c in top3.cells] == [
        ("a", 2, 0.6667),
        ("b", 1, 0.3333),
        ("c", 1, 0.3333),
    ]


async def test_language_choice_is_remembered_across_restarts(
    standin: BotApiStandin, settings: Settings
) -> None:
    from conftest import start_markbot

    h = await start_markbot(standin, settings)
    user = standin.user(2003, language_code="en")
    try:
        await h.add_poll(KINDS_POLL)
        await user.send_command("language")
        menu = await user.next_output()
        assert menu.buttons == [["English"], ["Cymraeg"]]
        await user.press("Cymraeg")
        assert "Cymraeg" in (await user.next_output()).plain
    finally:
        await h.shutdown()
    ((person,),) = await rows(settings, "preferences", "person")
    assert len(person) == 16 and await found_anywhere(settings, 2003) == {}
    h = await start_markbot(standin, settings)
    try:
        await user.send_command("start", "kinds")
        assert "Mathau" in (await user.next_output()).plain  # Welsh, though Telegram says en
    finally:
        await h.shutdown()


async def test_free_text_themes_are_tallied_and_survive_a_purge(markbot: Harness) -> None:
    from conftest import SIMPLE_POLL

    await markbot.add_poll(SIMPLE_POLL)
    answers = [
        "The buses are too expensive",
        "Exams stress me out",
        "More buses at night please",
        "Mae angen mwy o fysiau",
        "I like cheese",
    ]
    for i, why in enumerate(answers):
        user = markbot.user(2100 + i)
        await to_text_question(user)
        await user.send_text(why)
        await user.next_output()
        await user.press("Send my answers")
        await user.next_output()
    reports = markbot.runtime.services.reports
    results = await reports.results("test-poll", 0)
    why = next(t for t in results.tables if t.question == "why" and not t.dimension)
    counts = {c.option: c.count for c in why.cells}
    assert why.respondents == 5
    assert counts["transport"] == 3 and counts["money"] == 1 and counts["school-pressure"] == 1
    by_area = next(t for t in results.tables if t.question == "why" and t.group == "north")
    assert {c.option: c.count for c in by_area.cells}["transport"] == 3
    assert [a.themes for a in results.texts if "cheese" in a.body] == [()]
    await markbot.runtime.store.purge_texts("2999-01-01")  # every answer's words go
    results = await reports.results("test-poll", 0)
    assert results.texts == ()
    why = next(t for t in results.tables if t.question == "why" and not t.dimension)
    assert {c.option: c.count for c in why.cells}["transport"] == 3
