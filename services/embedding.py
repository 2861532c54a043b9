"""Static sentence embeddings for the free-text models, read from files the `wordllama` package
ships (nothing is downloaded, ever).

Why: the linear models in services/textmodel.py see words, word pairs and character n-grams, so
they only know wording someone wrote into the training data. A static embedding (each token a
256-number vector) puts "i wont be around for it" near "i wont be here" without anyone listing
either. A text is read as the mean of its tokens' vectors and their element-wise maximum, each
scaled to length 1 (512 numbers; the maximum keeps a single telling word from being averaged
away in a long answer, and measured better than the mean alone, README "Free text"). A second
small model reads them (prompts/models/*.json, "embedding"; services/textmodel.py). WordLlama's
`l2_supercat_256` table (MIT; 32,000 Llama-2 tokens x 256, float16, 16 MB) is used as shipped.

Why not `wordllama.WordLlama.load()`: in 0.4.0.post1 it looks for the tokenizer under
`tokenizer/` while the wheel ships it under `tokenizers/`, so it falls back to Hugging Face (a
network call, and a failure offline). Importing `wordllama` at all also calls
`logging.basicConfig(level=INFO)`, which would change the bot's logging. So the package is only
*located* here (`importlib.util.find_spec`, which does not run its `__init__`), its two files
are read with `tokenizers` and `safetensors` (its own dependencies), and WordLlama's pooling is
repeated: the mean of the tokens' vectors, scaled to length 1. pyproject.toml pins the version
because this depends on the wheel's file layout.

Cost: about 0.5 s and 16 MB to load (once per process: `warm()` at start-up), then a few tens of
microseconds per text on one core.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

NAME = "wordllama-0.4.0.post1/l2_supercat_256"
DIM = 256  # one pooled vector; embed() returns two (mean, max)
POOLING = "mean+max"
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_MAX_CHARS = 5000  # answers are capped long before this; a bound on the work per text


def package_dir() -> Path:
    """Where the installed `wordllama` package lives, found without importing it."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the wordllama package is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class _Table:
    tokenizer: object  # tokenizers.Tokenizer
    vectors: np.ndarray  # (vocabulary, DIM) float16, as shipped


_lock = threading.Lock()
_table: _Table | None = None


def _load() -> _Table:
    from safetensors import safe_open
    from tokenizers import Tokenizer

    root = package_dir()
    tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))  # a local file: no network
    tokenizer.no_padding()
    tokenizer.no_truncation()
    with safe_open(str(root / _WEIGHTS), framework="np") as f:
        vectors = f.get_tensor("embedding.weight")
    if vectors.shape[1] != DIM:
        raise ValueError(f"{_WEIGHTS}: expected {DIM} columns, found {vectors.shape[1]}")
    return _Table(tokenizer, vectors)


def table() -> _Table:
    """The tokenizer and vectors, loaded once per process (thread-safe)."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _load()
    return _table


def warm() -> None:
    """Load the table now (at start-up), so the first answer does not wait for it."""
    table()


@lru_cache(maxsize=64)
def embed(text: str) -> np.ndarray:
    """The text's embedding (2 x DIM numbers): the mean of its tokens' vectors and their
    element-wise maximum, each scaled to length 1 (zeros for no tokens). Cached: the
    safeguarding and themes models read the same answer one after the other."""
    t = table()
    ids = t.tokenizer.encode(text[:_MAX_CHARS], add_special_tokens=False).ids
    if not ids:
        return np.zeros(2 * DIM, dtype=np.float64)
    rows = np.clip(np.asarray(ids, dtype=np.int64), 0, t.vectors.shape[0] - 1)
    vectors = t.vectors[rows].astype(np.float64)
    parts = []
    for pooled in (vectors.mean(axis=0), vectors.max(axis=0)):
        norm = float(np.linalg.norm(pooled))
        parts.append(pooled / norm if norm > 0 else pooled)
    out = np.concatenate(parts)
    out.flags.writeable = False
    return out
