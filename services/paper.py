"""Paper and face-to-face ballots from a CSV file, checked row by row before anything is kept.

Two layouts, told apart by the header:
- one row per ballot: the question ids as columns (``age,area,priority,why``); a cell holds an
  option's id or label (any case); multi answers are separated by ``;`` and ranked answers are
  given in order, separated by ``;`` or ``>``; empty means not answered;
- aggregated counts: ``option,count`` plus optional breakdown question columns (and an optional
  ``question`` column, default the poll's headline question); each row stands for ``count``
  ballots with that answer in that group.
Column names match in any case and with spaces around them (a spreadsheet's "Age " is
``age``). A file with any bad row is refused whole, with every problem and its line number.

The file is read as a stream and checked in one pass (``stream_paper``), so a national file
of a million ballots never sits in memory; the store stages what it is given and adds it all
in one transaction at the end, or nothing if a problem was found on the way.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from services.language import DEFAULT_EXPECTED, detect_language
from services.pollfile import Poll, Question
from services.polls import PollNotFound, PollService
from services.safeguarding import assess
from services.scrub import scrub
from services.themes import themes_of
from storage.contract import Store
from storage.records import AlreadyImported, NewBallot

MAX_ROWS = 5_000_000  # the file is streamed, so memory does not limit this; time does
MAX_AGGREGATE_COUNT = 1_000_000
MAX_PROBLEMS = 50
CELL_CACHE = 20_000  # distinct cells remembered per column
NOT_UTF8 = "the file is not UTF-8 text (save it as 'CSV UTF-8')"
__all__ = ["AlreadyImported", "PaperFileError", "PaperService", "PollPublished", "stream_paper"]


class PollPublished(Exception):
    """Paper ballots for a poll whose results are public: published figures never move (two
    looks a ballot apart would show that ballot), so the results come down first."""


Choice = tuple[str, str, int | None]
Meant = tuple[list[Choice], str | None]  # a cell's answers, or what is wrong with it
Tick = Callable[[int], None]
Source = bytes | Path  # a file's bytes (an upload) or its path (the CLI): both are streamed


class PaperFileError(Exception):
    """The file was refused; ``problems`` lists each one with its line number."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


SHOWN_CELL = 40  # characters of a cell or column name quoted in a problem


def _shown(value: object) -> str:
    """A cell or column name as quoted in a problem, cut short: a runaway cell quoted whole
    made the list of problems too long for one Telegram message, so /paper could not say it."""
    text = str(value)
    return repr(text if len(text) <= SHOWN_CELL else text[: SHOWN_CELL - 1] + "…")


def _names(values: Iterable[str], most: int = 10) -> str:
    """Column names as quoted in a problem: the first ``most`` of them, each cut short."""
    values = list(values)
    shown = ", ".join(_shown(v) for v in values[:most])
    return f"[{shown}{', …' if len(values) > most else ''}]"


def headline(poll: Poll) -> Question | None:
    """The question a poll is about: its first choice/multi/rank question that isn't a breakdown."""
    return next((q for q in poll.questions if q.kind != "text" and not q.breakdown), None)


def _option_lookup(q: Question) -> dict[str, str]:
    table: dict[str, str] = {}
    for o in q.options:
        table[o.id.casefold()] = o.id
        for label in o.label.values():
            table[label.casefold()] = o.id
    for o in q.options:  # a short button text works too, where no label says it
        for text in (o.button or {}).values():
            table.setdefault(text.casefold(), o.id)
    return table


def _cell(q: Question, raw: str, lookup: dict[str, str]) -> Meant:
    """A choice/multi/rank cell of the per-ballot layout: its answers, or an error."""
    if not raw.strip():
        return [], None if q.optional else f"{q.id} is empty, but it is not optional"
    return _answer(q, raw, lookup)


def _answer(q: Question, raw: str, lookup: dict[str, str]) -> tuple[list[Choice], str | None]:
    """One cell into answers for q, or an error message."""
    value = raw.strip()
    if q.kind == "text":
        return [], None
    parts = [value] if q.kind == "choice" else [p for p in value.replace(">", ";").split(";")]
    parts = [p.strip() for p in parts if p.strip()]
    ids = []
    for part in parts:
        oid = lookup.get(part.casefold())
        if oid is None:
            return [], f"{q.id}: {_shown(part)} is not one of its options"
        if oid in q.ineligible:
            return [], f"{q.id}: {_shown(part)} is outside who this poll is for"
        if oid in ids:
            return [], f"{q.id}: {_shown(part)} is given twice"
        ids.append(oid)
    if len(ids) > q.limit:
        return [], f"{q.id}: {len(ids)} answers, but at most {q.limit} may be chosen"
    return [(q.id, oid, n if q.kind == "rank" else None) for n, oid in enumerate(ids, 1)], None


def file_digest(source: Source) -> str:
    """SHA-256 of the file's bytes, read in chunks: a file imported twice is recognised."""
    h = hashlib.sha256()
    if isinstance(source, bytes):
        h.update(source)
    else:
        with Path(source).open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


@contextmanager
def _open_text(source: Source) -> Iterator[TextIO]:
    """The file as text, decoded as it is read (never whole in memory)."""
    with (
        io.BytesIO(source) if isinstance(source, bytes) else Path(source).open("rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
    ):
        yield text


def stream_paper(
    source: Source,
    poll: Poll,
    poll_id: int,
    cast_on: str,
    tick: Tick | None = None,
    languages: Sequence[str] = DEFAULT_EXPECTED,
) -> Iterator[NewBallot]:
    """Check the file row by row in one pass, yielding each ballot while none was bad.

    After the first bad row nothing more is yielded but every row is still checked; at the
    end PaperFileError lists every problem with its line number. So a consumer that stores
    what it is given must treat the whole run as provisional until the iterator finishes.
    """
    with _open_text(source) as text:
        reader = csv.reader(text)
        try:
            header = _header(next(reader))
        except StopIteration:
            raise PaperFileError(["the file is empty"]) from None
        except csv.Error as exc:
            raise PaperFileError([f"line 1: {exc}"]) from None
        except UnicodeDecodeError:
            raise PaperFileError([NOT_UTF8]) from None
        lowered = [h.casefold() for h in header]
        repeated = sorted({h for h in lowered if lowered.count(h) > 1})
        if repeated:
            raise PaperFileError([f"line 1: column(s) {_names(repeated)} appear more than once"])
        rows = _rows(reader, tick)
        if "count" in lowered and "option" in lowered:
            yield from _parse_counts(rows, lowered, poll, poll_id, cast_on)
        else:
            yield from _parse_ballots(rows, header, poll, poll_id, cast_on, languages)


def _header(row: list[str]) -> list[str]:
    """The column names as written, without the spaces around them or the byte-order marks a
    spreadsheet puts first (``utf-8-sig`` takes one; a file saved again can carry two)."""
    header = [h.strip() for h in row]
    if header:
        header[0] = header[0].lstrip("\ufeff").strip()
    return header


def _rows(reader: Iterable[list[str]], tick: Tick | None) -> Iterator[list[str]]:
    """The data rows, reporting progress every 1,000; a broken CSV line is a file error."""
    line = 1
    try:
        for line, row in enumerate(reader, start=2):
            if tick is not None and line % 1000 == 0:
                tick(1000)
            yield row
    except csv.Error as exc:
        raise PaperFileError([f"line {line + 1}: not valid CSV ({exc})"]) from None
    except UnicodeDecodeError:
        raise PaperFileError([f"near line {line + 1}: {NOT_UTF8}"]) from None


def _filled_rows(
    reader: Iterable[list[str]], width: int, problems: list[str]
) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) for each non-blank row; a row of the wrong width is a problem."""
    for line, row in enumerate(reader, start=2):
        if not "".join(row).strip():  # every cell blank (one join beats a test per cell)
            continue
        if len(row) != width:
            _collect(problems, line, f"{len(row)} cells, but the header has {width}")
            continue
        yield line, row


def _collect(problems: list[str], line: int, message: str) -> None:
    if len(problems) < MAX_PROBLEMS:
        problems.append(f"line {line}: {message}")


def _parse_ballots(
    reader: Iterator[list[str]],
    header: list[str],
    poll: Poll,
    poll_id: int,
    cast_on: str,
    languages: Sequence[str] = DEFAULT_EXPECTED,
) -> Iterator[NewBallot]:
    questions = {q.id: q for q in poll.questions}
    # Ids are lower-case (pollfile's SLUG), so "Age" or "AGE" from a spreadsheet means "age";
    # a refusal still names the column as the file spells it.
    unknown = [h for h in header if h.casefold() not in questions]
    header = [h.casefold() for h in header]
    if unknown or not header:
        known = ", ".join(questions)
        raise PaperFileError(
            [
                f"line 1: unknown column(s) {_names(unknown)}; use question ids ({known}), or the "
                "aggregated layout option,count[,breakdowns]"
            ]
        )
    missing = [q.id for q in poll.questions if not q.optional and q.id not in header]
    if missing:  # as an empty required cell is refused: no ballot stands without those answers
        raise PaperFileError(
            [
                f"line 1: no column for {_names(missing)}, which every ballot must answer "
                "(the poll file says they are not optional)"
            ]
        )
    # A national file repeats the same few cells a million times: each column remembers what
    # its cells meant (up to CELL_CACHE of them), so a cell is looked up once.
    columns: list[tuple[str, Question, dict[str, str], dict[str, Meant]]] = [
        (qid, questions[qid], _option_lookup(questions[qid]), {}) for qid in header
    ]
    dims = {q.id for q in poll.breakdowns}
    # A ballot's groups follow from its breakdown cells alone: each distinct set of those cells
    # is turned into a group key once (the cells themselves are the key, so a row costs one
    # C-level slice of them, not a walk over its answers).
    dim_cells = [i for i, qid in enumerate(header) if qid in dims]
    cells_of = itemgetter(*dim_cells) if dim_cells else lambda row: ()
    groups: dict[object, str] = {}
    problems: list[str] = []
    added = 0
    for line, row in _filled_rows(reader, len(header), problems):
        choices: list[Choice] = []
        texts: list[tuple[str, str, str, float, bool, str, bool]] = []
        bad = False
        for (qid, q, lookup, seen), cell in zip(columns, row, strict=True):
            if q.kind == "text":
                if len(cell.strip()) > q.max_length:  # as online: refused, never cut short
                    _collect(
                        problems,
                        line,
                        f"{qid} is {len(cell.strip()):,} characters; it allows {q.max_length:,}",
                    )
                    bad = True
                elif cell.strip():
                    body = scrub(cell.strip())[0]
                    lang, confidence = detect_language(body, languages)
                    themes = " ".join(themes_of(body))
                    found = assess(body, lang)
                    texts.append((qid, body, lang, confidence, found.concern, themes, found.review))
                elif not q.optional:
                    _collect(problems, line, f"{qid} is empty, but it is not optional")
                    bad = True
                continue
            meant = seen.get(cell)
            if meant is None:
                meant = _cell(q, cell, lookup)
                if len(seen) < CELL_CACHE:
                    seen[cell] = meant
            answers, error = meant
            if error:
                _collect(problems, line, error)
                bad = True
            choices += answers
        if added >= MAX_ROWS:
            _collect(problems, line, f"more than {MAX_ROWS} ballots in one file; split it")
            break
        added += 1
        if bad or problems:
            continue  # keep checking, but nothing more is kept
        cells = cells_of(row)
        grp = groups.get(cells)
        if grp is None:
            grp = poll.group_key([c for c in choices if c[0] in dims], paper=True)
            if len(groups) < CELL_CACHE:
                groups[cells] = grp
        yield NewBallot(
            poll_id, cast_on, "paper", choices=tuple(choices), texts=tuple(texts), groups=grp
        )
    if problems:
        raise PaperFileError(problems)
    if not added:
        raise PaperFileError(["the file has a header but no ballots"])


def _parse_counts(
    reader: Iterator[list[str]], header: list[str], poll: Poll, poll_id: int, cast_on: str
) -> Iterator[NewBallot]:
    breakdowns = {q.id.casefold(): q for q in poll.breakdowns}
    allowed = {"option", "count", "question", *breakdowns}
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise PaperFileError(
            [
                f"line 1: unknown column(s) {_names(unknown)}; aggregated files have option, "
                "count, an optional question, and breakdown columns "
                f"({', '.join(breakdowns) or 'none'})"
            ]
        )
    default_q = headline(poll)
    problems: list[str] = []
    added = 0
    for line, row in _filled_rows(reader, len(header), problems):
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        qid = cells.get("question") or (default_q.id if default_q else "")
        q = poll.question(qid)
        if q is None or q.kind == "text" or qid.casefold() in breakdowns:
            not_choice = f"question {_shown(qid)} is not a choice question of this poll"
            _collect(problems, line, not_choice)
            continue
        answers, error = _answer(q, cells["option"], _option_lookup(q))
        if error or not answers:
            _collect(problems, line, error or "option is empty")
            continue
        typed = cells["count"].strip()
        if not (typed.isascii() and typed.isdigit()):  # not "1_000", "٣" or "+5", which int() takes
            _collect(problems, line, f"count {_shown(cells['count'])} is not a whole number")
            continue
        count = int(typed)
        if not 0 <= count <= MAX_AGGREGATE_COUNT:
            _collect(problems, line, f"count {count} must be between 0 and {MAX_AGGREGATE_COUNT}")
            continue
        bad = False
        for name, dim in breakdowns.items():
            value = cells.get(name, "")
            if not value:
                continue
            extra, error = _answer(dim, value, _option_lookup(dim))
            if error:
                _collect(problems, line, error)
                bad = True
            answers += extra
        if added + count > MAX_ROWS:
            _collect(problems, line, f"more than {MAX_ROWS} ballots in one file; split it")
            break
        added += count
        if bad or problems:
            continue
        ballot = NewBallot(
            poll_id,
            cast_on,
            "paper",
            choices=tuple(answers),
            groups=poll.group_key(answers, paper=True),
        )
        for _ in range(count):
            yield ballot
    if problems:
        raise PaperFileError(problems)
    if not added:
        raise PaperFileError(["the file adds no ballots"])


class PaperService:
    """Imports paper ballots: a whole file at once or not at all, each file once."""

    def __init__(
        self,
        store: Store,
        polls: PollService,
        *,
        languages: Sequence[str] = DEFAULT_EXPECTED,
    ) -> None:
        self._store = store
        self._polls = polls
        self._languages = tuple(languages)  # to tag typed answers with; never gates one

    async def add(
        self,
        code: str,
        source: Source,
        filename: str,
        today: date | None = None,
        tick: Tick | None = None,
    ) -> int:
        """Check and import a file (its bytes, or its path, which is read as a stream).

        A file already imported is refused before it is read row by row; the store checks
        again when it commits, so two imports of the same file at once can't both land.
        """
        loaded = await self._polls.by_code(code)
        if loaded is None:
            raise PollNotFound(code)
        row, poll = loaded
        if row.code in await self._store.published_polls():
            raise PollPublished(row.code)
        cast_on = (today or datetime.now(UTC).date()).isoformat()
        digest = await asyncio.to_thread(file_digest, source)
        await self._store.refuse_imported(row.id, digest)
        ballots = stream_paper(source, poll, row.id, cast_on, tick, self._languages)
        return await self._store.import_paper(row.id, digest, filename, ballots, cast_on)
