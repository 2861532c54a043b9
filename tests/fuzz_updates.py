"""Hypothesis strategies for hostile Telegram updates, and the oracle's helpers.

Every update is well formed for the Bot API (Telegram never sends a broken structure); what is
hostile is what it carries and where it comes from. Each generated update comes with the most
messages the bot may send, edit or delete in its chat in answer (``budget``).
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

BOT_ID = 123456
BOT_USERNAME = "markbot_test_bot"
HOSTILE_BASE = 555_000_000_000  # 12-digit ids: never a timestamp, easy to find in a file
GROUP_BASE = -1_005_550_000_000
CHANNEL_BASE = -1_005_560_000_000
POLL_CODE = "test-poll"

# Unicode a young person's phone, a prankster or a broken client may send.
ODD = [
    "\u202e",  # right-to-left override
    "\u200f",
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u2060",
    "\ufeff",
    "e\u0301\u0302\u0303\u0304",  # stacked combining marks
    "Z\u0337\u0322a\u0338l\u0336g\u0337o\u0335",
    "👩\u200d👩\u200d👧\u200d👦",
    "🏳️\u200d🌈",
    "🇬🇧🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
    "👍🏿",
    "\ud800",  # lone surrogates: JSON "\ud800" as a broken client sends it
    "\udfff",
    "\udbff",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u0085",
    "\u2028",
    "שלום",
    "مرحبا بالعالم",
    "𝕏𝔂𝔷",
    "ﷺ",
    "<b>",
    "</i>",
    "&amp;",
    "<a href='javascript:x'>",
    "{name}",
    "%s%d",
    "{0}",
    "'; DROP TABLE ballots;--",
    POLL_CODE,
    f"@{BOT_USERNAME}",
    "/start",
    '=HYPERLINK("http://x","y")',
    "I want to kill myself",  # a safeguarding phrase: signposting, never a crash
    "07700 900123",
]
COMMANDS = [
    "start", "help", "privacy", "cancel", "language", "stop",
    # staff commands, sent by strangers: they must look unknown and change nothing
    "newpoll", "preview", "session", "paper", "codes", "polls", "open", "close", "link",
    "results", "export", "invite", "workers", "broadcast", "contacts",
    "xyzzy", "START", "start@other_bot", f"start@{BOT_USERNAME}",
]  # fmt: skip
START_ARGS = [
    POLL_CODE, "TEST-POLL", "test-poll-x", "nope", "inv_" + "a" * 20, "inv_", "s_abc",
    "c_ABCD-EFGH", "x" * 64, "x" * 600, "../../etc/passwd", "%00", "test-poll test-poll",
]  # fmt: skip
ACTIONS = [
    *("go", "pv", "nt", "a", "dn", "un", "sk", "bk", "ok", "ch", "ed", "x", "xy", "xn", "sw"),
    *("zz", ""),
]
STEPS = ["n", "c", "e", "0", "1", "2", "3", "99", "-1", "", "x"]
MEDIA = {
    "sticker": {
        "file_id": "CAAD", "file_unique_id": "u1", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False,
    },
    "photo": [{"file_id": "PHO", "file_unique_id": "u2", "width": 90, "height": 90}],
    "voice": {"file_id": "VOI", "file_unique_id": "u3", "duration": 2},
    "video": {"file_id": "VID", "file_unique_id": "u4", "width": 1, "height": 1, "duration": 1},
    "video_note": {"file_id": "VNO", "file_unique_id": "u5", "length": 1, "duration": 1},
    "animation": {
        "file_id": "ANI", "file_unique_id": "u6", "width": 1, "height": 1, "duration": 1,
    },
    "audio": {"file_id": "AUD", "file_unique_id": "u7", "duration": 1},
    "document": {"file_id": "DOC", "file_unique_id": "u8", "file_name": "votes.csv"},
    "location": {"latitude": 51.5, "longitude": -0.1},
    "venue": {
        "location": {"latitude": 51.5, "longitude": -0.1}, "title": "Town hall",
        "address": "1 High St",
    },
    "contact": {"phone_number": "+447700900123", "first_name": "Sam"},
    "dice": {"emoji": "🎲", "value": 3},
    "poll": {
        "id": "p1", "question": "Q?",
        "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False, "allows_revoting": False, "members_only": False,
    },
    "new_chat_members": [{"id": 42, "is_bot": False, "first_name": "New"}],
    "left_chat_member": {"id": 42, "is_bot": False, "first_name": "Old"},
    "new_chat_title": "Renamed",
    "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
}  # fmt: skip
UNHANDLED = {
    "inline_query": lambda u: {"id": "iq1", "from": u, "query": "x", "offset": ""},
    "chosen_inline_result": lambda u: {"result_id": "r", "from": u, "query": "x"},
    "shipping_query": lambda u: {
        "id": "sq", "from": u, "invoice_payload": "p",
        "shipping_address": {
            "country_code": "GB", "state": "", "city": "c", "street_line1": "s",
            "street_line2": "", "post_code": "p",
        },
    },
    "pre_checkout_query": lambda u: {
        "id": "pq", "from": u, "currency": "GBP", "total_amount": 1, "invoice_payload": "p",
    },
    "poll_answer": lambda u: {
        "poll_id": "p1", "user": u, "option_ids": [0], "option_persistent_ids": ["o1"],
    },
    "my_chat_member": lambda u: {
        "chat": _private(u), "from": u, "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": _bot_user()},
        "new_chat_member": {"status": "kicked", "user": _bot_user(), "until_date": 0},
    },
    "chat_join_request": lambda u: {
        "chat": {"id": GROUP_BASE - 1, "type": "supergroup", "title": "G"}, "from": u,
        "user_chat_id": u["id"], "date": int(time.time()),
    },
}  # fmt: skip

_message_ids = itertools.count(1_000_000)
_query_ids = itertools.count(9_000_000_000)


def _bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "markbot", "username": BOT_USERNAME}


def _private(user: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "username" in user:
        chat["username"] = user["username"]
    return chat


@dataclass
class Generated:
    """One generated update and what it may cause: at most ``budget`` messages sent, edited
    or deleted in its chat, and at most one answer to its callback query."""

    kind: str
    update: dict[str, Any]
    chat_id: int | None
    budget: int
    query_id: str | None = None
    identities: list[str] = field(default_factory=list)


def hostile_user(index: int, is_bot: bool, lang: str | None, suffix: str) -> dict[str, Any]:
    """A generated Telegram user: id, names and username all carry the id, to be searched for
    in the database and logs afterwards."""
    uid = HOSTILE_BASE + index * 7_777_777
    user: dict[str, Any] = {
        "id": uid,
        "is_bot": is_bot,
        "first_name": f"Fn{uid}{suffix}",
        "last_name": f"Ln{uid}",
        "username": f"un{uid}",
    }
    if lang is not None:
        user["language_code"] = lang
    return user


def identities(user: dict[str, Any]) -> list[str]:
    return [str(user["id"]), f"Fn{user['id']}", f"Ln{user['id']}", f"un{user['id']}"]


piece = st.one_of(
    st.text(max_size=20),
    st.sampled_from(ODD),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.integers(0, 0x1F).map(chr),
)
texts = st.one_of(
    st.lists(piece, max_size=10).map("".join),
    # up to Telegram's 4,096 characters without spending hypothesis' buffer on each one
    st.tuples(piece.filter(bool), st.integers(1, 4096)).map(lambda t: (t[0] * t[1])[:4096]),
)
users = st.builds(
    hostile_user,
    st.integers(0, 60),
    st.just(False),
    st.sampled_from([None, "en", "cy", "he", "ar", "zz", "en-GB", "x" * 40]),
    st.sampled_from(["", "\u202e", "👩\u200d👩\u200d👧", "\u0301"]),
)
bots = st.builds(hostile_user, st.integers(61, 70), st.just(True), st.none(), st.just(""))
senders = st.one_of(users, users, users, bots)


@st.composite
def callback_data(draw: st.DrawFn) -> str:
    """Forged button data: random, near-valid with a wrong journey/step/action, over-long, or
    another handler's prefix."""
    token = draw(st.one_of(st.from_regex(r"[a-z0-9]{4,12}", fullmatch=True), st.text(max_size=13)))
    head = [draw(st.sampled_from(["1", "1", "0", "2", ""])), token]
    tail = [draw(st.sampled_from(STEPS)), draw(st.sampled_from(ACTIONS))]
    args = draw(st.lists(st.sampled_from(["0", "1", "9", "99", "-1", "x", "1e9"]), max_size=2))
    forged = ":".join([*head, *tail, *args])
    return draw(
        st.one_of(
            st.just(forged),
            texts,
            st.sampled_from(["lang:", "lang:en", "lang:cy", "lang:zz", "lang:" + "x" * 60]),
            st.sampled_from(["sg:", "sg:done:1", "sg:yes", "sg:no", "sg:x:" + "9" * 50]),
            st.sampled_from(["s:tp:0", "s:tp:99", "s:rm:abc", "s:rm:", "sub:yes", "sub:no"]),
            st.just(forged * 8),  # far over Telegram's 64 bytes
        )
    )


def _message(chat: dict[str, Any], sender: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
    }
    if sender is not None:
        message["from"] = sender
    message.update(fields)
    return message


def _text_fields(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text}
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text)
    if match:
        length = len(match.group().encode("utf-16-le", "surrogatepass")) // 2
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return fields


@st.composite
def decorations(draw: st.DrawFn, chat: dict[str, Any]) -> dict[str, Any]:
    """Replies, forwards and the like that a message may carry."""
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        origin = draw(st.sampled_from(["user", "hidden_user", "channel"]))
        if origin == "user":
            extra["forward_origin"] = {"type": "user", "date": 1, "sender_user": draw(users)}
        elif origin == "hidden_user":
            extra["forward_origin"] = {"type": "hidden_user", "date": 1, "sender_user_name": "x"}
        else:
            extra["forward_origin"] = {
                "type": "channel", "date": 1, "message_id": 5,
                "chat": {"id": CHANNEL_BASE - 9, "type": "channel", "title": "C"},
            }  # fmt: skip
    if draw(st.booleans()):
        replied_from = draw(st.sampled_from([_bot_user(), None]))
        extra["reply_to_message"] = _message(chat, replied_from, text=draw(texts))
    return extra


@st.composite
def private_update(draw: st.DrawFn) -> Generated:
    """Something a stranger (or a bot, or nobody) does in a private chat with markbot."""
    sender = draw(senders)
    chat = _private(sender)
    kind = draw(
        st.sampled_from(
            ["text", "command", "command", "callback", "edited", "media", "nosender", "unhandled"]
        )
    )
    ids = identities(sender)
    if kind == "text":
        fields = {**_text_fields(draw(texts)), **draw(decorations(chat))}
        update = {"message": _message(chat, sender, **fields)}
        return Generated(kind, update, chat["id"], 2, identities=ids)
    if kind == "command":
        command = draw(st.sampled_from(COMMANDS))
        arg = draw(st.one_of(st.none(), st.sampled_from(START_ARGS), texts))
        text = f"/{command}" + (f" {arg}" if arg else "")
        update = {"message": _message(chat, sender, **_text_fields(text))}
        return Generated(kind, update, chat["id"], 2, identities=ids)
    if kind == "callback":
        query_id = str(next(_query_ids))
        message = draw(
            st.sampled_from(
                [
                    _message(chat, _bot_user(), text="An old screen"),
                    {"message_id": next(_message_ids), "date": 0, "chat": chat},  # inaccessible
                    None,
                ]
            )
        )
        query: dict[str, Any] = {
            "id": query_id,
            "from": sender,
            "chat_instance": str(sender["id"] * 7 + 1),
            "data": draw(callback_data()),
        }
        if message is None:
            query["inline_message_id"] = "AAAA"
        else:
            query["message"] = message
        return Generated(kind, {"callback_query": query}, chat["id"], 1, query_id, ids)
    if kind == "edited":
        message = _message(chat, sender, **_text_fields(draw(texts)))
        message["edit_date"] = int(time.time())
        return Generated(kind, {"edited_message": message}, chat["id"], 1, identities=ids)
    if kind == "media":
        name = draw(st.sampled_from(sorted(MEDIA)))
        fields = {name: MEDIA[name], **draw(decorations(chat))}
        if draw(st.booleans()) and name in ("photo", "document", "video", "animation", "audio"):
            fields["caption"] = draw(texts)
        update = {"message": _message(chat, sender, **fields)}
        return Generated(kind, update, chat["id"], 2, identities=ids)
    if kind == "nosender":
        update = {"message": _message(chat, None, **_text_fields(draw(texts)))}
        return Generated(kind, update, chat["id"], 2, identities=ids)
    name = draw(st.sampled_from(sorted(UNHANDLED)))
    return Generated(kind, {name: UNHANDLED[name](sender)}, chat["id"], 0, identities=ids)


@st.composite
def shared_update(draw: st.DrawFn) -> Generated:
    """Something in a group or channel markbot is in."""
    sender = draw(senders)
    ids = identities(sender)
    where = draw(st.sampled_from(["group", "supergroup", "channel"]))
    if where == "channel":
        chat = {"id": CHANNEL_BASE - draw(st.integers(0, 3)), "type": "channel", "title": "C"}
        body = _message(chat, None, sender_chat=chat, **_text_fields(draw(texts)))
        kind = draw(st.sampled_from(["channel_post", "edited_channel_post"]))
        if kind == "edited_channel_post":
            body["edit_date"] = int(time.time())
        return Generated(kind, {kind: body}, chat["id"], 1, identities=ids)
    chat = {"id": GROUP_BASE - draw(st.integers(0, 3)), "type": where, "title": "Youth forum"}
    text = draw(
        st.one_of(
            texts,
            st.sampled_from(COMMANDS).map(lambda c: f"/{c}"),
            texts.map(lambda t: f"@{BOT_USERNAME} {t}"),
        )
    )
    message = _message(
        chat,
        draw(st.one_of(st.just(sender), st.none())),
        **_text_fields(text),
        **draw(decorations(chat)),
    )
    if "from" not in message:
        message["sender_chat"] = chat  # an anonymous admin
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(MEDIA)))
        message.pop("text")
        message.pop("entities", None)
        message[name] = MEDIA[name]
    return Generated("group", {"message": message}, chat["id"], 1, identities=ids)


updates = st.one_of(private_update(), private_update(), private_update(), shared_update())
