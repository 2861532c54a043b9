"""Review 28: a fresh look at the day's changes (Telegram journeys brought back by an earlier
message, a 404's language from its address, numbers as written in poll files, and the scrub
rules of rounds 19-20)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from bot.app import Runtime
from services.scrub import scrub
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
