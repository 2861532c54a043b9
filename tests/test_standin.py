"""Tests of the Bot API stand-in, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from standin import BotApiStandin, Fault
from standin.media import tiny_png

TOKEN = "123456:TEST-TOKEN"
Context = ContextTypes.DEFAULT_TYPE


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(standin: BotApiStandin) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url) as b:
        yield b


@contextlib.asynccontextmanager
async def running_app(standin: BotApiStandin, *handlers: BaseHandler) -> AsyncIterator[Application]:
    """A real PTB Application long-polling the stand-in."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def keyboard(*labels_and_data: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in labels_and_data]]
    )


# ---------------------------------------------------------------- end to end with polling


async def test_echo_bot_replies_over_long_polling(standin: BotApiStandin) -> None:
    async def echo(update: Update, context: Context) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    alex = standin.user(1001, "Alex", username="alex")
    async with running_app(standin, MessageHandler(filters.TEXT & ~filters.COMMAND, echo)):
        sent = await alex.send_text("hello")
        out = await alex.next_output()

    assert out.method == "sendMessage"
    assert out.plain == "echo: hello"
    assert out.params["chat_id"] == 1001
    assert [m["plain"] for m in alex.messages] == ["hello", "echo: hello"]
    assert [m["from_bot"] for m in alex.messages] == [False, True]
    assert alex.messages[1]["message_id"] == sent["message_id"] + 1  # shared per-chat counter
    assert standin.calls_to("deleteWebhook"), "PTB's updater bootstraps with deleteWebhook"
    # The long poll PTB abandons on stop() is closed, not answered with a 409 later.
    assert {c.status for c in standin.calls_to("getUpdates")} <= {200, 499}


async def test_start_payload_reaches_command_handler(standin: BotApiStandin) -> None:
    seen: list[list[str]] = []

    async def start(update: Update, context: Context) -> None:
        seen.append(list(context.args or []))
        assert update.effective_message is not None
        await update.effective_message.reply_text("welcome")

    sam = standin.user(1002, "Sam", language_code="cy")
    async with running_app(standin, CommandHandler("start", start)):
        await sam.send_command("start", "poll_42")
        assert (await sam.next_output()).plain == "welcome"
    assert seen == [["poll_42"]]


async def test_inline_keyboard_press_and_edit(standin: BotApiStandin) -> None:
    pressed: list[tuple[str | None, str]] = []

    async def start(update: Update, context: Context) -> None:
        assert update.message is not None
        markup = keyboard(("Yes please", "vote:yes"), ("No", "vote:no"))
        await update.message.reply_text(
            "<b>Vote</b> now", parse_mode=ParseMode.HTML, reply_markup=markup
        )

    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        first_button = query.message.reply_markup.inline_keyboard[0][0]  # type: ignore[union-attr]
        pressed.append((query.data, first_button.text))
        await query.answer("Saved")
        await query.edit_message_text(
            f"You chose <i>{query.data}</i> &amp; that's final",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(("Undo", "undo")),
        )

    kim = standin.user(1003, "Kim")
    handlers = (CommandHandler("start", start), CallbackQueryHandler(on_press))
    async with running_app(standin, *handlers):
        await kim.send_command("start")
        first = await kim.next_output()
        assert first.buttons == [["Yes please", "No"]]
        assert first.message is not None and first.message["plain"] == "Vote now"

        await kim.press("yes")  # case-insensitive substring match
        edit = await kim.next_output()
        answer = await kim.next_callback_answer()

    assert pressed == [("vote:yes", "Yes please")]
    assert edit.method == "editMessageText"
    assert edit.plain == "You chose vote:yes & that's final"
    assert edit.buttons == [["Undo"]]
    assert edit.message is not None and edit.message["message_id"] == first.message["message_id"]
    assert kim.messages[-1]["plain"] == "You chose vote:yes & that's final"
    assert kim.messages[-1]["buttons"] == [["Undo"]]
    assert answer == {
        "callback_query_id": answer["callback_query_id"],
        "text": "Saved",
        "show_alert": False,
        "url": None,
    }
    with pytest.raises(LookupError, match="Undo"):
        await kim.press("Maybe")


async def test_group_and_channel_updates_have_right_chat_types(standin: BotApiStandin) -> None:
    seen: list[tuple[str, str, int | None]] = []

    async def record(update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None and update.effective_chat is not None
        sender = update.effective_user.id if update.effective_user else None
        seen.append((update.effective_chat.type, message.text or "", sender))
        if update.effective_chat.type != "channel":
            await message.reply_text("noted")

    jo = standin.user(1004, "Jo")
    supergroup = standin.group(-1001234, "Year 9")
    plain_group = standin.group(-555, "Club", supergroup=False)
    channel = standin.channel(-1009999, "News")
    async with running_app(standin, MessageHandler(filters.ALL, record)):
        await supergroup.send_text(jo, "hi all")
        assert (await supergroup.next_output()).plain == "noted"
        await plain_group.send_command(jo, "vote", "3")
        assert (await plain_group.next_output()).plain == "noted"
        await channel.post("announcement")
        await standin.wait_idle()
        await channel.expect_no_output(within=0.05)

    assert seen == [
        ("supergroup", "hi all", 1004),
        ("group", "/vote 3", 1004),
        ("channel", "announcement", None),
    ]
    assert channel.messages[0]["plain"] == "announcement"


async def test_user_media_edits_and_forged_presses_reach_ptb(standin: BotApiStandin) -> None:
    seen: list[tuple[str, str]] = []
    kinds = ("sticker", "photo", "voice", "location", "contact", "text")

    async def record(update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None
        kind = next(k for k in kinds if getattr(message, k))
        seen.append(("edited" if update.edited_message else "new", kind))

    async def on_press(update: Update, context: Context) -> None:
        assert update.callback_query is not None
        seen.append(("press", update.callback_query.data or ""))
        await update.callback_query.answer()

    ben = standin.user(1030, "Ben")
    handlers = (MessageHandler(filters.ALL, record), CallbackQueryHandler(on_press))
    async with running_app(standin, *handlers) as app:
        first = await ben.send_text("first")
        for action in (ben.send_sticker, ben.send_photo, ben.send_voice):
            await action()
        await ben.send_location(48.85, 2.35)
        await ben.send_contact()
        await ben.edit_text(first["message_id"], "first, edited")
        await app.bot.send_message(ben.id, "menu", reply_markup=keyboard(("A", "a")))
        await ben.next_output()
        await ben.press_data("forged:999")
        await ben.next_callback_answer()
        await standin.wait_idle()

    assert seen == [
        ("new", "text"),
        ("new", "sticker"),
        ("new", "photo"),
        ("new", "voice"),
        ("new", "location"),
        ("new", "contact"),
        ("edited", "text"),
        ("press", "forged:999"),
    ]
    assert ben.messages[0]["plain"] == "first, edited"
    assert [m["kind"] for m in ben.messages][1:4] == ["sticker", "photo", "voice"]


async def test_wait_idle_waits_for_the_bot_to_finish(standin: BotApiStandin) -> None:
    async def chatty(update: Update, context: Context) -> None:
        assert update.message is not None
        for n in range(3):
            await asyncio.sleep(0.01)
            await update.message.reply_text(f"part {n}")

    ana = standin.user(1005, "Ana")
    async with running_app(standin, MessageHandler(filters.TEXT, chatty)):
        await ana.send_text("go")
        await standin.wait_idle()
        assert [o.plain for o in ana.drain()] == ["part 0", "part 1", "part 2"]
        await ana.expect_no_output(within=0.05)


async def test_wait_idle_times_out_when_nobody_polls(standin: BotApiStandin) -> None:
    await standin.user(1006).send_text("anyone there?")
    with pytest.raises(TimeoutError, match="not yet fetched"):
        await standin.wait_idle(timeout=0.2)


async def test_next_output_timeout_explains(standin: BotApiStandin, bot: Bot) -> None:
    lee = standin.user(1007, "Lee")
    with pytest.raises(BadRequest):
        await bot.send_message(lee.id, "")
    with pytest.raises(TimeoutError, match="message text is empty"):
        await lee.next_output(timeout=0.1)


# ---------------------------------------------------------------- Telegram's validation


async def test_message_not_modified_is_bad_request(standin: BotApiStandin, bot: Bot) -> None:
    max_ = standin.user(1010, "Max")
    markup = keyboard(("A", "a"))
    message = await bot.send_message(max_.id, "<b>hi</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>hi</b>", max_.id, message.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(max_.id, message.message_id, reply_markup=markup)
    # Same text without the keyboard is a change: Telegram removes the keyboard.
    await bot.edit_message_text("<b>hi</b>", max_.id, message.message_id, parse_mode="HTML")
    assert max_.messages[-1]["buttons"] == []
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", max_.id, 999)
    await bot.delete_message(max_.id, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(max_.id, message.message_id)
    assert [o.method for o in max_.drain()] == ["sendMessage", "editMessageText", "deleteMessage"]
    assert max_.messages == []


async def test_answering_a_callback_twice_is_bad_request(standin: BotApiStandin, bot: Bot) -> None:
    ivy = standin.user(1011, "Ivy")
    await bot.send_message(ivy.id, "pick", reply_markup=keyboard(("One", "1")))
    query_id = await ivy.press("One")
    assert await bot.answer_callback_query(query_id, text="ok", show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("12345")
    assert ivy.callback_answers == [
        {"callback_query_id": query_id, "text": "ok", "show_alert": True, "url": None}
    ]


async def test_callback_data_is_limited_to_64_bytes(standin: BotApiStandin, bot: Bot) -> None:
    uma = standin.user(1012, "Uma")
    await bot.send_message(uma.id, "ok", reply_markup=keyboard(("x", "d" * 64)))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(uma.id, "long", reply_markup=keyboard(("x", "d" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):  # 33 x 2 bytes in UTF-8
        await bot.send_message(uma.id, "wide", reply_markup=keyboard(("x", "é" * 33)))
    assert [c.status for c in standin.calls_to("sendMessage")] == [200, 400, 400]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>unclosed", "Can't find end tag"),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("1 < 2", "Unsupported start tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("a&nbsp;b", "Unsupported HTML entity"),
        ('<span class="red">x</span>', 'must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_bad_request(
    standin: BotApiStandin, bot: Bot, text: str, error: str
) -> None:
    standin.user(1013)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
        await bot.send_message(1013, text, parse_mode=ParseMode.HTML)
    assert error.lower() in str(caught.value).lower()


async def test_good_html_and_other_validation(standin: BotApiStandin, bot: Bot) -> None:
    standin.user(1014)
    html = (
        "  <b>Vote</b> &amp; <a href='https://example.org'>read</a> &#128512; "
        "<tg-spoiler>s</tg-spoiler>"
    )
    message = await bot.send_message(1014, html, parse_mode=ParseMode.HTML)
    assert message.text == "Vote & read 😀 s"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 4),
        ("text_link", 7, 4),
        ("spoiler", 15, 1),  # the emoji is two UTF-16 code units
    ]
    assert message.entities[1].url == "https://example.org"
    assert message.text_html.startswith("<b>Vote</b> &amp; <a href")
    await bot.send_message(1014, "Done\\. *bold*", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(1014, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
    await bot.send_message(1014, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1014, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(1014, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hello?")


async def test_blocked_user_gives_forbidden(standin: BotApiStandin, bot: Bot) -> None:
    zoe = standin.user(1015, "Zoe")
    message = await bot.send_message(zoe.id, "before")
    zoe.blocked = True
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(zoe.id, "after")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edited", zoe.id, message.message_id)
    zoe.blocked = False
    await bot.send_message(zoe.id, "unblocked")
    assert [m["plain"] for m in zoe.messages] == ["before", "unblocked"]


async def test_fault_hook_flood_gives_retry_after(
    standin: BotApiStandin, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, PTB 22.8 warns (PTBDeprecationWarning) while building RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    standin.user(1016)
    faults = [Fault.flood(1)]

    def once(method: str, params: dict[str, object]) -> Fault | None:
        return faults.pop() if method == "sendMessage" and faults else None

    standin.fault = once
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1016, "first")
    assert caught.value.retry_after == dt.timedelta(seconds=1)
    await bot.send_message(1016, "second")
    calls = standin.calls_to("sendMessage")
    assert [(c.status, c.params["text"]) for c in calls] == [(429, "first"), (200, "second")]
    assert standin.user(1016).messages[0]["plain"] == "second"


async def test_unknown_method_is_recorded_and_404(standin: BotApiStandin, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert standin.calls[-1].method == "sendTelepathy"
    assert standin.calls[-1].status == 404


async def test_raw_http_json_get_and_auth(standin: BotApiStandin) -> None:
    standin.user(1018, "Raw")
    async with httpx.AsyncClient(base_url=standin.base_url.removesuffix("/bot")) as client:
        sent = await client.post(f"/bot{TOKEN}/sendmessage", json={"chat_id": 1018, "text": "j"})
        assert sent.status_code == 200
        assert sent.json()["result"]["text"] == "j"
        fetched = await client.get(f"/bot{TOKEN}/getChat", params={"chat_id": "1018"})
        assert fetched.json()["result"]["first_name"] == "Raw"
        wrong = await client.post("/bot999:WRONG/getMe")
        assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
        missing = await client.get(f"/file/bot{TOKEN}/documents/nothing.txt")
        assert missing.status_code == 404
    assert [(c.method, c.status) for c in standin.calls] == [
        ("sendMessage", 200),
        ("getChat", 200),
        ("getMe", 401),
    ]


async def test_second_get_updates_conflicts_with_first(standin: BotApiStandin) -> None:
    def new_bot() -> Bot:
        return Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url)

    async with new_bot() as first, new_bot() as second:
        waiting = asyncio.create_task(first.get_updates(timeout=10))
        while not standin.calls_to("getUpdates"):
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(waiting, 2)


async def test_get_updates_offsets(standin: BotApiStandin, bot: Bot) -> None:
    ola = standin.user(1017, "Ola")
    await ola.send_text("one")
    await ola.send_text("two")
    first = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates(timeout=0)  # unconfirmed updates are delivered again
    assert [u.update_id for u in again] == [u.update_id for u in first]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()
    waiter = asyncio.create_task(bot.get_updates(offset=first[-1].update_id + 1, timeout=5))
    await asyncio.sleep(0.05)
    await ola.send_text("three")
    woken = await asyncio.wait_for(waiter, 1)
    assert [u.message.text for u in woken if u.message] == ["three"]


async def test_stop_ends_a_pending_long_poll() -> None:
    server = BotApiStandin(TOKEN)
    await server.start()
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as b:
        poll = asyncio.create_task(b.get_updates(timeout=30))
        while not server.calls_to("getUpdates"):
            await asyncio.sleep(0.005)
        started = time.monotonic()
        await server.stop()
        assert await asyncio.wait_for(poll, 2) == ()
        assert time.monotonic() - started < 1.5


# ---------------------------------------------------------------- files and commands


async def test_user_document_round_trips_through_get_file(standin: BotApiStandin) -> None:
    received: list[bytes] = []

    async def on_document(update: Update, context: Context) -> None:
        assert update.message is not None and update.message.document is not None
        telegram_file = await update.message.document.get_file()
        received.append(bytes(await telegram_file.download_as_bytearray()))
        await update.message.reply_text(f"got {update.message.document.file_name}")

    content = "name,vote\nAlex,yes\nZoë,no\n".encode()
    eve = standin.user(1020, "Eve")
    async with running_app(standin, MessageHandler(filters.Document.ALL, on_document)):
        await eve.send_document("votes.csv", content, "text/csv", caption="my votes")
        assert (await eve.next_output()).plain == "got votes.csv"
    assert received == [content]
    assert eve.messages[0]["kind"] == "document"
    assert eve.messages[0]["plain"] == "my votes"


async def test_bot_uploads_are_recorded(standin: BotApiStandin, bot: Bot) -> None:
    bo = standin.user(1021, "Bo")
    message = await bot.send_document(
        bo.id,
        InputFile(b"col\n1\n", filename="results.csv"),
        caption="<b>Results</b>",
        parse_mode="HTML",
    )
    assert message.document is not None and message.document.file_name == "results.csv"
    assert message.caption == "Results"
    photo = await bot.send_photo(bo.id, tiny_png(), caption="chart")
    assert photo.photo[-1].width == 1
    resent = await bot.send_document(bo.id, message.document.file_id)
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(bo.id, b"not an image")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(bo.id, "no-such-file-id")

    files = standin.sent_files()
    assert [(f.method, f.chat_id, f.filename, f.caption) for f in files] == [
        ("sendDocument", bo.id, "results.csv", "<b>Results</b>"),
        ("sendPhoto", bo.id, files[1].filename, "chart"),
        ("sendDocument", bo.id, "results.csv", None),
    ]
    assert files[0].content == files[2].content == b"col\n1\n"
    assert resent.document is not None
    downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"col\n1\n"
    outputs = bo.drain()
    assert [(o.method, o.message["kind"] if o.message else None) for o in outputs] == [
        ("sendDocument", "document"),
        ("sendPhoto", "photo"),
        ("sendDocument", "document"),
    ]


async def test_commands_are_stored_by_scope(standin: BotApiStandin, bot: Bot) -> None:
    cy = standin.user(1022, "Cy")
    await bot.set_my_commands([BotCommand("start", "Start voting")])
    await bot.set_my_commands(
        [BotCommand("results", "See results")], scope=BotCommandScopeChat(cy.id)
    )
    await bot.set_my_commands([BotCommand("start", "Dechrau")], language_code="cy")
    assert standin.commands == {
        "default": [{"command": "start", "description": "Start voting"}],
        f"chat:{cy.id}": [{"command": "results", "description": "See results"}],
        "default:cy": [{"command": "start", "description": "Dechrau"}],
    }
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(cy.id))
    assert [c.command for c in scoped] == ["results"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(cy.id))
    assert f"chat:{cy.id}" not in standin.commands
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.set_my_description("A voting bot")
    chat = await bot.get_chat(cy.id)
    assert (chat.type, chat.first_name) == ("private", "Cy")


async def test_webhook_spread_takes_turns_over_the_receivers(standin: BotApiStandin) -> None:
    """With ``webhook_spread`` (benchmarks) each delivery goes to the next URL in turn, in
    place of a round-robin proxy; each chat still gets one request at a time, in order."""
    from aiohttp import web

    seen: dict[int, list[int]] = {0: [], 1: []}
    runners = []
    urls = []
    for i in (0, 1):

        async def receive(request: web.Request, i: int = i) -> web.Response:
            seen[i].append(int((await request.json())["update_id"]))
            return web.Response()

        app = web.Application()
        app.router.add_post("/hook", receive)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
    try:
        standin.webhook_spread = urls
        async with Bot(TOKEN, base_url=standin.base_url) as bot:
            await bot.set_webhook("http://127.0.0.1:9/unused")
        user = standin.user(5)
        for n in range(4):
            await user.send_text(f"m{n}")
        for _ in range(200):
            if len(seen[0]) + len(seen[1]) == 4:
                break
            await asyncio.sleep(0.02)
        assert len(set(seen[0] + seen[1])) == 4
        assert len(seen[0]) == len(seen[1]) == 2  # in turn
        assert all(s == sorted(s) for s in seen.values())
    finally:
        for runner in runners:
            await runner.cleanup()
