"""Fake users, groups and channels: tests act through them and read what the bot did.

Actions enqueue updates on the stand-in (the bot fetches them with getUpdates); outputs are
what the bot sent, edited or deleted in the chat, in order.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from .formatting import utf16_len
from .media import document_json, photo_sizes, tiny_png
from .models import BotOutput, ChatState, StoredMessage, button_texts

if TYPE_CHECKING:
    from .server import BotApiStandin

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_STICKER = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x000\x01\x00\x9d\x01*\x01\x00\x01\x00"
_VOICE = b"OggS\x00\x02" + bytes(26)


def _text_fields(text: str) -> dict[str, Any]:
    """A user's text as Telegram delivers it: a leading /command gets a bot_command entity."""
    fields: dict[str, Any] = {"text": text}
    match = _COMMAND_RE.match(text)
    if match:
        length = utf16_len(match.group())
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return fields


def _keyboard_message(chat: ChatState, message_id: int | None) -> StoredMessage:
    if message_id is not None:
        stored = chat.messages.get(message_id)
        if stored is None:
            raise LookupError(f"no message {message_id} in chat {chat.id}")
        return stored
    for stored in reversed(chat.messages.values()):
        if stored.from_bot and stored.inline_keyboard:
            return stored
    raise LookupError(f"no bot message with an inline keyboard in chat {chat.id}")


def _button_data(stored: StoredMessage, label: str) -> str:
    """callback_data of the button labelled `label` (exact, else case-insensitive substring)."""
    buttons = [button for row in stored.inline_keyboard or [] for button in row]
    match = next((b for b in buttons if b.get("text") == label), None)
    if match is None:
        wanted = label.casefold()
        match = next((b for b in buttons if wanted in str(b.get("text", "")).casefold()), None)
    if match is None:
        texts = [b.get("text") for b in buttons]
        raise LookupError(
            f"no button {label!r} on message {stored.message_id} "
            f"({stored.plain[:60]!r}); buttons: {texts}"
        )
    if "callback_data" not in match:
        raise LookupError(f"button {match.get('text')!r} has no callback_data: {match}")
    return str(match["callback_data"])


class _ChatView:
    """What the bot did in one chat: current messages and a queue of outputs."""

    def __init__(self, standin: BotApiStandin, chat: ChatState) -> None:
        self._standin = standin
        self._chat = chat

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message in the chat as it looks now (after edits, without deleted ones)."""
        return [stored.view() for stored in self._chat.messages.values()]

    def last_bot_message(self) -> dict[str, Any] | None:
        for stored in reversed(self._chat.messages.values()):
            if stored.from_bot:
                return stored.view()
        return None

    async def next_output(self, timeout: float = 5.0) -> BotOutput:
        """Pop the next thing the bot did here, waiting up to `timeout` seconds."""
        chat = self._chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not chat.outputs:
            chat.output_event.clear()
            remaining = deadline - loop.time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                await asyncio.wait_for(chat.output_event.wait(), remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"the bot did nothing to chat {chat.id} within {timeout}s\n"
                    + self._standin.diagnostics(chat.id)
                ) from None
        return chat.outputs.popleft()

    async def expect_no_output(self, within: float = 0.3) -> None:
        """Fail if the bot does anything here within `within` seconds (pending, not yet
        consumed outputs count too; call drain() first to ignore them)."""
        chat = self._chat
        if not chat.outputs:
            chat.output_event.clear()
            try:
                await asyncio.wait_for(chat.output_event.wait(), within)
            except TimeoutError:
                return
        raise AssertionError(f"expected no output to chat {chat.id}, got {chat.outputs[0]!r}")

    def drain(self) -> list[BotOutput]:
        outputs = list(self._chat.outputs)
        self._chat.outputs.clear()
        return outputs

    async def _post(
        self,
        sender: dict[str, Any] | None,
        kind: str,
        text: str,
        fields: dict[str, Any],
        update_type: str = "message",
    ) -> dict[str, Any]:
        stored = self._standin._user_message(self._chat, sender, kind, text, fields)
        self._standin.push_update({update_type: stored.api})
        await asyncio.sleep(0)  # let a waiting long poll answer
        return stored.view()


class FakeUser(_ChatView):
    """A Telegram user in a private chat with the bot."""

    def __init__(
        self, standin: BotApiStandin, chat: ChatState, *, language_code: str | None
    ) -> None:
        super().__init__(standin, chat)
        info = chat.info
        self.id: int = chat.id
        self.first_name: str = info["first_name"]
        self.last_name: str | None = info.get("last_name")
        self.username: str | None = info.get("username")
        self.language_code = language_code
        self.callback_answers: list[dict[str, Any]] = []
        self._pending_answers: deque[dict[str, Any]] = deque()
        self._answer_event = asyncio.Event()
        self.api_user: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
        }
        if self.last_name is not None:
            self.api_user["last_name"] = self.last_name
        if self.username is not None:
            self.api_user["username"] = self.username
        if language_code is not None:
            self.api_user["language_code"] = language_code

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def blocked(self) -> bool:
        """When True, every send/edit to this chat fails with 403 like a blocked bot."""
        return self._chat.blocked

    @blocked.setter
    def blocked(self, value: bool) -> None:
        self._chat.blocked = value

    @property
    def keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard the bot currently shows this user, if any."""
        markup = self._chat.reply_keyboard
        return button_texts(markup) if markup is not None else None

    # ---------------------------------------------------------------- actions

    async def send_text(self, text: str) -> dict[str, Any]:
        return await self._post(self.api_user, "text", text, _text_fields(text))

    async def send_command(self, command: str, payload: str | None = None) -> dict[str, Any]:
        """Send "/command payload"; `command` is given without the slash."""
        text = f"/{command.lstrip('/')}"
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(text)}
        if payload:
            text += f" {payload}"
        fields = {"text": text, "entities": [entity]}
        return await self._post(self.api_user, "text", text, fields)

    async def edit_text(self, message_id: int, text: str) -> dict[str, Any]:
        """Edit one of this user's own messages (an edited_message update)."""
        old = self._chat.messages.get(message_id)
        if old is None or old.from_bot:
            raise LookupError(f"user {self.id} has no message {message_id} to edit")
        api = {k: v for k, v in old.api.items() if k not in ("text", "entities")}
        api.update(_text_fields(text))
        api["edit_date"] = int(time.time())
        stored = StoredMessage(api, text, text, False, old.kind, None)
        self._chat.messages[message_id] = stored
        self._standin.push_update({"edited_message": api})
        await asyncio.sleep(0)
        return stored.view()

    async def send_sticker(self) -> dict[str, Any]:
        stored = self._standin._store_file("sticker", None, "image/webp", _STICKER)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": len(stored.content),
        }
        return await self._post(self.api_user, "sticker", "", {"sticker": sticker})

    async def send_photo(self) -> dict[str, Any]:
        stored = self._standin._store_file("photo", None, "image/png", tiny_png())
        return await self._post(self.api_user, "photo", "", {"photo": photo_sizes(stored)})

    async def send_voice(self) -> dict[str, Any]:
        stored = self._standin._store_file("voice", None, "audio/ogg", _VOICE)
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": 2,
            "mime_type": "audio/ogg",
            "file_size": len(stored.content),
        }
        return await self._post(self.api_user, "voice", "", {"voice": voice})

    async def send_location(
        self, latitude: float = 51.5, longitude: float = -0.1
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return await self._post(self.api_user, "location", "", {"location": location})

    async def send_contact(self, phone_number: str = "+447700900123") -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": self.first_name, "user_id": self.id}
        return await self._post(self.api_user, "contact", "", {"contact": contact})

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a file; getFile and the file URL serve `content` back to the bot."""
        stored = self._standin._store_file("document", filename, mime_type, content)
        fields: dict[str, Any] = {"document": document_json(stored)}
        if caption:
            fields["caption"] = caption
        return await self._post(self.api_user, "document", caption or "", fields)

    def delete_message(self, message_id: int) -> None:
        """Delete a message for both sides, as a user may in a private chat: the bot can no
        longer edit it."""
        del self._chat.messages[message_id]

    async def press(self, button: str, *, message_id: int | None = None) -> str:
        """Press an inline button by label on a bot message (default: the newest one with an
        inline keyboard); returns the callback query id."""
        stored = _keyboard_message(self._chat, message_id)
        return await self._press(stored, _button_data(stored, button))

    async def press_data(self, data: str, *, message_id: int | None = None) -> str:
        """Send arbitrary (possibly forged) callback data, as a tampering client could."""
        if message_id is None:
            bot_messages = [m for m in self._chat.messages.values() if m.from_bot]
            with_keyboard = [m for m in bot_messages if m.inline_keyboard]
            candidates = with_keyboard or bot_messages
            if not candidates:
                raise LookupError(f"no bot message in chat {self.id} to press on")
            stored = candidates[-1]
        else:
            stored = _keyboard_message(self._chat, message_id)
        return await self._press(stored, data)

    async def _press(self, stored: StoredMessage, data: str) -> str:
        query_id = self._standin._push_callback(self, self._chat, stored, data)
        await asyncio.sleep(0)
        return query_id

    # ---------------------------------------------------------------- callback answers

    def drain_callback_answers(self) -> list[dict[str, Any]]:
        """Pop every callback answer not yet read, without waiting."""
        answers = list(self._pending_answers)
        self._pending_answers.clear()
        return answers

    async def next_callback_answer(self, timeout: float = 5.0) -> dict[str, Any]:
        """Pop the next answerCallbackQuery the bot made for this user's presses."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending_answers:
            self._answer_event.clear()
            remaining = deadline - loop.time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                await asyncio.wait_for(self._answer_event.wait(), remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"no answerCallbackQuery for user {self.id} within {timeout}s\n"
                    + self._standin.diagnostics()
                ) from None
        return self._pending_answers.popleft()

    def _record_answer(self, answer: dict[str, Any]) -> None:
        self.callback_answers.append(answer)
        self._pending_answers.append(answer)
        self._answer_event.set()


class FakeGroup(_ChatView):
    """A group or supergroup; members are FakeUsers."""

    async def send_text(self, user: FakeUser, text: str) -> dict[str, Any]:
        return await self._post(user.api_user, "text", text, _text_fields(text))

    async def send_command(
        self, user: FakeUser, command: str, payload: str | None = None
    ) -> dict[str, Any]:
        text = f"/{command.lstrip('/')}"
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(text)}
        if payload:
            text += f" {payload}"
        return await self._post(user.api_user, "text", text, {"text": text, "entities": [entity]})

    async def press(self, user: FakeUser, button: str, *, message_id: int | None = None) -> str:
        """`user` presses an inline button on a bot message in this group."""
        stored = _keyboard_message(self._chat, message_id)
        return await self.press_data(user, _button_data(stored, button), message_id=message_id)

    async def press_data(self, user: FakeUser, data: str, *, message_id: int | None = None) -> str:
        """`user` sends arbitrary (possibly forged) callback data from a bot message here."""
        stored = _keyboard_message(self._chat, message_id)
        query_id = self._standin._push_callback(user, self._chat, stored, data)
        await asyncio.sleep(0)
        return query_id


class FakeChannel(_ChatView):
    """A channel the bot is in; posts arrive as channel_post updates."""

    async def post(self, text: str) -> dict[str, Any]:
        return await self._post(None, "text", text, {"text": text}, update_type="channel_post")
