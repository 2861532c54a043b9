"""The message catalog: every language has the same keys and placeholders, and escaping."""

from __future__ import annotations

import re

import pytest

from prompts import LANGUAGES, Catalog, load_catalog, placeholders


def test_every_language_matches_english() -> None:
    catalog = load_catalog()
    assert catalog.languages == LANGUAGES
    english = catalog.keys("en")
    for lang in catalog.languages:
        assert catalog.keys(lang) == english, lang
        for key in english:
            assert placeholders(catalog.raw(lang, key)) == placeholders(catalog.raw("en", key)), (
                lang,
                key,
            )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_buttons_fit(lang: str) -> None:
    """A full-width button shows about 32 characters on a small phone without cutting off."""
    catalog = load_catalog()
    for key in catalog.keys(lang):
        if key.startswith("button_"):
            assert len(catalog.plain(lang, key)) <= 32, key


def test_params_are_escaped() -> None:
    catalog = Catalog({"en": {"x": "<b>{title}</b>"}})
    assert catalog.t("en", "x", title="<script>&") == "<b>&lt;script&gt;&amp;</b>"


def test_missing_language_falls_back_to_english() -> None:
    catalog = Catalog({"en": {"x": "hello"}})
    assert catalog.t("cy", "x") == "hello"


def test_the_notice_says_minute_or_minutes_never_minute_s() -> None:
    """Found by review: "about 2 minute(s)"."""
    from pathlib import Path

    from services.pollfile import load_poll_file
    from services.screens import notice_text

    catalog = load_catalog()
    folder = Path(__file__).resolve().parent.parent / "prompts" / "polls"
    poll = load_poll_file(sorted(folder.glob("*.yaml"))[0], {})
    short = poll.model_copy(update={"questions": poll.questions[:1]})
    long = poll.model_copy(update={"questions": poll.questions[:1] * 4})
    assert "about 1 minute." in notice_text(catalog, short, "en")
    assert "about 2 minutes." in notice_text(catalog, long, "en")
    assert "tua 2 munud." in notice_text(catalog, long, "cy")
    assert "(s)" not in notice_text(catalog, long, "en")


# --- Welsh review (welsh27): faults a Welsh reader found, kept from coming back ----------------

# Words that only the informal "ti" uses: its pronouns, and the ti imperatives found in staff texts.
_WELSH_TI = re.compile(r"\b(?:ti|di|dy|wyt|rwyt|gelli|rho|gwna|dilea|rhwyga)\b", re.IGNORECASE)


def _welsh_staff_keys(catalog: Catalog) -> list[str]:
    """The texts only staff read: they speak to an adult colleague, as "chi"."""
    staff = ("Staff:", "Owners:", "Safeguarding leads:")
    return [
        key
        for key in catalog.keys("en")
        if key.startswith(("admin_", "codes_", "dashboard_", "contact_lead", "safeguarding_alert"))
        or (key.startswith("command_") and catalog.raw("en", key).startswith(staff))
        or key in ("preview_done", "code_sheet_cut")
    ]


def test_welsh_staff_texts_say_chi_never_ti() -> None:
    """The young person's texts use "ti", staff texts "chi"; admin_codes and the codes_*
    reasons had slipped into "rho", "gwna", "dilea"."""
    catalog = load_catalog()
    keys = _welsh_staff_keys(catalog)
    assert "admin_codes" in keys and "codes_count" in keys and "contact_lead" in keys
    mixed = {k: m.group(0) for k in keys if (m := _WELSH_TI.search(catalog.raw("cy", k)))}
    assert mixed == {}


def test_welsh_calls_a_poll_pleidlais_everywhere() -> None:
    """ "Poll" is "pleidlais" in the Welsh catalog; contact_lead said "Arolwg" and the codes_*
    reasons "pôl"."""
    catalog = load_catalog()
    odd = re.compile(r"\b(?:pôl|arolwg)\b", re.IGNORECASE)
    assert [k for k in catalog.keys("cy") if odd.search(catalog.raw("cy", k))] == []


def test_welsh_poll_state_reads_in_its_sentence() -> None:
    """A state is a phrase ("ar agor", "wedi'i threfnu", "drafft"): "yn ar agor" is not Welsh."""
    catalog = load_catalog()
    for state in ("draft", "open", "scheduled"):
        said = catalog.plain(
            "cy", "admin_publish_not_closed", code="x", state=catalog.plain("cy", f"state_{state}")
        )
        assert not re.search(r"\byn (?:ar |wedi|drafft)", said), said


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dont_send_button_is_named_alike_and_as_the_message_names_it(lang: str) -> None:
    """ "Don't send anything" is one button in Telegram and on the web; Welsh had "Peidio anfon"
    (and no "ag") in Telegram and "Paid ag anfon" on the web."""
    catalog = load_catalog()
    button = catalog.plain(lang, "button_contact_dont")
    assert button == catalog.plain(lang, "web_contact_dont")
    assert button in catalog.plain(lang, "contact_empty")
    assert button in catalog.plain(lang, "web_contact_empty")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_subscribe_offer_says_how_to_stop_as_subscribed_does(lang: str) -> None:
    """The Easy Read pass reworded the English ("To stop them, type /stop at any time.") in
    both texts; the Welsh offer kept the older wording."""
    catalog = load_catalog()
    last = [
        catalog.plain(lang, k).rsplit("? ", 1)[-1].split(". ")[-1]
        for k in ("subscribe_offer", "subscribed")
    ]
    assert last[0] == last[1]


@pytest.mark.parametrize(
    ("key", "wrong", "why"),
    [
        ("safeguarding_alert_again", "Os yw gennych chi eisoes", "'if you have' needs its 'it'"),
        ("site_method_counting", "a'i hatebodd", "cwestiwn is masculine: a'i atebodd"),
        ("command_dashboard", "dolen mewngofnodi", "dolen is feminine: dolen fewngofnodi"),
        ("admin_dashboard", "dolen mewngofnodi", "dolen is feminine: dolen fewngofnodi"),
        ("contact_nothing_waiting", "nol i'r", "nôl, and the web text's own words"),
    ],
)
def test_welsh_faults_found_in_review_stay_fixed(key: str, wrong: str, why: str) -> None:
    assert wrong not in load_catalog().raw("cy", key), why
