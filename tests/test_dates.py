"""Dates inside texts name the month in the text's own language (services/dates.py): a Welsh
text never carries "Dec" or "December", an English one never "Rhagfyr"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from prompts import load_catalog
from services import typed_answers
from services.dates import day
from services.journey_state import Journey
from services.typed_answers import Taken, TypedAnswers

WHEN = datetime(2026, 12, 3, 3, 11, tzinfo=UTC)


def test_a_day_in_each_language() -> None:
    catalog = load_catalog()
    assert day(catalog, "cy", WHEN) == "3 Rhagfyr 2026"
    assert day(catalog, "en", WHEN) == "3 December 2026"
    assert day(catalog, "cy", WHEN, time=True) == "3 Rhagfyr 2026 03:11 UTC"
    assert day(catalog, "en", date(2027, 2, 28)) == "28 February 2027"
    welsh = [day(catalog, "cy", date(2027, m, 1)) for m in range(1, 13)]
    assert [w.split()[1] for w in welsh] == [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ]


@pytest.mark.parametrize(
    ("lang", "month", "other"), [("cy", "Rhagfyr", "Dec"), ("en", "December", "Rhagfyr")]
)
def test_the_safeguarding_alert_dates_in_its_own_language(
    monkeypatch: pytest.MonkeyPatch, lang: str, month: str, other: str
) -> None:
    """The alert is worded in ALERT_LANGUAGE; its time names the month in that language."""
    monkeypatch.setattr(typed_answers, "ALERT_LANGUAGE", lang)
    answers = TypedAnswers(load_catalog(), ("en", "cy"), contact_help=False, clock=lambda: WHEN)
    taken = Taken("my dad hits me", scrubbed=False, concern=True, reason="phrase", matched="hits")
    _, alert = answers.notes(Journey.new(1, "en"), "test-poll", taken)
    assert alert is not None
    assert f"3 {month} 2026 03:11 UTC" in alert
    assert other not in alert
