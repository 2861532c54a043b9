"""The web ballot and the results site seen from outside (review webreview24): each test is a
defect found by driving the real pages as a browser would (every test on SQLite and on
PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

from bot.app import Runtime
from tests.stored import rows
from tests.test_web_ballot import _answer, runtime  # noqa: F401  (the three polls' fixture)
from tests.webclient import Browser, web_client


async def test_send_from_a_check_page_another_tab_has_changed_counts_nothing(
    runtime: Runtime,  # noqa: F811
) -> None:
    """Two tabs of one browser: the first shows Check your answers (13-15); in the second the
    first answer is changed to 16-18. Send in the first tab counted 16-18, an answer that tab
    never showed for checking. Send from a check page whose answers have changed since leads
    back to Check your answers, as it now stands, and counts nothing until sent from there."""
    async with web_client(runtime) as client:
        first = Browser(client)
        checked = await _answer(first, ["13-15", "north", "jobs", ""])
        assert checked.url == "/v/web-poll/check" and "13-15" in checked.plain
        form = checked.hidden()
        second = Browser(client)  # the same cookie jar: another tab
        await second.get("/v/web-poll/q/0")
        page = await second.submit("/v/web-poll/q/0", {"answer": "16-18"})
        assert page.url == "/v/web-poll/check" and "16-18" in page.plain
        page = await first.post("/v/web-poll/send", form)  # the first tab's Send
        assert page.url == "/v/web-poll/check", page.plain
        assert "16-18" in page.plain and "13-15" not in page.plain
        assert await rows(runtime, "ballots", "channel") == []
        page = await first.submit("/v/web-poll/send", {})  # sent from the page as it is now
        assert page.url == "/v/web-poll/done", page.plain
    answers = await rows(runtime, "answers", "question", "option")
    assert ("age", "16-18") in answers and ("age", "13-15") not in answers
