"""What text markbot accepts: lone surrogates and control characters are cleaned where updates
come in, and one person's unwritable draft can't hold back everyone else's (SQLite's
write-behind; the end-to-end tests on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import Harness

from handlers.inputs import CleanRequest
from services.text_input import clean_data, clean_text
from storage.records import DraftRow
from storage.sqlite import SqliteStore
from tests.stored import rows

NOW = 1_790_000_000


def test_clean_text_keeps_real_text_and_its_utf16_length() -> None:
    kept = "Pam? אני 😀👩‍👩‍👧 e\u0301 \u200f\u200b\nline\ttab Cymraeg ŵ"
    assert clean_text(kept) == kept
    dirty = "a\ud800b\udfffc\x00d\x1b[31me\x7ff\x85g\rh"
    cleaned = clean_text(dirty)
    assert cleaned == "a\ufffdb\ufffdc d [31me f g h"
    assert len(cleaned.encode("utf-16-le")) == len(dirty.encode("utf-16-le", "surrogatepass"))
    cleaned.encode("utf-8")  # storable and sendable
    assert clean_data({"a": ["x\ud800", {"b": "\x00"}], "n": 3}) == {
        "a": ["x\ufffd", {"b": " "}],
        "n": 3,
    }


def test_updates_are_cleaned_as_they_are_decoded() -> None:
    update = {"message": {"text": "hi \ud800\u0007 😀", "from": {"first_name": "A\x00"}}}
    payload = json.dumps({"ok": True, "result": [update]}).encode()
    decoded = CleanRequest.parse_json_payload(payload)
    message = decoded["result"][0]["message"]
    assert message["text"] == "hi \ufffd  😀" and message["from"]["first_name"] == "A "
    plain = json.dumps({"ok": True, "result": [{"message": {"text": "Iawn 😀"}}]}).encode()
    assert CleanRequest.parse_json_payload(plain) == json.loads(plain)


async def test_one_unwritable_draft_does_not_hold_back_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with SqliteStore(tmp_path / "d.db") as store:
        pid = await store.add_poll("p1", "Title", "{}", None, None, "open")
        for n in range(5):
            state = '{"a":"\ud800"}' if n == 2 else f'{{"a":"{n}"}}'
            await store.save_draft(DraftRow(bytes([n]) * 16, f"t{n}", pid, state, NOW))
        assert await store.flush_drafts() == 4
        assert await store.flush_drafts() == 0  # not tried for ever
        assert await store.load_draft(bytes([2]) * 16) is not None  # still in memory
        owners = {owner for (owner,) in await rows(store, "drafts", "owner")}
    assert owners == {bytes([n]) * 16 for n in (0, 1, 3, 4)}
    assert any("could not be written" in r.getMessage() for r in caplog.records)


async def test_a_lone_surrogate_through_telegram_breaks_nothing(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await markbot.add_poll()
    user = markbot.user(2101)
    await user.send_command("start", "test-poll\ud800")  # a deep link nobody made
    assert "can't find that poll" in (await user.next_output()).plain
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in ("Start", "13-15", "North", "Climate"):
        await user.press(label)
        await user.next_output()
    await user.send_text("Because \ud800 buses\x00 are late")
    check = (await user.next_output(timeout=30)).plain
    assert "Check your answers" in check and "Because \ufffd buses  are late" in check
    await markbot.runtime.store.flush_drafts()  # raises if the database refuses it
    await user.press("Send my answers")
    assert "Thank you!" in (await user.next_output()).plain
    await markbot.standin.wait_idle()
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
    texts = await markbot.runtime.store.text_answers(
        (await markbot.runtime.store.get_poll("test-poll")).id  # type: ignore[union-attr]
    )
    assert [t[1] for t in texts] == ["Because \ufffd buses  are late"]
