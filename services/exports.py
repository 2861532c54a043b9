"""Export renderers: one function per format, each writing a Results to a file."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from services.results import Results

CSV_HEADER = ("poll", "question", "option", "dimension", "group", "count", "share")


def write_csv(results: Results, path: Path) -> None:
    """The tidy table: one row per cell; suppressed counts read ``<N`` and have no share."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        for table in results.tables:
            for cell in table.cells:
                if cell.suppressed:
                    count, share = f"<{results.min_cell}", ""
                else:
                    count, share = str(cell.count), f"{cell.share:.4f}"
                writer.writerow(
                    (
                        results.code,
                        table.question,
                        cell.label,
                        table.dimension,
                        table.group_label,
                        count,
                        share,
                    )
                )


RENDERERS: dict[str, tuple[str, Callable[[Results, Path], None]]] = {
    "csv": (".csv", write_csv),
}
