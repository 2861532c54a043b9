"""The edge where updates come in: every string in every update is cleaned once, as it is
decoded, by the same rule a web form will use (services/text_input.py). Handlers, PTB's own
command parsing and filters, the journey and the database never see a lone surrogate or a
control character, whichever field it came in (text, caption, names, deep-link payload,
button data, file names)."""

from __future__ import annotations

import re
from typing import Any

from telegram.request import BaseRequest

from services.text_input import clean_data

# Telegram sends JSON; a string can only hold what clean_text changes as an escape (\u0000 to
# \u001f, \b \f \r, \u007f to \u009f, \ud800 to \udfff) or as raw UTF-8 C1 bytes. Payloads with
# none of these (nearly all) are used as they are; the rest are walked (a few microseconds).
_SUSPECT = re.compile(
    rb"\\(?:u00[01][0-9a-f]|u007f|u00[89][0-9a-f]|ud[89a-f]|[bfr])|\xc2[\x80-\x9f]", re.I
)


class CleanRequest:
    """Mixed into the request class used for getUpdates: decodes as PTB does, then cleans
    (see the module)."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data = BaseRequest.parse_json_payload(payload)
        if _SUSPECT.search(payload) is None:
            return data
        return clean_data(data)  # type: ignore[no-any-return]
