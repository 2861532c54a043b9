"""The static embeddings behind the safeguarding model (services/embedding.py): read from the
installed `wordllama` package with no network, the same vectors WordLlama computes, and used by
the model that assess() reads."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from services import embedding, textmodel
from services.safeguarding import assess, normalise

ROOT = Path(__file__).parent.parent


def _forget_loaded() -> None:
    embedding._table = None
    embedding.embed.cache_clear()
    textmodel.load.cache_clear()
    textmodel.features.cache_clear()


def test_loading_and_classifying_need_no_network(monkeypatch) -> None:
    """Every way out is blocked (sockets, name lookups, the tokenizer's own Hugging Face
    download), the table is loaded afresh, and assess() still reads paraphrase."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access while loading or reading a model")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import tokenizers

    real = tokenizers.Tokenizer
    offline = types.SimpleNamespace(from_file=real.from_file, from_pretrained=refuse)
    monkeypatch.setattr(tokenizers, "Tokenizer", offline)
    _forget_loaded()
    try:
        textmodel.warm()
        assert embedding._table is not None
        assert textmodel.load("themes").dense is not None
        found = assess("i hide my arms under hoodies so nobody sees what i do to them")
        assert found.level == "disclosure" and found.reason == "model"
        assert assess("we need more buses to the college").level == "none"
    finally:
        monkeypatch.undo()
        _forget_loaded()


def test_loading_does_not_import_wordllama_or_touch_logging() -> None:
    """Importing `wordllama` calls logging.basicConfig(INFO); the loader only locates it."""
    code = (
        "import logging, sys\n"
        "from services import textmodel\n"
        "textmodel.warm()\n"
        "print('wordllama' in sys.modules, len(logging.getLogger().handlers))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "0"]


def test_the_vectors_are_wordllamas() -> None:
    """The mean half equals WordLlama's own embed(norm=True) (run in a subprocess: importing
    wordllama changes logging)."""
    text = "i wont be around next year"
    code = (
        "import json, sys\n"
        "from services import embedding\n"
        "from wordllama.inference import WordLlamaInference\n"
        "t = embedding.table()\n"
        "wl = WordLlamaInference(t.vectors, t.tokenizer)\n"
        f"print(json.dumps(wl.embed({text!r}, norm=True)[0].tolist()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    theirs = np.array(json.loads(done.stdout.strip().splitlines()[-1]))
    ours = embedding.embed(text)
    assert ours.shape == (2 * embedding.DIM,)
    assert np.abs(ours[: embedding.DIM] - theirs).max() < 1e-5


def test_paraphrase_lands_nearer_than_an_unrelated_answer() -> None:
    def near(a: str, b: str) -> float:
        return float(embedding.embed(normalise(a)) @ embedding.embed(normalise(b)))

    same = near("i wont be around next year", "i will not be here anymore")
    other = near("i wont be around next year", "the bus is late every morning")
    assert same > other + 0.1
    assert not embedding.embed("").any()


def test_a_model_for_another_table_is_refused(tmp_path, monkeypatch) -> None:
    data = json.loads((ROOT / "prompts" / "models" / "themes.json").read_text("utf-8"))
    assert data["embedding"]["name"] == embedding.NAME
    assert len(data["embedding"]["rows"]) == 2 * embedding.DIM
    data["embedding"]["name"] = "another-table"
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "other.json").write_text(json.dumps(data), "utf-8")
    monkeypatch.setattr(textmodel.resources, "files", lambda package: tmp_path)
    with pytest.raises(ValueError, match="another-table"):
        textmodel.load("other")
    textmodel.load.cache_clear()


def test_probabilities_average_the_two_parts() -> None:
    """The themes model has an embedding part (the safeguarding model, since round 9, has none:
    README "Free text"); its probabilities are the two parts' averaged."""
    model = textmodel.load("themes")
    assert model.dense is not None and 0 < model.dense.weight < 1
    text = normalise("cant afford the bus and lunch on the same day")
    p = model.probabilities(text)
    assert set(p) == set(model.classes) and abs(sum(p.values()) - 1) < 1e-9
    assert textmodel.softmax(model.scores(text)) != p


def test_a_broken_embedding_install_leaves_the_word_model_reading(monkeypatch, caplog) -> None:
    """If the shipped table cannot be read (a broken install), safeguarding still works: the
    phrase list and the word model read every answer, and the log says why once."""
    from services.safeguarding import assess

    def broken() -> None:
        raise FileNotFoundError("the wordllama package is not installed")

    textmodel.load.cache_clear()
    monkeypatch.setattr(textmodel.embedding, "warm", broken)
    try:
        model = textmodel.load("themes")
        assert model.dense is None
        assert "embedding part is off (FileNotFoundError)" in caplog.text
        assert assess("i want to kill myself").level == "disclosure"
        assert assess("the buses are late every morning").level == "none"
    finally:
        textmodel.load.cache_clear()
