"""Logs never carry what someone typed, even in a traceback (bot/logs.py)."""

from __future__ import annotations

import logging

import pytest

from bot.logs import setup_logging


def test_a_traceback_keeps_where_it_failed_and_leaves_the_message_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("INFO", ["123:SECRET"])
    log = logging.getLogger("markbot.test")

    def read(answers: dict[str, str], typed: str) -> str:
        return answers[typed]

    try:
        try:
            read({}, "my dad hits me, ring 07700 900123")
        except KeyError as exc:
            said = "could not read 'Xanthippe Quillfeather' 123:SECRET"
            raise ValueError(said) from exc
    except ValueError:
        log.exception("error handling a message update")
    err = capsys.readouterr().err
    assert "error handling a message update" in err
    assert "in read" in err and "ValueError" in err and "KeyError" in err  # where, what kind
    for quoted in ("my dad hits me", "07700", "Xanthippe", "SECRET"):
        assert quoted not in err
