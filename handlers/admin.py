"""Staff commands: run polls from the chat. Anyone else gets the unknown-command reply."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import menus
from handlers.context import MarkbotContext
from handlers.show import lang_of, person, refuse_tap, show
from services.alerts import MESSAGE_UNITS
from services.links import deep_link, qr_png
from services.paper import AlreadyImported, PaperFileError, PollPublished
from services.pollfile import Poll, PollFileError, pick, units
from services.polls import PollExists, PollNotFound
from services.staff import INVITE_PREFIX
from services.vote_codes import CodesError

log = logging.getLogger("markbot.staff")

PRIVATE = filters.ChatType.PRIVATE
NEW_PRIVATE = PRIVATE & filters.UpdateType.MESSAGE  # commands in edited messages do nothing
Handler = Callable[[Update, MarkbotContext], Awaitable[None]]
MAX_UPLOAD = 1_000_000  # a poll file
MAX_PAPER = 20_000_000  # a paper-ballot CSV (Telegram lets bots fetch files up to 20 MB)


SHOWN_PROBLEMS = 15  # of a refused file's problems, in the chat (the CLI lists them all)
PROBLEM_CHARS = 200  # of each: a problem may quote a huge value from the file


def _listed(problems: list[str]) -> str:
    """A refused file's problems for a chat message, each cut short so the list always fits
    one Telegram message (a problem quoting a 5,000-character value made it too long, and
    Telegram refused the whole answer)."""
    return "\n".join(
        p if len(p) <= PROBLEM_CHARS else p[: PROBLEM_CHARS - 1] + "…"
        for p in problems[:SHOWN_PROBLEMS]
    )


async def _say(update: Update, context: MarkbotContext, key: str, **params: object) -> None:
    await show(update, context, context.services.journey.say(person(update), key, **params))


async def _reset_menu(update: Update, context: MarkbotContext) -> None:
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        await menus.reset_chat(context.bot, chat.id)


def staff_only(command: str, *, owners: bool = False) -> Callable[[Handler], Handler]:
    """Run the command for staff; anyone else sees exactly the unknown-command reply."""

    def wrap(fn: Handler) -> Handler:
        async def guarded(update: Update, context: MarkbotContext) -> None:
            user = update.effective_user
            staff = context.services.staff
            allowed = user is not None and (
                staff.is_owner(user.id) if owners else await staff.is_staff(user.id)
            )
            if not allowed:
                log.warning("refused /%s from someone who is not staff", command)
                await _say(update, context, "unknown_command")
                if user is not None and (not owners or not await staff.is_staff(user.id)):
                    await _reset_menu(update, context)  # a removed worker's menu goes too
                raise ApplicationHandlerStop
            await _then_stop(update, context, fn(update, context))

        guarded.__doc__ = fn.__doc__
        return guarded

    return wrap


async def _then_stop(update: Update, context: MarkbotContext, work: Awaitable[None]) -> None:
    """Do a staff handler's work: an error is reported once, and the journey's handlers stay
    out of it either way (they would answer with the young person's "open the link")."""
    try:
        await work
    except Exception as exc:
        await context.application.process_error(update, exc)
    raise ApplicationHandlerStop


async def _poll_arg(update: Update, context: MarkbotContext, command: str) -> str | None:
    if not context.args:
        await _say(update, context, "admin_usage", command=command)
        return None
    code = context.args[0].lower()
    if await context.services.polls.by_code(code) is None:
        await _say(update, context, "admin_no_poll", code=shown_code(code))
        return None
    return code


CODE_SHOWN = 41  # a poll code has at most 40 characters, so none is ever cut


def shown_code(code: str) -> str:
    """A code someone typed, as quoted back when no poll has it: cut short, since a pasted
    4,000-character one made the answer too long for a Telegram message."""
    return code if len(code) <= CODE_SHOWN else code[: CODE_SHOWN - 1] + "…"


@staff_only("polls")
async def polls(update: Update, context: MarkbotContext) -> None:
    """/polls: every poll with its status, ballots today and in total."""
    catalog, lang = context.services.catalog, lang_of(update, context)
    listing = await context.services.polls.listing_with_today()
    if not listing:
        await _say(update, context, "admin_polls_empty")
        return
    lines = [catalog.t(lang, "admin_polls_header")]
    for p in listing:
        state = catalog.plain(lang, f"state_{p.state}")
        lines.append(
            catalog.t(
                lang,
                "admin_polls_line",
                code=p.code,
                state=state,
                today=p.today,
                total=p.ballots,
                title=p.title,
            )
        )
    assert update.effective_chat is not None
    for text in _in_messages(lines):
        await context.bot.send_message(update.effective_chat.id, text)


def _in_messages(lines: list[str]) -> list[str]:
    """Lines joined into as few messages as fit Telegram's limit (counted on the HTML, which
    is never shorter than what Telegram counts): sixty polls made /polls too long for one."""
    messages: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        size = units(line) + 1
        if current and used + size > MESSAGE_UNITS:
            messages.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += size
    if current:
        messages.append("\n".join(current))
    return messages


def _status(command: str, status: str) -> Handler:
    @staff_only(command)
    async def change(update: Update, context: MarkbotContext) -> None:
        code = await _poll_arg(update, context, command)
        if code is None:
            return
        polls, user = context.services.polls, update.effective_user
        loaded = await polls.by_code(code)
        reopening = loaded is not None and loaded[0].status == "closed" and status == "open"
        if reopening and (user is None or not context.services.staff.is_owner(user.id)):
            # closed figures are exact: reopening for a vote or two would let them be compared
            await _say(update, context, "admin_reopen_owner_only", code=code)
            return
        try:
            await context.services.polls.set_status(code, status)
        except PollNotFound:
            await _say(update, context, "admin_no_poll", code=code)
            return
        row = await context.services.polls.by_code(code)
        state = context.services.polls.state(row[0]) if row else status
        catalog, lang = context.services.catalog, lang_of(update, context)
        await _say(
            update,
            context,
            "admin_status_changed",
            code=code,
            state=catalog.plain(lang, f"state_{state}"),
        )

    change.__doc__ = f"/{command} CODE: set the poll {status}."
    return change


@staff_only("link")
async def link(update: Update, context: MarkbotContext) -> None:
    """/link CODE: the deep link and a QR code image."""
    code = await _poll_arg(update, context, "link")
    if code is None:
        return
    loaded = await context.services.polls.by_code(code)
    assert loaded is not None and update.effective_chat is not None
    url = deep_link(context.bot.username, code)
    catalog, lang = context.services.catalog, lang_of(update, context)
    text = catalog.t(lang, "admin_link", title=loaded[0].title, link=url)
    await context.bot.send_message(update.effective_chat.id, text)
    await context.bot.send_photo(update.effective_chat.id, qr_png(url), caption=url)


@staff_only("results")
async def results(update: Update, context: MarkbotContext) -> None:
    """/results CODE: the top lines as text, and the ranked chart when it can be drawn."""
    code = await _poll_arg(update, context, "results")
    if code is None:
        return
    assert update.effective_chat is not None
    min_cell = context.services.min_cell
    text, chart = await context.services.reports.summary(code, min_cell, lang_of(update, context))
    await context.bot.send_message(update.effective_chat.id, text)
    if chart is not None:
        await context.bot.send_photo(update.effective_chat.id, chart)


@staff_only("review")
async def review(update: Update, context: MarkbotContext) -> None:
    """/review CODE: answers flagged for review (worries about others), scrubbed, by theme."""
    code = await _poll_arg(update, context, "review")
    if code is None:
        return
    assert update.effective_chat is not None
    text = await context.services.reports.review(code, lang_of(update, context))
    await context.bot.send_message(update.effective_chat.id, text)


@staff_only("export")
async def export(update: Update, context: MarkbotContext) -> None:
    """/export CODE: the Excel and CSV files as documents, suppressed as on the command line."""
    code = await _poll_arg(update, context, "export")
    if code is None:
        return
    assert update.effective_chat is not None
    reports = context.services.reports
    catalog, lang = context.services.catalog, lang_of(update, context)
    min_cell = context.services.min_cell
    with tempfile.TemporaryDirectory(prefix="markbot-export-") as tmp:
        for fmt in reports.staff_formats():
            path = await reports.export(code, fmt, Path(tmp), min_cell, free_text=False, staff=True)
            loaded = await context.services.polls.by_code(code)
            title = loaded[0].title if loaded else code
            await context.bot.send_document(
                update.effective_chat.id,
                path.read_bytes(),
                filename=path.name,
                caption=catalog.t(lang, "admin_export_caption", title=title, min_cell=min_cell),
            )


@staff_only("dashboard")
async def dashboard(update: Update, context: MarkbotContext) -> None:
    """/dashboard: a single-use sign-in link (15 minutes) to the live results pages."""
    web = context.services.web_url
    user = update.effective_user
    if web is None or user is None:
        await _say(update, context, "admin_dashboard_no_web")
        return
    token = await context.services.dashboard.login_token(user.id)
    await _say(update, context, "admin_dashboard", link=f"{web}/dashboard/login/{token}")


@staff_only("publish")
async def publish(update: Update, context: MarkbotContext) -> None:
    """/publish CODE: a closed poll's results on the public web pages."""
    code = await _poll_arg(update, context, "publish")
    if code is None:
        return
    outcome, detail = await context.services.dashboard.publish(code)
    web = context.services.web_url
    if outcome == "not_closed":
        state = context.services.catalog.plain(lang_of(update, context), f"state_{detail}")
        await _say(update, context, "admin_publish_not_closed", code=code, state=state)
    elif outcome == "already":
        await _say(update, context, "admin_publish_already", code=code, date=detail)
    elif outcome == "changed":
        await _say(update, context, "admin_publish_changed", code=code, ballots=detail)
    elif outcome == "published" and web is None:
        await _say(update, context, "admin_publish_done_no_web", code=code)
    elif outcome == "published":
        link = f"{web}/results/{lang_of(update, context)}/{code}/index.html"
        await _say(update, context, "admin_publish_done", code=code, link=link)
    else:
        await _say(update, context, "admin_no_poll", code=code)


@staff_only("unpublish")
async def unpublish(update: Update, context: MarkbotContext) -> None:
    """/unpublish CODE: take a poll's results off the public web pages."""
    code = await _poll_arg(update, context, "unpublish")
    if code is None:
        return
    outcome = await context.services.dashboard.unpublish(code)
    if outcome == "unknown":
        await _say(update, context, "admin_no_poll", code=code)
    else:
        key = "admin_unpublish_done" if outcome == "unpublished" else "admin_unpublish_not"
        await _say(update, context, key, code=code)


@staff_only("invite", owners=True)
async def invite(update: Update, context: MarkbotContext) -> None:
    """/invite: a one-time deep link for a new worker, valid 48 hours."""
    token = await context.services.staff.invite()
    url = deep_link(context.bot.username, INVITE_PREFIX + token)
    await _say(update, context, "admin_invite", link=url)


@staff_only("workers", owners=True)
async def workers(update: Update, context: MarkbotContext) -> None:
    """/workers: the workers by the names they gave, each with a remove button."""
    staff_list = await context.services.staff.workers()
    catalog, lang = context.services.catalog, lang_of(update, context)
    if not staff_list:
        await _say(update, context, "admin_workers_empty")
        return
    rows = [
        [
            InlineKeyboardButton(
                catalog.plain(lang, "button_remove_worker", name=w.name)[:60],
                callback_data=f"s:rm:{w.ref}",
            )
        ]
        for w in staff_list
    ]
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id,
        catalog.t(lang, "admin_workers_header"),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def remove_worker(update: Update, context: MarkbotContext) -> None:
    """A remove button from /workers (owners only)."""
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    if user is None or not context.services.staff.is_owner(user.id):
        await refuse_tap(update, context)
        raise ApplicationHandlerStop
    ref = (query.data or "").removeprefix("s:rm:")
    name = await context.services.staff.remove(ref)
    await query.answer()
    if name is None:
        await _say(update, context, "admin_worker_gone")
    else:
        await _say(update, context, "admin_worker_removed", name=name)
    raise ApplicationHandlerStop


async def join(update: Update, context: MarkbotContext) -> None:
    """/start join_<token>: someone opened an invite; ask for the name staff will see."""
    token = (context.args or [""])[0].removeprefix(INVITE_PREFIX)
    user = update.effective_user
    assert user is not None
    if await context.services.staff.begin_join(user.id, token):
        await _say(update, context, "admin_join_ask_name")
    else:  # exactly what any unknown link gets: nothing says staff exist
        await _say(update, context, "poll_unknown")
    raise ApplicationHandlerStop


async def staff_reply(update: Update, context: MarkbotContext) -> None:
    """A message that answers something we asked: an invite name, a poll file, a code and
    title for a template, or a paper-ballot CSV. Anything else falls through to the journey."""
    user, message = update.effective_user, update.effective_message
    staff = context.services.staff
    if user is None or message is None:
        return
    pending = await staff.waiting_for(user.id)
    if pending is None:
        return
    kind, detail = pending
    if kind != "name" and not await staff.is_staff(user.id):  # removed since we asked
        await staff.done_waiting(user.id)
        await _reset_menu(update, context)
        return
    text, doc = message.text, message.document
    work: Awaitable[None]
    if kind == "name" and text:
        work = _join(update, context, text)
    elif kind == "poll-file" and doc is not None:
        work = _poll_from_file(update, context, doc.file_id, doc.file_name, doc.file_size)
    elif kind == "code-title" and text:
        work = _poll_from_template(update, context, detail, text)
    elif kind == "paper" and doc is not None:
        work = _paper_file(update, context, detail, doc.file_id, doc.file_name, doc.file_size)
    elif kind in ("paper", "poll-file") and text is None:
        # a photo (of the ballots, say) or a sticker: not the young person's "open the link"
        work = _say(update, context, "admin_send_as_file")
    else:
        return  # not the kind of answer we asked for: let the journey's handlers reply
    await _then_stop(update, context, work)


async def _join(update: Update, context: MarkbotContext, typed: str) -> None:
    """An invited worker's name: they join, or are told why not."""
    user = update.effective_user
    assert user is not None
    outcome = await context.services.staff.finish_join(user.id, typed)
    if outcome == "ok":
        await menus.publish_staff(context.bot, context.services, user.id, owner=False)
        await _say(update, context, "admin_join_ok", name=" ".join(typed.split())[:40])
    else:
        await _say(update, context, f"admin_join_{outcome}")


async def _download(
    context: MarkbotContext, file_id: str, size: int | None, limit: int = MAX_UPLOAD
) -> bytes | None:
    """The file's bytes, or None when it is bigger than ``limit`` (checked before fetching)."""
    if size is not None and size > limit:
        return None
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


async def _poll_from_file(
    update: Update, context: MarkbotContext, file_id: str, name: str | None, size: int | None
) -> None:
    user = update.effective_user
    assert user is not None
    data = await _download(context, file_id, size)
    if data is None or len(data) > MAX_UPLOAD:
        await _say(update, context, "admin_file_too_big")
        return
    try:
        poll = context.services.polls.parse_bytes(data, name or "poll.yaml")
    except PollFileError as exc:
        await _say(update, context, "admin_poll_invalid", problems=_listed(exc.problems))
        return
    await _create(update, context, poll)


async def _poll_from_template(
    update: Update, context: MarkbotContext, template: str, text: str
) -> None:
    code, _, title = text.strip().partition(" ")
    polls = context.services.polls
    try:
        base = polls.load_file(polls.template(template))
        poll = polls.renamed(base, code, title.strip())
    except (PollFileError, KeyError) as exc:
        problems = exc.problems if isinstance(exc, PollFileError) else [str(exc)]
        await _say(update, context, "admin_poll_invalid", problems=_listed(problems))
        return
    await _create(update, context, poll)


async def _create(update: Update, context: MarkbotContext, poll: Poll) -> None:
    user = update.effective_user
    assert user is not None
    try:
        await context.services.polls.create(poll, status="draft")
    except PollExists:
        await _say(update, context, "admin_poll_exists", code=poll.code)
        return
    await context.services.staff.done_waiting(user.id)
    await _say(update, context, "admin_poll_created", code=poll.code, title=pick(poll.title, "en"))


async def _paper_file(
    update: Update,
    context: MarkbotContext,
    code: str,
    file_id: str,
    name: str | None,
    size: int | None,
) -> None:
    user = update.effective_user
    assert user is not None
    data = await _download(context, file_id, size, MAX_PAPER)
    await context.services.staff.done_waiting(user.id)
    if data is None:
        await _say(update, context, "admin_file_too_big")
        return
    try:
        added = await context.services.paper.add(code, data, name or "paper.csv")
    except PaperFileError as exc:
        await _say(update, context, "admin_paper_invalid", problems=_listed(exc.problems))
        return
    except AlreadyImported:
        await _say(update, context, "admin_paper_again")
        return
    except PollPublished:
        await _say(update, context, "admin_paper_published", code=code)
        return
    key = "admin_paper_added_one" if added == 1 else "admin_paper_added"
    await _say(update, context, key, count=added, code=code)


@staff_only("newpoll")
async def newpoll(update: Update, context: MarkbotContext) -> None:
    """/newpoll: send a poll file, or pick a template and give it a code and title."""
    user = update.effective_user
    assert user is not None and update.effective_chat is not None
    await context.services.staff.expect(user.id, "poll-file")
    catalog, lang = context.services.catalog, lang_of(update, context)
    rows = [
        [InlineKeyboardButton(name, callback_data=f"s:tp:{name}"[:64])]
        for name in context.services.polls.template_names()
    ]
    await context.bot.send_message(
        update.effective_chat.id,
        catalog.t(lang, "admin_newpoll"),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def pick_template(update: Update, context: MarkbotContext) -> None:
    """A template button from /newpoll: now ask for a code and a title."""
    query, user = update.callback_query, update.effective_user
    assert query is not None
    if user is None or not await context.services.staff.is_staff(user.id):
        await refuse_tap(update, context)
        raise ApplicationHandlerStop
    template = (query.data or "").removeprefix("s:tp:")
    await context.services.staff.expect(user.id, "code-title", template)
    await query.answer()
    await _say(update, context, "admin_newpoll_code", template=template)
    raise ApplicationHandlerStop


@staff_only("preview")
async def preview(update: Update, context: MarkbotContext) -> None:
    """/preview CODE: take the poll as a young person would; nothing counts."""
    code = await _poll_arg(update, context, "preview")
    if code is None:
        return
    await show(
        update, context, await context.services.journey.start(person(update), code, preview=True)
    )


@staff_only("session")
async def session(update: Update, context: MarkbotContext) -> None:
    """/session CODE LABEL: a link and QR code for one class or group session."""
    code = await _poll_arg(update, context, "session")
    if code is None:
        return
    label = " ".join((context.args or [])[1:]).strip()[:60]
    if not label:
        await _say(update, context, "admin_session_usage")
        return
    payload = await context.services.polls.session_link(code, label)
    url = deep_link(context.bot.username, payload)
    assert update.effective_chat is not None
    await _say(update, context, "admin_session", label=label, link=url)
    await context.bot.send_photo(update.effective_chat.id, qr_png(url), caption=url)


DEFAULT_CODES = 30  # a class


@staff_only("codes")
async def codes(update: Update, context: MarkbotContext) -> None:
    """/codes CODE [COUNT] [LABEL]: single-use web voting codes as a printable A4 sheet."""
    code = await _poll_arg(update, context, "codes")
    if code is None:
        return
    args = (context.args or [])[1:]
    count = DEFAULT_CODES
    if args and args[0].isascii() and args[0].isdigit():  # not "²", which int() refuses
        count, args = int(args[0]), args[1:]
    label = " ".join(args).strip()[:60] or None
    services = context.services
    lang = lang_of(update, context)
    try:
        pdf, name = await services.codes.sheet(
            code, count, label, services.web_url, ("cy", "en") if lang == "cy" else ("en",)
        )
    except CodesError as exc:
        await _say(update, context, "admin_codes_refused", reason=exc.say(services.catalog, lang))
        return
    assert update.effective_chat is not None
    caption = services.catalog.plain(lang, "admin_codes", count=count, code=code)
    await context.bot.send_document(
        update.effective_chat.id, InputFile(pdf, filename=name), caption=caption
    )


@staff_only("paper")
async def paper(update: Update, context: MarkbotContext) -> None:
    """/paper CODE: upload a paper-ballot CSV next (same format and rules as the CLI)."""
    code = await _poll_arg(update, context, "paper")
    if code is None:
        return
    user = update.effective_user
    assert user is not None
    await context.services.staff.expect(user.id, "paper", code)
    await _say(update, context, "admin_paper_send", code=code)


GROUP = -1  # staff handlers are tried before the young person's journey


def handlers() -> list[BaseHandler[Update, MarkbotContext, None]]:
    # Any message but a command (and a location or contact, which the journey deletes): a
    # photo sent instead of a file asked for is answered here.
    replies = (
        filters.UpdateType.MESSAGE
        & PRIVATE
        & ~filters.COMMAND
        & ~(filters.LOCATION | filters.CONTACT | filters.VENUE)
    )
    return [
        CommandHandler(
            "start", join, NEW_PRIVATE & filters.Regex(rf"^/start(@\w+)? {INVITE_PREFIX}")
        ),
        MessageHandler(replies, staff_reply),
        CommandHandler("newpoll", newpoll, NEW_PRIVATE),
        CommandHandler("preview", preview, NEW_PRIVATE),
        CommandHandler("session", session, NEW_PRIVATE),
        CommandHandler("paper", paper, NEW_PRIVATE),
        CommandHandler("codes", codes, NEW_PRIVATE),
        CallbackQueryHandler(pick_template, pattern=r"^s:tp:"),
        CommandHandler("polls", polls, NEW_PRIVATE),
        CommandHandler("open", _status("open", "open"), NEW_PRIVATE),
        CommandHandler("close", _status("close", "closed"), NEW_PRIVATE),
        CommandHandler("link", link, NEW_PRIVATE),
        CommandHandler("results", results, NEW_PRIVATE),
        CommandHandler("review", review, NEW_PRIVATE),
        CommandHandler("export", export, NEW_PRIVATE),
        CommandHandler("dashboard", dashboard, NEW_PRIVATE),
        CommandHandler("publish", publish, NEW_PRIVATE),
        CommandHandler("unpublish", unpublish, NEW_PRIVATE),
        CommandHandler("invite", invite, NEW_PRIVATE),
        CommandHandler("workers", workers, NEW_PRIVATE),
        CallbackQueryHandler(remove_worker, pattern=r"^s:rm:"),
    ]
