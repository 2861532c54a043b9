"""Review29: scrub round 21 seen from outside (clean answers it changes, personal numbers it
keeps)."""

from __future__ import annotations

import pytest

from services.scrub import scrub


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("my number 07700 900 123 0300 123 4567", "07700 900 123"),
        ("my numbers 01632 960 123 0345 123 4567", "01632 960 123"),
    ],
)
def test_a_personal_number_next_to_an_03_one_still_goes(text: str, number: str) -> None:
    """An 03 number written 4-3-4 is an organisation's, but a run of digits that only
    contains one (a mobile written just before it) is not that number."""
    scrubbed, changed = scrub(text)
    assert changed and number not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "ring me on 0803 123 4567",  # a Nigerian mobile (0802-0809, 11 digits like 0800's)
        "my dad's number is 08061234567",
        "my cousin in Karachi 0321 456 7890",  # Pakistani mobiles are 030x-034x
        "text my cousin on 0312 345 6789",
    ],
)
def test_mobiles_that_look_like_organisation_numbers_still_go(text: str) -> None:
    """The UK's freephone numbers are 0800 and 0808 and its 03 numbers 030, 033, 034 and 037:
    other 080 and 03 numbers (Nigerian and Pakistani mobiles) are people's own."""
    scrubbed, changed = scrub(text)
    assert changed and "[phone]" in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Childline is free on 0800 1111",
        "the NSPCC helpline is 0808 800 5000",
        "the ICO on 0303 123 1113",
        "the DVLA on 0300 790 6801",
        "British Gas on 0333 202 9802",
        "call the bank on 0345 734 5345",
        "the rail line 0371 200 4950",
    ],
)
def test_organisation_numbers_are_still_kept(text: str) -> None:
    """The real ranges stay kept after the narrowing above."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    "text",
    [
        "text me 0300 123 4567",
        "my whatsapp is 0300 123 4567 (pakistan)",
        "my mum's number is 0808 123 4567",
        "ring me on 0800 123 4567",
    ],
)
def test_an_organisation_looking_number_said_to_be_ones_own_still_goes(text: str) -> None:
    """A number given after "my number" or "text me" is the writer's or their family's
    (a Pakistani 030x mobile written 4-3-4, a Nigerian 0808), whatever its range."""
    scrubbed, changed = scrub(text)
    assert changed and "[phone]" in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "We need youth clubs.\nHope (that helps)",
        "Fix the buses.\nHope, that helps",
        "Skate park open later.\nAutumn (September) is worst",
        "Skate park open later.\nAutumn (September)",
        "Buses.\nSunny, warm days",
        "More gigs in Cardiff.\nTaylor Swift (concert)",
        "More football pitches.\nGareth Bale, Wales legend",
        "A bigger library.\nHarry Potter (the books)",
    ],
)
def test_a_last_line_that_is_no_signature_is_left_alone(text: str) -> None:
    """_SIGNATURE_LINE: a name that is an everyday word ("Hope", "Autumn", "Sunny") followed by
    words that say nothing about a writer, and a famous person or character, are no one's
    signature."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("More buses please.\nHope, Y9", "Hope"),
        ("More buses please.\nSummer (15)", "Summer"),
        ("a free room with a mirror is all we want\nHaeun, crew leader 💃", "Haeun"),
    ],
)
def test_a_signature_with_a_word_name_still_goes(text: str, detail: str) -> None:
    """With an age or a school year after it, a word-name on the last line is a signature."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "We visited the Sheikh Zayed Grand Mosque on holiday",
        "Sheikh Zayed Road in Dubai is huge",
        "Sheikh Mansour owns Man City and they win everything",
        "Sheikh Hasina resigned last year",
        "Pandit Nehru was India's first prime minister",
        "Mufti Menk talks are inspiring",
        "Maulana Rumi poems are lovely",
        "Pandit Ravi Shankar played the sitar",
    ],
)
def test_public_figures_and_places_after_the_new_faith_titles_are_left_alone(text: str) -> None:
    """The titles round 21 added ("Sheikh", "Pandit", "Mufti", "Maulana") also name rulers,
    prime ministers, scholars, a poet, a road and a mosque: no private person."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("At our church, our priest, Abba Tesfaye, said the hall could be a homework club", "Tesf"),
        ("Sheikh Abdullahi runs the homework club at the mosque", "Abdullahi"),
    ],
)
def test_private_faith_leaders_still_go(text: str, detail: str) -> None:
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


def test_a_relation_before_an_everyday_place_word_still_goes() -> None:
    """The place check above takes only a capitalised place word ("Road"), not "school run"."""
    scrubbed, changed = scrub("Uncle Dave school run is always late")
    assert changed and "Dave" not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "More cheap food.\nRonaldo, the best",
        "Keep the library open.\nMatilda (the book)",
        "Safer roads.\nEvans, the bus company",
    ],
)
def test_a_last_line_naming_a_thing_is_no_signature(text: str) -> None:
    """A footballer the lists know, and a name followed by "the ..." (what the name is: a
    book, a firm) rather than who wrote the answer."""
    assert scrub(text) == (text, False)


def test_a_signed_last_line_with_the_still_goes() -> None:
    """A dash and an initial mark a signature even when the words after it start "the"."""
    text = "Please consider a late bus.\n\n— Dhruvi M. (the girl at the till)"
    scrubbed, changed = scrub(text)
    assert changed and "Dhruvi" not in scrubbed, scrubbed
