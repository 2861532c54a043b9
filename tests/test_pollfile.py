"""Poll files: what validates, and errors that name the field and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.pollfile import PREFER_NOT_TO_SAY, PollFileError, load_poll_file, parse_poll

PNTS = {"en": "Prefer not to say", "cy": "Gwell gen i beidio â dweud"}

GOOD = """\
code: MYM-Somerset-2026
title: Make Your Mark 2026 - Somerset
intro: Pick the issue you most want Somerset's plan to tackle.
closes: 2026-12-15T23:59:00Z
questions:
  - id: age
    kind: choice
    text: How old are you?
    options: [Under 10, 10-12, 13-15, 16-18, 19-25, Over 25]
    ineligible: [Under 10, Over 25]
    breakdown: true
  - id: area
    kind: choice
    text: Where do you live?
    options: [Mendip, Sedgemoor, Somerset West and Taunton, South Somerset, Prefer not to say]
    breakdown: true
  - id: priority
    kind: choice
    text: Which one should be the top priority?
    options: [Mental health, Jobs, Transport]
  - id: why
    kind: text
    text: Why does that matter to you? (optional)
    optional: true
"""


def test_issue_example_validates() -> None:
    poll = parse_poll(GOOD, "good.yaml", PNTS)
    assert poll.code == "mym-somerset-2026"
    age = poll.question("age")
    assert age is not None
    assert age.ineligible == ("under-10", "over-25")
    # a breakdown question without 'Prefer not to say' gets it, as an equal option, last
    assert age.options[-1].id == PREFER_NOT_TO_SAY
    assert age.options[-1].label == PNTS
    area = poll.question("area")
    assert area is not None
    assert [o.id for o in area.options].count(PREFER_NOT_TO_SAY) == 1
    assert [q.id for q in poll.breakdowns] == ["age", "area"]
    assert poll.closes is not None and poll.closes.isoformat() == "2026-12-15T23:59:00+00:00"


def test_naive_times_are_uk_time() -> None:
    text = GOOD.replace("2026-12-15T23:59:00Z", "2026-07-01 12:00")
    poll = parse_poll(text, "x", PNTS)
    assert poll.closes is not None and poll.closes.hour == 11  # BST is UTC+1


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("options: [Mental health, Jobs, Transport]", "options: [Jobs, Jobs]"),
            "line 17: questions[2] (id: priority): two options have the same id",
        ),
        (("kind: text", "kind: essay"), "line 22: questions[3] (id: why).kind"),
        (("code: MYM-Somerset-2026", "code: no spaces allowed"), "line 1: code"),
        (("ineligible: [Under 10, Over 25]", "ineligible: [Under 9]"), "questions[0] (id: age)"),
        (("title: Make Your Mark 2026 - Somerset\n", ""), "title: Field required"),
        (("  - id: why", "  - id: area"), "same id"),
    ],
)
def test_errors_name_field_and_line(edit: tuple[str, str], expected: str) -> None:
    with pytest.raises(PollFileError) as info:
        parse_poll(GOOD.replace(*edit), "poll.yaml", PNTS)
    assert info.value.source == "poll.yaml"
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_long_button_label_is_refused_with_advice() -> None:
    text = GOOD.replace("Transport]", "A very long option label that will never fit on a button]")
    with pytest.raises(PollFileError) as info:
        parse_poll(text, "p.yaml", PNTS)
    assert "description" in info.value.problems[0]


def test_yaml_syntax_error_has_line() -> None:
    with pytest.raises(PollFileError) as info:
        parse_poll("code: x\ntitle: [unclosed\n", "bad.yaml", PNTS)
    assert info.value.problems[0].startswith("line ")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just words"])
def test_not_a_mapping(text: str) -> None:
    with pytest.raises(PollFileError):
        parse_poll(text, "x.yaml", PNTS)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PollFileError) as info:
        load_poll_file(tmp_path / "missing.yaml", PNTS)
    assert "cannot read" in info.value.problems[0]


def test_multi_rank_and_welsh() -> None:
    text = """\
code: ranked
title: {en: Ranked, cy: Trefn}
questions:
  - id: top3
    kind: multi
    max: 3
    text: {en: Pick 3, cy: Dewis 3}
    options:
      - {id: a, label: {en: A, cy: A}, tag: health}
      - {id: b, label: {en: B, cy: B}}
      - {id: c, label: {en: C, cy: C}}
      - {id: d, label: {en: D, cy: D}}
  - id: order
    kind: rank
    max: 2
    text: {en: Order, cy: Trefn}
    options: [{id: x, label: {en: X, cy: X}}, {id: y, label: {en: Y, cy: Y}}]
"""
    poll = parse_poll(text, "r.yaml", PNTS)
    assert poll.languages() == ("en", "cy")
    top3 = poll.question("top3")
    assert top3 is not None and top3.limit == 3 and top3.options[0].tag == "health"
    with pytest.raises(PollFileError, match="only 2 options"):
        parse_poll(text.replace("max: 2", "max: 5"), "r.yaml", PNTS)
