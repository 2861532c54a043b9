"""The two safeguarding levels and the themes model (issue 14): what they catch, how fast, and
what a worry does (a "for review" flag, /review, exports) and does not do (no alarm).

The rate floors below are regression floors at the figures measured when the models were built
(bench/freetext_score.py --dev; in-sample, since the development data is trained on). They stop
a change from quietly making things worse; the honest figures on unseen wording are the held-out
ones in tests/data/heldout/README.md and README.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from services import textmodel
from services.safeguarding import Assessment, assess, concerning
from services.themes import keyword_themes, mutations, themes_of

DATA = Path(__file__).parent / "data"

# regression floors (development data, in-sample; measured 2026-12-02, see README)
# measured: disclosures 100% (en 242, cy 109), worries 100% (55, 37), false alarms en 0.8%
# (2 of 243), cy 0% (98); themes precision 0.90, recall 0.97 (445 answers)
DISCLOSURES_ALERTED = {"en": 0.99, "cy": 0.99}
ORDINARY_FALSE_ALARMS = {"en": 0.01, "cy": 0.01}  # at most
WORRIES_FOR_REVIEW = {"en": 0.98, "cy": 0.97}
THEMES_PRECISION = 0.88
THEMES_RECALL = 0.95


def _dev() -> dict:
    return yaml.safe_load((DATA / "safeguarding_corpus.yaml").read_text("utf-8"))


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_development_floors(lang: str) -> None:
    corpus = _dev()
    disclosures = corpus["concerning"][lang]
    worries = corpus["worry"][lang]
    ordinary = corpus["not_concerning"][lang]
    alerted = sum(assess(t).level == "disclosure" for t in disclosures) / len(disclosures)
    reviewed = sum(assess(t).level != "none" for t in worries) / len(worries)
    alarms = sum(assess(t).level == "disclosure" for t in ordinary) / len(ordinary)
    print(f"\n{lang}: alerted {alerted:.1%}, worries {reviewed:.1%}, false alarms {alarms:.1%}")
    assert alerted >= DISCLOSURES_ALERTED[lang]
    assert reviewed >= WORRIES_FOR_REVIEW[lang]
    assert alarms <= ORDINARY_FALSE_ALARMS[lang]


def test_themes_floors() -> None:
    data = yaml.safe_load((DATA / "themes_train.yaml").read_text("utf-8"))
    items = [
        (t, {theme})
        for theme, by_lang in data["single"].items()
        for lang in ("en", "cy")
        for t in by_lang.get(lang, [])
    ]
    items += [(item["text"], set(item["themes"])) for item in data["multi"]]
    items += [(t, set()) for lang in ("en", "cy") for t in data["none"][lang]]
    tp = found = wanted = 0
    for text, want in items:
        got = set(themes_of(text))
        tp, found, wanted = tp + len(got & want), found + len(got), wanted + len(want)
    print(f"\nthemes: precision {tp / found:.2f}, recall {tp / wanted:.2f}")
    assert tp / found >= THEMES_PRECISION
    assert tp / wanted >= THEMES_RECALL


def test_a_worry_is_not_a_disclosure_and_a_disclosure_says_why() -> None:
    worry = assess("my friend keeps cutting her arms and i dont know what to do")
    assert worry.level == "worry" and worry.review and not worry.concern
    assert worry.reason == "model" and 0 < worry.score <= 1
    phrase = assess("my dad hits me")
    assert phrase.level == "disclosure" and phrase.concern and phrase.reason == "phrase"
    assert phrase.matched == "my dad hits me"
    indirect = assess("i hide my arms under hoodies so nobody sees what i do to them")
    assert not concerning("i hide my arms under hoodies so nobody sees what i do to them")
    assert indirect.level == "disclosure" and indirect.reason == "model"
    assert assess("we need more buses to the college") == Assessment("none", themes=("transport",))


def test_each_language_has_its_own_thresholds_and_an_unknown_one_gets_the_stricter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The builder keeps out-of-fold false alarms in bounds in English and in Welsh separately;
    an answer tagged with neither language ("und", Polish) gets the stricter pair."""
    from services import safeguarding

    limits = textmodel.load("safeguarding").thresholds
    for kind in ("disclosure", "worry"):
        assert limits[kind] == max(limits[f"{kind}:en"], limits[f"{kind}:cy"])
    # (the shipped pair may be equal after a rebuild: set two that differ, as a build may)
    monkeypatch.setitem(limits, "disclosure:en", 0.8)
    monkeypatch.setitem(limits, "disclosure:cy", 0.86)
    monkeypatch.setitem(limits, "disclosure", 0.86)
    low, high = 0.8, 0.86
    between = (low + high) / 2
    probabilities = {"none": 1 - between, "worry": 0.0, "disclosure": between}
    monkeypatch.setattr(safeguarding, "_model_probabilities", lambda _n: probabilities)
    text = "words the phrase list does not know"
    easier = "en" if limits["disclosure:en"] == low else "cy"
    assert assess(text, easier).level == "disclosure"
    for other in ({"en", "cy"} - {easier}) | {"und", "pl"}:
        assert assess(text, other).level != "disclosure"


@pytest.mark.parametrize("text", ["", "   ", None, b"kms", "\ud800", "a" * 100_000, "😀" * 500])
def test_assess_never_raises(text) -> None:
    assert assess(text).level in ("none", "worry", "disclosure")  # type: ignore[arg-type]
    assert isinstance(themes_of(text), list)  # type: ignore[arg-type]


def test_welsh_mutations_are_read_as_their_radicals() -> None:
    assert textmodel.radicals("nhad") == ["tad"]
    assert "cyllell" in textmodel.radicals("gyllell")
    assert "coes" in textmodel.radicals("nghoes")
    assert "gwaith" in textmodel.radicals("waith")
    assert "pen" in textmodel.radicals("mhen")
    assert mutations("cyllell") == ["cyllell", "gyllell", "chyllell", "nghyllell"]
    assert mutations("gang") == ["gang", "ngang"]  # "ang" would match "angry"
    assert "school-pressure" in keyword_themes("gormod o waith cartref")
    assert "transport" in keyword_themes("dim bysiau i Fangor, rhaid cael lifft")
    assert "community-safety" in keyword_themes("mae bachgen efo gyllell yn y parc")
    assert "money" not in keyword_themes("too much pressure at school")  # "pres" is whole


def test_h_prothesis_is_read_as_its_radical() -> None:
    """ "ei hysgol" (her school), "eu hiaith" (their language): the h goes."""
    assert "ysgol" in textmodel.radicals("hysgol")
    assert "iaith" in textmodel.radicals("hiaith")
    assert textmodel.radicals("ty") == []


@pytest.mark.parametrize(
    "text",
    [
        "sai'n gwybod",  # short Welsh "don't know" once read as a disclosure
        "i keep my phone on silent at night so i can sleep",
        "clybiau brecwast am ddim fel bod neb yn mynd i wersi'n llwglyd",
        "fy mam a fy nhad",  # read as a disclosure (0.92) until round 12b's short answers
    ],
)
def test_short_and_everyday_answers_are_not_disclosures(text: str) -> None:
    assert assess(text).level != "disclosure"


def test_community_safety_is_a_theme() -> None:
    assert "community-safety" in themes_of("people are dealing drugs behind the shops")
    assert "community-safety" in themes_of("mae pobl yn gwerthu cyffuriau tu ôl i'r siopau")


def test_a_long_answer_is_quick_enough() -> None:
    """One typed answer is read (phrases, model, themes) in well under the time of a reply.
    Compared with the phrase list alone, on the same texts, so a busy machine does not fail it."""
    base = (
        "we need more buses and youth clubs in the evenings because there is nothing to do, "
        "my mum says the park isn't safe at night and my dad thinks so too. "
    ) * 7
    texts = [f"{base[:990]} {n}" for n in range(40)]  # distinct texts: no cache helps
    assess(texts[0])
    start = time.perf_counter()
    for t in texts:
        concerning(t)
    phrases = (time.perf_counter() - start) / len(texts)
    start = time.perf_counter()
    for t in texts:
        assess(t)
    full = (time.perf_counter() - start) / len(texts)
    print(f"\n1,000 characters: phrases {phrases * 1000:.2f} ms, assess {full * 1000:.2f} ms")
    assert full < 10 * phrases + 0.002
    assert full < 0.1


@pytest.mark.slow
def test_models_rebuild_to_the_same_bytes() -> None:
    pytest.importorskip("sklearn")
    import subprocess
    import sys

    root = Path(__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "bench/textmodels_build.py", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr


async def test_a_worry_is_flagged_for_review_without_an_alarm(
    standin, tmp_path, database_url
) -> None:
    from conftest import make_settings, start_markbot, to_text_question

    from tests.stored import rows

    owner_id = 4242
    lead = standin.user(8090, "Lead")
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        safeguarding_chat=lead.id,
        admins=(owner_id,),
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(8191)
        await to_text_question(user)
        await user.send_text("older lads are getting year 7s to carry drugs round the estate")
        reply = (await user.next_output()).plain
        assert "Childline" not in reply and "Check your answers" in reply
        await lead.expect_no_output(0.3)
        await user.press("Send my answers")
        assert "counted" in (await user.next_output()).plain
        stored = await rows(h, "text_answers", "flagged", "review", "themes")
        assert stored[0][:2] == (0, 1) and "community-safety" in stored[0][2]
        owner = h.user(owner_id)
        await owner.send_command("review", "test-poll")
        listing = (await owner.next_output()).plain
        assert "1 answer flagged for review" in listing and "Community safety 1" in listing
        assert "carry drugs round the estate" in listing
        results = await h.runtime.services.reports.results("test-poll", 0)
        assert [(t.flagged, t.review) for t in results.texts] == [(False, True)]
        stranger = h.user(8192)
        await stranger.send_command("review", "test-poll")
        assert "carry drugs" not in (await stranger.next_output()).plain
    finally:
        await h.shutdown()


async def test_a_model_disclosure_alerts_and_says_why(standin, tmp_path, database_url) -> None:
    from conftest import make_settings, start_markbot, to_text_question

    lead = standin.user(8091, "Lead")
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        safeguarding_chat=lead.id,
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(8193)
        await to_text_question(user)
        text = "i hide my arms under hoodies so nobody sees what i do to them"
        await user.send_text(text)
        assert "Childline" in (await user.next_output()).plain
        alert = (await lead.next_output()).plain
        assert text in alert and "the model read it as a disclosure" in alert
    finally:
        await h.shutdown()


async def test_the_review_list_fits_one_telegram_message(tmp_path) -> None:
    """Fifteen long worries with several themes each were more than Telegram's 4,096
    characters, so /review failed; the list stops where the message is full and says how
    many more the export has."""
    import html
    import re

    from conftest import SIMPLE_POLL, make_settings

    from bot.app import open_runtime
    from services.alerts import MESSAGE_UNITS, units

    rt = await open_runtime(make_settings(tmp_path, None))
    try:
        polls = rt.services.polls
        await polls.create(polls.parse(SIMPLE_POLL, "t.yaml"), status="open")
        body = (
            "older lads on the estate keep getting the younger kids to carry stuff for them "
            "and everyone knows but nobody does anything, the park is not safe at night & "
            "the buses stop early so you walk past them to get home from the youth club 🚌"
        )
        flagged = [("why", body, "community-safety money safe-places transport")] * 20

        async def review_answers(poll_id: int) -> list[tuple[str, str, str]]:
            return flagged

        rt.store.review_answers = review_answers  # type: ignore[method-assign]
        for lang in ("en", "cy"):
            text = await rt.services.reports.review("test-poll", lang)
            plain = html.unescape(re.sub(r"<[^>]+>", "", text))
            assert units(plain) <= MESSAGE_UNITS
            shown = len(re.findall(r"^\d+\. \[why\]", plain, re.M))
            assert 5 <= shown < 15 and f"{20 - shown} " in plain.splitlines()[-1]
    finally:
        await rt.close()



@pytest.mark.parametrize(
    "text",
    [
        "I'd prefer not to say",
        "would rather not answer",
        "dont really want to say",
        "well gen i beidio ateb",
        "sori, dim syniad",
        "dim byd i ddeud",
        "Me and Jess",
        "call me [name] lol",
        "no thanks, that is all",
        "i have nothing to say",
    ],
)
def test_a_short_everyday_answer_is_no_disclosure(text: str) -> None:
    """Round 14b: the model raised a disclosure on "I'd rather not say" (0.84), "I dont want to
    say" (0.97), "Gwell gen i beidio" and "call me [name]": a few words fell back on whatever
    features they had. None of these is in the training data."""
    assert assess(text).level != "disclosure", text


@pytest.mark.parametrize(
    "text", ["nobody feeds me at home", "I want to kill myself", "dw i isio marw", "he hurts me"]
)
def test_a_short_disclosure_is_still_one(text: str) -> None:
    assert assess(text).level == "disclosure", text
