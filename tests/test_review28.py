"""Review 28: a fresh look at the day's changes (Telegram journeys brought back by an earlier
message, a 404's language from its address, numbers as written in poll files, and the scrub
rules of rounds 19-20)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from conftest import Harness

from bot.app import Runtime
from services.scrub import scrub
from standin import FakeUser
from tests.stored import count
from tests.test_site_live import client, rt  # noqa: F401 (fixtures)
from tests.webclient import Browser

# --- scrub: schools ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a special school or a nursery named after its kind: the name still goes
        ("my school is Ysgol Arbennig Pen-y-Cwm and I like it", "my school is [school] and I"),
        ("Dw i'n mynd i Ysgol Arbennig Pen-y-Cwm", "Dw i'n mynd i [school]"),
        ("I went to Ysgol Feithrin Llanbed", "I went to [school]"),
        ("YGG Gyfun Arbennig Ty Gwyn", "[school]"),
    ],
)
def test_a_school_named_after_its_kind_still_goes(text: str, expected: str) -> None:
    """Round 20 stopped "Ysgol Gymraeg" (a kind of school) being read as a school's name by
    refusing the kind words as the name, but Arbennig (special) and Feithrin (nursery) were
    refused without being allowed before the name: "Ysgol Arbennig Pen-y-Cwm" was [school]
    before and kept whole after."""
    assert scrub(text)[0].startswith(expected)


@pytest.mark.parametrize(
    "text",
    ["I love ICT at Ysgol Gymraeg", "Mae Ysgol Arbennig yn bwysig", "Ysgol Feithrin i bawb"],
)
def test_a_kind_of_school_alone_is_no_school_s_name(text: str) -> None:
    """What round 20 fixed stays fixed."""
    assert scrub(text)[0] == text


# --- the name model: public offices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("our minister Gareth Pryce visits my nan", "Gareth"),  # a chapel's minister
        ("the student union president Amara Okafor helped me", "Amara"),
        ("The Student Union President Amara Okafor helped me", "Amara"),
        ("our chapel Minister, Gareth Pryce, visits my nan", "Gareth"),
        ("our Minister Gareth Pryce visits my nan", "Gareth"),
    ],
)
def test_a_private_person_s_office_keeps_no_name(text: str, detail: str) -> None:
    """Round 20 let a name after "minister" or "president" stand (the First Minister, a
    public figure), but a chapel's minister and a student union's president are private
    people: before round 20 the tagger removed their names."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "the First Minister, Eluned Morgan, says young people matter",
        "Ma'r Prif Weinidog, Eluned Morgan, yn deud bod pobl ifanc yn bwysig",
    ],
)
def test_a_public_office_still_keeps_its_holder(text: str) -> None:
    """What round 20 was for."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    "text",
    ["we went to Madame Tussauds on the school trip", "a trip to Madame Tussauds in London"],
)
def test_a_famous_place_after_a_new_title_is_no_name(text: str) -> None:
    """Round 20 made "Madame" a title before a name; Madame Tussauds is a museum."""
    assert scrub(text) == (text, False)


# --- scrub: handles near a platform ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Instagram is bad for kids (year10 and up)",
        "my snapchat is great for school (year11)",
        "threads about it (covid19 ones) were scary",
    ],
)
def test_a_school_year_after_a_platform_is_no_handle(text: str) -> None:
    """Round 20's handle in brackets or after a colon, a few words after a platform, took a
    school year ("year10", 2 digits: a handle's shape) for a handle."""
    assert scrub(text)[0] == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add me on there (tawebass_kenz)", "add me on there ([handle])"),
        ("my insta (year10.kai)", "my insta ([handle])"),
    ],
)
def test_a_handle_after_a_platform_still_goes(text: str, expected: str) -> None:
    """What round 20 was for."""
    assert scrub(text)[0] == expected


# --- the web: a 404's language from its address ---------------------------------------------


async def test_a_404_under_a_language_folder_ignores_a_lang_it_cannot_use(
    rt: Runtime,  # noqa: F811
    client: TestClient,  # noqa: F811
) -> None:
    """``?lang=`` chooses the page's language only when it names one (browser_of ignores
    any other): "?lang=fr" or "?lang=" left the path's language unused, and the 404 under
    /results/cy/ was in the cookie's English."""
    browser = Browser(client)
    await browser.get("/privacy?lang=en")  # the cookie says English
    for query in ("?lang=fr", "?lang=", "?lang=CY"):
        missing = await browser.get(f"/results/cy/no-such-poll/index.html{query}")
        assert missing.status == 404 and '<html lang="cy">' in missing.text, query
    chosen = await browser.get("/results/cy/no-such-poll/index.html?lang=en")
    assert chosen.status == 404 and '<html lang="en">' in chosen.text
    cookies = chosen.headers.getall("Set-Cookie")
    assert len(cookies) == 1 and ".en." in cookies[0]  # one cookie, the choice just made


# --- Telegram: a tap on the journey's message from before the link was opened again ----------


async def _two_messages(
    markbot: Harness, user_id: int, labels: tuple[str, ...] = ("Start", "13-15")
) -> tuple[FakeUser, int]:
    """The poll started and answered up to question 2 (or after ``labels``): the message's
    id, the journey's earlier one once the link is opened again."""
    await markbot.add_poll()
    user = markbot.user(user_id)
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in labels:
        await user.press(label)
        await user.next_output()
    first = user.last_bot_message()
    assert first is not None
    return user, first["message_id"]


async def test_yes_delete_on_the_earlier_message_deletes(markbot: Harness) -> None:
    """Stop asked on the first message, the link opened again, then "Yes, delete my answers"
    on the first message: the person asked, twice, for their answers to go. Round 20 answered
    "out of date, nothing changed" and kept them (the tap only made that message live)."""
    everything = ("Start", "13-15", "North", "Jobs", "Skip this question")  # the check screen
    user, first = await _two_messages(markbot, 2801, everything)
    await user.press("Stop", message_id=first)
    assert "delete" in (await user.next_output()).plain.lower()
    await user.send_command("start", "test-poll")
    resumed = await user.next_output()
    assert "carry on where you were" in resumed.plain
    await markbot.standin.wait_idle()
    user.drain()
    user.drain_callback_answers()
    await user.press("Yes, delete my answers", message_id=first)
    said = await user.next_output()
    assert "deleted your unfinished answers" in said.plain
    assert await count(markbot, "drafts") == 0


async def test_a_tap_on_the_earlier_message_after_the_poll_closed_says_so(
    markbot: Harness,
) -> None:
    """The poll closed while the person was away: a tap on the earlier message says so at
    once (as a tap on the live one does), not "out of date" and a question of a poll that is
    closed."""
    user, first = await _two_messages(markbot, 2802)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await markbot.standin.wait_idle()
    user.drain()
    user.drain_callback_answers()
    await markbot.runtime.services.polls.set_status("test-poll", "closed")
    await user.press("North", message_id=first)
    said = await user.next_output()
    assert "closed before your answers were sent" in said.plain
    assert await count(markbot, "drafts") == 0


# --- scrub: time on hostile text ------------------------------------------------------------


@pytest.mark.parametrize("run", [" " * 3000, " \t" * 1500])
def test_a_name_then_who_they_are_is_quick_on_a_long_run_of_spaces(run: str) -> None:
    """_NAME_THEN_RELATION's "[ \\t]*,?[ \\t]+" splits a run of spaces every way before each
    ending fails: quadratic (0.25 s on 3,000 spaces before round 20; its "bach" and "'y"
    doubled that). One way to read the run makes it linear."""
    import time

    from services.scrub import _NAME_THEN_RELATION

    plain = "We need more buses in the evening and lights in the park. " * 52

    def took(text: str) -> float:
        start = time.perf_counter()
        _NAME_THEN_RELATION.sub(lambda m: m.group(), text)
        return (time.perf_counter() - start) * 1000

    took(plain)
    assert took("Ysgol" + run + "x") < max(25.0, 4 * took(plain))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I told Jake, my brother, about it", "I told [name], my brother, about it"),
        ("I told Jake , my brother", "I told [name] , my brother"),
        ("ma Jordan bach 'y mrawd gartre", "ma [name] bach 'y mrawd gartre"),
        ("Mae Heddwen fy chwaer yn sâl", "Mae [name] fy chwaer yn sâl"),
    ],
)
def test_a_name_then_who_they_are_still_goes(text: str, expected: str) -> None:
    """The same texts as before the run of spaces was made linear."""
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text", ["\nthank you" + " " * 3000 + "so much", "snapchat" + " \t" * 1500 + ": "]
)
def test_scrub_is_quick_on_a_long_run_of_spaces(text: str) -> None:
    """A 3,000-character answer (the longest a question takes) of spaces after a thanks or a
    platform: 4-5 s before perf28 read every run of blanks one way; a generous bound (the ratio
    tests in test_review27.py say linear)."""
    import time

    scrub("warm up")
    start = time.perf_counter()
    scrub(text)
    assert time.perf_counter() - start < 2.0


# --- scrub: a word after "is" --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("the one who bullies me is Tyzo from my year", "Tyzo"),
        ("the person who helped most was Zephyrine from my class", "Zephyrine"),
        ("the one who helps is Zephyrine, my cousin", "Zephyrine"),
        ("Sometimes I feel Zephyrine, my cousin, gets it", "Zephyrine"),
    ],
)
def test_a_name_after_is_or_was_still_goes(text: str, detail: str) -> None:
    """Round 20 read any word after "is", "was", "feel"... as a state ("the parents room is
    tiny, my mum sleeps in a chair"), so a capitalised name there was kept: "the one who
    bullies me is Tyzo from my year" named the bully (removed before round 20)."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


# --- review28's notes, done by the lead -----------------------------------------------------


def test_a_public_body_s_domain_in_a_query_string_does_not_keep_a_link() -> None:
    """The host is what comes before any path, query or port: "mysite.com?x=.gov.uk" is not a
    council's site; "https://www.gov.uk/x?y=1" is."""
    assert "mysite" not in scrub("see mysite.com?x=.gov.uk now")[0]
    assert scrub("see https://www.gov.uk/x?y=1 now") == ("see https://www.gov.uk/x?y=1 now", False)


def test_a_draft_with_a_field_from_a_newer_version_still_loads() -> None:
    """Processes on one database are upgraded one at a time: a draft a newer one saved with a
    field this version doesn't know keeps the young person's answers (the field is left out)."""
    import json

    from services.journey_state import Journey

    journey = Journey.new(1, "en")
    journey.answers = {"age": "13-15"}
    data = json.loads(journey.dumps())
    data["a_future_field"] = [1, 2]
    loaded = Journey.loads(json.dumps(data))
    assert loaded is not None and loaded.answers == {"age": "13-15"}
