"""The name tagger that runs after the scrub rules (services/name_model.py, issue 14)."""

from __future__ import annotations

import logging
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services import name_model
from services.scrub import lexicon, scrub, scrub_rules
from tests.timing import fastest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # shapes no rule has, from the development batches
        ("a boy in year 8 called Reece got his phone stolen", "a boy in year 8 called [name] got"),
        ("my mate from footy Kacper says the pitch is flooded", "my mate from footy [name] says"),
        ("stopio cau'r llyfrgell - gan Osian", "stopio cau'r llyfrgell - gan [name]"),
        ("went bowling with Oskar after school", "went bowling with [name] after school"),
    ],
)
def test_the_tagger_takes_names_the_rules_leave(text: str, expected: str) -> None:
    assert scrub_rules(text) == text  # the rules alone miss it
    assert scrub(text)[0].startswith(expected)


@pytest.mark.parametrize(
    "text",
    [
        # safeguarding reads the scrubbed text: a word that matters must survive
        "my sister burns herself with her straighteners on purpose",
        # a title is the rules' business: a fictional figure stays
        "Mrs Potts from Beauty and the Beast is my nan",
        # a lower-case word in a Welsh answer is a Welsh word, even when it is a name elsewhere
        "weithia dwi'n sefyll wrth y ffordd osgoi yn y nos yn aros am lori",
        "ma mam yn cloi fi mas yn yr ardd yn yr oerfel am orie",
        # a month, a Welsh month, a closer with no name, a pet, a double act
        "the skate park has been shut since March",
        "does dim cwnselydd wedi bod yn yr ysgol ers mis Medi",
        "that's all, thanks Year 9",
        "we got a dog called Max from the rescue centre",
        "Tom and Jerry got cancelled on the kids channel",
        # "Burns" is a surname too, but a disclosure's word first (the phrase list reads it)
        "my arms are covered in Burns",
        "Shouting\nHitting\nBurns",
        "worst thing at home: Burns",
    ],
)
def test_the_tagger_leaves_words_that_are_no_names(text: str) -> None:
    assert scrub(text) == (text, False)


def test_a_broken_model_leaves_the_rules_answer_and_logs_no_text(monkeypatch, caplog) -> None:
    def broken() -> name_model.NameModel:
        raise ValueError("names.json is damaged")

    monkeypatch.setattr(name_model, "model", broken)
    text = "my name is Jo Bloggs and a boy in year 8 called Reece got his phone stolen"
    with caplog.at_level(logging.ERROR):
        out, changed = scrub(text)
    assert (out, changed) == (scrub_rules(text), True)
    assert "Reece" in out and "Bloggs" not in out
    assert "name tagger failed" in caplog.text
    assert "Reece" not in caplog.text and "Bloggs" not in caplog.text


def test_the_tagger_reads_a_long_answer_in_linear_time() -> None:
    """Each word is read with a few neighbours only: eight times the text, about eight times the
    time (a ratio, measured in one run; the bound leaves room for a noisy machine)."""
    unit = "Thanks, Kerys (19) - more buses to Rhyl please!! x\n"

    def seconds(text: str) -> float:
        return fastest(lambda: name_model.spans(text, False, lexicon()))

    short, long = seconds(unit * 10), seconds(unit * 80)
    assert long / short < 16


def test_a_long_run_of_blank_lines_is_read_in_linear_time() -> None:
    """A word's gap before it is looked at once: eight times the blank lines, about eight
    times the time (it was quadratic: each newline started a search to the gap's end)."""

    def seconds(blank: int) -> float:
        text = "a" + "\n" * blank + "1 b"
        return fastest(lambda: name_model.spans(text, False, lexicon()))

    short, long = seconds(1000), seconds(8000)
    assert long / short < 16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a boy in year 8 called 'Reece' got his phone stolen", "called '[name]' got"),
        ("a boy in year 8 called Reece-- got his phone stolen", "called [name]-- got"),
    ],
)
def test_a_mark_after_a_name_is_kept(text: str, expected: str) -> None:
    assert expected in name_model.replace(text, False, lexicon())


def test_the_model_rebuilds_to_the_same_bytes() -> None:
    pytest.importorskip("sklearn")
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench.names_model_build", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600), st.booleans())
def test_the_tagger_never_raises_and_keeps_everything_but_names(text: str, welsh: bool) -> None:
    """On any text: no exception (scrub() would hide one behind the rules' answer), and every
    character outside a replaced word is kept."""
    assume("[name]" not in text)
    found = name_model.spans(text, welsh, lexicon())
    out = name_model.replace(text, welsh, lexicon())
    kept = text
    for start, end, _ in reversed(found):
        kept = kept[:start] + kept[end:]
    assert out.replace("[name]", "") == kept


@pytest.mark.parametrize(
    "text",
    [
        "cheers, Zoë",
        "thanks from Anäis\nthe park needs bins",
        "a boy in year 8 called Renée got his phone stolen",
        "diolch o galon, Siân",
    ],
)
def test_a_word_in_decomposed_letters_is_one_word(text: str) -> None:
    """An accent typed as a combining mark ("e" + U+0301) neither splits a word nor leaves part
    of a name behind ("[name]\u0301e"): the tagger reads it as the composed word."""
    composed = unicodedata.normalize("NFC", text)
    decomposed = unicodedata.normalize("NFD", text)
    assert len(name_model.tokens(decomposed)) == len(name_model.tokens(composed))
    out = name_model.replace(decomposed, False, lexicon())
    assert unicodedata.normalize("NFC", out) == name_model.replace(composed, False, lexicon())


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Rydym yn mynd â'r ci, Mabli, ar y trên i Abermaw bob Sadwrn ym mis Awst.", "Mabli"),
        ("we take the dog, Bella, on the train to Barmouth every week", "Bella"),
    ],
)
def test_a_pets_name_after_its_animal_is_kept(text: str, kept: str) -> None:
    """The tagger took a dog's name after "y ci," in fresh50 (a clean answer): a pet's name is
    no person's. Welsh "chi" stays out of the animals: "Caru chi, Freddie" is "love you"."""
    assert kept in scrub(text)[0]
    assert "Freddie" not in scrub("mwy o lwybrau beic plis. Caru chi, Freddie 🦖 Bl 5")[0]
