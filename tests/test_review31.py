"""Review 31 (fresh eyes on round 23's safeguarding and scrub rules): what the new `someone:` and
`story:` rules handed to the model and lost, and what the new scrub rules took as names."""

from __future__ import annotations

import pytest

from services.safeguarding import matched_phrase
from services.scrub import scrub


@pytest.mark.parametrize(
    "text",
    [
        # "he/she is violent" is matched with its subject in English; Welsh "mae o'n dreisgar"
        # was matched as "yn dreisgar" after "mae o", which `someone:` now takes for someone
        # in a state, and handed to the model (which said none)
        "mae o'n dreisgar",
        "mae hi'n ymosodol",
        "roedd o'n dreisgar neithiwr",
        "ma nhw'n dreisgar efo ni",
        # the writer said to share it after the match: "and so am I"
        "she is scared to go home and so am I",
        "my brother is scared to go home and so am i",
        # the writer among the people in general
        "I am one of the young people who want to die",
        "Dw i'n un o'r bobl ifanc sydd eisiau marw",
        "young people like us who get kicked out need somewhere to go",
        # "bad news" is no news story
        "had some bad news about home, I am being kicked out",
        "got bad news about my dad, he is coming out of prison and he is violent",
        "newyddion drwg am dad, mae o'n dod allan o'r carchar a mae o'n dreisgar",
    ],
)
def test_the_writers_own_disclosure_is_still_matched(text: str) -> None:
    assert matched_phrase(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        # still someone else's, left to the model as round 23 meant
        "Mae ei dad o'n yfed lot a mae o ofn mynd adra.",
        "saw on the news about a boy who ran away from home and was found safe",
        "I read in the news about a boy in England who was blackmailed over photos and died.",
        "There should be somewhere in Torfaen for young people who've been thrown out",
    ],
)
def test_someone_elses_stay_with_the_model(text: str) -> None:
    assert matched_phrase(text) is None


@pytest.mark.parametrize(
    "text",
    [
        # an organisation or place opening the contact line: "Victoria" is listed, the run is not
        # a person's name
        "Victoria Hospital, 01632 960284.",
        "Barnardo's. Victoria Park Centre, 01632 960284 has a drop in.",
        # a greeting opening "dw i" and an age
        "Shwmae dw i 16 ac yn hoffi pel-droed",
        # a public figure, "the one and only"
        "the one and only Messi",
        "my idol is the one and only Adele",
    ],
)
def test_no_name_is_taken_from_these(text: str) -> None:
    scrubbed = scrub(text)[0]
    assert "[name]" not in scrubbed, scrubbed


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("cameras or summat\n\npeace, the one and only Dilz", "Dilz"),
        ("I want to be kept updated. Rhiannon Bowen-Price, 12 Heol Goch, Pontypool", "Rhiannon"),
        ("Victoria, 07700 900123", "Victoria"),
        ("bryn dw i, 16, o mach. does dim byd i bobl ifanc yma", "bryn"),
    ],
)
def test_the_names_are_still_removed(text: str, detail: str) -> None:
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed
