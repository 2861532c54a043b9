"""review32c: fresh-eyes review of scrub round 25 (1b75a3d) and what it brought within reach."""

from __future__ import annotations

import time

import pytest

from services.scrub import scrub, scrub_rules


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a national side's coach is a public figure, whatever case "coach" is typed in
        ("England coach Gareth Southgate should have picked more young players", "Southgate"),
        ("former England coach Eddie Jones is now in Japan", "Eddie Jones"),
        ("Wales coach Warren Gatland got sacked after the Six Nations", "Warren Gatland"),
        ("the Wales head coach Steve Tandy has a tough job", "Steve Tandy"),
        # a place first in a list whose other items the tagger took stays a place
        ("es i i Gaerdydd, Bethan a Cadi ddoe", "Gaerdydd"),
        ("I went to Florence, Jade and Amy went to Rome", "Florence"),
        # weekdays after a childminder are when, not who
        ("our childminder Tuesdays and Thursdays is lovely", "Tuesdays and Thursdays"),
        ("my babysitter Fridays is my nan", "Fridays"),
        # a word ending in x that ends an answer is no name signed with a kiss ("Netfli x")
        ("I watched it on Netflix", "Netflix"),
        ("we moved to Essex", "Essex"),
    ],
)
def test_clean_words_are_kept(text: str, kept: str) -> None:
    """Each was taken by main: a coach rule, the list-first rule, a relation or a kiss."""
    scrubbed = scrub(text)[0]
    assert kept in scrubbed, scrubbed


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("coach Dean Fowler is the only reason we still train", "Dean"),
        ("my Wales U18 coach Dean Fowler is strict", "Dean"),
        ("our Wales coach Dean Fowler is strict", "Dean"),
        ("Diolch i Rojin, Hêvî a [name] o'r grŵp am helpu fi", "Rojin"),
        ("fi a fy ffrindia Tasnim, [name] a [name] yn mynd i'r dre", "Tasnim"),
        ("I spoke to Tasnim, [name] and [name] about it", "Tasnim"),
        ("our childminder Lorna can't start before 7", "Lorna"),
        ("love you all, Jade x", "Jade"),
        ("thanks for listening Jade xx", "Jade"),
        # a name ending in x is read whole, not as "Lenno" with a kiss
        ("text me on 07700 900417 not my mum, its Lennox", "Lenno"),
        ("my back is wrecked 💀 peace ✌️ Dex", "De"),
    ],
)
def test_details_still_removed(text: str, detail: str) -> None:
    """The narrowings above keep the round's catches and a kiss after a name."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "went to " + "Abi, " * 1000 + "[name] and [name]",
        "England coach " * 400 + "Dean Fowler",
        "Netflix" * 700 + " x",
    ],
)
def test_hostile_inputs_stay_cheap(text: str) -> None:
    """5,000-character answers built against the changed rules stay fast."""
    start = time.perf_counter()
    scrub_rules(text)
    assert time.perf_counter() - start < 2.0
