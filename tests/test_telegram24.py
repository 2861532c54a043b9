"""Defects found in review telegram24 (issue 14), each seen first from the outside: the real
PTB client over HTTP against the Bot API stand-in (every test on SQLite and PostgreSQL)."""

from __future__ import annotations

from conftest import Harness

from tests.stored import count
from tests.test_staff_e2e import OWNER, staffed  # noqa: F401  (the owner's fixture)


async def test_a_paper_file_with_a_huge_bad_cell_lists_its_problems(
    staffed: Harness,  # noqa: F811
) -> None:
    """A paper CSV whose bad cells are long (a pasted paragraph, a spreadsheet's runaway
    cell) was refused with each cell quoted whole: the list of problems was longer than a
    Telegram message, Telegram refused it, and the worker got the young person's "something
    went wrong, your answers so far are safe" instead of what to fix. Cells are now quoted
    shortened, so the list fits and says which lines are wrong."""
    await staffed.add_poll()
    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("paper", "test-poll")
    await owner.next_output()
    long_option = "Clim" + "a" * 5000
    body = f"option,count\n{long_option},7\nJobs,{'9' * 3000}x\n"
    await owner.send_document("p.csv", body.encode(), "text/csv")
    said = (await owner.next_output()).plain
    assert "nothing was added" in said and "line 2" in said and "line 3" in said
    assert "went wrong" not in said and len(said) < 1500
    assert await count(staffed, "ballots") == 0
