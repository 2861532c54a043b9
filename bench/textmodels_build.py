"""Build prompts/models/safeguarding.json and prompts/models/themes.json from data written here.

    python -m bench.textmodels_build           # build both, print cross-validated figures
    python -m bench.textmodels_build --check   # build in memory, fail if the files differ

Needs scikit-learn (the `build` extra); the bot itself only reads the JSON. Training data:

- safeguarding: tests/data/safeguarding_train.yaml and the later rounds beside it
  (safeguarding_train_r9_en.yaml, ...; disclosure / worry / ordinary, en and cy)
  plus the development corpus tests/data/safeguarding_corpus.yaml (concerning -> disclosure,
  worry -> worry, not_concerning -> ordinary) and, since 2026-12-05, the development batches of
  tests/data/dev2 (`*safeguarding*.yaml`: batches written unseen by other authors, read, then
  moved there; before that they were tuned on but not trained on);
- themes: tests/data/themes_train.yaml.

Never the held-out corpora (tests/data/heldout/), scored by `python -m bench.freetext_score
--heldout`, nor the unread batches of tests/data/unseen/.

A model has the word model (sparse features, services/textmodel.py) and, when its EMBED_WEIGHT
is above 0, an embedding model (a logistic regression over the static sentence embedding of
services/embedding.py) whose probabilities are averaged with it: themes have one; safeguarding
has none since round 9, where it lowered the out-of-fold and fresh-set figures (README "Free
text"). The report prints the word model alone too, so the embedding's gain is visible.

Deterministic: the features are sorted, the solver (lbfgs) has no randomness, folds are chosen
by a hash of the text, weights are rounded; the same data gives byte-identical files.

The thresholds stored with each model are chosen on out-of-fold probabilities (5 folds), never
on in-sample ones: for safeguarding, separately for English and Welsh (the item's `lang`), the
lowest disclosure threshold that keeps the model's own false alarms on that language's
ordinary answers (those the phrase list did not flag) at or under 3.5% of them, and the lowest
worry threshold that keeps them put up for review at or under 10% (the
plain keys hold the stricter pair, for an answer in neither language), then no disclosure
threshold under the one keeping the final model's own alarms on everyday answers (the dev2 scrub
batches, never safeguarding training data) at or under 1% in that language; for themes the one
threshold with the best F0.5 (keywords included: precision counts more than recall).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import embedding, textmodel  # noqa: E402
from services.safeguarding import concerning, normalise  # noqa: E402

DATA = ROOT / "tests" / "data"
OUT = ROOT / "prompts" / "models"
CLASSES = ("none", "worry", "disclosure")
FOLDS = 5
MIN_DOCS = 2  # a feature must occur in at least this many training texts
C_SAFEGUARDING = 16.0
C_THEMES = 16.0
# The model's own false alarms, over all ordinary answers of a language (2.5% until held-out
# run 13; README "Free text" says why).
MAX_FALSE_ALARMS = 0.035
MAX_REVIEW_NOISE = 0.10
# ... and on everyday answers (the scrub batches of tests/data/dev2: consultation answers about
# buses, parks and jobs, never safeguarding training data), the model's own disclosures in each
# language at or under 1%: a floor under the disclosure threshold (README "Free text").
MAX_EVERYDAY_ALARMS = 0.01
# The embedding part (services/embedding.py): a second logistic regression over the sentence
# embedding, its probabilities averaged with the word model's at this weight (0: no embedding
# part). Chosen on out-of-fold figures (and the model alone on tests/data/dev2); README "Free
# text" has the comparison.
EMBED_WEIGHT = {"safeguarding": 0.0, "themes": 0.25}
C_EMBED = 16.0


def _fold(text: str) -> int:
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % FOLDS


def safeguarding_data() -> list[tuple[str, str, str]]:
    """(text, class, lang) from the training files, the development batches of tests/data/dev2
    (read batches, each by another author) and the development corpus."""
    rows: list[tuple[str, str, str]] = []
    classes = {"disclosure": "disclosure", "worry": "worry", "ordinary": "none"}
    for path in sorted(DATA.glob("safeguarding_train*.yaml")):
        train = yaml.safe_load(path.read_text("utf-8"))
        for label, cls in classes.items():
            for lang in ("en", "cy"):
                rows += [(t, cls, lang) for t in train.get(label, {}).get(lang, [])]
        # minimal pairs (round 15): a list, so the two answers of a pair sit side by side
        rows += [(p["text"], classes[p["label"]], p["lang"]) for p in train.get("pairs", [])]
    # The batches of tests/data/dev2 too: each was written by another author (eighteen files,
    # 1,777 answers on 2026-12-05), and new authors are what the model meets. With them in,
    # unseen fresh20/21 (written before, never read) went from 65/72 disclosures and 12/100
    # false alarms to 68/72 and 8/100 (README "Free text").
    for path in sorted((DATA / "dev2").glob("*safeguarding*.yaml")):
        for it in yaml.safe_load(path.read_text("utf-8"))["items"]:
            rows.append((it["text"], classes[it["label"]], it["lang"]))
    dev = yaml.safe_load((DATA / "safeguarding_corpus.yaml").read_text("utf-8"))
    labels = (("concerning", "disclosure"), ("worry", "worry"), ("not_concerning", "none"))
    for label, cls in labels:
        for lang in ("en", "cy"):
            rows += [(t, cls, lang) for t in dev.get(label, {}).get(lang, [])]
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique


def everyday_data() -> list[tuple[str, str]]:
    """(text, lang) of everyday answers: every item of the scrub batches in tests/data/dev2."""
    rows: list[tuple[str, str]] = []
    for path in sorted((DATA / "dev2").glob("*scrub*.yaml")):
        items = yaml.safe_load(path.read_text("utf-8"))["items"]
        rows += [(it["text"], it["lang"]) for it in items]
    return list(dict.fromkeys(rows))


def _everyday_floor(model, vocab, report: list[str]) -> dict[str, float]:
    """The lowest disclosure threshold per language keeping the final model's own alarms on
    everyday answers (those the phrases did not flag) at or under MAX_EVERYDAY_ALARMS. The
    out-of-fold rule is held to the training data's ordinary answers, mostly hard negatives
    written to look like disclosures; this keeps a young person writing about the bus from
    paying for them (a model trained on the dev2 batches was otherwise given 0.77 and alarmed
    on 1.1% of everyday answers, against 0.9% before)."""
    rows = everyday_data()
    x, _ = _matrix([t for t, _ in rows], vocab)
    disc = model.predict_proba(x)[:, 2]
    phrase = np.array([concerning(t) for t, _ in rows])
    langs = np.array([g for _, g in rows])
    floor = {}
    for lang in LANGS:
        mask = langs == lang
        unflagged, p = ~phrase[mask], disc[mask]
        floor[lang] = _lowest(
            lambda t, u=unflagged, q=p: (u & (q >= t)).mean(), MAX_EVERYDAY_ALARMS
        )
        report.append(
            f"  everyday answers ({lang}, {mask.sum()}): the model's own disclosures at or under"
            f" {MAX_EVERYDAY_ALARMS:.0%} from {floor[lang]:.2f}"
        )
    return floor


def themes_data() -> list[tuple[str, tuple[str, ...], str]]:
    """(text, themes, lang) from tests/data/themes_train.yaml."""
    data = yaml.safe_load((DATA / "themes_train.yaml").read_text("utf-8"))
    rows = []
    for theme, by_lang in data["single"].items():
        for lang in ("en", "cy"):
            rows += [(t, (theme,), lang) for t in by_lang.get(lang, [])]
    for item in data["multi"]:
        rows.append((item["text"], tuple(item["themes"]), item["lang"]))
    for lang in ("en", "cy"):
        rows += [(t, (), lang) for t in data["none"][lang]]
    return rows


def _matrix(texts: list[str], vocab: dict[str, int] | None = None):
    feats = [textmodel.features(normalise(t)) for t in texts]
    if vocab is None:
        counts = Counter(f for fs in feats for f in fs)
        kept = sorted(f for f, n in counts.items() if n >= MIN_DOCS)
        vocab = {f: i for i, f in enumerate(kept)}
    rows, cols, vals = [], [], []
    for r, fs in enumerate(feats):
        scale = 1 / math.sqrt(len(fs)) if fs else 0.0
        for f in fs:
            c = vocab.get(f)
            if c is not None:
                rows.append(r)
                cols.append(c)
                vals.append(scale)
    x = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)), dtype=np.float64)
    return x, vocab


def _dense(texts: list[str]) -> np.ndarray:
    return np.array([textmodel.embedding_input(normalise(t)) for t in texts])


def _fit(x, y, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced", solver="lbfgs")
    return model.fit(x, y)


def _export(classes, bias, coef, vocab, thresholds, dense=None) -> str:
    """The model as JSON; ``dense`` is (weight, the embedding model) or None."""
    weights = {}
    for f, i in sorted(vocab.items()):
        row = [round(float(w), 4) for w in coef[:, i]]
        if max(abs(w) for w in row) >= 0.002:
            weights[f] = row
    data = {
        "classes": list(classes),
        "bias": [round(float(b), 4) for b in bias],
        "thresholds": {k: round(v, 3) for k, v in thresholds.items()},
        "weights": weights,
    }
    if dense is not None:
        weight, model = dense
        data["embedding"] = {
            "name": embedding.NAME,
            "pooling": embedding.POOLING,
            "weight": weight,
            "bias": [round(float(b), 4) for b in model.intercept_],
            "rows": [[round(float(w), 4) for w in row] for row in model.coef_.T],
        }
    return json.dumps(data, ensure_ascii=True, sort_keys=False, separators=(",", ":")) + "\n"


def _rate(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


LANGS = ("en", "cy")


def _pair(oof, phrase, ordinary) -> tuple[float, float]:
    """Over the ordinary answers in the mask ``ordinary``: the lowest disclosure threshold
    keeping the model's own false alarms (on answers the phrases did not flag) at or under
    MAX_FALSE_ALARMS, then the lowest worry threshold keeping answers put up for review (phrases
    included) at or under MAX_REVIEW_NOISE (0.99 if none).

    The phrases' own false alarms are not charged to the model: the hard negatives written for
    training (figures of speech, resolved pasts) trip the list more often than everyday answers
    do, and charging them left the model no budget at all (a threshold of 0.99 in Welsh in
    round 9). The list is tuned on its own (prompts/safeguarding.yaml `not:`, `resolved:`)."""
    alarm = phrase[ordinary]
    disc, either = oof[ordinary, 2], oof[ordinary, 1] + oof[ordinary, 2]
    t_disc = _lowest(lambda t: (~alarm & (disc >= t)).mean(), MAX_FALSE_ALARMS)
    alarm = alarm | (disc >= t_disc)
    t_worry = _lowest(lambda t: (alarm | (either >= t)).mean(), MAX_REVIEW_NOISE)
    return t_disc, t_worry


def _lowest(rate, budget: float) -> float:
    """The lowest threshold from 0.30 to 0.98, in steps of 0.01, whose ``rate(threshold)`` is
    at or under ``budget`` (0.99 if none is)."""
    steps = (float(t) for t in np.arange(0.30, 0.99, 0.01))
    return next((t for t in steps if rate(t) <= budget), 0.99)


def _safeguarding_thresholds(oof, phrase, y, langs) -> dict[str, float]:
    """The thresholds chosen on out-of-fold probabilities, one pair per language (``_pair``
    over that language's ordinary answers only). The plain "disclosure" and "worry" keys hold
    the stricter of the two, for an answer whose language is neither (services/safeguarding.py)."""
    out: dict[str, float] = {}
    for lang in LANGS:
        out[f"disclosure:{lang}"], out[f"worry:{lang}"] = _pair(
            oof, phrase, (y == 0) & (langs == lang)
        )
    out["disclosure"] = max(out[f"disclosure:{lang}"] for lang in LANGS)
    out["worry"] = max(out[f"worry:{lang}"] for lang in LANGS)
    return out


def _single_thresholds(oof, phrase, y) -> dict[str, float]:
    """One pair of thresholds for every language (how the model was built up to held-out run
    5), kept for the comparison the report prints."""
    t_disc, t_worry = _pair(oof, phrase, y == 0)
    return {"disclosure": t_disc, "worry": t_worry}


def _levels(oof, phrase, thresholds: dict[str, float], langs) -> np.ndarray:
    """Each text's level under ``thresholds``, reading a text's language from ``langs`` (a
    language without its own thresholds gets the plain, stricter, ones)."""
    disc = np.array([thresholds.get(f"disclosure:{g}", thresholds["disclosure"]) for g in langs])
    worry = np.array([thresholds.get(f"worry:{g}", thresholds["worry"]) for g in langs])
    return np.where(phrase | (oof[:, 2] >= disc), 2, np.where(oof[:, 1] + oof[:, 2] >= worry, 1, 0))


def _detected(texts: list[str]) -> np.ndarray:
    """The language services/language.py tags each text with, as the bot does at run time."""
    from services.language import detect_language

    return np.array([detect_language(t, LANGS)[0] for t in texts])


def build_safeguarding() -> tuple[str, list[str]]:
    rows = safeguarding_data()
    texts = [r[0] for r in rows]
    y = np.array([CLASSES.index(r[1]) for r in rows])
    words = np.zeros((len(rows), len(CLASSES)))
    dense = np.zeros((len(rows), len(CLASSES)))
    folds = np.array([_fold(t) for t in texts])
    weight = EMBED_WEIGHT["safeguarding"]
    vectors = _dense(texts) if weight else None
    for k in range(FOLDS):
        train, test = folds != k, folds == k
        x, vocab = _matrix([t for t, m in zip(texts, train, strict=True) if m])
        model = _fit(x, y[train], C_SAFEGUARDING)
        xt, _ = _matrix([t for t, m in zip(texts, test, strict=True) if m], vocab)
        words[test] = model.predict_proba(xt)
        if vectors is not None:
            dense[test] = _fit(vectors[train], y[train], C_EMBED).predict_proba(vectors[test])
    phrase = np.array([concerning(t) for t in texts])
    oof = (1 - weight) * words + weight * dense
    langs = np.array([r[2] for r in rows])
    thresholds = _safeguarding_thresholds(oof, phrase, y, langs)
    single = _single_thresholds(oof, phrase, y)
    detected = _detected(texts)
    shown = ", ".join(f"{k} {v:.2f}" for k, v in thresholds.items())
    report = [
        f"safeguarding: {len(rows)} texts, thresholds {shown}; out-of-fold (5 folds, phrases"
        f" + model{f' (words {1 - weight:.2f}, embedding {weight:.2f})' if weight else ''}),"
        " thresholds by the item's language:"
    ]
    _report_levels(report, rows, y, phrase, _levels(oof, phrase, thresholds, langs))
    agree = float((detected == langs).mean())
    report.append(
        f"  thresholds by the detected language (as at run time; detector agrees with the"
        f" label on {agree:.1%}, und {float((detected == 'und').mean()):.1%}):"
    )
    _report_levels(report, rows, y, phrase, _levels(oof, phrase, thresholds, detected))
    report.append(
        f"  one threshold for both languages (disclosure {single['disclosure']:.2f}, worry"
        f" {single['worry']:.2f}), for comparison:"
    )
    _report_levels(report, rows, y, phrase, _levels(oof, phrase, single, langs))
    if weight:
        report.append("  word model alone (its own thresholds by language), for comparison:")
        alone = _safeguarding_thresholds(words, phrase, y, langs)
        _report_levels(report, rows, y, phrase, _levels(words, phrase, alone, langs))
    x, vocab = _matrix(texts)
    model = _fit(x, y, C_SAFEGUARDING)
    floor = _everyday_floor(model, vocab, report)
    for lang in LANGS:
        key = f"disclosure:{lang}"
        thresholds[key] = max(thresholds[key], floor[lang])
    thresholds["disclosure"] = max(thresholds[f"disclosure:{lang}"] for lang in LANGS)
    stored = ", ".join(f"{k} {v:.2f}" for k, v in thresholds.items())
    report.append(f"  thresholds stored (the everyday floor applied): {stored}")
    return (
        _export(
            CLASSES,
            model.intercept_,
            model.coef_,
            vocab,
            thresholds,
            (weight, _fit(vectors, y, C_EMBED)) if vectors is not None else None,
        ),
        report,
    )


def _report_levels(report, rows, y, phrase, level) -> None:
    for lang in ("en", "cy", "all"):
        mask = np.array([lang in ("all", r[2]) for r in rows])
        disc = mask & (y == 2)
        wor = mask & (y == 1)
        orda = mask & (y == 0)
        report.append(
            f"  {lang}: disclosures alerted {_rate(list(level[disc] == 2)):.1%} of {disc.sum()}"
            f" (phrases alone {_rate(list(phrase[disc])):.1%}); worries flagged for review or"
            f" more {_rate(list(level[wor] >= 1)):.1%} of {wor.sum()}; ordinary: false alarms"
            f" {_rate(list(level[orda] == 2)):.1%}, for review {_rate(list(level[orda] == 1)):.1%}"
            f" of {orda.sum()}"
        )


def build_themes() -> tuple[str, list[str]]:
    """One multinomial model over the themes and "none" (most answers have one theme): an
    answer with several themes is trained once per theme. At run time every theme whose
    probability reaches the threshold is added to the keywords' themes."""
    from services.themes import codebook, keyword_themes

    rows = themes_data()
    names = list(codebook())
    classes = [*names, "none"]
    texts = [r[0] for r in rows]
    y = np.array([[name in r[1] for name in names] for r in rows], dtype=bool)
    folds = np.array([_fold(t) for t in texts])

    def expanded(indices) -> tuple[list[str], list[int]]:
        xs, ys = [], []
        for i in indices:
            for label in [j for j in range(len(names)) if y[i, j]] or [len(names)]:
                xs.append(texts[i])
                ys.append(label)
        return xs, ys

    weight = EMBED_WEIGHT["themes"]
    words = np.zeros((len(rows), len(classes)))
    dense = np.zeros((len(rows), len(classes)))
    for k in range(FOLDS):
        xs, ys = expanded(np.where(folds != k)[0])
        x, vocab = _matrix(xs)
        model = _fit(x, np.array(ys), C_THEMES)
        test = [t for t, f in zip(texts, folds, strict=True) if f == k]
        xt, _ = _matrix(test, vocab)
        words[np.ix_(folds == k, model.classes_)] = model.predict_proba(xt)
        if weight:
            embedded = _fit(_dense(xs), np.array(ys), C_EMBED)
            dense[np.ix_(folds == k, embedded.classes_)] = embedded.predict_proba(_dense(test))
    keyword = np.array([[name in keyword_themes(t) for name in names] for t in texts])
    report = [f"themes: {len(rows)} texts; out-of-fold (5 folds):"]
    if weight:
        report.append("  word model alone, for comparison:")
        _themes_report(report, rows, y, keyword, names, words)
        report.append(f"  words {1 - weight:.2f}, embedding {weight:.2f}:")
    threshold = _themes_report(
        report, rows, y, keyword, names, (1 - weight) * words + weight * dense
    )
    xs, ys = expanded(range(len(rows)))
    x, vocab = _matrix(xs)
    model = _fit(x, np.array(ys), C_THEMES)
    assert list(model.classes_) == list(range(len(classes)))
    part = (weight, _fit(_dense(xs), np.array(ys), C_EMBED)) if weight else None
    exported = _export(classes, model.intercept_, model.coef_, vocab, {"theme": threshold}, part)
    return exported, report


def _themes_report(report, rows, y, keyword, names, oof) -> float:
    """The threshold with the best out-of-fold F0.5, and its figures appended to report."""
    best = (-1.0, 0.5)
    for t in np.arange(0.20, 0.80, 0.01):
        pred = keyword | (oof[:, :-1] >= t)
        tp = (pred & y).sum()
        prec, rec = tp / max(1, pred.sum()), tp / y.sum()
        # F0.5: precision first (a wrong theme misleads a report; a missed one is a smaller loss)
        f = 1.25 * prec * rec / (0.25 * prec + rec) if prec + rec else 0.0
        if f > best[0] + 1e-9:
            best = (f, float(t))
    threshold = best[1]
    pred = keyword | (oof[:, :-1] >= threshold)
    report.append(f"  threshold {threshold:.2f}:")
    for lang in ("en", "cy", "all"):
        mask = np.array([lang in ("all", r[2]) for r in rows])
        tp = (pred[mask] & y[mask]).sum()
        kp = (keyword[mask] & y[mask]).sum()
        report.append(
            f"  {lang}: precision {tp / max(1, pred[mask].sum()):.2f}, recall "
            f"{tp / y[mask].sum():.2f} (keywords alone: precision "
            f"{kp / max(1, keyword[mask].sum()):.2f}, recall {kp / y[mask].sum():.2f})"
        )
    per = []
    for j, name in enumerate(names):
        tp = (pred[:, j] & y[:, j]).sum()
        per.append(
            f"{name} P {tp / max(1, pred[:, j].sum()):.2f} R {tp / max(1, y[:, j].sum()):.2f}"
        )
    report.append("  per theme: " + "; ".join(per))
    return threshold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files would change")
    parser.add_argument("--only", choices=("safeguarding", "themes"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    status = 0
    for name, build in (("safeguarding", build_safeguarding), ("themes", build_themes)):
        if args.only and args.only != name:
            continue
        text, report = build()
        print("\n".join(report))
        path = OUT / f"{name}.json"
        if args.check:
            same = path.exists() and path.read_text("utf-8") == text
            print(f"{path.relative_to(ROOT)}: {'up to date' if same else 'DIFFERS'}")
            status |= 0 if same else 1
        else:
            path.write_text(text, "utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
