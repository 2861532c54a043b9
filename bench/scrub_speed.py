"""Time services.scrub against an earlier commit's, on the same answers, in one run.

    python -m bench.scrub_speed                 # this checkout against main
    python -m bench.scrub_speed --base ca0add6  # against any commit

The answers are the development corpora's texts (tests/data/scrub_corpus.yaml and
tests/data/dev2/scrub.yaml, never the held-out ones), repeated to --count. Both scrubbers run in
turns, each answer timed alone, so a busy shared machine slows both alike; the median per answer
is the figure to compare (the mean and the 99th percentile are printed too).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import yaml

from services.scrub import scrub

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SOURCES = (DATA / "scrub_corpus.yaml", DATA / "dev2" / "scrub.yaml")

Scrubber = Callable[[str], tuple[str, bool]]


def answers(count: int) -> list[str]:
    """Development texts only, repeated until there are `count`."""
    texts: list[str] = []
    corpus = yaml.safe_load(SOURCES[0].read_text(encoding="utf-8"))
    texts += [entry["text"] for entry in corpus["personal"]] + list(corpus["clean"])
    dev2 = yaml.safe_load(SOURCES[1].read_text(encoding="utf-8"))["items"]
    texts += [item["text"] for item in dev2]
    return [texts[i % len(texts)] for i in range(count)]


def scrubber_at(commit: str) -> Scrubber:
    """services/scrub.py as it was at `commit`, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:services/scrub.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType(f"scrub_at_{commit}")
    module.__file__ = str(ROOT / "services" / "scrub.py")
    sys.modules[module.__name__] = module  # dataclasses and typing look modules up by name
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module.scrub  # type: ignore[no-any-return]


def timings(
    scrubbers: dict[str, Scrubber], texts: list[str], rounds: int
) -> dict[str, list[float]]:
    """Seconds per answer for each scrubber, taken in turns."""
    out: dict[str, list[float]] = {name: [] for name in scrubbers}
    for fn in scrubbers.values():  # warm up: compiled patterns, lazy lists
        for text in texts[:50]:
            fn(text)
    for _ in range(rounds):
        for text in texts:
            for name, fn in scrubbers.items():
                start = time.perf_counter()
                fn(text)
                out[name].append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="the commit to compare with (default main)")
    parser.add_argument("--count", type=int, default=1000, help="answers (default 1,000)")
    parser.add_argument("--rounds", type=int, default=3, help="times through them (default 3)")
    args = parser.parse_args(argv)
    texts = answers(args.count)
    scrubbers = {args.base: scrubber_at(args.base), "this checkout": scrub}
    results = timings(scrubbers, texts, args.rounds)
    print(f"{len(texts)} answers x {args.rounds} rounds, ms per answer")
    for name, seconds in results.items():
        ms = sorted(s * 1000 for s in seconds)
        p99 = ms[int(len(ms) * 0.99) - 1]
        print(
            f"  {name:<16} median {statistics.median(ms):.3f}  mean {statistics.fmean(ms):.3f}"
            f"  p99 {p99:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
