"""getUpdates that steps over an update PTB cannot read, instead of fetching it for ever."""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.request import RequestData

log = logging.getLogger("markbot.updates")
_NOTHING = object()


class _NoUpdateContent(logging.Filter):
    """PTB logs a batch it cannot parse whole (names, ids, texts): keep only that it failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Error while parsing updates"):
            record.msg = "Error while parsing updates (their content is not logged)"
            record.args = None
            record.exc_info = None  # an exception's message may quote a value
        return True


_FILTER = _NoUpdateContent()


class SkipUnreadable:
    """For any PTB request class (put it first among the bases): PTB confirms a batch of
    updates only once it has parsed all of them, so one it cannot parse (a field this PTB
    version requires and Telegram's version leaves out, say) makes it fetch the same batch for
    ever: the bot is deaf to everyone. When the same batch is asked for again, each update is
    parsed here first and one that fails becomes an empty update with its id, which PTB
    confirms and no handler takes. Working batches pay nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offset: object = _NOTHING  # the offset of the last batch that was not empty
        for name in ("telegram.Bot", "telegram.ext.ExtBot"):
            logging.getLogger(name).addFilter(_FILTER)

    async def post(self, url: str, request_data: RequestData | None = None, **kwargs: Any) -> Any:
        result = await super().post(url, request_data, **kwargs)  # type: ignore[misc]
        if not url.endswith("/getUpdates") or not isinstance(result, list):
            return result
        offset = request_data.parameters.get("offset") if request_data is not None else None
        if result and offset == self._offset:  # asked again: PTB could not use this batch
            result = [_readable(update) for update in result]
        self._offset = offset if result else _NOTHING
        return result


class NoticeOutage:
    """For the getUpdates request class: one line when Telegram can no longer be reached and
    one when it can again, with how long it was, so whoever reads the log sees an outage and
    its end, not only PTB's retries (which go on by themselves)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._down_since: float | None = None

    async def post(self, url: str, request_data: RequestData | None = None, **kwargs: Any) -> Any:
        try:
            result = await super().post(url, request_data, **kwargs)  # type: ignore[misc]
        except NetworkError as exc:  # TimedOut too; not RetryAfter or Conflict
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning("Telegram cannot be reached (%s); polling retries", type(exc).__name__)
            raise
        if self._down_since is not None:
            down, self._down_since = time.monotonic() - self._down_since, None
            log.warning("Telegram can be reached again, after %.0f s", down)
        return result


def parse_update(data: dict[str, Any], bot: Any) -> Update:
    """A webhook's update as PTB reads it, or, when PTB cannot (see SkipUnreadable), an empty
    update with its id: answered 200 and handled by nobody, where an exception would answer
    500 and Telegram would deliver it again and again, holding back that chat."""
    try:
        return Update.de_json(data, bot)
    except Exception as exc:  # whatever PTB raises for a shape it does not know
        update_id = data.get("update_id")
        log.warning("skipped update %s: PTB cannot read it (%s)", update_id, type(exc).__name__)
        return Update(update_id)


def _readable(update: Any) -> Any:
    """The update if PTB can parse it, else an empty one with the same id."""
    try:
        Update.de_json(update, None)
    except Exception as exc:  # whatever PTB raises for a shape it does not know
        update_id = update.get("update_id") if isinstance(update, dict) else None
        log.warning("skipped update %s: PTB cannot read it (%s)", update_id, type(exc).__name__)
        return {"update_id": update_id}
    return update
