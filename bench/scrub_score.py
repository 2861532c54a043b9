"""Score services.scrub on a labelled corpus: personal details removed, clean answers changed.

    python -m bench.scrub_score            # the held-out corpus and the development corpus
    python -m bench.scrub_score --dev2     # only tests/data/dev2/scrub.yaml (tuned on)

A personal detail counts as removed when none of its listed spellings survives as a substring of
the scrubbed text; a clean answer counts as changed when scrub() returns anything but the text
as typed. Only counts are printed, never items or misses: the held-out corpus
(tests/data/heldout/scrub.yaml) must not be read while tuning, and a list of its misses would be
exactly that (see tests/data/heldout/README.md). Score it once per finished change.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.scrub import scrub

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout" / "scrub.yaml"
DEVELOPMENT = ROOT / "tests" / "data" / "scrub_corpus.yaml"
DEV2 = ROOT / "tests" / "data" / "dev2" / "scrub.yaml"


@dataclass
class Tally:
    """n of N, as counted and as a share."""

    hit: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hit += int(hit)
        self.total += 1

    @property
    def rate(self) -> float:
        return self.hit / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.hit}/{self.total} ({self.rate:.1%})"


@dataclass
class Score:
    """Details removed and clean answers changed, overall and by group."""

    removed: Tally = field(default_factory=Tally)
    changed: Tally = field(default_factory=Tally)
    removed_by: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    changed_by: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def lines(self, title: str) -> list[str]:
        out = [
            title,
            f"  personal details removed: {self.removed}",
            f"  clean answers changed:    {self.changed}",
        ]
        out += [f"  removed  {key:<28} {tally}" for key, tally in sorted(self.removed_by.items())]
        out += [f"  changed  {key:<28} {tally}" for key, tally in sorted(self.changed_by.items())]
        return out


def score_heldout(path: Path = HELDOUT) -> Score:
    """Held-out items: `details` (one `kinds` entry each), `lang`, `category`, `label`."""
    items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    score = Score()
    for item in items:
        out, _ = scrub(item["text"], item.get("own_names", ()))
        lang, category = item["lang"], item["category"]
        if item["label"] == "clean":
            changed = out != item["text"]
            for key in ("all", f"lang {lang}", f"category {category}"):
                (score.changed if key == "all" else score.changed_by[key]).add(changed)
            continue
        for detail, kind in zip(item["details"], item["kinds"], strict=True):
            removed = detail not in out  # each listed spelling counts as one detail
            score.removed.add(removed)
            for key in (
                f"kind {kind}",
                f"lang {lang}",
                f"kind {kind} {lang}",
                f"category {category}",
            ):
                score.removed_by[key].add(removed)
    return score


def score_development(path: Path = DEVELOPMENT) -> Score:
    """Development corpus: `personal` entries with `remove`, `clean` strings."""
    corpus: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    score = Score()
    for entry in corpus["personal"]:
        out, _ = scrub(entry["text"], entry.get("own_names", ()))
        for detail in entry["remove"]:
            score.removed.add(detail not in out)
    for text in corpus["clean"]:
        score.changed.add(scrub(text)[0] != text)
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--development", type=Path, default=DEVELOPMENT)
    parser.add_argument(
        "--dev2", action="store_true", help="only tests/data/dev2/scrub.yaml (same shape)"
    )
    parser.add_argument("--items", type=Path, help="only this file (shaped like the held-out)")
    args = parser.parse_args(argv)
    if args.items:
        print("\n".join(score_heldout(args.items).lines(str(args.items))))
        return 0
    if args.dev2:
        print("\n".join(score_heldout(DEV2).lines("development set 2 (tests/data/dev2)")))
        return 0
    print("\n".join(score_development(args.development).lines("development corpus")))
    print("\n".join(score_heldout(args.heldout).lines("held-out corpus")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
