# ruff: noqa: F811 - the contract suite's fixtures (backend, store) are imported by name
"""The storage operations several processes share (issue 12), on both backends: short-lived
shared values, leases, the person's turn, and the dump and load of `markbot db copy`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.contract import Store
from tests.test_store_contract import NOW, Backend, _ballot, _poll, backend, store  # noqa: F401


async def test_shared_values_expire_and_are_taken_once(store: Store) -> None:
    await store.shared_put("k", b"a", b"one", NOW + 10)
    assert await store.shared_get("k", b"a", NOW) == b"one"
    assert await store.shared_get("k", b"a", NOW + 10) is None  # expired
    assert await store.shared_get("other", b"a", NOW) is None  # kinds apart
    await store.shared_put("k", b"a", b"two", NOW + 10)  # replaced
    taken = await asyncio.gather(*(store.shared_take("k", b"a", NOW) for _ in range(6)))
    assert taken.count(b"two") == 1 and taken.count(None) == 5
    await store.shared_put("k", b"b", b"x", NOW + 1)
    assert await store.shared_take("k", b"b", NOW + 5) is None  # expired: nothing to take
    await store.shared_put("k", b"c", b"y", NOW + 1)
    assert await store.shared_drop("k", b"c") and not await store.shared_drop("k", b"c")
    await store.shared_put("k", b"d", b"z", NOW + 1)
    await store.shared_put("k", b"e", b"z", NOW + 100)
    assert await store.shared_purge(NOW + 1) == 1
    assert await store.shared_get("k", b"e", NOW) == b"z"
    assert await store.has_keyed_data()


async def test_a_language_and_a_shared_value_are_read_together(store: Store) -> None:
    person, key = b"p" * 32, b"c" * 32
    assert await store.language_and_shared(person, "k", key, NOW) == (None, None)
    await store.set_language(person, "cy")
    await store.shared_put("k", key, b"sealed", NOW + 10)
    assert await store.language_and_shared(person, "k", key, NOW) == ("cy", b"sealed")
    assert await store.language_and_shared(person, "k", key, NOW + 10) == ("cy", None)  # expired
    assert await store.language_and_shared(person, "other", key, NOW) == ("cy", None)
    assert await store.language_and_shared(b"q" * 32, "k", key, NOW) == (None, b"sealed")


async def test_a_lease_has_one_holder_across_stores(store: Store, backend: Backend) -> None:
    other = await backend.open()  # another process
    assert await store.claim_lease("job", b"a", NOW, 15)
    assert not await other.claim_lease("job", b"b", NOW + 1, 15)
    assert await store.claim_lease("job", b"a", NOW + 10, 15)  # renewed until NOW + 25
    assert not await other.claim_lease("job", b"b", NOW + 24, 15)
    assert await other.claim_lease("job", b"b", NOW + 25, 15)  # ran out
    await store.release_lease("job", b"a")  # no longer a's: nothing happens
    assert not await store.claim_lease("job", b"a", NOW + 26, 15)
    await other.release_lease("job", b"b")
    assert await store.claim_lease("job", b"a", NOW + 26, 15)
    wins = await asyncio.gather(
        *(s.claim_lease("race", bytes([i]), NOW, 15) for i, s in enumerate([store, other] * 5))
    )
    assert wins.count(True) == 1


async def test_a_persons_turn_is_one_at_a_time_across_stores(
    store: Store, backend: Backend
) -> None:
    """Two processes (two stores) take turns for one person; another person never waits."""
    other = await backend.open()
    inside: list[str] = []
    overlap = []

    async def turn(s: Store, person: bytes, name: str) -> None:
        async with s.person_turn(person):
            inside.append(name)
            if len([n for n in inside if n.startswith(name[0])]) > 1:
                overlap.append(name)
            await asyncio.sleep(0.05)
            inside.remove(name)

    if store.single_process:  # SQLite: one process, whose service holds an asyncio lock
        async with store.person_turn(b"p" * 32):
            return
    await asyncio.gather(
        *(turn(s, b"p" * 32, f"p{i}") for i, s in enumerate([store, other] * 3)),
        turn(store, b"q" * 32, "q0"),
    )
    assert overlap == []
    started = asyncio.get_running_loop().time()
    async with store.person_turn(b"p" * 32), other.person_turn(b"q" * 32):
        pass  # someone else: no wait
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_dump_and_load_copy_everything_between_stores(
    store: Store, backend: Backend, tmp_path: Path
) -> None:
    """A dump loaded into an empty database (SQLite here, whatever the source) holds the same
    rows; the ballots come out in the order of their random ids."""
    from storage.sqlite import SqliteStore

    pid = await _poll(store)
    for i in range(12):
        await store.cast_ballot(_ballot(pid, "a" if i % 2 else "b"), bytes([i]) * 32, None, NOW)
    await store.set_language(b"l" * 32, "cy")
    await store.shared_put("k", b"a", b"v", NOW + 100)
    ids = []
    async for table, columns, rows in store.dump():
        if table == "ballots":
            ids += [r[columns.index("id")] for r in rows]
    assert len(ids) == 12 and ids == sorted(ids)
    target = SqliteStore(tmp_path / "copy.db")
    await target.open()
    try:
        copied = await target.load(store.dump())
        assert copied > 12 * 3
        assert await target.tally(pid, []) == await store.tally(pid, [])
        assert await target.language(b"l" * 32) == "cy"
        assert await target.shared_get("k", b"a", NOW) == b"v"
        assert await target.has_voted(pid, bytes([3]) * 32)
    finally:
        await target.close()
