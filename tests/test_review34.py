"""Review of scrub rounds 27 and 28 (services/scrub.py): Welsh number words, "he is called",
a name next door or at a place of work, two names after Welsh "o"/"i" and before more verbs,
three or more listed names alone in a list. Clean answers they changed, names in their own
shapes they missed, and input they might be slow on."""

import pytest

from services.scrub import scrub
from tests.test_scrub import _fastest_ms


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Welsh "dim" (no, not, nothing) and "un" (one, the same) beside figures are no phone
        ("dim un 2023, dim un 2024, dim un 2025", "'not one' beside years"),
        ("o 2019 i 2024 dim un 2020 dim byd", "years with 'dim un' between"),
        ("2020 dim, 2021 dim, 2022 un, 2023 pump", "a count a year"),
        ("bwlio: 2020 dim, 2021 dim, 2022 un", "a count a year, as answers list them"),
        ("dim 100 dim 200 dim 300 dim 400", "'not 100, not 200 ...'"),
        ("Y sgôr: 2 1, 3 0, 1 1, 2 2, dim dim", "football scores ending nil-nil"),
        ("dim 1 dim 2 dim 3 dim 4 dim 5", "'not 1, not 2 ...'"),
        ("dim dim dim dim dim dim dim dim dim byd", "'nothing, nothing ...': one digit nine times"),
        ("dim, dim, dim, dim, dim, dim, dim, dim, dim ond mam", "emphasis, not a number"),
        ("pump pump pump pump pump pump pump pump pump", "one word again and again"),
        # a shop, pub or building next door or at a counter is no neighbour or worker
        ("the Co-op next door sells vapes to kids", "a shop after 'the'"),
        ("the Londis next door sells vapes", "a shop"),
        ("the Wetherspoons next door", "a pub"),
        ("the Vue next door", "a cinema"),
        ("the Hope next door", "a pub named like a person, after 'the'"),
        ("the George next door", "a pub named like a person, after 'the'"),
        ("the Victoria next door", "a pub named like a person, after 'the'"),
        ("the Angel next door (a pub)", "a pub named like a person, after 'the'"),
        ("St Marys next door", "a church or school: part of a longer name"),
        ("Ysgol Gynradd drws nesa", "a primary school next door"),
        ("Capel Bethel drws nesa", "a chapel next door"),
        ("y Llew Coch drws nesa", "a pub next door"),
        ("y Co-op drws nesa", "a shop after 'y'"),
        ("I work in Wetherspoons behind the bar", "a pub, not a barman"),
        # two capitalised words after Welsh "o" (from) or "i" (to) are often places or chapels
        ("i Lundain a Pharis ar y trip ysgol", "London and Paris, mutated"),
        ("aethon ni i Garmel a Seion i ganu", "chapels, mutated"),
        ("emynau o Fethel a Seion", "chapels, mutated"),
        ("es i i Fethesda a Bethel i weld ffrindiau", "villages, mutated"),
        ("dysgon ni am storïau o Fabinogi a Branwen", "a book and its character"),
        # pairs everyone knows, before the verbs round 27 added
        ("Mario and Luigi look so funny in the new film", "game characters"),
        ("Harry and Ron took the flying car", "book characters"),
        ("Fred and George made joke shops", "book characters"),
        ("Bert and Ernie look like brothers", "puppets"),
        ("Cain and Abel took offerings to God in RE", "a Bible story"),
        ("David and Goliath showed that small people can win", "a Bible story"),
        ("Thelma and Louise drove off a cliff", "a film"),
        ("Mickey and Minnie look cute", "cartoon mice"),
        ("Rosie and Jim took the boat", "a children's programme"),
        ("Charlie and Lola make me happy", "a children's programme"),
        ("Ben and Jerry make ice cream", "a brand"),
        ("Holland and Barrett do vitamins for cheap", "a shop"),
        ("Fortnum and Mason make hampers", "a shop"),
        # names of drugs in lower case are no list of friends
        ("i took molly, charlie and mandy", "drugs (MDMA, cocaine)"),
        ("we had mary jane, molly and charlie", "drugs (cannabis, MDMA, cocaine)"),
    ],
)
def test_clean_answers_keep_their_words(text: str, reason: str) -> None:
    """Answers rounds 27 and 28 changed that hold no personal detail."""
    assert scrub(text)[0] == text, reason


@pytest.mark.parametrize(
    ("text", "word", "reason"),
    [
        ("he was called Paki in school", "Paki", "a racist slur safeguarding must read"),
        ("he was called Paki by them", "Paki", "a racist slur"),
        ("she was called Sket by the whole year", "Sket", "a sexual insult"),
        ("he is called Gypo by the other kids", "Gypo", "a slur against Travellers"),
        ("he's called Spaz by everyone", "Spaz", "a disability slur"),
        ("everyone calls me Paki", "Paki", "a racist slur (an older rule, same cause)"),
    ],
)
def test_a_slur_is_never_a_name(text: str, word: str, reason: str) -> None:
    """Name-calling: the word a child was called is what safeguarding reads, not a name."""
    assert word in scrub(text)[0], reason


@pytest.mark.parametrize(
    ("text", "details", "reason"),
    [
        ("Glenys from next door drives me", ("Glenys",), "'from next door'"),
        ("Glenys next-door drives me", ("Glenys",), "'next-door' with a hyphen"),
        (
            "ffonia fi ar saith dwbwl dim saith, naw dim dim, pump chwech un",
            ("saith dwbwl",),
            "'dwbwl', Welsh spelling of double",
        ),
        (
            "ffonia fi ar sero saith saith dim dim naw dim dim pump chwech un",
            ("sero",),
            "'sero', Welsh zero",
        ),
        ("Jade next door shouts at her kids every night", ("Jade",), "still a neighbour"),
        ("Sandra on reception was lovely", ("Sandra",), "still a receptionist"),
        ("'di rhoi'r ci i Gwyn drws nesa", ("Gwyn",), "still a neighbour after Welsh 'i' (to)"),
        ("Mae Gwyn drws nesa yn 80", ("Gwyn",), "still a neighbour after a Welsh opening verb"),
        ("llun o Fali a Thesni", ("Fali", "Thesni"), "still two mutated names after 'o'"),
        ("diolch i Gwen a Nia am y lifft", ("Gwen", "Nia"), "still two names after 'i'"),
        ("kai, tom and josh came too", ("kai", "tom", "josh"), "still a list of friends"),
        ("he is called Tyzo", ("Tyzo",), "still a name after 'he is called'"),
    ],
)
def test_names_and_numbers_in_these_shapes_go(
    text: str, details: tuple[str, ...], reason: str
) -> None:
    """The rounds' own shapes, as young people also write them, and what they must keep doing."""
    scrubbed, changed = scrub(text)
    assert changed and not any(d in scrubbed for d in details), (reason, scrubbed)


@pytest.mark.parametrize(
    "text",
    [
        "saith dim " * 400,
        "dim dwbl " * 450,
        "dim un, " * 500,
        "he is called " * 310,
        "shes called " * 340,
        "Aa next door " * 300,
        "the Aa from next door " * 190,
        "Jo drws nesa " * 300,
        "i Aa a " * 550,
        "o Fali a " * 440,
        "Bev and Jan run " * 250,
        "kai, tom, " * 400,
    ],
)
def test_adversarial_input_in_these_shapes_is_not_slow(text: str) -> None:
    """4,000 characters of each new shape take about as long as plain text (as
    tests/test_scrub.py's test_adversarial_input_takes_no_longer_than_plain_text)."""
    plain = _fastest_ms(("the buses are always late and the park is a mess " * 90)[:4000])
    assert _fastest_ms(text[:4000]) < max(50.0, 4 * plain)
