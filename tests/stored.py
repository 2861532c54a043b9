"""What a database holds, read through the store contract (``Store.dump``: every row of every
table, one snapshot, drafts included), so an end-to-end test checks storage the same way on
SQLite and on PostgreSQL, with no SQL and no engine client of its own.

A source is a running markbot (``Harness``, ``Runtime``: its own store is read, unflushed
drafts and all) or ``Settings`` (a store is opened on ``settings.database`` for the read and
closed: use it once markbot has stopped).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from storage.contract import Store
from storage.migrations import COPY_TABLES
from storage.open import open_store
from storage.records import NewBallot

if TYPE_CHECKING:
    from bot.app import Runtime
    from services.pollfile import Poll


@asynccontextmanager
async def _store(source: object) -> AsyncIterator[Store]:
    if isinstance(source, Settings):
        store = await open_store(source.database)
        try:
            yield store
        finally:
            await store.close()
        return
    runtime = getattr(source, "runtime", source)  # a Harness holds a Runtime
    yield getattr(runtime, "store", runtime)  # a Runtime holds the Store


async def rows(source: object, table: str, *columns: str) -> list[tuple[Any, ...]]:
    """The table's rows in its key's order (random ids, keyed hashes), as tuples of the named
    columns (every column when none is named). Sort them when order matters."""
    order = [t for t, _ in COPY_TABLES]
    if table not in order:  # a typo would otherwise read as an empty table
        raise KeyError(f"{table} is not a table of storage.migrations.COPY_TABLES")
    found: list[tuple[Any, ...]] = []
    async with _store(source) as store, aclosing(store.dump()) as batches:
        async for name, names, batch in batches:
            if order.index(name) > order.index(table):  # dump goes table by table, in order
                break
            if name == table:
                picks = [names.index(c) for c in columns] if columns else range(len(names))
                found += [tuple(r[i] for i in picks) for r in batch]
    return found


async def count(source: object, table: str) -> int:
    """How many rows the table holds."""
    return len(await rows(source, table))


async def tables(source: object) -> dict[str, list[dict[str, Any]]]:
    """Every table (storage.migrations.COPY_TABLES) with its rows as column -> value."""
    everything: dict[str, list[dict[str, Any]]] = {}
    async with _store(source) as store, aclosing(store.dump()) as batches:
        async for name, names, batch in batches:
            everything.setdefault(name, []).extend(dict(zip(names, r, strict=True)) for r in batch)
    return everything


Needle = str | int | bytes


async def found_anywhere(source: object, *needles: Needle) -> dict[Needle, list[str]]:
    """Which needles any value of any table holds, and where (``table.column``): text inside
    text or bytes (UTF-8), a number as an equal number or as its digits inside text or bytes,
    bytes inside bytes.
    The backend-neutral form of "no identity in the database" (the SQLite file's raw bytes,
    free pages and WAL included, are a separate, SQLite-only check)."""
    hits: dict[Needle, list[str]] = {}
    for table, found in (await tables(source)).items():
        for row in found:
            for column, value in row.items():
                for needle in needles:
                    if _holds(value, needle):
                        hits.setdefault(needle, []).append(f"{table}.{column}")
    return hits


def _holds(value: object, needle: Needle) -> bool:
    if isinstance(value, memoryview | bytearray):
        value = bytes(value)
    if isinstance(needle, bytes):
        return isinstance(value, bytes) and needle in value
    if isinstance(needle, int) and isinstance(value, int) and not isinstance(value, bool):
        return value == needle
    text = str(needle)
    if isinstance(value, str):
        return text in value
    if isinstance(value, bytes):
        return text.encode() in value
    return False


async def assert_nowhere(source: object, *needles: Needle) -> None:
    """No needle in any table (``found_anywhere``, both backends) and, on SQLite, nowhere in
    the file's bytes either, WAL included (free pages can keep what a row held). ``source``
    is ``Settings`` or a running ``Harness`` (which has them)."""
    assert await found_anywhere(source, *needles) == {}
    settings = source if isinstance(source, Settings) else getattr(source, "settings", None)
    assert isinstance(settings, Settings), "assert_nowhere needs Settings or a Harness"
    if settings.on_postgres:
        return
    store = getattr(getattr(source, "runtime", None), "store", None)
    if store is not None:
        await store.flush_drafts()  # what is only in memory is not in the file yet
    db = settings.db
    files = [db.with_name(db.name + tail) for tail in ("", "-wal", "-shm", "-journal")]
    raw = b"".join(p.read_bytes() for p in files if p.is_file())  # not the key file beside it
    for needle in needles:
        form = needle if isinstance(needle, bytes) else str(needle).encode()
        assert form not in raw, needle


async def open_poll(runtime: Runtime, text: str, source: str) -> tuple[Poll, int]:
    """A poll file's text made into an open poll of a running markbot (a results test's seed,
    before ``cast``): the poll and its id."""
    poll = runtime.services.polls.parse(text, source)
    await runtime.services.polls.create(poll, status="open")
    row = await runtime.store.get_poll(poll.code)
    assert row is not None
    return poll, row.id


async def cast(
    store: Store,
    poll: Poll,
    poll_id: int,
    choices: tuple[tuple[str, str, int | None], ...],
    *,
    count: int,
    first: int,
    now: int,
    channel: str = "telegram",
    session_id: int | None = None,
    texts: tuple[tuple[Any, ...], ...] = (),
) -> int:
    """``count`` identical ballots straight into the store (a results test's seed), their
    journey keys numbered from ``first``; the next free number is returned."""
    ballot = NewBallot(
        poll_id,
        "2026-11-18",
        channel=channel,
        session_id=session_id,
        choices=choices,
        texts=texts,
        groups=poll.group_key(choices, session_id, channel=channel),
    )
    for n in range(first, first + count):
        await store.cast_ballot(ballot, n.to_bytes(16, "big"), None, now)
    return first + count
