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


MYM_TOPICS = """\
code: mym-2026
title: {en: Make Your Mark, cy: Gwnewch eich Marc}
questions:
  - id: topic
    kind: multi
    max: 2
    text: {en: "Which matter most?", cy: "Pa rai sydd bwysicaf?"}
    options:
      - label:
          en: Give young people a voice in improving their communities
          cy: Rhoi llais i bobl ifanc wrth wella eu cymunedau nhw i gyd yng Nghymru
      - label: {en: Put more money into mental health support in every school, cy: Iechyd meddwl}
        button: {en: Mental health support}
      - {label: {en: Transport, cy: Trafnidiaeth}, description: {en: Buses, cy: Bysiau}}
"""


def test_real_ballot_wording_is_kept_whole_with_short_buttons() -> None:
    """Official Make Your Mark topics run past 48 characters: the poll is accepted, exports
    keep the whole label, buttons get a short text (given or derived)."""
    from prompts import load_catalog
    from services.journey_state import Journey
    from services.screens import question

    poll = parse_poll(MYM_TOPICS, "mym.yaml", PNTS)
    q = poll.questions[0]
    voice, money, transport = q.options
    assert voice.label["en"] == "Give young people a voice in improving their communities"
    assert voice.id == "give-young-people-a-voice-in-imp"
    assert voice.button_text("en") == "Give young people a voice in improving…"
    assert money.button_text("en") == "Mental health support"
    assert money.button_text("cy") == "Iechyd meddwl"  # the Welsh label fits: no English button
    assert transport.button_text("en") == "Transport"
    catalog = load_catalog()
    for lang in ("en", "cy"):
        j = Journey.new(1, lang)
        j.step = "0"
        screen = question(catalog, poll, j, 0)
        texts = [b.text for row in screen.buttons[:3] for b in row]
        assert all(len(t) <= 48 for t in texts), texts
        for opt in q.options:  # every label that a button can't hold is in the message whole
            if opt.shortened(lang):
                assert opt.label[lang] in screen.text
    en = question(catalog, poll, Journey.new(1, "en"), 0)
    assert "• <b>Give young people a voice in improving their communities</b>" in en.text
    assert (
        "• <b>Mental health support</b>: Put more money into mental health support in every"
        " school" in en.text
    )
    assert "• <b>Transport</b>: Buses" in en.text
    assert [b.text for row in en.buttons[:3] for b in row] == [
        "☐ Give young people a voice in improving…",
        "☐ Mental health support",
        "☐ Transport",
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("en: Give young people", "en: " + "Very " * 40 + "long, give young people"),
            "options[0].label: the en label is 262 characters; keep it to 200",
        ),
        (
            ("{en: Mental health support}", "{en: " + "Mental health support " * 3 + "}"),
            "options[1].button: the en button is 65 characters; a button shows 48",
        ),
        (
            (
                "{label: {en: Transport, cy: Trafnidiaeth}, description: {en: Buses, cy: Bysiau}}",
                "{id: parks, label: Give young people a voice in improving parks and playgrounds}",
            ),
            "two options would show the same button ['give young people a voice in improving…']",
        ),
    ],
)
def test_label_and_button_errors_are_reported_alone(edit: tuple[str, str], expected: str) -> None:
    """Only the real problem: no second "questions: Tuple should have at least 1 item"."""
    with pytest.raises(PollFileError) as info:
        parse_poll(MYM_TOPICS.replace(*edit), "mym.yaml", PNTS)
    assert len(info.value.problems) == 1, info.value.problems
    assert expected in info.value.problems[0], info.value.problems


def test_an_empty_question_list_is_still_reported() -> None:
    with pytest.raises(PollFileError) as info:
        parse_poll("code: empty\ntitle: Empty\nquestions: []\n", "e.yaml", PNTS)
    assert info.value.problems == [
        "line 3: questions: Tuple should have at least 1 item after validation, not 0"
    ]


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


def test_campaign_tags_are_optional_slugs_and_change_nothing_without_them() -> None:
    from services.pollfile import dump_poll, restore_poll

    plain = parse_poll(GOOD, "good.yaml", PNTS)
    assert plain.tags is None and '"tags"' not in dump_poll(plain)  # stored exactly as before
    tagged = parse_poll(
        GOOD.replace("questions:\n", "tags: [make-your-mark-2026, somerset]\nquestions:\n", 1),
        "good.yaml",
        PNTS,
    )
    assert tagged.tags == ("make-your-mark-2026", "somerset")
    assert restore_poll(dump_poll(tagged)).tags == tagged.tags
    with pytest.raises(PollFileError) as err:
        parse_poll(
            GOOD.replace("questions:\n", "tags: [Make Your Mark]\nquestions:\n", 1), "g", PNTS
        )
    assert "line 5: tags[0]: String should match pattern" in str(err.value)


@pytest.mark.parametrize("depth", [200, 5000])
def test_deeply_nested_yaml_is_a_problem_not_a_crash(depth: int) -> None:
    """A few hundred ``[`` once exhausted Python's recursion limit in the YAML parser
    (RecursionError: a traceback from `markbot poll check`); now one line naming where."""
    text = GOOD.replace("closes:", "extra: " + "[" * depth + "]" * depth + "\ncloses:", 1)
    with pytest.raises(PollFileError) as err:
        parse_poll(text, "deep.yaml", PNTS)
    assert err.value.problems == ["line 4: not valid YAML (nested more than 20 levels deep)"]
    assert parse_poll(GOOD, "good.yaml", PNTS).code == "mym-somerset-2026"  # 7 levels: fine


def test_a_national_list_is_read_like_a_poll_file(tmp_path: Path) -> None:
    """The national list of `markbot site --national`: no aliases, no deep nesting, and a YAML
    error in one line with its line number (it was safe_load: a traceback, or minutes)."""
    from services.site_inputs import InputError, load_national

    deep = tmp_path / "deep.yaml"
    deep.write_text("tag: x\nissues: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [x, x]\nb: [*a, *a]\n", encoding="utf-8")
    for path, problem in ((deep, "nested more than 20"), (bomb, "aliases (*name) are not")):
        with pytest.raises(InputError) as err:
            load_national(path)
        assert str(err.value).startswith(f"{path}: line 2: not valid YAML ({problem}")
        assert "\n" not in str(err.value)


def test_a_lone_surrogate_escape_is_a_problem_not_a_traceback_at_create(tmp_path: Path) -> None:
    """YAML's "\\ud800" makes half a character: `markbot poll check` said OK, then `poll
    create` failed storing it (PydanticSerializationError: a traceback). Now refused where it
    is."""
    text = GOOD.replace(
        "title: Make Your Mark 2026 - Somerset", 'title: "Make Your Mark \\ud800 2026"'
    ).replace(
        "options: [Mental health, Jobs, Transport]", 'options: [Mental health, "J\\udfffobs"]'
    )
    with pytest.raises(PollFileError) as err:
        parse_poll(text, "s.yaml", PNTS)
    half = (
        "a \\u escape between \\ud800 and \\udfff is half of a character; write the "
        "character itself"
    )
    assert err.value.problems == [
        f"line 2: title: {half}",
        f"line 20: questions[2] (id: priority).options[1]: {half}",
    ]
    assert parse_poll(text.replace("\\ud800", "\\u00e9").replace("\\udfff", "\\u0175"), "s", PNTS)
    from services.site_inputs import InputError, load_national

    national = tmp_path / "national.yaml"
    national.write_text('tag: x\ntitle: "Top \\ud800"\nissues: [{label: A}]\n', "utf-8")
    with pytest.raises(InputError, match=r"national.yaml: line 2: a \\u escape between"):
        load_national(national)


def test_control_characters_are_a_problem_naming_their_line() -> None:
    """A title with YAML's "\\e[31m" (a terminal colour), "\\0" or "\\x07" passed `poll check`:
    `markbot poll list` then sent the escape to the officer's terminal, and every results
    page held a character HTML does not allow. Tabs and new lines stay fine."""
    text = GOOD.replace(
        "title: Make Your Mark 2026 - Somerset", 'title: "Make \\e[31mYour\\e[0m Mark\\x07"'
    ).replace("options: [Mental health, Jobs, Transport]", 'options: ["Mental\\0 health", Jobs]')
    with pytest.raises(PollFileError) as err:
        parse_poll(text, "c.yaml", PNTS)
    why = "holds a control character (an escape such as \\e, \\0 or \\x07): no page or message"
    assert err.value.problems == [
        f"line 2: title: {why} can show it; remove it",
        f"line 20: questions[2] (id: priority).options[0]: {why} can show it; remove it",
    ]
    fine = text.replace("\\e[31m", "").replace("\\e[0m", "").replace("\\x07", "\\t")
    assert parse_poll(fine.replace("\\0", "\\n"), "c.yaml", PNTS).title["en"] == "Make Your Mark"


NUMBERED = """\
code: numbered
title: {en: Numbers, cy: Rhifau}
questions:
  - id: year
    kind: choice
    text: {en: Which year, cy: Pa flwyddyn}
    options:
      - label: {en: 2020, cy: 2020}
      - {label: {en: 2021, cy: 2021}, description: {en: 1, cy: 1}}
      - {label: 2022}
      - 2023
    ineligible: [2023]
  - id: score
    kind: choice
    text: {en: 1, cy: 1}
    options: [1, 2.5, 3]
"""


def test_a_number_in_a_language_mapping_reads_as_its_text() -> None:
    """``{en: 2020, cy: 2020}`` is the text "2020", as ``options: [2020]`` always was: a year
    or a score written per language is no less a word than one written once."""
    poll = parse_poll(NUMBERED, "n.yaml", PNTS)
    year, score = poll.questions
    assert [o.label for o in year.options] == [
        {"en": "2020", "cy": "2020"},
        {"en": "2021", "cy": "2021"},
        {"en": "2022"},
        {"en": "2023"},
    ]
    assert [o.id for o in year.options] == ["2020", "2021", "2022", "2023"]
    assert year.options[1].description == {"en": "1", "cy": "1"}
    assert year.ineligible == ("2023",)
    assert score.text == {"en": "1", "cy": "1"}
    assert [o.label["en"] for o in score.options] == ["1", "2.5", "3"]


@pytest.mark.parametrize("value", ["{en: true}", "{en: null}", "{en: [1]}", "{en: Yes, cy: {}}"])
def test_what_is_not_a_text_in_a_language_mapping_is_still_refused(value: str) -> None:
    text = NUMBERED.replace("text: {en: 1, cy: 1}", f"text: {value}")
    with pytest.raises(PollFileError, match="line 15"):
        parse_poll(text, "n.yaml", PNTS)
