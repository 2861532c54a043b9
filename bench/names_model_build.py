"""Build prompts/models/names.json, the name tagger services/name_model.py reads after the rules.

    python -m bench.names_model_build                  # build from every dev2 scrub file
    python -m bench.names_model_build --check          # build in memory, fail if the file differs
    python -m bench.names_model_build --score FILE...  # train without the FILEs, score each once

Needs scikit-learn (the `build` extra); the bot itself only reads the JSON. Training data: every
labelled scrub file in tests/data/dev2 (scrub.yaml, the fresh*_scrub.yaml batches and
lookalikes_scrub.yaml) and the clean answers of tests/data/scrub_corpus.yaml: each word is a
name when it lies in a detail of kind `name`, otherwise not. Never the held-out
corpus (tests/data/heldout/), which `python -m bench.scrub_score` scores once per change.

`--score FILE...` is how a batch nobody tuned on measures the tagger: the model is trained without
the files named (two unseen batches written together stay out of each other's training) and each
file is scored with the rules alone and with the rules and the tagger,
counts only (no items are printed, so its misses stay unread).

Deterministic: lbfgs has no randomness, features are sorted, weights are rounded and those
under MIN_WEIGHT dropped; the same data gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import name_model, scrub  # noqa: E402

DEV2 = ROOT / "tests" / "data" / "dev2"
DEVELOPMENT = ROOT / "tests" / "data" / "scrub_corpus.yaml"
HELDOUT = ROOT / "tests" / "data" / "heldout"
OUT = ROOT / "prompts" / "models" / "names.json"
C = 1.0  # chosen out of fold on dev2 (5 folds of scrub.yaml plus one per fresh batch)
MIN_WEIGHT = 0.002


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """Labelled items; the development corpus's clean answers count as clean items."""
    items: list[dict[str, Any]] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path == DEVELOPMENT:
            items += [{"text": text, "label": "clean"} for text in data["clean"]]
        else:
            items += data["items"]
    return items


# Development batches the tagger is not trained on: with fresh31/32 in, two clean lookalikes of
# the tests crossed the threshold ("a dog called Max", "artists like Beyonce, Rihanna, Adele");
# round 18's rules were read from them all the same. fresh33-54 (rounds 19-29) are left
# out too: the shipped tagger is the one built before them. (Round 23 measured training on
# them, on unseen fresh43/44: 55/60 and 53/60 as shipped; 55 and 55 with fresh31-40 in; 55 and
# 53 with fresh31-42 in. No steady gain, so the tagger was left as it is. Measured again on
# fresh43-46, all four unseen: 213/242 as shipped, 216/242 trained on fresh31-42 too, clean
# 1/160 both; held-out unchanged (154/159, 1/116); in sample the batches trained on before lost
# 6 of 2,030 and "D&D" became "D&[name]". Within the noise of one batch, so not kept.)
NOT_TRAINED = frozenset(f"fresh{n}_scrub.yaml" for n in range(31, 55))


def training_files(without: tuple[Path, ...] = ()) -> list[Path]:
    left_out = {f.resolve() for f in without}
    files = [DEVELOPMENT, *sorted(DEV2.glob("*scrub*.yaml"))]
    return [f for f in files if f.resolve() not in left_out and f.name not in NOT_TRAINED]


def _name_spans(item: dict[str, Any]) -> list[tuple[int, int]]:
    text = item["text"]
    found = []
    for detail, kind in zip(item.get("details") or [], item.get("kinds") or [], strict=True):
        if kind != "name":
            continue
        detail, at = str(detail), text.find(str(detail))
        while at >= 0:
            found.append((at, at + len(detail)))
            at = text.find(detail, at + 1)
    return found


def examples(items: list[dict[str, Any]]) -> tuple[list[list[str]], list[int]]:
    lex = scrub.lexicon()
    feats: list[list[str]] = []
    labels: list[int] = []
    for item in items:
        text = item["text"]
        toks = name_model.tokens(text)
        spans = _name_spans(item)
        feats += name_model.features(text, toks, scrub.is_welsh(text), lex)
        labels += [int(any(s < b and e > a for a, b in spans)) for s, e, _ in toks]
    return feats, labels


def train(items: list[dict[str, Any]]) -> dict[str, Any]:
    feats, labels = examples(items)
    vocabulary = sorted({f for row in feats for f in row})
    column = {f: i for i, f in enumerate(vocabulary)}
    rows, cols = [], []
    for r, row in enumerate(feats):
        for f in set(row):
            rows.append(r)
            cols.append(column[f])
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(feats), len(vocabulary)))
    fitted = LogisticRegression(C=C, max_iter=5000).fit(matrix, np.array(labels))
    weights = {
        f: round(float(w), 4)
        for f, w in zip(vocabulary, fitted.coef_[0], strict=True)
        if abs(w) >= MIN_WEIGHT
    }
    return {
        "about": "name tagger for services/name_model.py; built by bench/names_model_build.py",
        "trained_on": [f.name for f in training_files()] if items else [],
        "examples": len(labels),
        "names": int(sum(labels)),
        "bias": round(float(fitted.intercept_[0]), 4),
        "weights": weights,
    }


def encode(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def score(paths: list[Path]) -> list[str]:
    """Rules alone and rules + tagger (trained without any of paths) on each path: counts only."""
    data = train(load(training_files(without=tuple(paths))))
    tagger = name_model.NameModel(weights=data["weights"], bias=data["bias"])
    lines: list[str] = []
    for path in paths:
        lines.append(f"{path.name}:")
        lines += [f"  {line}" for line in _counts(path, tagger)]
    return lines


def _counts(path: Path, tagger: name_model.NameModel) -> list[str]:
    removed = {"rules": 0, "rules + tagger": 0}
    changed = dict.fromkeys(removed, 0)
    details = clean = 0
    for item in load([path]):
        text = item["text"]
        ruled = scrub.scrub_rules(text, item.get("own_names", ()))
        both = scrub.tag_names(ruled, text, tagger)
        for key, out in (("rules", ruled), ("rules + tagger", both)):
            if item["label"] == "clean":
                changed[key] += out != text
            else:
                removed[key] += sum(str(d) not in out for d in item["details"])
        clean += item["label"] == "clean"
        details += 0 if item["label"] == "clean" else len(item["details"])
    return [
        f"{key}: details removed {removed[key]}/{details}, clean changed {changed[key]}/{clean}"
        for key in removed
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--score", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.score:
        if any(HELDOUT in path.resolve().parents for path in args.score):
            parser.error("the held-out corpus is scored by bench.scrub_score, once per change")
        print("\n".join(score(args.score)))
        return 0
    data = train(load(training_files()))
    text = encode(data)
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print("names.json is up to date" if same else "names.json differs: rebuild it")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {data['examples']} words, {data['names']} names,")
    print(f"  {len(data['weights'])} weights")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
