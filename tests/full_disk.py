"""A full disk, for the fault tests of both channels: switched on and off inside SQLite's single
writer (storage/writer.py; a commit then fails as SQLite fails when the disk is full, "database
or disk is full", and the next one after ``full = False`` goes through), or for real on a small
tmpfs of the test's own that is filled up (root only; skipped elsewhere).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.contract import Store


class FullDisk:
    """Installed on a SqliteStore's writer; every commit fails while ``full`` is True."""

    def __init__(self, store: Store) -> None:
        writer = store._w  # type: ignore[attr-defined]
        self._commit = writer._commit
        self.full = False
        writer._commit = self._run

    def _run(self, ops: list[Any]) -> list[Any]:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        return self._commit(ops)


@contextlib.contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. "3m") mounted on ``folder`` (made here, open to other users
    such as PostgreSQL's), unmounted afterwards. Skips the test where it can't be mounted: it
    needs root."""
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs root to mount a small tmpfs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system ``folder`` is on; unlink the file returned to
    give the room back."""
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with contextlib.suppress(OSError), open(filler, "ab") as fh:  # the last partial block
        while True:
            fh.write(b"\0" * 512)
            fh.flush()
    return filler
