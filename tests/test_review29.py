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
