"""The shipped poll templates in prompts/polls/ load, are bilingual and keep their promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.pollfile import MAX_LABEL, PREFER_NOT_TO_SAY, Poll, load_poll_file

POLLS = Path(__file__).resolve().parents[1] / "prompts" / "polls"
PNTS_LABELS = {"en": "Prefer not to say", "cy": "Gwell gen i beidio â dweud"}
TEMPLATES = sorted(POLLS.glob("*.yaml"))
MAX_EN_LABEL = 30  # fits a phone button
TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The Make Your Mark 2024 national topics, as tags (see make-your-mark.yaml).
MYM_TAGS = {
    "education-learning",
    "international-relations",
    "health-wellbeing",
    "rights-equality-democracy",
    "jobs-economy-benefits",
    "crime-safety",
    "culture-media-sport",
    "climate-environment",
    "transport",
    "youth-services",
}
# Questions must never ask for anything that identifies a young person.
PERSONAL = re.compile(
    r"\b(your name|full name|postcode|post code|e-?mail|phone|address|date of birth|"
    r"which school|your school)\b",
    re.IGNORECASE,
)


def load(name: str) -> Poll:
    return load_poll_file(POLLS / name, PNTS_LABELS)


def ids(question) -> list[str]:
    return [o.id for o in question.options]


def test_the_templates_are_there() -> None:
    names = {p.name for p in TEMPLATES}
    assert {"make-your-mark.yaml", "somerset-cypp.yaml", "worcestershire-cyp.yaml"} <= names
    assert (POLLS / "README.md").is_file()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_validates_in_english_and_welsh(path: Path) -> None:
    poll = load_poll_file(path, PNTS_LABELS)
    assert poll.languages() == ("en", "cy")
    assert poll.outcome is not None and poll.intro is not None and poll.organiser
    for q in poll.questions:
        # languages() does not look at descriptions: check them here.
        for opt in q.options:
            if opt.description is not None:
                assert set(opt.description) == {"en", "cy"}, f"{q.id}/{opt.id}"
            # a mapping label needs an explicit id; every label here is a mapping
            assert set(opt.label) == {"en", "cy"}, f"{q.id}/{opt.id}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_labels_fit_a_button(path: Path) -> None:
    poll = load_poll_file(path, PNTS_LABELS)
    for q in poll.questions:
        for opt in q.options:
            for lang, text in opt.label.items():
                assert len(text) <= MAX_LABEL, f"{q.id}/{opt.id} {lang}: {text!r}"
            assert len(opt.label["en"]) <= MAX_EN_LABEL, f"{q.id}/{opt.id}: {opt.label['en']!r}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_breakdowns_offer_prefer_not_to_say_written_out_last(path: Path) -> None:
    poll = load_poll_file(path, PNTS_LABELS)
    assert poll.breakdowns, "each template breaks results down by something"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw_questions = {q["id"]: q for q in raw["questions"]}
    for q in poll.breakdowns:
        assert PREFER_NOT_TO_SAY in ids(q)
        assert PREFER_NOT_TO_SAY not in q.ineligible
        # written explicitly in the file (not added by the loader), as the last option
        last = raw_questions[q.id]["options"][-1]
        assert last == {"id": PREFER_NOT_TO_SAY, "label": PNTS_LABELS}, q.id


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_questions_are_short_and_ask_nothing_personal(path: Path) -> None:
    poll = load_poll_file(path, PNTS_LABELS)
    for q in poll.questions:
        text = q.text["en"]
        assert len(text) <= 90, f"{q.id}: keep the question to one short sentence"
        assert text.count(". ") == 0, f"{q.id}: one sentence only"
        assert not PERSONAL.search(text), f"{q.id} asks for personal data: {text!r}"
        if q.kind == "text":
            assert q.optional, f"open question {q.id} should be optional"


def test_codes_are_unique() -> None:
    codes = [load_poll_file(p, PNTS_LABELS).code for p in TEMPLATES]
    assert len(codes) == len(set(codes)), codes


def test_make_your_mark_priority_has_the_ten_national_topics() -> None:
    poll = load("make-your-mark.yaml")
    q = poll.question("priority")
    assert q is not None and q.kind == "choice"
    assert len(q.options) == 10
    assert all(o.tag and TAG.match(o.tag) for o in q.options)
    assert {o.tag for o in q.options} == MYM_TAGS
    assert all(o.description is not None for o in q.options)
    age = poll.question("age")
    assert age is not None and age.breakdown
    assert set(age.ineligible) == {"under-11", "over-25"}
    area = poll.question("area")
    assert area is not None and area.breakdown
    why = poll.question("why")
    assert why is not None and why.kind == "text" and why.optional


def test_somerset_priority_has_eight_tagged_areas() -> None:
    poll = load("somerset-cypp.yaml")
    q = poll.question("priority")
    assert q is not None and q.kind == "choice"
    assert len(q.options) == 8
    assert all(o.tag and TAG.match(o.tag) for o in q.options)
    # tags point at national Make Your Mark topics, so ballots can be combined
    assert {o.tag for o in q.options} <= MYM_TAGS
    assert all(o.description is not None for o in q.options)


def test_somerset_ages_are_10_to_25() -> None:
    age = load("somerset-cypp.yaml").question("age")
    assert age is not None and age.breakdown
    assert set(age.ineligible) == {"under-10", "over-25"}
    eligible = [i for i in ids(age) if i not in age.ineligible]
    assert eligible == ["10-12", "13-15", "16-18", "19-25", PREFER_NOT_TO_SAY]


def test_somerset_districts() -> None:
    district = load("somerset-cypp.yaml").question("district")
    assert district is not None and district.breakdown
    assert [o.label["en"] for o in district.options] == [
        "Mendip",
        "Sedgemoor",
        "Somerset West and Taunton",
        "South Somerset",
        "Prefer not to say",
    ]


def test_worcestershire_groups_and_districts() -> None:
    poll = load("worcestershire-cyp.yaml")
    respondent = poll.question("respondent")
    assert respondent is not None and respondent.breakdown
    assert [o.label["en"] for o in respondent.options] == [
        "Child (0-12)",
        "Young person (13-24)",
        "Parent or carer",
        "Practitioner",
        "Prefer not to say",
    ]
    assert not respondent.ineligible
    district = poll.question("district")
    assert district is not None and district.breakdown
    assert [o.label["en"] for o in district.options] == [
        "Bromsgrove",
        "Malvern Hills",
        "Redditch",
        "Worcester",
        "Wychavon",
        "Wyre Forest",
        "Prefer not to say",
    ]
    important = poll.question("important")
    assert important is not None and important.kind == "multi" and important.limit == 3
    assert 8 <= len(important.options) <= 10
    open_questions = [q for q in poll.questions if q.kind == "text"]
    assert len(open_questions) == 4  # with `important`, the consultation's five questions
    assert all(q.optional for q in open_questions)
