"""Progress bars for long command-line work, on stderr and only when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

Tick = Callable[[int], None]


@contextmanager
def progress(description: str, total: int | None, unit: str = "it") -> Iterator[Tick]:
    """Yield ``tick(n)``, which advances a bar by n; silent when stderr is not a terminal."""
    bar = tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
    )
    try:
        yield bar.update
    finally:
        bar.close()
