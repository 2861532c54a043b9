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
    """A number after "my number", "text me": someone gives as their own or their family's is
    theirs (a Pakistani 030x mobile written 4-3-4, a Nigerian 0808), whatever its range."""
    scrubbed, changed = scrub(text)
    assert changed and "[phone]" in scrubbed, scrubbed
