"""Score the safeguarding detector and the themes tagger on a labelled corpus, as figures only.

    python tools/score_freetext.py --dev       # the development corpus (tuned on: in-sample)
    python tools/score_freetext.py --heldout   # tests/data/heldout: at most once per change
    python -m bench.freetext_score --dev2      # tests/data/dev2: a second development set
    python -m bench.freetext_score --items tests/data/dev2/fresh_safeguarding.yaml

It prints rates by label, category and language and never an item's text, so scoring the
held-out corpus shows nobody which wording was missed (its README: "do not read the misses").
Log every held-out run in tests/data/heldout/README.md (date, commit, figures).

Safeguarding figures: a disclosure is caught when it is signposted and alerted (level
"disclosure"); a worry is caught when it is flagged for review or more (a worry escalated to a
disclosure is counted apart too); an ordinary answer is a false alarm at level "disclosure" and
is "for review" at level "worry". "phrases alone" is the phrase list without the model (what
markbot did before). Themes: micro precision and recall over (item, theme) pairs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.safeguarding import assess, concerning  # noqa: E402
from services.themes import codebook, keyword_themes, themes_of  # noqa: E402

DATA = ROOT / "tests" / "data"


def _dev_safeguarding() -> list[dict]:
    corpus = yaml.safe_load((DATA / "safeguarding_corpus.yaml").read_text("utf-8"))
    labels = {"concerning": "disclosure", "worry": "worry", "not_concerning": "ordinary"}
    return [
        {"text": t, "lang": lang, "label": label, "category": "-"}
        for key, label in labels.items()
        for lang in ("en", "cy")
        for t in corpus.get(key, {}).get(lang, [])
    ]


def _dev_themes() -> list[dict]:
    data = yaml.safe_load((DATA / "themes_train.yaml").read_text("utf-8"))
    items = [
        {"text": t, "lang": lang, "themes": [theme]}
        for theme, by_lang in data["single"].items()
        for lang in ("en", "cy")
        for t in by_lang.get(lang, [])
    ]
    items += [dict(item) for item in data["multi"]]
    for lang in ("en", "cy"):
        items += [{"text": t, "lang": lang, "themes": []} for t in data["none"][lang]]
    return items


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "-"


def score_safeguarding(items: list[dict]) -> list[str]:
    levels = []
    start = time.perf_counter()
    for item in items:
        levels.append(assess(item["text"]).level)
    per_answer = (time.perf_counter() - start) / max(1, len(items)) * 1000
    phrases = [concerning(item["text"]) for item in items]
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for item, level, phrase in zip(items, levels, phrases, strict=True):
        for cat in (item["category"], "all"):
            for lang in (item["lang"], "all"):
                c = cells[(item["label"], cat, lang)]
                c[0] += 1
                c[1] += level == "disclosure"
                c[2] += level == "worry"
                c[3] += level in ("worry", "disclosure")
                c[4] += phrase
    out = [f"safeguarding: {len(items)} answers, {per_answer:.2f} ms per answer (assess)"]
    for label in ("disclosure", "worry", "ordinary"):
        cats = [*sorted({k[1] for k in cells if k[0] == label} - {"all"}), "all"]
        out.append(f"  {label}:")
        for cat in cats:
            parts = []
            for lang in ("en", "cy", "all"):
                n, disc, worry, either, phrase = cells.get((label, cat, lang), [0, 0, 0, 0, 0])
                if not n:
                    continue
                if label == "disclosure":
                    parts.append(
                        f"{lang} alerted {_pct(disc, n)} (phrases alone {_pct(phrase, n)})"
                    )
                elif label == "worry":
                    parts.append(
                        f"{lang} for review or more {_pct(either, n)} (as disclosure {disc})"
                    )
                else:
                    parts.append(
                        f"{lang} false alarms {_pct(disc, n)}, for review {_pct(worry, n)}"
                        f" (phrases alone {_pct(phrase, n)})"
                    )
            out.append(f"    {cat}: " + "; ".join(parts))
    return out


def score_themes(items: list[dict]) -> list[str]:
    names = list(codebook())
    stats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    start = time.perf_counter()
    found = [set(themes_of(item["text"])) for item in items]
    per_answer = (time.perf_counter() - start) / max(1, len(items)) * 1000
    keywords = [set(keyword_themes(item["text"])) for item in items]
    for item, got, kw in zip(items, found, keywords, strict=True):
        want = set(item["themes"])
        for theme in names:
            for lang in (item["lang"], "all"):
                for key in ((theme, lang), ("all", lang)):
                    s = stats[key]
                    s[0] += theme in got and theme in want
                    s[1] += theme in got
                    s[2] += theme in want
                    s[3] += theme in kw and theme in want
                    s[4] += theme in kw

    def pr(s: list[int]) -> str:
        p = s[0] / s[1] if s[1] else 0.0
        r = s[0] / s[2] if s[2] else 0.0
        kp = s[3] / s[4] if s[4] else 0.0
        kr = s[3] / s[2] if s[2] else 0.0
        return f"P {p:.2f} R {r:.2f} (keywords alone P {kp:.2f} R {kr:.2f}; n={s[2]})"

    out = [f"themes: {len(items)} answers, {per_answer:.2f} ms per answer (themes_of)"]
    for lang in ("en", "cy", "all"):
        out.append(f"  {lang}: {pr(stats[('all', lang)])}")
    for theme in names:
        out.append(f"    {theme}: {pr(stats[(theme, 'all')])}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--dev", action="store_true")
    which.add_argument("--heldout", action="store_true")
    which.add_argument("--dev2", action="store_true", help="tests/data/dev2 (safeguarding)")
    which.add_argument("--items", type=Path, help="any safeguarding file shaped like the held-out")
    args = parser.parse_args()
    if args.dev:
        safeguarding, themes = _dev_safeguarding(), _dev_themes()
        print("DEVELOPMENT data (trained on: in-sample figures; see the build for 5-fold ones)")
    elif args.dev2:
        safeguarding = yaml.safe_load((DATA / "dev2" / "safeguarding.yaml").read_text("utf-8"))
        safeguarding, themes = safeguarding["items"], []
        print("DEVELOPMENT set 2 (tests/data/dev2: tuned on, and trained on since 2026-12-05)")
    elif args.items:
        safeguarding = yaml.safe_load(args.items.read_text("utf-8"))["items"]
        themes = []
        print(f"{args.items}")
    else:
        load = lambda name: yaml.safe_load(  # noqa: E731
            (DATA / "heldout" / f"{name}.yaml").read_text("utf-8")
        )["items"]
        safeguarding, themes = load("safeguarding"), load("themes")
        print("HELD-OUT data (log this run in tests/data/heldout/README.md)")
    assess("warm up")  # loads the models
    themes_of("warm up")
    print("\n".join(score_safeguarding(safeguarding)))
    if themes:
        print("\n".join(score_themes(themes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
