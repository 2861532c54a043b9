"""The young person's journey, end to end: updates in over HTTP, screens out, database checked
(every test on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

from typing import Any

from conftest import Harness, to_text_question, vote

from standin import FakeUser
from storage.records import CastResult
from tests.stored import count, rows

BUSES = "Buses are too expensive"


async def _to_send(user: FakeUser) -> None:
    """Start the test poll and answer every question by tapping (the open one skipped): the
    last screen is the one with "Send my answers"."""
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in ("Start", "13-15", "North", "Jobs", "Skip this question"):
        await user.press(label)
        await user.next_output()


def _send_data(message: dict[str, Any]) -> str:
    """The callback data of the message's "Send my answers" button."""
    return next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "Send my answers"
    )


async def test_full_journey_counts_one_ballot(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1001, first_name="Sam")
    await user.send_command("start", "test-poll")
    notice = await user.next_output()
    assert notice.method == "sendMessage"
    assert "Test poll" in notice.plain
    assert "never keep your name" in notice.plain
    assert "The youth forum will see the results in January." in notice.plain
    assert notice.buttons[0] == ["Start"]

    await user.press("Start")
    q1 = await user.next_output()
    assert q1.method == "editMessageText"
    assert "Question 1 of 4" in q1.plain and "How old are you?" in q1.plain
    labels = (
        [row[0] for row in q1.buttons[:-1]] if len(q1.buttons) > 7 else [r[0] for r in q1.buttons]
    )
    assert "Prefer not to say" in labels

    await user.press("13-15")
    q2 = await user.next_output()
    assert "Question 2 of 4" in q2.plain and ["Back"] in q2.buttons
    await user.press("South")
    await user.next_output()
    await user.press("Climate")
    q4 = await user.next_output()
    assert "Why does that matter" in q4.plain
    await user.send_text("Because the floods keep getting worse")
    check = await user.next_output()
    assert check.method == "sendMessage"
    assert "Check your answers" in check.plain
    assert "Climate" in check.plain and "13-15" in check.plain
    assert "floods" in check.plain
    # nothing is counted before the explicit submit
    assert await count(markbot, "ballots") == 0

    await user.press("Send my answers")
    thanks = await user.next_output()
    assert "Your answers are counted" in thanks.plain
    assert "The youth forum will see the results in January." in thanks.plain
    # hearing about future polls is a choice, offered equally, off unless chosen
    assert thanks.buttons == [["Yes, tell me", "No thanks"]]

    assert await count(markbot, "ballots") == 1
    assert await count(markbot, "voters") == 1
    assert await count(markbot, "drafts") == 0
    assert sorted(await rows(markbot, "answers", "question", "option")) == [
        ("age", "13-15"),
        ("area", "south"),
        ("priority", "climate"),
    ]
    assert await rows(markbot, "text_answers", "body", "lang") == [
        ("Because the floods keep getting worse", "en")
    ]


async def test_calls_per_ballot_are_questions_plus_three(markbot: Harness) -> None:
    await markbot.add_poll()
    before = len(markbot.standin.calls)
    user = markbot.user(1002)
    assert "counted" in await vote(user, "test-poll", ["16-18", "North", "Jobs"])
    message_calls = [
        c
        for c in markbot.standin.calls[before:]
        if c.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")
    ]
    assert len(message_calls) == 4 + 3


async def test_change_an_answer_before_submitting(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1003)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.press("10-12")
    await user.next_output()
    await user.press("Back")
    back = await user.next_output()
    assert "Question 1 of 4" in back.plain and "Your answer now: 10-12" in back.plain
    await user.press("16-18")
    await user.next_output()
    await user.press("North")
    await user.next_output()
    await user.press("Transport")
    await user.next_output()
    await user.press("Skip this question")
    check = await user.next_output()
    assert "(skipped)" in check.plain
    await user.press("Change an answer")
    await user.next_output()
    await user.press("3. Which one")
    await user.next_output()
    await user.press("Mental health")
    check = await user.next_output()
    assert "Check your answers" in check.plain and "Mental health" in check.plain
    await user.press("Send my answers")
    await user.next_output()
    assert sorted(await rows(markbot, "answers", "question", "option")) == [
        ("age", "16-18"),
        ("area", "north"),
        ("priority", "mental-health"),
    ]


async def test_ineligible_age_ends_politely_and_stores_nothing(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1004)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.press("Over 25")
    end = await user.next_output()
    assert "not kept any of your answers" in end.plain and end.buttons == []
    for table in ("ballots", "voters", "drafts", "answers"):
        assert await count(markbot, table) == 0, table


async def test_second_attempt_after_voting(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1005)
    await vote(user, "test-poll", ["13-15", "North", "Jobs"])
    await user.send_command("start", "test-poll")
    again = await user.next_output()
    assert "already voted" in again.plain and again.buttons == []
    assert await count(markbot, "ballots") == 1


async def test_unknown_closed_and_draft_polls(markbot: Harness) -> None:
    await markbot.add_poll()
    await markbot.add_poll(status="draft", code="not-yet")
    await markbot.add_poll(status="closed", code="all-done")
    user = markbot.user(1006)
    for code, words in (
        ("nope", "can't find that poll"),
        ("not-yet", "isn't open yet"),
        ("all-done", "has closed"),
    ):
        await user.send_command("start", code)
        out = await user.next_output()
        assert words in out.plain, out.plain
    await user.send_command("start")
    out = await user.next_output()
    assert "open the link or scan the QR code" in out.plain
    assert await count(markbot, "drafts") == 0


async def test_poll_closed_mid_journey_is_not_counted(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1007)
    await _to_send(user)
    await markbot.runtime.services.polls.set_status("test-poll", "closed")
    await user.press("Send my answers")
    out = await user.next_output()
    assert "closed before your answers were sent" in out.plain
    assert await count(markbot, "ballots") == 0


async def test_old_and_forged_buttons_change_nothing(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1008)
    await user.send_command("start", "test-poll")
    first = await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.press("13-15")
    q2 = await user.next_output()
    # a button from an earlier screen of the same message (data still says question 1)
    old = first.message["message_id"]
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    stale = next(
        b["callback_data"] for row in q2.message["reply_markup"]["inline_keyboard"] for b in row
    ).replace(":1:a:", ":0:a:")
    await user.press_data(stale, message_id=old)
    answer = await user.next_callback_answer()
    assert "old message" in answer["text"]
    # the message is brought back to where the journey really is (question 2)
    await markbot.standin.wait_idle()
    assert "Question 2 of 4" in user.last_bot_message()["plain"]
    user.drain()
    for forged in ("hello", "1:zzzz:1:a:0", "1:abc:1:a:99", "9:x:y:z", "1:" + "a" * 70):
        await user.press_data(forged)
        answer = await user.next_callback_answer()
        assert answer["text"], forged
    await user.expect_no_output(0.2)
    # the journey carries on where it was
    await user.press("North")
    out = await user.next_output()
    assert "Question 3 of 4" in out.plain


async def test_stickers_photos_and_text_where_a_tap_is_expected(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1009)
    await user.send_sticker()
    assert "open the link" in (await user.next_output()).plain
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.send_sticker()
    assert "tapping one of the buttons" in (await user.next_output()).plain
    await user.send_text("I am 14")
    assert "tapping one of the buttons" in (await user.next_output()).plain
    for label in ("13-15", "North", "Jobs"):
        await user.press(label)
        await user.next_output()
    await user.send_photo()
    assert "type your answer in words" in (await user.next_output()).plain
    await user.send_voice()
    assert "type your answer in words" in (await user.next_output()).plain
    assert await count(markbot, "text_answers") == 0


async def test_very_long_text_is_refused_kindly_and_nothing_is_lost(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1010)
    await to_text_question(user)
    await user.send_text("x" * 1500)
    out = await user.next_output()
    assert "1500 characters" in out.plain and "1000" in out.plain
    await user.send_text("Shorter now")
    check = await user.next_output()
    assert "Check your answers" in check.plain and "Jobs" in check.plain


async def test_location_and_contact_are_discarded(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1011)
    sent = await user.send_location()
    outputs = [await user.next_output(), await user.next_output()]
    methods = sorted(o.method for o in outputs)
    assert methods == ["deleteMessage", "sendMessage"]
    assert all(m["message_id"] != sent["message_id"] for m in user.messages)
    await user.send_contact()
    outputs = [await user.next_output(), await user.next_output()]
    assert any("don't need your location" in (o.plain or "") for o in outputs)


async def test_group_and_channel_messages_get_a_private_chat_pointer(markbot: Harness) -> None:
    await markbot.add_poll()
    group = markbot.standin.group(-100123, "Year 9")
    user = markbot.user(1012)
    await group.send_command(user, "start", "test-poll")
    out = await group.next_output()
    assert "private chat" in out.plain and "t.me/markbot_test_bot" in out.plain
    await group.send_text(user, "hello @markbot_test_bot")
    assert "private chat" in (await group.next_output()).plain
    await group.send_text(user, "did everyone do the homework?")  # not for the bot: silence
    await group.send_command(user, "start@some_other_bot", "x")
    await group.expect_no_output(0.3)
    channel = markbot.standin.channel(-100999, "News")
    await channel.post("/start test-poll")
    assert "private chat" in (await channel.next_output()).plain
    await channel.post("Poll results are out next week")
    await channel.expect_no_output(0.3)
    assert await count(markbot, "drafts") == 0


async def test_help_privacy_cancel_and_unknown_command(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1013)
    await user.send_command("help")
    assert "How this works" in (await user.next_output()).plain
    await user.send_command("privacy")
    text = (await user.next_output()).plain
    assert "What we never keep" in text and "Who sees the results" in text
    await user.send_command("cancel")
    assert "nothing to cancel" in (await user.next_output()).plain
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.send_command("cancel")
    assert "deleted your unfinished answers" in (await user.next_output()).plain
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    assert await count(markbot, "drafts") == 0
    await user.press("13-15")  # the old question message's buttons no longer work
    answer = await user.next_callback_answer()
    assert "deleted" in answer["text"]
    await user.send_command("frobnicate")
    assert "don't know that command" in (await user.next_output()).plain


async def test_privacy_details_from_the_notice(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1014)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("What do you keep?")
    out = await user.next_output()
    assert "Who sees the results" in out.plain
    await user.press("Back")
    out = await user.next_output()
    assert "Who sees the results" not in out.plain
    await user.press("Stop")
    assert "Delete your answers?" in (await user.next_output()).plain
    await user.press("Yes, delete my answers")
    assert "Nothing was counted" in (await user.next_output()).plain


async def test_double_tap_on_submit_counts_once(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1015)
    await _to_send(user)
    data = _send_data(user.last_bot_message())
    # five presses delivered together, handled concurrently
    await __import__("asyncio").gather(*(user.press_data(data) for _ in range(5)))
    # The thank-you screen comes only after the commit; "idle" alone (50 ms of quiet) can come
    # too soon on a busy machine.
    for _ in range(250):
        if "Your answers are counted" in (user.last_bot_message() or {}).get("plain", ""):
            break
        await __import__("asyncio").sleep(0.02)
    await markbot.standin.wait_idle()
    assert await count(markbot, "ballots") == 1
    assert await count(markbot, "voters") == 1
    assert "Your answers are counted" in user.last_bot_message()["plain"]
    assert len(user.callback_answers) >= 5


async def test_redelivered_submit_after_restart_counts_once(standin, settings) -> None:
    from conftest import start_markbot

    h = await start_markbot(standin, settings)
    await h.add_poll()
    user = h.user(1016)
    await _to_send(user)
    msg = user.last_bot_message()
    data = _send_data(msg)
    await user.press_data(data)
    await user.next_output()
    await h.shutdown()
    h2 = await start_markbot(standin, settings)
    try:
        await user.press_data(data, message_id=msg["message_id"])  # the same tap, again
        await standin.wait_idle()
        assert await count(h2, "ballots") == 1
        voter = h2.runtime.services.journey  # the voter register still refuses a second one
        assert voter is not None
    finally:
        await h2.shutdown()


async def test_store_refuses_a_second_ballot_directly(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1017)
    await vote(user, "test-poll", ["13-15", "North", "Jobs"])
    row = await markbot.runtime.store.get_poll("test-poll")
    assert row is not None
    # the same person's voter hash, computed again, is already registered
    from bot.keys import load_or_create_key
    from services.identity import Hasher

    hasher = Hasher(load_or_create_key(markbot.settings.key_path))
    assert await markbot.runtime.store.has_voted(row.id, hasher.voter("test-poll", 1017))
    from storage.records import NewBallot

    result = await markbot.runtime.store.cast_ballot(
        NewBallot(poll_id=row.id, cast_on="2026-11-25"),
        hasher.voter("test-poll", 1017),
        None,
        2_000_000_000 // 2,
    )
    assert result is CastResult.ALREADY_VOTED


async def test_editing_a_typed_answer_before_sending_changes_it(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(1020)
    await to_text_question(user)
    sent = await user.send_text("Buses are too expensve")
    assert "expensve" in (await user.next_output()).plain
    await user.edit_text(sent["message_id"], "Buses are too expensive")
    out = await user.next_output()
    assert "changed your answer" in out.plain and "too expensive" in out.plain
    await user.press("Send my answers")
    await user.next_output()
    assert await rows(markbot, "text_answers", "body") == [(BUSES,)]
    await user.edit_text(sent["message_id"], "Too late to change")  # after sending: nothing
    await user.expect_no_output(0.3)
    assert await rows(markbot, "text_answers", "body") == [(BUSES,)]


async def test_a_button_number_in_other_digits_is_refused_like_any_forged_button(
    markbot: Harness,
) -> None:
    """Forged button data whose number is a digit int() can't read ("²", which str.isdigit()
    accepts) is an old or forged button like any other: a toast, nothing changed, no error."""
    await markbot.add_poll()
    user = markbot.user(1031)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    q1 = await user.next_output()
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    real = next(
        b["callback_data"] for row in q1.message["reply_markup"]["inline_keyboard"] for b in row
    )
    forged = real.rsplit(":", 1)[0] + ":\u00b2"
    await user.press_data(forged)
    answer = await user.next_callback_answer()
    assert "old message" in answer["text"]
    await user.expect_no_output(0.2)
    await user.press("13-15")
    out = await user.next_output()
    assert "Question 2 of 4" in out.plain


def _data(message: dict[str, Any], label: str) -> str:
    """The callback data of the message's button labelled ``label``."""
    return next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == label
    )


async def test_stop_asks_first_and_no_goes_back_to_the_check_screen(markbot: Harness) -> None:
    """Stop on the check screen asks "Delete your answers?" as the web's stop page does: one
    tap no longer loses every answer. No shows the check screen again with nothing lost; Yes
    deletes them; a second Yes (a double tap) is told the answers are gone, and nothing is
    counted."""
    await markbot.add_poll()
    user = markbot.user(1030)
    await _to_send(user)
    check = user.last_bot_message()
    await user.press("Stop")
    ask = await user.next_output()
    assert ask.method == "editMessageText"  # the check screen's own message
    assert ask.message["message_id"] == check["message_id"]
    assert "Delete your answers?" in ask.plain and "can't undo" in ask.plain
    assert ask.buttons == [["Yes, delete my answers"], ["No, go back"]]
    assert await count(markbot, "drafts") == 1  # asking deletes nothing

    await user.press("No, go back")
    back = await user.next_output()
    assert "Check your answers" in back.plain and ["Send my answers"] in back.buttons
    assert "13-15" in back.plain and "Jobs" in back.plain  # every answer still there
    assert await count(markbot, "drafts") == 1

    await user.press("Stop")
    await user.next_output()
    yes = _data(user.last_bot_message(), "Yes, delete my answers")
    await user.press("Yes, delete my answers")
    gone = await user.next_output()
    assert "deleted your unfinished answers" in gone.plain and "Nothing was counted" in gone.plain
    assert await count(markbot, "drafts") == 0
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    await user.press_data(yes)  # a double tap: the answers are gone already
    answer = await user.next_callback_answer()
    assert "answers you hadn't sent have been deleted" in answer["text"]
    await user.expect_no_output(0.2)
    assert await count(markbot, "ballots") == 0 and await count(markbot, "drafts") == 0


async def test_the_link_opened_again_mid_poll_carries_on_where_they_were(
    markbot: Harness,
) -> None:
    """/start of the same poll with answers not yet sent (a QR code scanned twice) carries on
    at the question they were on and says so, as the web's Start does (blackbox26's note);
    before the privacy notice was accepted there is nothing to lose, so it starts afresh.
    The ballot counts once, with the answers given before."""
    await markbot.add_poll()
    user = markbot.user(1031)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.send_command("start", "test-poll")  # still on the notice: shown again
    again = await user.next_output()
    assert "carry on where you were" not in again.plain and ["Start"] in again.buttons
    for label in ("Start", "13-15"):
        await user.press(label)
        await user.next_output()
    first = user.last_bot_message()
    await user.send_command("start", "test-poll")
    resumed = await user.next_output()
    assert "haven't sent yet" in resumed.plain and "carry on where you were" in resumed.plain
    assert ["North"] in resumed.buttons  # the next question, not the privacy notice
    # Only one message is live at a time: two copies could each be sent and thanked. A tap
    # on the one before changes nothing and makes it the live one (the newer one may never
    # have arrived: test_a_lost_reply_to_the_link_opened_again_leaves_a_message_that_works)
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    await user.press("North", message_id=first["message_id"])
    assert "out of date" in (await user.next_callback_answer())["text"]
    await markbot.standin.wait_idle()
    shown = {m["message_id"]: m["plain"] for m in user.messages}
    assert "Question 2 of 4" in shown[first["message_id"]]  # where they are: North not taken
    await user.press("North", message_id=resumed.message["message_id"])  # now the old one
    assert "out of date" in (await user.next_callback_answer())["text"]
    user.drain()
    for label in ("North", "Jobs", "Skip this question", "Send my answers"):
        await user.press(label)
        await user.next_output()
    await user.press("North", message_id=first["message_id"])  # sent: thanked once, no more
    assert "Thank you" not in str(await user.next_callback_answer())
    assert sum("Thank you!" in m["plain"] for m in user.messages if m["from_bot"]) == 1
    assert await count(markbot, "ballots") == 1
    assert sorted(await rows(markbot, "answers", "question", "option")) == [
        ("age", "13-15"),  # given before the link was opened again
        ("area", "north"),
        ("priority", "jobs"),
    ]


async def test_an_old_or_forged_stop_confirmation_deletes_nothing(markbot: Harness) -> None:
    """Stop on the privacy notice asks too, and No goes back to the notice. The question's
    Yes from an earlier screen (the journey has moved on) or forged is an old button: it
    deletes nothing and the message shows where the journey is."""
    await markbot.add_poll()
    user = markbot.user(1031)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Stop")
    ask = await user.next_output()
    assert "Delete your answers?" in ask.plain
    yes = _data(user.last_bot_message(), "Yes, delete my answers")
    no = _data(user.last_bot_message(), "No, go back")
    await user.press("No, go back")
    notice = await user.next_output()
    assert notice.buttons[0] == ["Start"] and "Test poll" in notice.plain
    await user.press("Start")
    await user.next_output()
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    for old in (yes, no):
        await user.press_data(old)  # the notice's confirmation: the journey is past it
        answer = await user.next_callback_answer()
        assert "old message" in answer["text"], old
        await markbot.standin.wait_idle()
        assert "Question 1 of 4" in user.last_bot_message()["plain"]
    token = yes.split(":")[1]
    for forged in (
        yes.replace(token, "zzzz"),  # another journey's
        yes.replace(":xy", ":xz"),  # no such action
        yes + ":1",  # an argument Yes never has
        yes.replace(":n:", ":c:"),  # the check screen's, not reached
    ):
        await user.press_data(forged)
        answer = await user.next_callback_answer()
        assert answer["text"], forged
    user.drain()
    assert await count(markbot, "drafts") == 1
    await user.press("13-15")  # the journey carries on where it was
    assert "Question 2 of 4" in (await user.next_output()).plain


WELSH_POLL = """\
code: cy-stop
title: {en: Youth vote, cy: Pleidlais ieuenctid}
questions:
  - id: top
    kind: choice
    text: {en: "What matters most?", cy: "Beth sydd bwysicaf?"}
    options:
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
      - {id: buses, label: {en: Buses, cy: Bysiau}}
"""


async def test_stop_asks_first_in_welsh(markbot: Harness) -> None:
    """The question and its buttons are in the journey's language, Welsh here."""
    await markbot.add_poll(WELSH_POLL)
    catalog = markbot.runtime.services.catalog
    user = markbot.user(1032, language_code="cy")
    await user.send_command("start", "cy-stop")
    await user.next_output()
    await user.press(catalog.plain("cy", "button_start"))
    await user.next_output()
    await user.press("Swyddi")
    check = await user.next_output()
    await user.press(catalog.plain("cy", "button_cancel"))
    ask = await user.next_output()
    assert "Dileu dy atebion?" in ask.plain and "Delete" not in ask.plain
    yes, no = catalog.plain("cy", "button_stop_yes"), catalog.plain("cy", "button_stop_no")
    assert ask.buttons == [[yes], [no]] and "Ie" in yes and "Na" in no
    await user.press(no)
    assert (await user.next_output()).plain == check.plain
    await user.press(catalog.plain("cy", "button_cancel"))
    await user.next_output()
    await user.press(yes)
    assert catalog.plain("cy", "cancelled").split("\n")[0] in (await user.next_output()).plain
    assert await count(markbot, "drafts") == 0
