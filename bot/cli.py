"""The ``markbot`` command line: one clear line and a non-zero exit for every error."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import secrets
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from aiohttp.web import AppRunner
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app import (
    Conflicted,
    Runtime,
    WebServerError,
    build_application,
    copy_target,
    migrate,
    open_runtime,
    serve,
    serve_webhook,
    start_web_server,
)
from bot.logs import setup_logging
from bot.progress import progress
from bot.settings import Settings, SettingsError, load_settings
from prompts import load_catalog, template_paths
from services.copying import compare_polls, copy_database
from services.exports import RENDERERS
from services.paper import PaperFileError, PollPublished
from services.pollfile import Poll, PollFileError, load_poll_file
from services.polls import PollNotFound
from services.reports import ExportError
from services.site import SiteService
from services.site_inputs import InputError, load_national, read_said_did
from services.vote_codes import MAX_CODES_PER_BATCH, CodesError
from storage.open import sqlite_path
from storage.records import AlreadyImported, PollExists, StorageError

EXIT_ERROR = 1
EXIT_USAGE = 2
MAX_DAYS = 36_500  # purge's DAYS: 100 years (a million overflowed the date: a traceback)
MAX_DEMO_VOTERS = 10_000  # the demo keeps its voters in memory


class CliError(Exception):
    """A failure to report as one line; ``status`` is the exit code."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="markbot",
        description="Anonymous Make Your Mark-style votes with young people, on Telegram.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run", help="run the bot (long polling) and, with MARKBOT_WEB_PORT, the web ballot"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="take Telegram's updates by webhook (MARKBOT_WEBHOOK_URL, MARKBOT_WEBHOOK_SECRET)",
    )
    run.add_argument(
        "--new-key",
        action="store_true",
        help="start a new key file when it is missing from a database that used one (people"
        " who voted in an open poll could vote again; subscribers and workers are lost)",
    )

    sub.add_parser(
        "migrate",
        help="create or update the database's tables (MARKBOT_DATABASE_URL) and print the"
        " schema version",
    )

    poll = sub.add_parser("poll", help="create, list, open and close polls")
    psub = poll.add_subparsers(dest="poll_command", required=True, metavar="ACTION")
    create = psub.add_parser(
        "create", help="create a poll (as a draft) from a YAML file or template"
    )
    create.add_argument(
        "file", help="a poll YAML file, or the name of a template (see 'templates')"
    )
    create.add_argument("--code", help="use this code instead of the file's")
    create.add_argument("--open", action="store_true", help="open it straight away")
    psub.add_parser("list", help="every poll with its status and ballots")
    psub.add_parser("templates", help="the poll templates shipped with markbot")
    for name, text in (
        ("open", "start taking votes"),
        ("close", "stop taking votes"),
        ("publish", "put a closed poll's results on the web server's public pages (/results/)"),
        ("unpublish", "take a poll's results off the public pages"),
    ):
        action = psub.add_parser(name, help=text)
        action.add_argument("code")
    check = psub.add_parser("check", help="validate a poll file without creating it")
    check.add_argument("file")

    export = sub.add_parser("export", help="write a poll's tallies")
    export.add_argument(
        "codes", nargs="+", metavar="CODE", help="a poll, or several for one combined ranking"
    )
    export.add_argument("--format", choices=sorted(RENDERERS), default="csv")
    export.add_argument("--out", type=Path, help="file to write (default: CODE.FORMAT here)")
    export.add_argument("--min-cell", type=int, help="suppress counts below N (0 = off)")

    site = sub.add_parser(
        "site", help="write a static, bilingual results site (safe to publish) for polls"
    )
    site.add_argument("codes", nargs="+", metavar="CODE", help="poll code(s)")
    site.add_argument("--out", type=Path, required=True, help="folder to write the site into")
    site.add_argument("--min-cell", type=int, help="suppress counts below N (0 = off)")
    site.add_argument(
        "--national",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a national top-issues list (YAML, naming a tag) for the campaign page of that tag",
    )
    site.add_argument(
        "--said-did",
        action="append",
        default=[],
        metavar="CODE=FILE",
        help="'You said, we did' in Markdown for a poll (FILE.cy.md is the Welsh; repeat)",
    )

    paper = sub.add_parser("paper", help="add paper and face-to-face ballots")
    paper_sub = paper.add_subparsers(dest="paper_command", required=True, metavar="ACTION")
    add = paper_sub.add_parser("add", help="import a CSV of paper ballots (all or nothing)")
    add.add_argument("code")
    add.add_argument("file", type=Path)

    codes = sub.add_parser(
        "codes", help="single-use voting codes for the web ballot, as a printable A4 sheet"
    )
    codes.add_argument("code", help="the poll's code")
    codes.add_argument("--count", type=int, default=30, help="how many codes (default 30)")
    codes.add_argument("--session", help='the class or group, e.g. "Year 9, Hillside School"')
    codes.add_argument(
        "--lang",
        default="en",
        choices=["en", "cy", "cy,en", "en,cy"],
        help="the slips' language; two for bilingual slips (first on top)",
    )
    codes.add_argument(
        "--out", type=Path, help="the PDF to write, or a folder for it (default codes-CODE.pdf)"
    )

    purge = sub.add_parser("purge", help="delete what is no longer needed (retention)")
    purge.add_argument(
        "--text-older-than",
        type=int,
        metavar="DAYS",
        help="delete free-text answers older than DAYS; 0 deletes every one up to now "
        "(tallies and themes stay)",
    )
    purge.add_argument(
        "--voters-closed-days",
        type=int,
        metavar="DAYS",
        help="drop the voter register of polls closed more than DAYS ago",
    )

    db = sub.add_parser("db", help="move the database (to PostgreSQL for several processes)")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    copy = db_sub.add_parser(
        "copy",
        help="copy everything into another, empty database, then check every poll's counts",
    )
    copy.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the new database: postgresql://user@host/name, or a SQLite file path",
    )

    demo = sub.add_parser("demo", help="run a whole class vote offline, with no token")
    demo.add_argument("--voters", type=int, default=30)
    demo.add_argument("--template", default="make-your-mark")
    demo.add_argument("--out", type=Path, help="folder for the demo database and CSV")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "run":
            if settings.web_port is not None and not settings.token:
                setup_logging(settings.log_level, [])
                return _run_web_only(settings, new_key=args.new_key)  # no Telegram at all
            token = settings.require_token()
            secrets_ = [token]
            if args.webhook:
                secrets_.append(settings.require_webhook()[2])
            setup_logging(settings.log_level, secrets_)
            return _run_bot(settings, token, webhook=args.webhook, new_key=args.new_key)
        setup_logging("WARNING")
        return asyncio.run(_dispatch(args, settings))
    except CliError as exc:
        print(f"markbot: {exc}", file=sys.stderr)
        return exc.status
    except SettingsError as exc:
        print(f"markbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StorageError as exc:
        print(f"markbot: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "demo":
        from bot.demo import DemoError, run_demo  # the stand-in server is only needed here

        if not 1 <= args.voters <= MAX_DEMO_VOTERS:
            raise CliError(f"--voters must be between 1 and {MAX_DEMO_VOTERS:,}", EXIT_USAGE)
        try:
            return await run_demo(args.voters, args.template, args.out, sys.stdout)
        except DemoError as exc:
            raise CliError(str(exc)) from None
    if args.command == "migrate":
        names = await migrate(settings)
        print(
            f"database {settings.database_name} is at schema {names[-1] if names else 'none'}"
            f" ({len(names)} migrations applied)",
            file=sys.stdout,
        )
        return 0
    if args.command == "poll" and args.poll_command == "templates":
        for path in template_paths():
            print(path.stem)
        return 0
    if args.command == "poll" and args.poll_command == "check":  # a file: no database needed
        pnts = load_catalog().both("option_prefer_not_to_say")
        poll = _load(lambda path: load_poll_file(path, pnts), args.file)
        print(f"{args.file}: OK ({poll.code}, {len(poll.questions)} questions)", file=sys.stdout)
        return 0
    runtime = await open_runtime(settings)
    try:
        action = (
            getattr(args, "poll_command", None)
            or getattr(args, "paper_command", None)
            or getattr(args, "db_command", None)
        )
        handler = _COMMANDS[(args.command, action)]
        return await handler(runtime, args, settings, sys.stdout)
    finally:
        await runtime.close()


async def _poll_create(rt: Runtime, args: argparse.Namespace, _: Settings, out: IO[str]) -> int:
    poll = _load(rt.services.polls.load_file, args.file)
    if args.code:
        try:
            poll = rt.services.polls.renamed(poll, args.code, "")
        except PollFileError as exc:
            raise CliError(
                f"--code {args.code!r} can't be used: {'; '.join(exc.problems)}"
            ) from None
    try:
        await rt.services.polls.create(poll, status="open" if args.open else "draft")
    except PollExists as exc:
        raise CliError(f"{exc}; pick another code with --code") from None
    state = "open" if args.open else "a draft (run 'markbot poll open " + poll.code + "')"
    print(f"created poll {poll.code}: {poll.title['en']} - {state}", file=out)
    return 0


def _load(load: Callable[[Path], Poll], name: str) -> Poll:
    """The poll file ``name`` (or the template of that name), or a CliError listing its
    problems."""
    path = Path(name)
    if not path.exists():
        by_stem = {p.stem: p for p in template_paths()}
        if name in by_stem:
            path = by_stem[name]
        else:
            raise CliError(f"no such file or template: {name} (templates: {', '.join(by_stem)})")
    try:
        return load(path)
    except PollFileError as exc:
        lines = "\n  ".join(exc.problems)
        raise CliError(f"{exc.source} is not a valid poll file:\n  {lines}") from None


async def _poll_list(rt: Runtime, _a: argparse.Namespace, _s: Settings, out: IO[str]) -> int:
    listing = await rt.services.polls.listing()
    if not listing:
        print("no polls yet: create one with 'markbot poll create FILE'", file=out)
        return 0
    width = max(len(p.code) for p in listing)
    print(f"{'CODE':<{width}}  {'STATUS':<9}  {'BALLOTS':>7}  TITLE", file=out)
    for p in listing:
        print(f"{p.code:<{width}}  {p.state:<9}  {p.ballots:>7}  {p.title}", file=out)
    return 0


def _status_command(status: str) -> Callable[..., Awaitable[int]]:
    async def command(rt: Runtime, args: argparse.Namespace, _: Settings, out: IO[str]) -> int:
        try:
            await rt.services.polls.set_status(args.code, status)
        except PollNotFound:
            raise CliError(f"no poll with code {args.code!r} (see 'markbot poll list')") from None
        print(f"poll {args.code.lower()} is now {status}", file=out)
        return 0

    return command


async def _publish(rt: Runtime, args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    code = args.code.lower()
    outcome, detail = await rt.services.dashboard.publish(code)
    if outcome == "unknown":
        raise CliError(f"no poll with code {args.code!r} (see 'markbot poll list')")
    if outcome == "not_closed":
        raise CliError(
            f"poll {code} is {detail}: results are published only once a poll has closed, so"
            f" the public figures never move (run 'markbot poll close {code}' first)"
        )
    if outcome == "changed":
        raise CliError(
            f"poll {code} went public with {detail} ballots and has had more since: publishing"
            " it again would let anyone who kept the first pages see how the new ballots voted"
            " (its figures stay in the staff exports)"
        )
    where = f"{settings.web_url}/results/en/{code}/index.html" if settings.web_url else "/results/"
    if outcome == "already":
        print(f"poll {code} has been published since {detail}: {where}", file=out)
    else:
        print(f"published poll {code}: {where} (and /results/cy/... in Welsh)", file=out)
    return 0


async def _unpublish(rt: Runtime, args: argparse.Namespace, _: Settings, out: IO[str]) -> int:
    code = args.code.lower()
    outcome = await rt.services.dashboard.unpublish(code)
    if outcome == "unknown":
        raise CliError(f"no poll with code {args.code!r} (see 'markbot poll list')")
    if outcome == "unpublished":
        print(f"poll {code} is no longer on the public pages", file=out)
    else:
        print(f"poll {code} was not published", file=out)
    return 0


def _not_ours(settings: Settings, path: Path | None) -> None:
    """Refuse an --out that is markbot's own database or key file (a typo away: the export
    would replace every vote, or the key)."""
    if path is None:
        return
    ours = [settings.key_path]
    if not settings.on_postgres:
        db = sqlite_path(settings.database)
        ours += [db, *(db.with_name(db.name + end) for end in ("-wal", "-shm", ".lock"))]
    target = path.resolve()
    if any(target == p.resolve() for p in ours):
        raise CliError(
            f"--out {path} is markbot's own database or key file; write somewhere else",
            EXIT_USAGE,
        )


async def _export(rt: Runtime, args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    min_cell = settings.min_cell if args.min_cell is None else args.min_cell
    if min_cell < 0:
        raise CliError("--min-cell must be 0 or more", EXIT_USAGE)
    _not_ours(settings, args.out)
    try:
        with progress(f"exporting {args.format}", None, "steps"):
            path = await rt.services.reports.export(args.codes, args.format, args.out, min_cell)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    print(f"wrote {path}", file=out)
    return 0


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


async def _site(rt: Runtime, args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    min_cell = settings.min_cell if args.min_cell is None else args.min_cell
    if min_cell < 0:
        raise CliError("--min-cell must be 0 or more", EXIT_USAGE)
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"{args.out} is a file; --out needs a folder", EXIT_USAGE)
    s = rt.services
    said_did: dict[str, dict[str, str]] = {}
    try:
        national = [load_national(path) for path in args.national]
        for item in args.said_did:
            code, sep, name = item.partition("=")
            if not sep or not code or not name:
                raise CliError(f"--said-did takes CODE=FILE, not {item!r}", EXIT_USAGE)
            lang, text = read_said_did(Path(name))
            said_did.setdefault(code.lower(), {})[lang] = text
    except InputError as exc:
        raise CliError(str(exc)) from None
    try:
        with progress("writing the results site", None, "steps"):
            site = SiteService(s.reports, s.polls, s.catalog, first_lang=settings.web_language)
            written = await site.build(
                args.codes, args.out, min_cell, national=national, said_did=said_did
            )
    except ExportError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {len(written)} files to {args.out} (open {args.out / 'index.html'})", file=out)
    if min_cell == 0:
        print("warning: --min-cell 0 publishes every count: not for the public", file=out)
    return 0


async def _paper_add(rt: Runtime, args: argparse.Namespace, _: Settings, out: IO[str]) -> int:
    try:
        rows = _count_lines(args.file)  # the bar's total; the file itself is streamed
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        with progress("checking ballots", rows, "rows") as tick:
            added = await rt.services.paper.add(args.code, args.file, args.file.name, tick=tick)
    except PollNotFound:
        raise CliError(f"no poll with code {args.code!r} (see 'markbot poll list')") from None
    except PaperFileError as exc:
        lines = "\n  ".join(exc.problems)
        raise CliError(f"{args.file} was not imported (nothing was added):\n  {lines}") from None
    except AlreadyImported as exc:
        raise CliError(f"{args.file}: {exc}") from None
    except PollPublished:
        raise CliError(
            f"{args.file} was not imported: the results of {args.code.lower()} are published, "
            "and published figures never move (two looks a ballot apart would show that "
            "ballot). If these ballots must be counted, take the pages down first "
            f"('markbot poll unpublish {args.code.lower()}'): the staff exports will count "
            "them, and the public pages stay down, since other figures would show how they voted"
        ) from None
    print(f"added {added} paper ballots to {args.code.lower()} from {args.file}", file=out)
    return 0


async def _codes(rt: Runtime, args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    if not 1 <= args.count <= MAX_CODES_PER_BATCH:
        raise CliError(f"--count must be between 1 and {MAX_CODES_PER_BATCH}", EXIT_USAGE)
    # The codes exist only on the sheet: see that it can be written before making any.
    dest: Path | None = args.out
    _not_ours(settings, dest)
    folder = dest if dest is not None and dest.is_dir() else None
    direct = dest is not None and folder is None and dest.exists() and not dest.is_file()
    part = None  # a new file beside the sheet, put in place when whole
    if not direct:
        place = folder or (dest.parent if dest is not None else Path("."))
        part = place / f".codes-{secrets.token_hex(4)}.part"
        try:
            part.touch(exist_ok=False)
        except OSError as exc:
            raise CliError(
                f"cannot write {dest or place}: {exc.strerror or exc} (no codes were made)"
            ) from None
    try:
        try:
            pdf, name = await rt.services.codes.sheet(
                args.code, args.count, args.session, settings.web_url, tuple(args.lang.split(","))
            )
        except CodesError as exc:
            raise CliError(exc.say(rt.services.catalog, "en"), EXIT_USAGE) from None
        except PollNotFound:
            raise CliError(
                f"no poll with code {args.code!r} (markbot poll list shows them)"
            ) from None
        path = Path(name) if dest is None else folder / name if folder else dest
        try:
            if part is None:
                path.write_bytes(pdf)
            else:
                part.write_bytes(pdf)
                part.replace(path)
        except OSError as exc:
            raise CliError(
                f"cannot write {path}: {exc.strerror or exc}. The {args.count} codes just made"
                " are on no sheet, so nobody can use them: make new ones once it can be written"
            ) from None
    finally:
        if part is not None:
            part.unlink(missing_ok=True)
    print(
        f"{args.count} voting codes for {args.code} written to {path}. They are printed only "
        "there: keep the sheet safe, hand out one slip each, and shred what is left.",
        file=out,
    )
    return 0


async def _purge(rt: Runtime, args: argparse.Namespace, _: Settings, out: IO[str]) -> int:
    days = (args.text_older_than, args.voters_closed_days)
    if all(d is None for d in days):
        raise CliError(
            "say what to purge: --text-older-than DAYS and/or --voters-closed-days DAYS", EXIT_USAGE
        )
    if any(d is not None and not 0 <= d <= MAX_DAYS for d in days):  # a date can't go further
        raise CliError(f"DAYS must be between 0 and {MAX_DAYS:,} (100 years)", EXIT_USAGE)
    now = datetime.now(UTC)
    if args.text_older_than == 0:  # ballots carry a date only: 0 has to mean "all of them"
        removed = await rt.store.purge_texts(None)
        print(f"deleted {removed} free-text answers (every one up to now)", file=out)
    elif args.text_older_than is not None:
        before = (now - timedelta(days=args.text_older_than)).date().isoformat()
        removed = await rt.store.purge_texts(before)
        print(f"deleted {removed} free-text answers from before {before}", file=out)
    if args.text_older_than is not None:
        await rt.services.reports.forget_shown()  # the figures last shown to staff quote texts
    if args.voters_closed_days is not None:
        cutoff = int((now - timedelta(days=args.voters_closed_days)).timestamp())
        removed = await rt.store.purge_voters(cutoff)
        print(
            f"dropped {removed} voter-register entries of polls closed more than "
            f"{args.voters_closed_days} days ago",
            file=out,
        )
    await rt.store.compact()  # deleted rows leave no trace in the file or its WAL
    return 0


async def _db_copy(rt: Runtime, args: argparse.Namespace, _: Settings, out: IO[str]) -> int:
    """Everything into an empty database, in one transaction there; then every poll's
    counts compared on both (see services/copying.py)."""
    target = copy_target(args.to)
    try:
        await target.open()
        rows = await copy_database(rt.store, target)
        checks = await compare_polls(rt.store, target, rt.services.catalog)
    finally:
        await target.close()
    ballots = sum(c.ballots for c in checks)
    print(f"copied {rows} rows: {len(checks)} polls, {ballots} ballots", file=out)
    wrong = [c.code for c in checks if not c.same]
    if wrong:
        raise CliError(
            f"the counts of {', '.join(wrong)} differ on the new database: do not use it; "
            "report this, and keep running on the old one"
        )
    print(
        "every poll's counts match. Stop markbot, point MARKBOT_DATABASE_URL at the new "
        "database and give every process the same key file.",
        file=out,
    )
    return 0


_COMMANDS: dict[tuple[str, str | None], Callable[..., Awaitable[int]]] = {
    ("poll", "create"): _poll_create,
    ("poll", "list"): _poll_list,
    ("poll", "open"): _status_command("open"),
    ("poll", "close"): _status_command("closed"),
    ("poll", "publish"): _publish,
    ("poll", "unpublish"): _unpublish,
    ("export", None): _export,
    ("site", None): _site,
    ("paper", "add"): _paper_add,
    ("purge", None): _purge,
    ("codes", None): _codes,
    ("db", "copy"): _db_copy,
}


@contextlib.contextmanager
def _single_instance(settings: Settings, token: str, *, webhook: bool = False) -> Iterator[None]:
    """Hold exclusive locks on the database and on this token, or fail with a clear line.

    A SQLite file has one writer and keeps drafts in memory, so one process per file. Several
    processes may share a PostgreSQL database (webhooks spread updates over them), so there
    only long polling holds the token's lock: Telegram lets one process poll a token.
    """
    token_id = hashlib.sha256(token.encode()).hexdigest()[:16]
    paths = []
    if not settings.on_postgres:
        path = sqlite_path(settings.database)
        paths.append(path.with_name(path.name + ".lock"))
    if token and not (webhook and settings.on_postgres):
        paths.append(Path(tempfile.gettempdir()) / f"markbot-{token_id}.lock")
    handles = []
    try:
        for path in paths:
            fh = open(path, "a+")  # noqa: SIM115 - held for the life of the bot
            handles.append(fh)
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CliError(
                    "another 'markbot run' is already running for this database or token; "
                    "stop it first (only one may poll a token at a time)"
                ) from None
        yield
    finally:
        for fh in handles:
            fh.close()


def _run_bot(
    settings: Settings, token: str, *, webhook: bool = False, new_key: bool = False
) -> int:
    with _single_instance(settings, token, webhook=webhook):
        return asyncio.run(_run_async(settings, token, webhook=webhook, new_key=new_key))


def _run_web_only(settings: Settings, *, new_key: bool = False) -> int:
    with _single_instance(settings, ""):
        return asyncio.run(_run_async(settings, None, new_key=new_key))


def _status(line: str) -> None:
    """A status line of ``markbot run`` on stderr. A log whose disk is full (or a closed
    stderr) must not stop the bot or lose a vote: the line is dropped, as the logging module
    drops a record it can't write."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


async def _web(settings: Settings, runtime: Runtime, bot: Bot | None) -> AppRunner | None:
    try:
        runner = await start_web_server(settings, runtime, bot)
    except WebServerError as exc:
        raise CliError(str(exc)) from None
    if runner is not None:
        _status(f"markbot: web ballot at {settings.web_url}")
    return runner


async def _run_async(
    settings: Settings, token: str | None, *, webhook: bool = False, new_key: bool = False
) -> int:
    runtime = await open_runtime(settings, new_key=new_key)
    try:  # whatever fails from here, the database is closed: its threads never keep the
        # process alive after an error (it would look running, and hold the file's lock)
        return await _serve_runtime(settings, runtime, token, webhook=webhook)
    finally:
        await runtime.close()


async def _serve_runtime(
    settings: Settings, runtime: Runtime, token: str | None, *, webhook: bool
) -> int:
    forgotten = await runtime.store.forget_claims()  # a dead process's (SQLite: ours alone)
    if forgotten:
        _status(f"markbot: {forgotten} claim(s) left by a stopped process released")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if token is None:
        runner = None
        try:
            runner = await _web(settings, runtime, None)
            _status(f"markbot: web only, database {settings.database_name} (Ctrl-C to stop)")
            await stop.wait()
        finally:
            if runner is not None:
                await runner.cleanup()
        return 0
    app = build_application(settings, token, runtime.services, webhook=webhook)
    _status(f"markbot: running with database {settings.database_name} (Ctrl-C to stop)")
    runner = None
    try:
        if webhook:
            await serve_webhook(app, settings, runtime, stop)
        else:
            runner = await _web(settings, runtime, app.bot)
            await serve(app, stop)
    except InvalidToken:
        raise CliError(
            "MARKBOT_TOKEN was refused by the Bot API: check the token", EXIT_USAGE
        ) from None
    except (NetworkError, TimedOut) as exc:
        raise CliError(
            f"cannot reach the Bot API at {settings.api_url} ({type(exc).__name__}); "
            "check MARKBOT_API_URL and the network"
        ) from None
    except WebServerError as exc:
        raise CliError(str(exc)) from None
    except Conflicted:
        raise CliError(
            "Telegram says another program is already polling this bot token "
            "(Conflict); stop the other one first"
        ) from None
    finally:
        if runner is not None:
            await runner.cleanup()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
