"""A fresh outside checker's attacks on what markbot publishes (round 25).

Each test builds a poll, publishes it as the exports and the site do, and works back from the
published figures alone, as a reader would.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from services.results import Results

M = 5
NOW = 1_795_000_000  # 2026-11-18

DAYS = """\
code: days-2026
title: Days
questions:
  - id: one
    kind: choice
    text: Pick one
    options: [Parks, Buses]
"""


def _feasible_days(published: list[int | str], total: int, m: int) -> list[tuple[int, ...]]:
    """Every ballots-per-day row that agrees with the published one: a day is listed only when
    someone voted on it (1 or more), "<m" is below m, "[c]" m or more, and the days add up to
    the ballots."""
    ranges = []
    for v in published:
        if isinstance(v, int):
            ranges.append(range(v, v + 1))
        elif v == f"<{m}":
            ranges.append(range(1, m))
        else:
            ranges.append(range(m, total + 1))
    return [row for row in itertools.product(*ranges) if sum(row) == total]


def test_a_small_day_cannot_be_pinned_by_the_days_being_listed_only_when_someone_voted(
    tmp_path: Path,
) -> None:
    """Ballots per day list only days someone voted on, so a reader knows each listed "<5" is
    1 to 4, not 0 to 4. 10 ballots on the first day and one on each of two more, 12 in all:
    "10, <5, <5" would say each of the two small days had exactly one ballot."""
    from conftest import make_settings

    from bot.app import open_runtime
    from storage.records import NewBallot
    from tests.stored import open_poll

    async def go() -> Results:
        rt = await open_runtime(make_settings(tmp_path, None))
        try:
            poll, poll_id = await open_poll(rt, DAYS, "days.yaml")
            n = 1
            for day, count in (("2026-11-18", 10), ("2026-11-19", 1), ("2026-11-20", 1)):
                choices = (("one", "parks", None),)
                ballot = NewBallot(
                    poll_id, day, choices=choices, groups=poll.group_key(choices, None)
                )
                for _ in range(count):
                    await rt.store.cast_ballot(ballot, n.to_bytes(16, "big"), None, NOW)
                    n += 1
            return await rt.services.reports.results("days-2026", M)
        finally:
            await rt.close()

    res = asyncio.run(go())
    published = [n for _, n in res.turnout.by_day]
    rows = _feasible_days(published, res.ballots, M)
    truth = (10, 1, 1)
    assert truth in rows
    for i, v in enumerate(published):
        if v == f"<{M}":
            assert len({row[i] for row in rows}) > 1, (published, rows)


CHANNELS = """\
code: channels-2026
title: Channels
questions:
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South]
    breakdown: true
  - id: one
    kind: choice
    text: Pick one
    options: [Parks, Buses]
"""


def test_a_breakdown_withheld_by_channel_is_withheld(tmp_path: Path) -> None:
    """Ballots by channel are a breakdown like any other (telegram + web + paper = all). 8 web
    ballots, 4 from the North and 4 from the South: "<5" and "<5" of the web's 8 say both are
    4, and nothing else in the web's row can be hidden. The last resort, withholding the whole
    breakdown of the area question by channel, must then reach the channel's tables (they are
    the only ones whose channel is the group itself, not "all")."""
    from conftest import make_settings

    from bot.app import open_runtime
    from services.suppression import shown
    from tests.stored import cast, open_poll

    async def go() -> Results:
        rt = await open_runtime(make_settings(tmp_path, None))
        try:
            poll, poll_id = await open_poll(rt, CHANNELS, "channels.yaml")
            n = 1
            for channel, area, pick, count in (
                ("telegram", "north", "parks", 10),
                ("telegram", "south", "buses", 12),
                ("web", "north", "parks", 4),
                ("web", "south", "parks", 4),
                ("paper", "north", "buses", 5),
                ("paper", "south", "buses", 4),
            ):
                choices = (("area", area, None), ("one", pick, None))
                n = await cast(
                    rt.store, poll, poll_id, choices, count=count, first=n, now=NOW, channel=channel
                )
            return await rt.services.reports.results("channels-2026", M)
        finally:
            await rt.close()

    res = asyncio.run(go())
    web = next(t for t in res.tables if t.question == "area" and t.group == "web")
    assert web.respondents == 8
    published = {c.option: shown(web, c, M).count for c in web.cells}
    # two "<5" that add up to 8 would be 4 each: the breakdown is withheld, every figure "[c]"
    # (bounded only by the group's size), in every channel
    assert published == {"north": "[c]", "south": "[c]", "prefer-not-to-say": "[c]"}
    for t in res.tables:
        if t.question == "area" and t.dimension == "channel":
            assert t.withheld and all(shown(t, c, M).count == "[c]" for c in t.cells), t
