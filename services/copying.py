"""Moving a council's database to another one (`markbot db copy --to ...`), from its SQLite
file to PostgreSQL when one process is no longer enough (issue 12).

Everything is copied (polls, ballots and answers, the voter register, voting codes, paper
imports, staff, subscribers, broadcasts, contact requests, language choices, unfinished
journeys) through the storage contract's dump and load: the target must be empty and gets it
all in one transaction, ballots in the order of their random ids. The key file is not in
either database; the same file must be given to every process on the new one, so the keyed
hashes go on meaning the same people. Then every poll's results are worked out on both
databases, with no suppression, and compared figure by figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from prompts import Catalog
from services.polls import PollService
from services.reports import ReportService
from services.results import Results
from storage.contract import Store


@dataclass(frozen=True, slots=True)
class PollCheck:
    code: str
    ballots: int
    same: bool  # every count, on both databases


async def copy_database(source: Store, target: Store) -> int:
    """Copy every row of ``source`` into the empty ``target``; how many rows."""
    return await target.load(source.dump())


async def compare_polls(source: Store, target: Store, catalog: Catalog) -> list[PollCheck]:
    """Each poll's full results (min_cell 0: every count) on both databases, compared."""
    here = ReportService(source, PollService(source, catalog), catalog)
    there = ReportService(target, PollService(target, catalog), catalog)
    checks = []
    for listing in await PollService(source, catalog).listing():
        mine = _comparable(await here.results(listing.code, 0))
        try:
            theirs = _comparable(await there.results(listing.code, 0))
        except Exception:  # missing on the target
            checks.append(PollCheck(listing.code, mine.ballots, False))
            continue
        checks.append(PollCheck(listing.code, mine.ballots, mine == theirs))
    return checks


def _comparable(results: Results) -> Results:
    """Results with free-text answers in a fixed order (each backend returns them in an order
    that says nothing about when they were given, not the same order)."""
    return replace(results, texts=tuple(sorted(results.texts, key=repr)))
