"""Benchmark: the storage work of ballots on SQLite and on PostgreSQL, in one run.

```
python -m bench.store_backends [--ballots 2000] [--tasks 8] [--repeats 3] [--pg-url URL]
```

One process, ``--tasks`` concurrent tasks sharing ``--ballots`` ballots, against each backend
in turn (the same ballots, the same order of sides in every repeat), timed twice:

- ``cast``: ``cast_ballot`` alone (the voter register, the ballot, 3 answers and a text);
- ``journey``: what one Telegram ballot asks of storage: 5 ``save_draft`` (one per tap), a
  ``load_draft`` before each, then ``cast_ballot`` removing the draft.

SQLite is a file in a temporary folder (WAL, ``synchronous=FULL``: one fsync per batch of
writes, drafts written behind every half second); PostgreSQL is a throwaway cluster started
here with ``initdb`` as in the tests (fsync on, ``synchronous_commit=on``: one WAL flush per
commit, drafts written through), unless ``--pg-url`` names a server. Prints ballots a second
for each and the ratio PostgreSQL / SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from storage.contract import Store
from storage.postgres import PostgresStore
from storage.records import CastResult, DraftRow, NewBallot
from storage.sqlite import SqliteStore

NOW = 1_790_000_000


def _ballot(poll_id: int, i: int) -> NewBallot:
    return NewBallot(
        poll_id=poll_id,
        cast_on="2026-11-25",
        lang="en",
        choices=(("age", "13-15", None), ("area", "north", None), ("priority", f"o{i % 10}", None)),
        texts=(("why", f"answer {i}"),),
        groups="age=13-15&area=north",
    )


async def _cast(store: Store, poll_id: int, i: int) -> None:
    voter = i.to_bytes(8, "big") * 2
    if await store.cast_ballot(_ballot(poll_id, i), voter, None, NOW) is not CastResult.COUNTED:
        raise RuntimeError("a ballot was not counted")


async def _journey(store: Store, poll_id: int, i: int) -> None:
    owner = (i + 1 << 32).to_bytes(8, "big") * 2
    for step in range(5):
        await store.load_draft(owner)
        await store.save_draft(DraftRow(owner, "tok", poll_id, f'{{"step": {step}}}', NOW))
    await store.load_draft(owner)
    voter = i.to_bytes(8, "big") * 2
    if await store.cast_ballot(_ballot(poll_id, i), voter, owner, NOW) is not CastResult.COUNTED:
        raise RuntimeError("a ballot was not counted")


async def _timed(
    store: Store, work: Callable[[Store, int, int], Awaitable[None]], ballots: int, tasks: int
) -> float:
    """Ballots a second for ``ballots`` pieces of work shared by ``tasks`` tasks."""
    poll_id = await store.add_poll(f"b{time.monotonic_ns()}", "T", "{}", None, None, "open")
    queue = iter(range(ballots))

    async def worker() -> None:
        for i in queue:
            await work(store, poll_id, i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    elapsed = time.perf_counter() - started
    if (await store.tally(poll_id, [])).ballots != ballots:
        raise RuntimeError("the tally does not match the ballots cast")
    return ballots / elapsed


async def bench(ballots: int, tasks: int, repeats: int, pg_url: str | None) -> dict[str, Any]:
    cluster = None
    started_in = 0.0
    if pg_url is None:
        from tests.pg import start_cluster

        cluster = start_cluster(template=False)
        started_in = cluster.started_in
        pg_url = cluster.url("postgres")
    results: dict[str, dict[str, list[float]]] = {
        side: {"cast": [], "journey": []} for side in ("sqlite", "postgres")
    }
    try:
        with tempfile.TemporaryDirectory(prefix="markbench-stores-") as folder:
            stores: dict[str, Store] = {
                "sqlite": SqliteStore(Path(folder) / "bench.db"),
                "postgres": PostgresStore(pg_url),
            }
            for store in stores.values():
                await store.open()
            try:
                for _ in range(repeats):
                    for side, store in stores.items():
                        for name, work in (("cast", _cast), ("journey", _journey)):
                            results[side][name].append(await _timed(store, work, ballots, tasks))
            finally:
                for store in stores.values():
                    await store.close()
    finally:
        if cluster is not None:
            from tests.pg import stop_cluster

            stop_cluster(cluster)
    out: dict[str, Any] = {"ballots": ballots, "tasks": tasks, "repeats": repeats}
    out["pg_cluster_start_s"] = round(started_in, 2)
    for name in ("cast", "journey"):
        lite = statistics.median(results["sqlite"][name])
        pg = statistics.median(results["postgres"][name])
        out[name] = {
            "sqlite_per_s": round(lite),
            "postgres_per_s": round(pg),
            "ratio_pg_to_sqlite": round(pg / lite, 2),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg-url", help="a PostgreSQL server to use instead of a throwaway one")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    result = asyncio.run(bench(args.ballots, args.tasks, args.repeats, args.pg_url))
    for name in ("cast", "journey"):
        r = result[name]
        print(
            f"{name:8} sqlite {r['sqlite_per_s']:>6}/s  postgres {r['postgres_per_s']:>6}/s"
            f"  ratio {r['ratio_pg_to_sqlite']:.2f}"
        )
    if result["pg_cluster_start_s"]:
        print(f"throwaway cluster started (initdb + start) in {result['pg_cluster_start_s']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
