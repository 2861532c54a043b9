"""Faults and hostile input through the Bot API stand-in: replayed taps, messages that are
gone, text no database or Telegram would take, and a database that can't write."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness, start_markbot

from bot.settings import Settings
from standin import BotApiStandin


def _problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_replayed_tap_is_answered_once_and_logs_no_error(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram redelivers a tap the bot never confirmed; the second answer is refused ("query
    is too old"). That is expected: no ERROR, and no third answer from the error handler."""
    await markbot.add_poll()
    user = markbot.user(2001)
    await user.send_command("start", "test-poll")
    await user.next_output()
    query_id = await user.press("Start")
    assert "How old are you?" in (await user.next_output()).plain
    await markbot.standin.wait_idle()
    caplog.clear()
    markbot.standin.replay_callback(query_id)
    await markbot.standin.wait_idle()
    answers = [
        c
        for c in markbot.standin.calls_to("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id
    ]
    assert len(answers) == 2 and answers[1].error  # the original, and the refused replay
    assert _problems(caplog) == []
    await user.expect_no_output(0.2)
    await user.press("13-15")  # the journey carries on where it was
    assert "Where do you live?" in (await user.next_output()).plain


async def test_a_language_button_on_a_deleted_message_sets_it_without_an_error(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    user = markbot.user(2002)
    await user.send_command("language")
    menu = await user.next_output()
    await markbot.standin.wait_idle()
    caplog.clear()
    await user.press("Cymraeg", message_id=menu.message["message_id"])
    user.delete_message(menu.message["message_id"])  # before the bot gets to edit it
    answer = await user.next_callback_answer()
    assert not answer["show_alert"]
    out = await user.next_output()
    assert out.method == "sendMessage" and "Cymraeg" in out.plain
    await markbot.standin.wait_idle()
    assert _problems(caplog) == []


async def test_a_full_disk_at_send_keeps_the_draft_for_another_try(markbot: Harness) -> None:
    """The database can't write ("database or disk is full"): the person is told kindly to
    try again and nothing is lost; once the disk has room, the same button counts the vote."""
    await markbot.add_poll()
    store = markbot.runtime.store
    writer = store._w
    commit = writer._commit
    full = True

    def failing(ops: list[Any]) -> list[Any]:
        if full:
            raise sqlite3.OperationalError("database or disk is full")
        return commit(ops)

    user = markbot.user(2003)
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in ("Start", "13-15", "North", "Climate"):
        await user.press(label)
        await user.next_output()
    writer._commit = failing  # type: ignore[method-assign]  # from here on the disk is full
    await user.press("Skip this question")
    assert "Check your answers" in (await user.next_output()).plain
    await asyncio.sleep(0.7)  # a write-behind round fails too
    user.drain_callback_answers()
    await user.press("Send my answers")
    answer = await user.next_callback_answer()
    assert answer["show_alert"] and "couldn't be sent just now" in answer["text"]
    await user.expect_no_output(0.3)  # still on the check screen, with its Send button
    await user.press("Send my answers")  # still full: the same kind answer, nothing lost
    assert "couldn't be sent" in (await user.next_callback_answer())["text"]
    full = False
    await user.press("Send my answers")
    assert "Thank you!" in (await user.next_output()).plain
    assert not (await user.next_callback_answer())["show_alert"]
    row = await store.get_poll("test-poll")
    assert row is not None
    assert (await markbot.runtime.services.reports.results("test-poll", 0)).ballots == 1
    assert await store.load_draft(markbot.runtime.services.journey._hasher.owner(2003)) is None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs of its own (needs root; skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs root to mount a small tmpfs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Take every free byte of the file system ``folder`` is on."""
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with contextlib.suppress(OSError), open(filler, "ab") as fh:  # the last partial block
        while True:
            fh.write(b"\0" * 512)
            fh.flush()
    return filler


async def test_a_really_full_disk_at_send(
    standin: BotApiStandin, tmp_path: Path, small_disk: Path
) -> None:
    """The same promise on a real file system that fills up (a small tmpfs): told kindly to
    try again, nothing lost, counted once when there is room again."""
    settings = Settings(
        db=small_disk / "markbot.db",
        key_file=tmp_path / "markbot.key",
        api_url=standin.base_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    harness = await start_markbot(standin, settings)
    try:
        await harness.add_poll()
        user = harness.user(2004)
        await user.send_command("start", "test-poll")
        await user.next_output()
        for label in ("Start", "13-15", "North", "Climate", "Skip this question"):
            await user.press(label)
            await user.next_output()
        filler = _fill(small_disk)
        user.drain_callback_answers()
        await user.press("Send my answers")
        answer = await user.next_callback_answer(timeout=20)
        assert answer["show_alert"] and "couldn't be sent just now" in answer["text"]
        await user.expect_no_output(0.3)
        filler.unlink()  # room again
        await user.press("Send my answers")
        assert "Thank you!" in (await user.next_output(timeout=20)).plain
        results = await harness.runtime.services.reports.results("test-poll", 0)
        assert results.ballots == 1
    finally:
        await harness.shutdown()
