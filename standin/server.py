"""A local stand-in for the Telegram Bot API.

Telegram is not reachable from test machines, so the real python-telegram-bot client talks to
this aiohttp server instead. It keeps the chats in memory, records every request, mirrors
Telegram's validation (so formatting and keyboard bugs fail in tests) and lets tests act as
users through :class:`~standin.users.FakeUser` and friends.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import mimetypes
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, NoReturn

import aiohttp
from aiohttp import BodyPartReader, web

from .formatting import FormatError, parse_text, utf16_len
from .media import document_json, image_size, photo_sizes
from .models import (
    ApiCall,
    ApiError,
    BotOutput,
    ChatState,
    Fault,
    SentFile,
    StoredFile,
    StoredMessage,
    Upload,
    bad_request,
)
from .users import FakeChannel, FakeGroup, FakeUser

Params = dict[str, Any]

# fmt: off
_JSON_PARAMS = frozenset({
    "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
    "reply_parameters", "link_preview_options", "menu_button", "media", "results",
    "permissions",
})
_INT_PARAMS = frozenset({
    "chat_id", "from_chat_id", "message_id", "offset", "limit", "reply_to_message_id",
    "user_id", "cache_time", "message_thread_id",
})
_BOOL_PARAMS = frozenset({
    "show_alert", "disable_notification", "drop_pending_updates", "protect_content",
    "allow_sending_without_reply", "disable_web_page_preview",
})
# Update types Telegram withholds unless asked for explicitly in allowed_updates.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_BUTTON_KINDS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
# fmt: on
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_BLOCKED = "Forbidden: bot was blocked by the user"
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_MAX_UPLOAD = 50 * 1024 * 1024
_QUIET = 0.05  # seconds without bot requests that wait_idle() treats as "idle"


class BotApiStandin:
    """The fake Bot API server plus all chat state; one instance per test (no globals)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 123456,
        bot_username: str = "markbot_test_bot",
        bot_name: str = "markbot",
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.calls: list[ApiCall] = []
        self.fault: Callable[[str, dict[str, Any]], Fault | None] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.profile: dict[str, Any] = {}  # name, descriptions, menu buttons, by key
        self.webhook_url = ""
        self.webhook_params: dict[str, Any] = {}  # what the last setWebhook asked for
        self.deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status or 0) by webhook
        # For benchmarks: when set, each webhook delivery goes to the next of these URLs in
        # turn instead of the registered one, as a round-robin reverse proxy in front of them
        # would, without the proxy's own hop (its CPU is not markbot's; see bench/webhook.py).
        self.webhook_spread: list[str] = []
        self._webhook_task: asyncio.Task[None] | None = None
        self._update_waiting = asyncio.Event()
        self.errors: list[BaseException] = []  # bugs inside the stand-in itself (answered 500)
        self._bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self._calls_by_method: defaultdict[str, list[ApiCall]] = defaultdict(list)
        self._sent_files: list[SentFile] = []
        self._chats: dict[int, ChatState] = {}
        self._usernames: dict[str, int] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._channels: dict[int, FakeChannel] = {}
        self._updates: deque[dict[str, Any]] = deque()
        self._last_update_id = 0
        self._newest_queued_id = 0
        self._fetched_upto = 0
        self._allowed_updates: frozenset[str] | None = None
        self._poller: asyncio.Future[str] | None = None
        self._open_callbacks: dict[str, int] = {}  # callback query id -> user id
        self._pressed: dict[str, dict[str, Any]] = {}  # callback query id -> its update
        self._seen_callbacks: set[str] = set()  # every query id inject() has delivered
        self._files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        self._ids = itertools.count(1)
        self._busy = 0
        self._last_activity = 0.0
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        handlers: dict[str, Callable[[Params], Any]] = {
            "getMe": self._get_me,
            "logOut": self._ok,
            "close": self._ok,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": lambda p: self._send_file(p, "sendDocument", "document"),
            "sendPhoto": lambda p: self._send_file(p, "sendPhoto", "photo"),
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": lambda p: self._set_profile(p, "description", 512),
            "getMyDescription": lambda p: self._get_profile(p, "description"),
            "setMyShortDescription": lambda p: self._set_profile(p, "short_description", 120),
            "getMyShortDescription": lambda p: self._get_profile(p, "short_description"),
            "setMyName": lambda p: self._set_profile(p, "name", 64),
            "getMyName": lambda p: self._get_profile(p, "name"),
            "getChat": self._get_chat,
        }
        # Telegram method names are case-insensitive.
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind the server; with port 0 the OS picks a free port."""
        app = web.Application(client_max_size=_MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_post("/_standin/users/{user_id}/text", self._control_text)
        app.router.add_post("/_standin/users/{user_id}/press", self._control_press)
        app.router.add_get("/_standin/chats/{chat_id}", self._control_chat)
        self._stopping = False
        # handler_cancellation: a long poll whose client went away (PTB cancels it on
        # updater.stop()) ends at once instead of lingering until its timeout.
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._site = site
        self.port = runner.addresses[0][1]

    async def disconnect(self) -> None:
        """The network drops: connecting is refused and every open connection is cut (a long
        poll's too) until :meth:`reconnect`. Users can still act, as on Telegram: their
        updates wait for the bot. ``offline`` says which state it is in."""
        runner, site = self._runner, self._site
        if runner is None or site is None:
            raise RuntimeError("the stand-in is not running")
        self._site = None
        await site.stop()  # closes the listening socket: new connections are refused
        server = runner.server
        for connection in server.connections if server is not None else ():
            if connection.transport is not None:
                connection.transport.abort()

    async def reconnect(self) -> None:
        """The network is back: accept connections again, on the same port."""
        if self._runner is None:
            raise RuntimeError("the stand-in is not running")
        if self._site is None:
            site = web.TCPSite(self._runner, self.host, self.port)
            await site.start()
            self._site = site

    @property
    def offline(self) -> bool:
        return self._runner is not None and self._site is None

    async def stop(self) -> None:
        """Answer any pending long poll (with no updates) and shut the server down."""
        self._stopping = True
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        self._wake_poller("stop")
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._site = None
            await runner.cleanup()

    async def __aenter__(self) -> BotApiStandin:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url`` (the token is appended directly)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    # ------------------------------------------------------------ public helpers

    def calls_to(self, method: str) -> list[ApiCall]:
        return list(self._calls_by_method.get(method, ()))

    def sent_files(self) -> list[SentFile]:
        return list(self._sent_files)

    def user(
        self,
        user_id: int,
        first_name: str = "Alex",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A private-chat user; the same id always gives the same object."""
        if user_id in self._users:
            return self._users[user_id]
        info: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            info["last_name"] = last_name
        if username is not None:
            info["username"] = username
        user = FakeUser(self, self._add_chat(info), language_code=language_code)
        self._users[user_id] = user
        return user

    def group(
        self, chat_id: int, title: str = "Test group", *, supergroup: bool = True
    ) -> FakeGroup:
        if chat_id not in self._groups:
            info = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
            self._groups[chat_id] = FakeGroup(self, self._add_chat(info))
        return self._groups[chat_id]

    def channel(self, chat_id: int, title: str = "Test channel") -> FakeChannel:
        if chat_id not in self._channels:
            info = {"id": chat_id, "type": "channel", "title": title}
            self._channels[chat_id] = FakeChannel(self, self._add_chat(info))
        return self._channels[chat_id]

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update for getUpdates; returns the fresh update_id it was given.

        Like Telegram, update types excluded by the bot's allowed_updates are dropped."""
        self._last_update_id += 1
        update_id = self._last_update_id
        body = {key: value for key, value in update.items() if key != "update_id"}
        kind = next(iter(body), "")
        allowed = self._allowed_updates
        if (kind in allowed) if allowed is not None else (kind not in _NOT_BY_DEFAULT):
            self._updates.append({"update_id": update_id, **body})
            self._newest_queued_id = update_id
            self._wake_poller("update")
            self._update_waiting.set()
        return update_id

    def inject(self, update: dict[str, Any]) -> int:
        """Queue a raw update built by a test (a fuzzer's, say) as Telegram would deliver it.

        Unlike push_update, the chats it names become known (so the bot's replies land and
        are recorded), and a callback query id not seen before may be answered once, as on
        Telegram; a replayed one stays answered (a second answer is refused)."""
        body = next(iter(v for k, v in update.items() if k != "update_id"), None)
        if isinstance(body, dict):
            message = body.get("message") if "chat_instance" in body else body
            chat = message.get("chat") if isinstance(message, dict) else body.get("chat")
            known = isinstance(chat, dict) and chat.get("id") in self._chats
            if isinstance(chat, dict) and isinstance(chat.get("id"), int) and not known:
                self._add_chat(dict(chat))
            query_id = body.get("id") if "chat_instance" in body else None
            sender = body.get("from")
            if isinstance(query_id, str) and query_id not in self._seen_callbacks:
                self._seen_callbacks.add(query_id)
                if isinstance(sender, dict):
                    self._open_callbacks[query_id] = sender.get("id", 0)
        return self.push_update(update)

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until the bot fetched every queued update and has made no request for 50 ms."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            quiet_for = time.monotonic() - self._last_activity
            fetched = self._fetched_upto >= self._newest_queued_id
            if fetched and self._busy == 0 and quiet_for >= _QUIET:
                return
            if loop.time() >= deadline:
                raise TimeoutError(f"stand-in not idle after {timeout}s; {self.diagnostics()}")
            await asyncio.sleep(max(_QUIET - quiet_for, 0.005))

    def diagnostics(self, chat_id: int | None = None, last: int = 8) -> str:
        """A short description of recent traffic, for failure messages."""
        unfetched = self._newest_queued_id - max(self._fetched_upto, 0)
        calls = self.calls
        if chat_id is not None:
            calls = [c for c in calls if c.params.get("chat_id") in (chat_id, str(chat_id))]
        lines = [f"{unfetched} queued update(s) not yet fetched by getUpdates"]
        lines.append(f"last {min(last, len(calls))} relevant call(s):")
        for call in calls[-last:]:
            shown = {k: v for k, v in call.params.items() if k != "reply_markup"}
            error = f" {call.error}" if call.error else ""
            lines.append(f"  {call.method} {call.status}{error} {shown}"[:300])
        if self.errors:
            lines.append(f"stand-in internal errors: {self.errors[-3:]!r}")
        return "\n".join(lines)

    # ------------------------------------------------------------ HTTP

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        name, handler = self._methods.get(method.lower(), (method, None))
        call = ApiCall(name, {}, time.monotonic(), 0)
        self.calls.append(call)
        self._calls_by_method[name].append(call)
        polling = name == "getUpdates"
        self._last_activity = call.at
        if not polling:
            self._busy += 1
        body: dict[str, Any]
        try:
            call.params = await self._read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            fault = self.fault(name, call.params) if self.fault is not None else None
            if fault is not None and fault.kind == "error":
                raise ApiError(
                    fault.status, fault.description, fault.retry_after, fault.migrate_to_chat_id
                )
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if fault is not None and not fault.applied:  # lost or slow on the way in
                if fault.kind == "reset":
                    call.error = "connection reset before it was handled (injected)"
                    self._cut(request, b"")
                call.error = f"held {fault.seconds}s before it was handled (injected)"
                await asyncio.sleep(fault.seconds)  # cancelled if the client gives up
            result = handler(call.params)
            if inspect.isawaitable(result):
                result = await result
            status, body = 200, {"ok": True, "result": result}
            if fault is not None and fault.applied:  # done, but the answer is lost or slow
                if fault.kind == "reset":
                    call.error = "connection reset after it was handled (injected)"
                    self._cut(request, json.dumps(body).encode())
                call.error = f"answer held {fault.seconds}s (injected)"
                await asyncio.sleep(fault.seconds)  # cancelled if the client gives up
        except ApiError as err:
            status = err.status
            body = {"ok": False, "error_code": status, "description": err.description}
            if err.retry_after is not None:
                body["parameters"] = {"retry_after": err.retry_after}
            if err.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": err.migrate_to_chat_id}
            call.error = err.description
        except asyncio.CancelledError:  # the client went away, or an injected reset
            call.status = 499
            call.error = call.error or "client closed the connection"
            raise
        except Exception as exc:  # a stand-in bug: answer 500 and keep it for diagnostics
            self.errors.append(exc)
            status = 500
            call.error = f"Internal Server Error: stand-in failed: {exc!r}"
            body = {"ok": False, "error_code": 500, "description": call.error}
        finally:
            if not polling:
                self._busy -= 1
            self._last_activity = time.monotonic()
        call.status = status
        return web.json_response(body, status=status)

    @staticmethod
    def _cut(request: web.Request, body: bytes) -> NoReturn:
        """Close the connection mid-answer: the status line, headers promising the whole
        ``body`` and half of it are written straight to the socket, which is then reset."""
        transport = request.transport
        if transport is not None:
            if body:
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                )
                transport.write(head.encode() + body[: len(body) // 2])
            transport.abort()
        raise asyncio.CancelledError  # nothing more is written for this request

    async def _read_params(self, request: web.Request) -> Params:
        """Merge query string and body (form, multipart or JSON) and decode typed values."""
        raw: dict[str, Any] = dict(request.query)
        try:
            if request.method == "POST" and request.can_read_body:
                content_type = request.content_type
                if content_type == "application/json":
                    body = await request.json()
                    if isinstance(body, dict):
                        raw.update(body)
                elif content_type.startswith("multipart/"):
                    await self._read_multipart(request, raw)
                else:
                    raw.update(await request.post())
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except ValueError as err:
            raise bad_request(f"can't parse request body: {err}") from None
        params: Params = {}
        for key, value in raw.items():
            if isinstance(value, str):
                value = _decode_value(key, value, raw)
            params[key] = value
        return params

    @staticmethod
    async def _read_multipart(request: web.Request, raw: dict[str, Any]) -> None:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read())
                raw[part.name] = Upload(part.filename, part.headers.get("Content-Type"), content)
            else:
                raw[part.name] = await part.text()

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self._file_paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, headers={"Content-Type": content_type})

    # Control endpoints so `python -m standin` can be driven by hand (curl).

    async def _control_text(self, request: web.Request) -> web.Response:
        user = self.user(int(request.match_info["user_id"]))
        message = await user.send_text(await request.text())
        return web.json_response(message)

    async def _control_press(self, request: web.Request) -> web.Response:
        user = self.user(int(request.match_info["user_id"]))
        try:
            query_id = await user.press(await request.text())
        except LookupError as err:
            return web.json_response({"error": str(err)}, status=404)
        return web.json_response({"callback_query_id": query_id})

    async def _control_chat(self, request: web.Request) -> web.Response:
        chat = self._chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            return web.json_response({"error": "chat not found"}, status=404)
        return web.json_response([m.view() for m in chat.messages.values()])

    # ------------------------------------------------------------ state helpers

    def _add_chat(self, info: dict[str, Any]) -> ChatState:
        chat = ChatState(info)
        self._chats[chat.id] = chat
        if info.get("username"):
            self._usernames[info["username"].lower()] = chat.id
        return chat

    def _wake_poller(self, reason: str) -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(reason)

    def _chat_for(self, params: Params, *, write: bool = True) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat_id = self._usernames.get(chat_id[1:].lower())
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if write and chat.blocked:
            raise ApiError(403, _BLOCKED)
        return chat

    def _output(
        self, chat: ChatState, method: str, stored: StoredMessage | None, params: Params
    ) -> None:
        chat.add_output(BotOutput(method, stored.view() if stored else None, params))

    def _user_message(
        self,
        chat: ChatState,
        sender: dict[str, Any] | None,
        kind: str,
        text: str,
        fields: dict[str, Any],
    ) -> StoredMessage:
        """Store a message written by a user (or a channel post when sender is None)."""
        api: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "date": int(time.time()),
            "chat": chat.info,
        }
        if sender is None:
            api["sender_chat"] = chat.info
        else:
            api["from"] = sender
        api.update(fields)
        stored = StoredMessage(api, text, text, False, kind, None)
        chat.messages[stored.message_id] = stored
        return stored

    def _push_callback(
        self, user: FakeUser, chat: ChatState, stored: StoredMessage, data: str
    ) -> str:
        query_id = str(next(self._ids) + 4_000_000_000_000)
        self._open_callbacks[query_id] = user.id
        query = {
            "id": query_id,
            "from": user.api_user,
            "message": stored.api,
            "chat_instance": str(abs(chat.id) * 7 + 1),
            "data": data,
        }
        self._pressed[query_id] = query
        self.push_update({"callback_query": query})
        return query_id

    def replay_callback(self, query_id: str) -> int:
        """Deliver a button press again, as Telegram does with updates a bot never confirmed
        (after a crash or a dropped connection). Answering it again is refused, as there."""
        return self.push_update({"callback_query": self._pressed[query_id]})

    def _store_file(
        self, kind: str, filename: str | None, mime_type: str | None, content: bytes
    ) -> StoredFile:
        n = next(self._ids)
        if mime_type is None and filename:
            mime_type = mimetypes.guess_type(filename)[0]
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        folder = {"photo": "photos", "document": "documents"}.get(kind, kind)
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}AgAD{self.bot_id}x{n}",
            file_unique_id=f"AQAD{n}",
            kind=kind,
            filename=filename,
            mime_type=mime_type,
            content=content,
            file_path=f"{folder}/file_{n}{suffix}",
        )
        self._files[stored.file_id] = stored
        if kind == "photo":
            self._files[stored.file_id + "_s"] = stored  # the thumbnail size in photo_sizes()
        self._file_paths[stored.file_path] = stored
        return stored

    # ------------------------------------------------------------ validation

    @staticmethod
    def _parse(
        text: str, parse_mode: Any, entities: Any = None
    ) -> tuple[str, list[dict[str, Any]]]:
        try:
            return parse_text(text, parse_mode, entities if isinstance(entities, list) else None)
        except FormatError as err:
            raise bad_request(f"can't parse entities: {err}") from None

    def _message_text(self, params: Params) -> tuple[str, str, list[dict[str, Any]]]:
        text = params.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        text = str(text)
        plain, entities = self._parse(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > 4096:
            raise bad_request("message is too long")
        return text, plain, entities

    def _caption(self, params: Params) -> tuple[str, str, list[dict[str, Any]]]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return "", "", []
        caption = str(caption)
        entities = params.get("caption_entities")
        plain, found = self._parse(caption, params.get("parse_mode"), entities)
        if utf16_len(plain) > 1024:
            raise bad_request("message caption is too long")
        return caption, plain, found

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
        """Validate reply_markup like Telegram; returns the inline keyboard markup or None."""
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise bad_request("inline keyboard expected")
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: field must be an Array")
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            elif "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                    raise bad_request("BUTTON_URL_INVALID")
            elif not any(kind in button for kind in _BUTTON_KINDS):
                raise bad_request("BUTTON_DATA_INVALID")
        return markup

    # ------------------------------------------------------------ bot messages

    def _bot_message(
        self,
        chat: ChatState,
        params: Params,
        kind: str,
        text: str,
        plain: str,
        fields: dict[str, Any],
    ) -> StoredMessage:
        markup = params.get("reply_markup") or None
        inline = self._check_markup(markup)
        api: dict[str, Any] = {
            "message_id": 0,
            "date": int(time.time()),
            "chat": chat.info,
        }
        if chat.info["type"] == "channel":
            api["sender_chat"] = chat.info
        else:
            api["from"] = self._bot_user
        replied = self._replied_message(chat, params)
        if replied is not None:
            api["reply_to_message"] = {
                k: v for k, v in replied.api.items() if k != "reply_to_message"
            }
        api.update(fields)
        if inline is not None:
            api["reply_markup"] = inline
        api["message_id"] = chat.next_message_id()  # only after validation succeeded
        stored = StoredMessage(api, text, plain, True, kind, markup)
        chat.messages[stored.message_id] = stored
        if markup and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        return stored

    @staticmethod
    def _replied_message(chat: ChatState, params: Params) -> StoredMessage | None:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get("reply_to_message_id")
        if message_id is None:
            return None
        replied = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if replied is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return replied

    def _edit_target(self, params: Params) -> tuple[ChatState, StoredMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not modelled
        chat = self._chat_for(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    def _replace(
        self,
        chat: ChatState,
        old: StoredMessage,
        changes: dict[str, Any],
        inline: dict[str, Any] | None,
        text: str,
        plain: str,
    ) -> StoredMessage:
        """Store an edited copy of a bot message (the old api dict is left untouched)."""
        dropped = {"reply_markup", *changes}
        api = {k: v for k, v in old.api.items() if k not in dropped}
        api.update({k: v for k, v in changes.items() if v})
        api["edit_date"] = int(time.time())
        if inline is not None:
            api["reply_markup"] = inline
        new = StoredMessage(api, text, plain, True, old.kind, inline)
        chat.messages[new.message_id] = new
        return new

    # ------------------------------------------------------------ methods

    @staticmethod
    def _ok(params: Params) -> bool:
        return True

    def _get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: Params) -> bool:
        self.webhook_url = ""
        self._update_waiting.set()  # the sender stops
        self._webhook_task = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
            self._fetched_upto = self._newest_queued_id
        return True

    def _set_webhook(self, params: Params) -> bool:
        """Deliver updates by HTTPS POST from now on, as Telegram does: to ``url`` with the
        secret in X-Telegram-Bot-Api-Secret-Token, one request at a time per chat (the next
        waits for the answer), up to ``max_connections`` at once, retrying until a 2xx."""
        self.webhook_url = str(params.get("url") or "")
        self.webhook_params = dict(params)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else None
        if self.webhook_url and self._webhook_task is None:
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_forever())
        self._update_waiting.set()
        return True

    def redeliver(self, update: dict[str, Any]) -> None:
        """Queue an update again with its own update_id (Telegram retrying, or a replay)."""
        self._updates.append(dict(update))
        self._newest_queued_id = max(self._newest_queued_id, int(update["update_id"]))
        self._update_waiting.set()
        self._wake_poller("update")

    @staticmethod
    def _chat_of(update: dict[str, Any]) -> int:
        body = next((v for k, v in update.items() if k != "update_id"), {})
        if not isinstance(body, dict):
            return 0
        chat = body.get("chat") or (body.get("message") or {}).get("chat") or body.get("from")
        return int(chat.get("id", 0)) if isinstance(chat, dict) else 0

    async def _deliver_forever(self) -> None:
        """The webhook's sender: per-chat lanes, in order, retried until answered 2xx."""
        limit = asyncio.Semaphore(
            max(1, min(100, _as_int(self.webhook_params.get("max_connections"), 40)))
        )
        lanes: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        workers: dict[int, asyncio.Task[None]] = {}
        turn = itertools.count()

        def target() -> str:
            spread = self.webhook_spread
            return spread[next(turn) % len(spread)] if spread else self.webhook_url

        async def lane(chat: int, queue: asyncio.Queue[dict[str, Any]]) -> None:
            while self.webhook_url:
                update = await queue.get()
                while self.webhook_url:
                    status = 0
                    headers = {"Content-Type": "application/json"}
                    secret = self.webhook_params.get("secret_token")
                    if secret:
                        headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
                    self._busy += 1
                    try:
                        async with (
                            limit,
                            http.post(
                                target(),
                                data=json.dumps(update),
                                headers=headers,
                                timeout=aiohttp.ClientTimeout(total=60),
                            ) as resp,
                        ):
                            status = resp.status
                    except (aiohttp.ClientError, TimeoutError):
                        status = 0
                    finally:
                        self._busy -= 1
                        self._last_activity = time.monotonic()
                    self.deliveries.append((int(update["update_id"]), status))
                    if 200 <= status < 300:
                        self._fetched_upto = max(self._fetched_upto, int(update["update_id"]))
                        break
                    await asyncio.sleep(0.2)  # Telegram retries too, more patiently

        async with aiohttp.ClientSession() as http:
            try:
                while self.webhook_url and not self._stopping:
                    while self._updates:
                        update = self._updates.popleft()
                        chat = self._chat_of(update)
                        if chat not in lanes:
                            lanes[chat] = asyncio.Queue()
                            workers[chat] = asyncio.create_task(lane(chat, lanes[chat]))
                        lanes[chat].put_nowait(update)
                    self._update_waiting.clear()
                    await self._update_waiting.wait()
            finally:
                for task in workers.values():
                    task.cancel()
                await asyncio.gather(*workers.values(), return_exceptions=True)

    def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = params.get("offset")
        limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
        timeout = min(max(_as_float(params.get("timeout"), 0.0), 0.0), 50.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else None
        if isinstance(offset, int) and offset:
            self._confirm(offset)
        self._wake_poller("conflict")  # the older request loses, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = list(itertools.islice(self._updates, limit))
            if batch:
                self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
                return batch
            remaining = deadline - loop.time()
            if self._stopping or remaining <= 0:
                return []
            waiter: asyncio.Future[str] = loop.create_future()
            self._poller = waiter
            try:
                await asyncio.wait([waiter], timeout=remaining)
            finally:
                if self._poller is waiter:
                    self._poller = None
                waiter.cancel()  # no-op when it already has a result
            if not waiter.cancelled() and waiter.result() == "conflict":
                raise ApiError(409, _CONFLICT)

    def _confirm(self, offset: int) -> None:
        """Forget updates the bot confirmed (Telegram's offset semantics)."""
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        self._fetched_upto = max(self._fetched_upto, offset - 1)

    def _send_message(self, params: Params) -> dict[str, Any]:
        chat = self._chat_for(params)
        text, plain, entities = self._message_text(params)
        fields: dict[str, Any] = {"text": plain}
        if entities:
            fields["entities"] = entities
        stored = self._bot_message(chat, params, "text", text, plain, fields)
        self._output(chat, "sendMessage", stored, params)
        return stored.api

    def _edit_message_text(self, params: Params) -> dict[str, Any]:
        chat, old = self._edit_target(params)
        if old.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, plain, entities = self._message_text(params)
        inline = self._check_markup(params.get("reply_markup"), inline_only=True)
        unchanged = (
            plain == old.api.get("text")
            and entities == old.api.get("entities", [])
            and inline == old.api.get("reply_markup")
        )
        if unchanged:
            raise bad_request(_NOT_MODIFIED)
        changes = {"text": plain, "entities": entities}
        new = self._replace(chat, old, changes, inline, text, plain)
        self._output(chat, "editMessageText", new, params)
        return new.api

    def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        chat, old = self._edit_target(params)
        inline = self._check_markup(params.get("reply_markup"), inline_only=True)
        if inline == old.api.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        new = self._replace(chat, old, {}, inline, old.text, old.plain)
        self._output(chat, "editMessageReplyMarkup", new, params)
        return new.api

    def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        chat, old = self._edit_target(params)
        if old.kind not in ("document", "photo"):
            raise bad_request("there is no caption in the message to edit")
        caption, plain, entities = self._caption(params)
        inline = self._check_markup(params.get("reply_markup"), inline_only=True)
        unchanged = (
            plain == old.api.get("caption", "")
            and entities == old.api.get("caption_entities", [])
            and inline == old.api.get("reply_markup")
        )
        if unchanged:
            raise bad_request(_NOT_MODIFIED)
        changes = {"caption": plain, "caption_entities": entities}
        new = self._replace(chat, old, changes, inline, caption, plain)
        self._output(chat, "editMessageCaption", new, params)
        return new.api

    def _delete_message(self, params: Params) -> bool:
        chat = self._chat_for(params, write=False)
        message_id = params.get("message_id")
        stored = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if stored is None:
            raise bad_request("message to delete not found")
        del chat.messages[stored.message_id]
        self._output(chat, "deleteMessage", None, params)
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        user_id = self._open_callbacks.pop(query_id, None)
        if user_id is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        answer = {
            "callback_query_id": query_id,
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
        }
        user = self._users.get(user_id)
        if user is not None:
            user._record_answer(answer)
        return True

    def _send_file(self, params: Params, method: str, kind: str) -> dict[str, Any]:
        chat = self._chat_for(params)
        stored_file = self._file_param(params.get(kind), kind)
        caption, plain, entities = self._caption(params)
        fields: dict[str, Any] = {}
        if kind == "photo":
            fields["photo"] = photo_sizes(stored_file)
        else:
            fields["document"] = document_json(stored_file)
        if plain:
            fields["caption"] = plain
        if entities:
            fields["caption_entities"] = entities
        stored = self._bot_message(chat, params, kind, caption, plain, fields)
        self._sent_files.append(
            SentFile(method, chat.id, stored_file.filename, stored_file.content, caption or None)
        )
        self._output(chat, method, stored, params)
        return stored.api

    def _file_param(self, source: Any, kind: str) -> StoredFile:
        """Resolve an upload, a known file_id or a URL into a stored file."""
        if isinstance(source, Upload):
            if source.size > _MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            if not source.content:
                raise bad_request("file must be non-empty")
            if kind == "photo" and image_size(source.content) is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self._store_file(kind, source.filename, source.content_type, source.content)
        if not isinstance(source, str) or not source:
            raise bad_request(f"there is no {kind} in the request")
        if source.startswith(("http://", "https://")):
            # URLs are not fetched; the file is recorded without content.
            name = source.rsplit("/", 1)[-1].split("?", 1)[0] or None
            return self._store_file(kind, name, None, b"")
        stored = self._files.get(source)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind and "photo" in (kind, stored.kind):
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _get_file(self, params: Params) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.content) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _send_chat_action(self, params: Params) -> bool:
        self._chat_for(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _scope_key(self, params: Params) -> str:
        """Key for ``commands``: "default", "chat:<id>", ... plus ":<language_code>"."""
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type", "default")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            key = kind
        elif kind in ("chat", "chat_administrators"):
            key = f"{kind}:{scope.get('chat_id')}"
        elif kind == "chat_member":
            key = f"chat_member:{scope.get('chat_id')}:{scope.get('user_id')}"
        else:
            raise bad_request("wrong BotCommandScope type specified")
        language = params.get("language_code")
        return f"{key}:{language}" if language else key

    def _set_my_commands(self, params: Params) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        stored: list[dict[str, Any]] = []
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = self._scope_key(params)
        if stored:
            self.commands[key] = stored
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: Params) -> list[dict[str, Any]]:
        return list(self.commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _set_chat_menu_button(self, params: Params) -> bool:
        key = f"menu_button:{params['chat_id']}" if params.get("chat_id") else "menu_button"
        self.profile[key] = params.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        key = f"menu_button:{params['chat_id']}" if params.get("chat_id") else "menu_button"
        return self.profile.get(key) or self.profile.get("menu_button") or {"type": "default"}

    def _set_profile(self, params: Params, field: str, max_length: int) -> bool:
        value = str(params.get(field) or "")
        if len(value) > max_length:
            raise bad_request(f"{field.upper()}_INVALID")
        language = params.get("language_code")
        self.profile[f"{field}:{language}" if language else field] = value
        return True

    def _get_profile(self, params: Params, field: str) -> dict[str, Any]:
        language = params.get("language_code")
        key = f"{field}:{language}" if language else field
        return {field: self.profile.get(key, self.profile.get(field, ""))}

    def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat_for(params, write=False)
        gifts = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return {
            **chat.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }


# ---------------------------------------------------------------- module helpers


def _decode_value(key: str, value: str, raw: dict[str, Any]) -> Any:
    """Form values are strings; JSON-valued and numeric params are decoded by name."""
    if value.startswith("attach://"):
        return raw.get(value[len("attach://") :], value)
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {key} JSON object") from None
    if key in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # e.g. "@channelusername"
    if key in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    return value


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _as_float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
