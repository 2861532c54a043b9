"""The docs stay true: CI runs the README's test command, and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.DOTALL)


def test_ci_runs_the_readme_test_command() -> None:
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    command = ci[-1].strip()
    assert any(block.strip() == command for block in _shell_blocks()), command
    assert "rm -rf .venv" in ci  # from scratch, every time


def test_readme_run_command_installs_and_runs_the_bot() -> None:
    first = _shell_blocks()[0].strip()
    assert first.startswith("python3 -m venv .venv") and first.endswith("markbot run")


def test_every_setting_is_in_the_readme() -> None:
    for name in Settings.model_fields:
        assert f"`{ENV_PREFIX}{name.upper()}`" in README, name
