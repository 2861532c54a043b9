"""Pure rendering: a journey and a poll in, ``Screen`` (text + buttons) out.

Nothing here touches Telegram or the database, so every screen is easy to test.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from prompts import Catalog
from services.alerts import cut
from services.callbacks import Callback
from services.journey_state import Journey
from services.poll_words import PollWords
from services.pollfile import SUMMARY_TEXT_CHARS, Option, Poll, Question, pick, shorten

CHANGE_LABEL_CHARS = 40


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str


@dataclass(frozen=True, slots=True)
class Screen:
    """One message: HTML text and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())


def message(catalog: Catalog, lang: str, key: str, **params: object) -> Screen:
    return Screen(catalog.t(lang, key, **params))


def _b(catalog: Catalog, j: Journey, key: str, action: str, arg: int | None = None) -> Button:
    return Button(catalog.plain(j.lang, key), Callback(j.token, j.step, action, arg).encode())


def _minutes(catalog: Catalog, lang: str, n: int) -> str:
    """The notice's length: "1 minute", "3 minutes" (Welsh "munud" either way), never "(s)"."""
    return catalog.plain(lang, "notice_minutes_one" if n == 1 else "notice_minutes_many", n=n)


def notice_text(catalog: Catalog, poll: Poll, lang: str, words: PollWords | None = None) -> str:
    """The privacy notice's words, the same for every channel (its first line is the title).
    ``words``: a web page's (in ``lang``), which marks the poll's own words where they are in
    another language (a Welsh page of a poll in English only); Telegram has no such marks, so
    a journey there is in one language throughout."""
    if words is None:
        title, intro, organiser = pick(poll.title, lang), pick(poll.intro, lang), poll.organiser
    else:
        title, intro = words.html(poll.title), words.html(poll.intro)
        organiser = words.plain_html(poll.organiser or "")
    text = catalog.t(
        lang,
        "notice",
        title=title,
        intro=intro,
        outcome=outcome_text(catalog, poll, lang, words),
        minutes=_minutes(catalog, lang, max(1, math.ceil(len(poll.questions) / 3))),
    )
    if poll.organiser:
        text += "\n" + catalog.t(lang, "notice_organiser", organiser=organiser)
    return text


def notice(catalog: Catalog, poll: Poll, j: Journey) -> Screen:
    """The privacy notice that comes before any question."""
    text = notice_text(catalog, poll, j.lang)
    if j.privacy_open:
        text += "\n\n" + catalog.t(j.lang, "privacy")
        extra = _b(catalog, j, "button_back_to_notice", "nt")
    else:
        extra = _b(catalog, j, "button_privacy", "pv")
    rows = (
        (_b(catalog, j, "button_start", "go"),),
        (extra,),
        (_b(catalog, j, "button_cancel", "x"),),
    )
    return Screen(text, rows)


def answer_text(catalog: Catalog, q: Question, value: list[str] | str | None, lang: str) -> str:
    """A person's answer to ``q`` in words (plain text, not escaped)."""
    if not value:
        return catalog.plain(lang, "no_answer")
    if isinstance(value, str):
        return cut(value, SUMMARY_TEXT_CHARS)  # in UTF-16 units, as the poll file budgets
    labels = []
    for n, oid in enumerate(value, start=1):
        opt = q.option(oid)
        label = pick(opt.label, lang) if opt else oid
        labels.append(f"{n}. {label}" if q.kind == "rank" else label)
    return ", ".join(labels)


def _option_line(o: Option, lang: str) -> str:
    """An option in the question's text, when its button can't say it all: the full label
    (after its own short button text, if it has one) and its description."""
    full = pick(o.label, lang)
    label = html.escape(full, quote=False)
    button = o.button_text(lang)
    if button not in (full, shorten(full)):
        head, rest = html.escape(button, quote=False), [label]
    else:
        head, rest = label, []
    if o.description:
        rest.append(html.escape(pick(o.description, lang), quote=False))
    return f"• <b>{head}</b>" + (": " + " — ".join(rest) if rest else "")


def question(catalog: Catalog, poll: Poll, j: Journey, index: int) -> Screen:
    """One question, with its options as buttons and the controls below them."""
    lang = j.lang
    q = poll.questions[index]
    parts = [
        catalog.t(lang, "question_header", number=index + 1, total=len(poll.questions)),
        f"<b>{html.escape(pick(q.text, lang), quote=False)}</b>",
    ]
    if q.help:
        parts.append(html.escape(pick(q.help, lang), quote=False))
    listed = [o for o in q.options if o.description or o.shortened(lang)]
    if listed:
        parts.append("\n".join(_option_line(o, lang) for o in listed))
    hint_key = f"answer_hint_{q.kind}"
    hint = catalog.t(lang, hint_key, max=q.limit, max_length=q.max_length)
    if q.kind == "text" and q.optional:
        hint += " " + catalog.t(lang, "answer_hint_text_optional")
    parts.append(f"<i>{hint}</i>")
    value = j.answers.get(q.id)
    if q.kind in ("multi", "rank"):
        value = j.pending if j.pending is not None else value
    if value:
        shown = answer_text(catalog, q, value, lang)
        parts.append(catalog.t(lang, "current_answer", answer=shown))
    rows: list[tuple[Button, ...]] = []
    chosen = value if isinstance(value, list) else []
    for i, opt in enumerate(q.options):
        label = opt.button_text(lang)
        if q.kind == "multi":
            label = ("☑ " if opt.id in chosen else "☐ ") + label
        elif q.kind == "rank" and opt.id in chosen:
            label = f"{chosen.index(opt.id) + 1}. {label}"
        rows.append((Button(label, Callback(j.token, j.step, "a", i).encode()),))
    controls: list[Button] = []
    if index > 0 or j.back_to_confirm:
        controls.append(_b(catalog, j, "button_back", "bk"))
    if q.kind == "rank" and chosen:
        controls.append(_b(catalog, j, "button_undo", "un"))
    if q.kind in ("multi", "rank") and (chosen or q.optional):
        controls.append(_b(catalog, j, "button_done", "dn"))
    if q.optional and q.kind != "multi" and q.kind != "rank":
        controls.append(_b(catalog, j, "button_skip", "sk"))
    if controls:
        rows.append(tuple(controls))
    return Screen("\n\n".join(parts), tuple(rows))


def confirm(catalog: Catalog, poll: Poll, j: Journey) -> Screen:
    """Every answer, with the explicit submit step."""
    lang = j.lang
    lines = [catalog.t(lang, "confirm_title")]
    for q in poll.questions:
        lines.append(
            catalog.t(
                lang,
                "confirm_line",
                question=pick(q.text, lang),
                answer=answer_text(catalog, q, j.answers.get(q.id), lang),
            )
        )
    lines.append(catalog.t(lang, "confirm_footer"))
    rows = (
        (_b(catalog, j, "button_submit", "ok"),),
        (_b(catalog, j, "button_change", "ch"),),
        (_b(catalog, j, "button_cancel", "x"),),
    )
    return Screen("\n\n".join(lines), rows)


def stop_confirm(catalog: Catalog, poll: Poll, j: Journey) -> Screen:
    """Stop asks before deleting, as the web's stop page does (WCAG 3.3.4 there): its buttons
    carry the journey's step, so an old one is stale like any other. After signposting, "I'd
    like an adult to contact me" stays here too: someone signposted may be about to leave."""
    rows: tuple[tuple[Button, ...], ...] = (
        (_b(catalog, j, "button_stop_yes", "xy"),),
        (_b(catalog, j, "button_stop_no", "xn"),),
    )
    if j.ask_help:
        rows += ((ask_help_button(catalog, poll, j.lang),),)
    return Screen(catalog.t(j.lang, "stop_confirm"), rows)


def choose_to_change(catalog: Catalog, poll: Poll, j: Journey) -> Screen:
    """A button per question, to go back and change that answer."""
    lang = j.lang
    rows = []
    for i, q in enumerate(poll.questions):
        label = f"{i + 1}. {pick(q.text, lang)}"
        if len(label) > CHANGE_LABEL_CHARS:
            label = label[: CHANGE_LABEL_CHARS - 1] + "…"
        rows.append((Button(label, Callback(j.token, j.step, "ed", i).encode()),))
    rows.append((_b(catalog, j, "button_back", "bk"),))
    return Screen(catalog.t(lang, "choose_to_change"), tuple(rows))


SUBSCRIBE_YES = "sub:y"  # handled by the subscriptions handlers, not the journey
SUBSCRIBE_NO = "sub:n"
CONTACT_ASK = "sg:ask"  # handled by the safeguarding handlers; ":<poll code>" follows


def ask_help_button(catalog: Catalog, poll: Poll, lang: str) -> Button:
    """ "I'd like an adult to contact me", offered after safeguarding signposting."""
    return Button(catalog.plain(lang, "button_contact_ask"), f"{CONTACT_ASK}:{poll.code}")


def thanks(catalog: Catalog, poll: Poll, lang: str, *, ask_help: bool = False) -> Screen:
    """Counted; what happens next; and an opt-in to hear about future polls (default: no).
    After signposting, the "contact me" offer stays on this last screen too."""
    text = catalog.t(lang, "thanks", outcome=outcome_text(catalog, poll, lang))
    text += "\n\n" + catalog.t(lang, "subscribe_offer")
    rows: tuple[tuple[Button, ...], ...] = (
        (
            Button(catalog.plain(lang, "button_subscribe_yes"), SUBSCRIBE_YES),
            Button(catalog.plain(lang, "button_subscribe_no"), SUBSCRIBE_NO),
        ),
    )
    if ask_help:
        rows += ((ask_help_button(catalog, poll, lang),),)
    return Screen(text, rows)


def outcome_text(catalog: Catalog, poll: Poll, lang: str, words: PollWords | None = None) -> str:
    """What happens with the answers: the poll's own words, or the catalog's (plain text; with
    a web page's ``words``, the poll's own words are HTML marked with their language)."""
    if not poll.outcome:
        return catalog.plain(lang, "outcome_default")
    return pick(poll.outcome, lang) if words is None else words.html(poll.outcome)


def screen_for(catalog: Catalog, poll: Poll, j: Journey) -> Screen:
    """Whatever the journey's current step shows, with any offers below it."""
    if j.step == "n":
        screen = notice(catalog, poll, j)
    elif j.step == "c":
        screen = confirm(catalog, poll, j)
    elif j.step == "e":
        screen = choose_to_change(catalog, poll, j)
    else:
        screen = question(catalog, poll, j, int(j.step))
    return _with_offers(catalog, poll, j, screen)


def _with_offers(catalog: Catalog, poll: Poll, j: Journey, screen: Screen) -> Screen:
    """The offer to carry on in the language they typed in (worded in that language), and,
    after signposting, "I'd like an adult to contact me" on every screen to the end."""
    text, rows = screen.text, screen.buttons
    offer = j.offer_lang
    if offer is not None and offer in catalog.languages and offer != j.lang:
        text += "\n\n<i>" + catalog.t(offer, "language_offer") + "</i>"
        switch = Callback(j.token, j.step, "sw", catalog.languages.index(offer)).encode()
        rows += ((Button(catalog.plain(offer, "button_language_switch"), switch),),)
    if j.ask_help:
        rows += ((ask_help_button(catalog, poll, j.lang),),)
    return Screen(text, rows)


LANGUAGE_PREFIX = "lang:"  # handled by the language handler, not the journey


def language_menu(catalog: Catalog, lang: str) -> Screen:
    """A button per language, each labelled in its own language."""
    rows = tuple(
        (Button(catalog.plain(code, "language_name"), LANGUAGE_PREFIX + code),)
        for code in catalog.languages
    )
    return Screen(catalog.t(lang, "language_choose"), rows)
