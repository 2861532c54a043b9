"""What happens to a typed answer before it is kept, and what the reply says about it.

Scrubbed of personal details, tagged with a language (which may bring an offer to switch) and
with themes later, and read for safeguarding (services/safeguarding.assess: phrases, then a
model) at two levels. A disclosure about the young person brings signposting in the same reply,
the "I'd like an adult to contact me" offer when someone can act on it, and an alert for the
safeguarding chat that identifies no one (never in a staff preview). A worry about someone else
or the community only marks the answer "for review" (`/review`, exports): no alarm to a young
person who was telling us about their area or a friend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from prompts import Catalog
from services.alerts import AGAIN, ALERT_LANGUAGE, MESSAGE_UNITS, cut, units, with_label
from services.dates import day
from services.journey_state import Journey
from services.language import detect_language
from services.pollfile import Poll, Question
from services.safeguarding import assess
from services.scrub import scrub

_ITALIC_NOTES = frozenset({"text_scrubbed"})  # said in passing, in italics


def note_text(catalog: Catalog, lang: str, key: str) -> str:
    """A note's words in ``lang`` (markup): the catalog's text for ``key``."""
    text = catalog.t(lang, key)
    return f"<i>{text}</i>" if key in _ITALIC_NOTES else text


@dataclass(frozen=True, slots=True)
class Taken:
    """A typed answer as kept, and what the reply should mention."""

    clean: str
    scrubbed: bool
    concern: bool  # a disclosure: signposting and an alert
    review: bool = False  # a worry about others or the community: flagged for review, no alarm
    reason: str = ""  # why, for the alert: "phrase" or "model"
    matched: str = ""  # the words a phrase matched (reason "phrase")


class TypedAnswers:
    """Takes typed answers into a journey and words the notes that go with the next screen."""

    def __init__(
        self,
        catalog: Catalog,
        languages: Sequence[str],
        *,
        contact_help: bool,
        clock: Callable[[], datetime],
    ) -> None:
        self._catalog = catalog
        self._expected = tuple(languages)  # to tag typed answers with; never gates one
        self._contact_help = contact_help  # a safeguarding chat is set to act on "contact me"
        self._clock = clock

    async def take(
        self, j: Journey, poll: Poll, q: Question, body: str, names: Sequence[str]
    ) -> Taken:
        """Scrub, tag and keep ``body`` as the answer to ``q``.

        A language tag that is one the bot and the poll speak, other than the journey's, brings
        an offer to switch with the next screen (once per language per journey); an earlier
        offer goes, since it was about an earlier answer. Detection only ever suggests."""
        clean, scrubbed = await asyncio.to_thread(scrub, body, names)  # never stalls the bot
        j.answers[q.id] = clean
        lang, confidence = await asyncio.to_thread(detect_language, clean, self._expected)
        j.text_langs[q.id] = [lang, round(confidence, 3)]
        j.offer_lang = None
        if lang != j.lang and lang in poll.languages() and lang not in j.offered:
            j.offer_lang = lang
            j.offered.append(lang)
        assessment = await asyncio.to_thread(assess, clean, lang)
        concern, review = assessment.concern, assessment.review
        _mark(j.flagged, q.id, concern)
        _mark(j.review, q.id, review)
        if concern and self._contact_help and not j.preview:
            j.ask_help = True  # stays offered to the end, even if the answer is changed
        return Taken(clean, scrubbed, concern, review, assessment.reason, assessment.matched)

    def notes(
        self,
        j: Journey,
        code: str,
        taken: Taken,
        *,
        offer: str = "safeguarding_contact_offer",
        lang: str | None = None,
    ) -> tuple[list[str], str | None]:
        """The paragraphs to put above the next screen, in the journey's language, and the
        safeguarding chat's alert (see note_keys)."""
        keys, alert = self.note_keys(j, code, taken, offer=offer)
        return [note_text(self._catalog, j.lang, key) for key in keys], alert

    def note_keys(
        self, j: Journey, code: str, taken: Taken, *, offer: str = "safeguarding_contact_offer"
    ) -> tuple[list[str], str | None]:
        """The catalog keys of the notes to put above the next screen (the web says them in
        the language of the page that shows them: note_text), and the safeguarding chat's
        alert (None in a staff preview: trying a poll out must never reach the lead).
        ``offer`` words the "contact me" offer for the channel (a button in Telegram, a link
        on the web)."""
        notes: list[str] = []
        alert = None
        if taken.concern:  # kind signposting in the same reply; the answer is kept
            notes.append("safeguarding_signpost")
            if j.ask_help:
                notes.append(offer)
            if not j.preview:
                why = "model" if taken.reason == "model" else "phrase"
                words = {
                    "poll": code,
                    "time": day(self._catalog, ALERT_LANGUAGE, self._clock(), time=True),
                    "reason": self._catalog.plain(
                        ALERT_LANGUAGE, f"safeguarding_reason_{why}", matched=taken.matched or "?"
                    ),
                }
                # room for the answer: what is left of one message after the alert's words
                # and the label it carries if it has to be sent again (services/alerts.py)
                bare = self._catalog.plain(ALERT_LANGUAGE, "safeguarding_alert", text="", **words)
                label = self._catalog.plain(ALERT_LANGUAGE, AGAIN)
                rest = MESSAGE_UNITS - units(with_label(label, bare))
                alert = self._catalog.plain(
                    ALERT_LANGUAGE, "safeguarding_alert", text=cut(taken.clean, rest), **words
                )
        if taken.scrubbed:
            notes.append("text_scrubbed")
        return notes, alert


def _mark(questions: list[str], qid: str, on: bool) -> None:
    """Keep ``qid`` in ``questions`` exactly when ``on`` (an edited answer can lose its flag)."""
    if on and qid not in questions:
        questions.append(qid)
    elif not on and qid in questions:
        questions.remove(qid)
