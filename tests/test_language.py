"""services.language: short answers get the right tag, the same in every process, never an error.

Run with `pytest -s tests/test_language.py` to see accuracy next to plain langdetect's.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

import services.language as language
from services.language import detect_language

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "language_fixture.yaml"
EXPECTED = ("en", "cy", "pl", "ur")


def _fixture() -> dict[str, Any]:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def _plain_langdetect(text: str) -> str:
    """What seeded langdetect alone says, restricted to the expected languages."""
    try:
        found = [p for p in detect_langs(text) if p.lang in EXPECTED]
    except LangDetectException:
        return "und"
    return max(found, key=lambda p: p.prob).lang if found else "und"


def test_fixture_is_short_and_even() -> None:
    messages = _fixture()["messages"]
    assert len(messages) >= 40
    for lang in EXPECTED:
        assert sum(m["lang"] == lang for m in messages) == len(messages) // len(EXPECTED)
    assert all(1 <= len(m["text"].split()) <= 6 for m in messages)


def _score(messages: list[dict[str, str]], name: str) -> tuple[int, int]:
    """Right answers for us and for plain langdetect, printed side by side."""
    ours = [detect_language(m["text"])[0] for m in messages]
    seed = DetectorFactory.seed
    DetectorFactory.seed = 0
    try:
        plain = [_plain_langdetect(m["text"]) for m in messages]
    finally:
        DetectorFactory.seed = seed
    right = sum(got == m["lang"] for got, m in zip(ours, messages, strict=True))
    wrong = sum(got not in (m["lang"], "und") for got, m in zip(ours, messages, strict=True))
    plain_right = sum(got == m["lang"] for got, m in zip(plain, messages, strict=True))
    print(
        f"\nlanguage accuracy, {name}: {right}/{len(messages)} right, {wrong} wrong, "
        f"{len(messages) - right - wrong} und (plain seeded langdetect restricted to "
        f"{'/'.join(EXPECTED)}: {plain_right}/{len(messages)} right)"
    )
    for got, m in zip(ours, messages, strict=True):
        if got != m["lang"]:
            print(f"  {m['text']!r}: expected {m['lang']}, got {got}")
    return right, plain_right


def test_accuracy_on_short_messages_beats_plain_langdetect() -> None:
    right, plain_right = _score(_fixture()["messages"], "fixture")
    assert right >= 38
    assert right > plain_right


def test_accuracy_on_the_wider_set() -> None:
    right, plain_right = _score(_fixture()["more"], "wider set")
    assert right > plain_right


@pytest.mark.parametrize("text", _fixture()["undetermined"])
def test_too_little_to_judge_is_und(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


def test_confidence_is_a_probability() -> None:
    for m in _fixture()["messages"]:
        lang, confidence = detect_language(m["text"])
        assert lang in (*EXPECTED, "und")
        assert 0.0 <= confidence <= 1.0
        assert (lang == "und") == (confidence == 0.0)


def test_same_answers_in_separate_processes() -> None:
    texts = [m["text"] for m in _fixture()["messages"]] + ["tai", "Taylor Swift", "ok then"]
    code = (
        "import json, sys\n"
        "from services.language import detect_language\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([detect_language(t) for t in texts]))\n"
    )
    runs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    assert runs[0] == [list(detect_language(t)) for t in texts]


def test_threads_share_one_lazily_loaded_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_factory", None)
    texts = [m["text"] for m in _fixture()["messages"]] * 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(detect_language, texts))
    assert together == [detect_language(t) for t in texts]


def test_respects_expected_languages() -> None:
    polish = [m["text"] for m in _fixture()["messages"] if m["lang"] == "pl"]
    for text in polish:
        assert detect_language(text, ("en", "cy"))[0] in ("en", "cy", "und")
        assert detect_language(text, ("en", "pl"))[0] == "pl"
    assert detect_language("mae angen mwy o fysiau", ("en",))[0] in ("en", "und")
    assert detect_language("کوئی خیال نہیں", ("en", "cy", "pl")) == ("und", 0.0)
    assert detect_language("mujhe nahi pata", ("en", "ur"))[0] == "ur"
    assert detect_language("more buses please", ()) == ("und", 0.0)


def _random_text(rng: random.Random, length: int) -> str:
    pools = [(0x20, 0x7E), (0xA0, 0x17F), (0x600, 0x6FF), (0x1F300, 0x1FAFF), (0x0, 0x10FFFF)]
    chars = []
    for _ in range(length):
        low, high = rng.choice(pools)
        code = rng.randint(low, high)
        chars.append(chr(code) if not 0xD800 <= code <= 0xDFFF else "?")
    return "".join(chars)


def test_never_raises_on_junk() -> None:
    rng = random.Random(7)
    junk: list[Any] = ["", " ", "\x00", "🏳️‍🌈", "[name] [phone]", "https://x.y/z", "x" * 4000, None]
    junk += [_random_text(rng, rng.choice([1, 3, 20, 300, 4000])) for _ in range(150)]
    for text in junk:
        lang, confidence = detect_language(text)
        assert lang in (*EXPECTED, "und") and 0.0 <= confidence <= 1.0
    assert detect_language("buses", ("xx", 3)) is not None  # type: ignore[arg-type]


def test_long_text_returns() -> None:
    text = ("The buses in our village stop at six, so there is nothing to do after school. ") * 52
    assert len(text) >= 4000
    assert detect_language(text)[0] == "en"
    assert detect_language("Mae angen mwy o fysiau yn y pentref i bobl ifanc. " * 90)[0] == "cy"


def test_expected_languages_come_from_settings() -> None:
    from bot.settings import Settings

    settings = Settings(text_languages="EN, cy,pl,en", _env_file=None)  # type: ignore[call-arg]
    assert settings.text_languages == ("en", "cy", "pl")
    assert Settings(_env_file=None).text_languages == ("en", "cy", "pl", "ur")  # type: ignore[call-arg]
    # A deployment without Polish never tags an answer as Polish.
    assert detect_language("Potrzebujemy więcej autobusów", ("en", "cy"))[0] != "pl"
