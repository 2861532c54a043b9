"""services.scrub: every personal detail in the corpus goes, clean answers stay as typed.

Run with `pytest -s tests/test_scrub.py` to see the recall and false-positive numbers.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from services import name_model
from services.scrub import PLACEHOLDERS, scrub
from tests.timing import fastest

CORPUS = Path(__file__).parent / "data" / "scrub_corpus.yaml"
MAX_FALSE_POSITIVE_RATE = 0.02


def _corpus() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def test_corpus_is_big_and_balanced() -> None:
    corpus = _corpus()
    personal, clean = corpus["personal"], corpus["clean"]
    assert len(personal) + len(clean) >= 200
    assert abs(len(personal) - len(clean)) <= 0.2 * (len(personal) + len(clean))
    assert all(entry["remove"] for entry in personal)
    for entry in personal:  # the listed details really are in the text
        for detail in entry["remove"]:
            assert detail in entry["text"], (detail, entry["text"])


def test_recall_on_corpus_is_total() -> None:
    leaks: list[tuple[str, str, str]] = []
    total = 0
    for entry in _corpus()["personal"]:
        out, changed = scrub(entry["text"], entry.get("own_names", ()))
        assert changed, entry["text"]
        total += len(entry["remove"])
        leaks += [(detail, entry["text"], out) for detail in entry["remove"] if detail in out]
    recall = (total - len(leaks)) / total
    print(f"\nscrub recall: {total - len(leaks)}/{total} details removed ({recall:.1%})")
    assert not leaks, "\n".join(f"{d!r} left in {o!r} (from {t!r})" for d, t, o in leaks)


def test_false_positive_rate_on_clean_messages() -> None:
    clean = _corpus()["clean"]
    changed = [(text, out) for text in clean for out, did in [scrub(text)] if did]
    rate = len(changed) / len(clean)
    print(f"\nscrub false positives: {len(changed)}/{len(clean)} clean messages ({rate:.1%})")
    for text, out in changed:
        print(f"  {text!r} -> {out!r}")
    assert rate < MAX_FALSE_POSITIVE_RATE


def test_known_limits_are_listed() -> None:
    """Not asserted either way: printed so that the README's list of limits stays honest."""
    limits = _corpus()["known_limits"]
    print("\nscrub known limits:")
    for entry in limits["missed"]:
        out, _ = scrub(entry["text"])
        still = [d for d in entry["remove"] if d in out]
        print(f"  missed {still or 'nothing now'} in {entry['text']!r}")
    for text in limits["changed"]:
        print(f"  changes {text!r} -> {scrub(text)[0]!r}")


def test_scrubbing_twice_changes_nothing_more() -> None:
    for entry in _corpus()["personal"]:
        once, _ = scrub(entry["text"], entry.get("own_names", ()))
        twice, changed = scrub(once, entry.get("own_names", ()))
        assert (twice, changed) == (once, False), entry["text"]


# --- one rule at a time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at jo.bloggs+yp@example.co.uk.", "mail me at [email]."),
        ("jo at gmail dot com", "[email]"),
        ("jo(at)hotmail(dot)co(dot)uk please", "[email] please"),
        ("jo [at] outlook [dot] com", "[email]"),
        ("jo_b @ yahoo . co . uk", "[email]"),
        ("jo.b at icloud", "[email]"),
        ("joATgmailDOTcom", "[email]"),
        ("find me at www.example.com/jo", "find me at [link]"),
        ("good at maths", "good at maths"),
    ],
)
def test_emails(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07700 900123", "[phone]"),
        ("+44 7700 900123", "[phone]"),
        ("0113 496 0000", "[phone]"),  # Ofcom drama numbers: "possible" but not "valid"
        ("(0117) 496 0555 is home", "[phone] is home"),
        ("+1 (555) 010-4477", "[phone]"),
        ("0-7-7-0-0-9-0-0-1-2-3", "[phone]"),
        ("ring 496 0000", "ring [phone]"),  # 7 digits only with a phone word before it
        ("mum 07700 900111, dad 07700 900222", "mum [phone], dad [phone]"),
        ("۰۳۰۰۱۲۳۴۵۶۷", "[phone]"),  # Urdu digits
        ("seven seven zero zero nine zero zero one two three", "[phone]"),
        ("07700 nine double oh one two three", "[phone]"),
        ("07700 9OO 123", "[phone]"),  # letter O for zero
        ("07700\n900123", "[phone]"),
        (
            "one two three four five six seven eight nine",
            "one two three four five six seven eight nine",
        ),
    ],
)
def test_phone_numbers(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Childline 0800 1111",
        "Samaritans 116 123",
        "text SHOUT to 85258",
        "NSPCC 0808 800 5000",
        "call 999, 111 or 101",
        "Childline on +44 800 1111",
    ],
)
def test_helplines_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BA1 1AA", "[postcode]"),
        ("ba11aa.", "[postcode]."),
        ("near sw1a 2aa", "near [postcode]"),
        ("postcode BA1", "postcode [postcode]"),
        ("my postcode's cf10", "my postcode's [postcode]"),
        ("the A12 and the M5", "the A12 and the M5"),
        ("A38 3rd exit", "A38 3rd exit"),
        ("BA1 is a postcode area", "BA1 is a postcode area"),
    ],
)
def test_postcodes(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 High Street", "[address]"),
        ("flat 3, 45 Oak Road, Bath", "[address], Bath"),
        ("22b Mill Lane", "[address]"),
        ("i live on 7 station road", "i live on [address]"),
        ("I live at 9 the green", "I live at [address]"),
        ("5 Heol y Bont", "[address]"),
        ("I walk 2 miles down the road", "I walk 2 miles down the road"),
        ("we need more than 1 skate park", "we need more than 1 skate park"),
        ("my house is 5 minutes walk away", "my house is 5 minutes walk away"),
    ],
)
def test_addresses(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.org/a?b=c.", "see [link]."),
        ("www.example.com", "[link]"),
        ("t.me/somechat", "[link]"),
        ("example.co.uk/page", "[link]"),
        ("my site is jo dot com", "my site is [link]"),
        ("e.g. buses, i.e. transport, etc.", "e.g. buses, i.e. transport, etc."),
        ("@jo_bloggs agrees", "[handle] agrees"),
        ("my snap is jo.b2009", "my snap is [handle]"),
        ("add me on insta jo.b", "add me on insta [handle]"),
        ("follow me on insta if you want", "follow me on insta if you want"),
        ("see you @ 5", "see you @ 5"),
    ],
)
def test_links_and_handles(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Jo Bloggs", "my name is [name]"),
        ("my name's jo", "my name's [name]"),
        ("I'm Jo, 14", "I'm [name], 14"),
        ("im Jo", "im [name]"),
        ("I am Jo", "I am [name]"),
        ("call me Jo", "call me [name]"),
        ("this is Jo speaking", "this is [name] speaking"),
        ("it's Jo here", "it's [name] here"),
        ("Mr Bloggs is strict", "Mr [name] is strict"),
        ("Miss Patel", "Miss [name]"),
        ("Dr. Khan", "Dr. [name]"),
        ("Mx Rivers", "Mx [name]"),
        ("my mum is called Jo Bloggs", "my mum is called [name]"),
        ("my friend Jo Bloggs", "my friend [name]"),
        ("fy enw i yw Siân", "fy enw i yw [name]"),
        # not names
        ("I'm Happy", "I'm Happy"),
        ("I am Worried", "I am Worried"),
        ("I'm 14", "I'm 14"),
        ("I'm in Year 9", "I'm in Year 9"),
        ("I'm Autistic and Welsh", "I'm Autistic and Welsh"),
        ("I miss my friends", "I miss my friends"),
        ("Dr Pepper and Mr Bean", "Dr Pepper and Mr Bean"),
        ("Taylor Swift came to Cardiff", "Taylor Swift came to Cardiff"),
        ("This is Taunton, nothing happens", "This is Taunton, nothing happens"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Year 10",
        "16-18",
        "top 3",
        "999",
        "A12",
        "M5",
        "12/03/2025",
        "3rd May",
        "£5.50",
        "£1,200",
        "3:30pm",
        "45%",
        "24/7",
        "ages 10-12 13-15 16-18",
        "years 7 8 9 10 11",
        "2019 2020 2021 2022",
        "exams 15.05.2025 at 9.00am",
        "2023-2024 2024-2025",
    ],
)
def test_traps_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


# --- the person's own names ---------------------------------------------------------------------


def test_own_names_are_removed_everywhere_case_insensitively() -> None:
    names = ("Zephyrine", "Quillfeather", "zq_tester")
    out, changed = scrub("ZEPHYRINE says hi, quillfeather too, ask @zq_tester", names)
    assert changed
    assert out == "[name] says hi, [name] too, ask [name]"


def test_own_names_only_as_whole_words() -> None:
    assert scrub("Jessica and Jessie like the park", ("Jess",)) == (
        "Jessica and Jessie like the park",
        False,
    )


def test_own_names_with_accents_spaces_and_odd_characters() -> None:
    assert scrub("Sian here", ("Siân",))[0] == "[name] here"
    assert scrub("Mary Jane and Jane", ("Mary Jane",))[0] == "[name] and [name]"
    assert scrub("J.(ess) x", ("J.(ess)",))[0] == "[name] x"
    assert scrub("Jess", "Jess")[0] == "[name]"  # a bare string, not a list
    assert scrub("no names", ("", " ", "a", None))[0] == "no names"  # type: ignore[list-item]


def test_own_names_never_break_placeholders() -> None:
    out, _ = scrub("my name is Jo, email jo@example.com", ("name", "email", "Jo"))
    assert out == "my [name] is [name], [name] [email]"


# --- robustness ---------------------------------------------------------------------------------


def _random_text(rng: random.Random, length: int) -> str:
    pools = [
        (0x20, 0x7E),
        (0x30, 0x39),
        (0xA0, 0x17F),
        (0x600, 0x6FF),
        (0x6F0, 0x6F9),
        (0x1F300, 0x1FAFF),
        (0x4E00, 0x9FFF),
        (0x0, 0x10FFFF),
    ]
    chars = []
    for _ in range(length):
        low, high = rng.choice(pools)
        code = rng.randint(low, high)
        chars.append(chr(code) if not 0xD800 <= code <= 0xDFFF else "?")
    return "".join(chars)


def test_never_raises_on_random_unicode() -> None:
    rng = random.Random(20240521)
    for _ in range(300):
        text = _random_text(rng, rng.choice([0, 1, 5, 40, 400, 4000]))
        out, changed = scrub(text, (_random_text(rng, 6),))
        assert isinstance(out, str)
        assert changed == (out != unicodedata.normalize("NFC", text))  # composed, not replaced


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "😀" * 50,
        "x" * 4000,
        "1 " * 2000,
        "a." * 2000,
        "@" * 4000,
        "-" * 4000,
        "\n" * 4000,
        "my name is " * 360,
        "BA1 1AA " * 500,
        "07700 900123 " * 300,
        "Mae angen mwy o fysiau yn y pentref. " * 100,
        "مجھے نہیں پتا کہ کیا کرنا ہے " * 130,
    ],
)
def test_never_raises_on_awkward_input(text: str) -> None:
    out, changed = scrub(text, ("Jess",))
    assert isinstance(out, str) and changed == (out != text)


def test_placeholders_are_the_ones_callers_rely_on() -> None:
    assert set(PLACEHOLDERS) == {
        "[email]",
        "[phone]",
        "[postcode]",
        "[address]",
        "[link]",
        "[handle]",
        "[name]",
        "[school]",
    }


def test_own_names_that_are_everyday_words_keep_the_answer_readable() -> None:
    """A display name like "Will" or "Bus Summer" goes when written as a name, not as a word."""
    out, _ = scrub("the bus will be late, Will says. summer is fun", ("Will", "Bus Summer"))
    assert out == "the bus will be late, [name] says. summer is fun"
    assert scrub("Summer and me", ("Summer",))[0] == "[name] and me"
    assert scrub("jess and me", ("Jess",))[0] == "[name] and me"  # not an everyday word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Will", "my name is [name]"),
        ("my name is will", "my name is [name]"),
        ("I'm May and I'm 14", "I'm [name] and I'm 14"),
        ("call me Jack", "call me [name]"),
        ("I may be late and I will go", "I may be late and I will go"),
        ("I hope the park gets fixed", "I hope the park gets fixed"),
    ],
)
def test_names_that_are_also_words_after_an_introduction(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


# --- issue 14: introductions, sign-offs, short links, titles ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sign-offs
        ("thats all i wanted to say, from Darcy", "thats all i wanted to say, from [name]"),
        ("more buses pls. from liam x", "more buses pls. from [name] x"),
        ("thanks, from Nadia in year 8", "thanks, from [name] in year 8"),
        ("fix the park please\nfrom Amara Okoye", "fix the park please\nfrom [name]"),
        ("cheers, Callum", "cheers, [name]"),
        ("diolch, Rhodri", "diolch, [name]"),
        ("mwy o fysiau plis. Cofion, Lowri x", "mwy o fysiau plis. Cofion, [name] x"),
        # introductions
        ("this is Kezia and i want more parks", "this is [name] and i want more parks"),
        ("its me Callum, the bus is late", "its me [name], the bus is late"),
        ("it's me, Shannon! more clubs", "it's me, [name]! more clubs"),
        ("the name's Bryn, more clubs", "the name's [name], more clubs"),
        ("everyone calls me Taz", "everyone calls me [name]"),
        ("everybody calls me jojo lol", "everybody calls me [name] lol"),
        ("im josh and the buses are rubbish", "im [name] and the buses are rubbish"),
        ("hi im ellie, 13", "hi im [name], 13"),
        ("i am sam and i want a skatepark", "i am [name] and i want a skatepark"),
        # Welsh: the name first
        ("Rhodri dw i, dw i eisiau mwy o fysiau", "[name] dw i, dw i eisiau mwy o fysiau"),
        ("Lowri dw i", "[name] dw i"),
        ("haia, Mali dwi a dw i'n 12", "haia, [name] dwi a dw i'n 12"),
        ("Bethan sy 'ma, mae'r parc yn fudr", "[name] sy 'ma, mae'r parc yn fudr"),
        # lower-case titles for real people
        ("miss harrison is so strict", "miss [name] is so strict"),
        ("our teacher miss kaur never listens", "our teacher miss [name] never listens"),
        ("mr pryce shouts at us", "mr [name] shouts at us"),
    ],
)
def test_issue_14_names_introduced_or_signed_are_removed(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("watch youtu.be/dQw4w9WgXcQ", "watch [link]"),
        ("all my stuff is on linktr.ee/maddie.art", "all my stuff is on [link]"),
        ("bit.ly/3abcD has the petition", "[link] has the petition"),
        ("vote here: tinyurl.com/parkvote2", "vote here: [link]"),
        ("goo.gl/maps/xyz is where it is", "[link] is where it is"),
        ("wa.me/447700900123", "[link]"),
        ("postcode ne1 4st", "postcode [postcode]"),
        ("i live in ne1 4st lol", "i live in [postcode] lol"),
    ],
)
def test_issue_14_short_links_and_postcodes_are_removed(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        # a title before a fictional or public figure, in an ordinary sentence
        "Miss Honey in Matilda is the best teacher ever",
        "Miss Trunchbull from the book is scary",
        "Mr Bean is funny",
        "Mr Tumble helped my little brother learn to sign",
        "Mr Sunak never came to our town",
        "Mrs Thatcher shut the mines my grandad says",
        "the party leader Mr Davey said it on tv",
        "Mr Gum books are funny",
        "Mr Men books in the library",
        # shaped like details, but not
        "i found it on some dot com site",
        "a dot com address costs money",
        "my insta is private so no",
        "my snap is broken",
        "@everyone should vote",
        "@pawb dewch i bleidleisio",
        "im from barry and theres nothing to do",
        "its me again lol",
        "this is the best idea",
        "This is Ridiculous",
        "im so done with the buses",
        "fy enw i ar y rhestr aros am fflat",
        "thanks for listening",
        "from Cardiff to Newport the buses are bad",
        "I miss Cardiff",
        "i miss my friends",
        "we miss school dinners",
        "the A38 3rd exit",
        "Ydw i'n cael pleidleisio?",
        "Hapus dw i",
        "Rwy'n 15 oed ac ym Mlwyddyn 10",  # a verb with an age, not "Ellie, 14"
        "Blwyddyn 9, dim byd i wneud",
    ],
)
def test_issue_14_ordinary_sentences_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


# --- issue 14, round 2 (tests/data/dev2): sign-offs with school years, Welsh sign-offs and
# introductions, schools, streets, Welsh handles, the Meic helpline -------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "fix the pavements near the shops cheers tyler",
            "fix the pavements near the shops cheers [name]",
        ),
        ("more support in school. Mia, year 9", "more support in school. [name], year 9"),
        ("thats all from me - Reuben (yr 10)", "thats all from me - [name] (yr 10)"),
        ("bring back the summer scheme xx Lacey", "bring back the summer scheme xx [name]"),
        ("angen clwb ieuenctid eto. gan Cai bl 8", "angen clwb ieuenctid eto. gan [name] bl 8"),
        ("gwneud y parc yn saffach\ncariad, Ffion", "gwneud y parc yn saffach\ncariad, [name]"),
        ("mwy o gefnogaeth. Lowri, blwyddyn 9", "mwy o gefnogaeth. [name], blwyddyn 9"),
        ("dyna ni gen i - Tomos (bl 10)", "dyna ni gen i - [name] (bl 10)"),
        ("yn y dre! gan Megan o flwyddyn 7", "yn y dre! gan [name] o flwyddyn 7"),
        ("Gruffydd sy 'ma o flwyddyn 11, da ni isio", "[name] sy 'ma o flwyddyn 11, da ni isio"),
        ("cafodd fy ffrind Osian Rowlands ei stopio", "cafodd fy ffrind [name] ei stopio"),
    ],
)
def test_sign_offs_with_school_years_and_welsh_sign_offs(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Year 8 at Cathays High", "Year 8 at [school]"),
        ("im in year 8 at Ysgol Bro Morgannwg and", "im in year 8 at [school] and"),
        ("i go to St Teilo's and we have no field", "i go to [school] and we have no field"),
        ("blwyddyn 8 yn Ysgol Glan Clwyd", "blwyddyn 8 yn [school]"),
        ("dwi ym mlwyddyn 8 yn Ysgol y Preseli a", "dwi ym mlwyddyn 8 yn [school] a"),
        ("live on Clive Street, ring me", "live on [address], ring me"),
        ("byw ar Ffordd Penrhos, ffonio", "byw ar [address], ffonio"),
        ("snap fi: dafydd.j09", "snap fi: [handle]"),
    ],
)
def test_schools_streets_and_welsh_handles(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hiii its Maryam!! more buses", "hiii its [name]!! more buses"),
        ("Kezia is the name, more clubs", "[name] is the name, more clubs"),
        ("im the one and only Tamsin 💅 lol", "im the one and only [name] 💅 lol"),
        ("my mates call me Biscuit lol", "my mates call me [name] lol"),
        ("am Yusuf, 12, from Ely", "am [name], 12, from Ely"),
        ("Poppy-Mae, 11 🌈 more swings", "[name], 11 🌈 more swings"),
        ("ella 12 rumney the bus is late", "[name] 12 rumney the bus is late"),
        ("bins pls 🙏 - love freya (12)", "bins pls 🙏 - love [name] (12)"),
        ("more lights 💡 from ur fav yr 8 Tia", "more lights 💡 from ur fav yr 8 [name]"),
        ("parc newydd 🙏 gan Efa a Cai", "parc newydd 🙏 gan [name] a [name]"),
        ("helo, Nel fan hyn 👋 isio bws", "helo, [name] fan hyn 👋 isio bws"),
        ("Sioned ydy enw fi a dwi'n 12", "[name] ydy enw fi a dwi'n 12"),
        ("mwy o goed 🌳 hwyl fawr o Osian", "mwy o goed 🌳 hwyl fawr o [name]"),
        ("dw i a Gethin yn chwarae", "dw i a [name] yn chwarae"),
        ("my schools called Oak Hill Middle School", "my schools called [school]"),
    ],
)
def test_round_8_phone_voice_sign_offs_and_introductions(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "ty ty 🙏",
        "Lewis Hamilton is the name i think of for racing",
        "im the one and only person without a bus pass",
        "they call me lazy but there is nothing to do",
        "max 12 people in the youth club at once",
        "Tregaron, 13 oed, dim byd i neud",
        "ar ôl yr Eisteddfod 😁",
        "Haf fan hyn yn boeth iawn",
        "cariad mawr o Gymru 🏴",
    ],
)
def test_round_8_traps_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    "text",
    [
        "put the meic number 080880 23456 on every school poster",
        "young people should know about meic.cymru and childline 0800 1111",
        "rhowch rif meic 080880 23456 ar bob poster ysgol",
        "see www.childline.org.uk/info for more",
    ],
)
def test_the_meic_helpline_and_helpline_sites_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("personal", "lookalike"),
    [
        ("i go to Cathays High", "i went to Barry High Street"),
        ("i go to St Teilo's", "I go to St Fagans museum a lot"),
        ("the shops cheers tyler", "cheers for asking us"),
        ("ysgol. gan Cai bl 8", "gan fod y bysiau'n hwyr dwi'n colli gwersi"),
        ("gwych\ncariad, Ffion", "cariad at y gymuned sy'n bwysig"),
        ("the buses. Mia, year 9", "from year 7 up we should have cooking lessons"),
        ("the buses. Mia, year 9", "English, Year 10"),
        ("snap fi: dafydd.j09", "fy insta yw preifat"),
        ("the scheme xx Lacey", "thanks x"),
    ],
)
def test_round_two_rules_leave_lookalikes_alone(personal: str, lookalike: str) -> None:
    """Each new rule fires on its sign-off or school and not on the everyday sentence like it."""
    assert scrub(personal)[1]
    assert scrub(lookalike) == (lookalike, False)


# --- issue 14, round 3 (tests/data/dev2, `scrub` helper): bare sign-offs, lower-case and
# Welsh introductions, people named in passing, teachers' titles in any case, schools named
# without "at", and the name lists in prompts/names --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more bike racks at the station\n- becca", "more bike racks at the station\n- [name]"),
        ("benches in the park pls ruby x", "benches in the park pls [name] x"),
        ("cheaper swimming for kids, abbie xx", "cheaper swimming for kids, [name] xx"),
        ("youth club on fridays again luv tegan xx", "youth club on fridays again luv [name] xx"),
        ("bring back the carnival!! tara, Owain", "bring back the carnival!! tara, [name]"),
        ("the underpass stinks. bye, lewis", "the underpass stinks. bye, [name]"),
        ("free bus passes peace out, reece ✌️", "free bus passes peace out, [name] ✌️"),
        ("would be sick. ty, noor", "would be sick. ty, [name]"),
        (
            "stop cutting youth workers\nSigned, Jacob Evans",
            "stop cutting youth workers\nSigned, [name]",
        ),
        ("more courts. this was maisie, year 10", "more courts. this was [name], year 10"),
        ("thanks!! harvey and leo", "thanks!! [name] and [name]"),
        ("lights on the path cheers guys, Ethan", "lights on the path cheers guys, [name]"),
        ("keep the pool open kind regards Ruby-May", "keep the pool open kind regards [name]"),
        (
            "more litter picks!\nlove from Nat & Bea",
            "more litter picks!\nlove from [name] & [name]",
        ),
        ("mwy o glybiau. diolch o galon, Rhys", "mwy o glybiau. diolch o galon, [name]"),
        (
            "cadwch y ganolfan ar agor hwyl am y tro, Macsen",
            "cadwch y ganolfan ar agor hwyl am y tro, [name]",
        ),
        ("angen lle i fynd. caru chi, Enfys xx", "angen lle i fynd. caru chi, [name] xx"),
        ("wedi'i ysgrifennu gan Ifan, bl 9", "wedi'i ysgrifennu gan [name], bl 9"),
        ("sori am y typos, Nel", "sori am y typos, [name]"),
    ],
)
def test_bare_and_varied_sign_offs(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("names jacob, want more clubs", "names [name], want more clubs"),
        ("ya girl lexi here with ideas", "ya girl [name] here with ideas"),
        ("hey guys its macie 👋 more events", "hey guys its [name] 👋 more events"),
        ("u can call me jj, the town is boring", "u can call me [name], the town is boring"),
        ("yo its big dom here 😎 more courts", "yo its big [name] here 😎 more courts"),
        ("im nico im 12 and the park is for kids", "im [name] im 12 and the park is for kids"),
        ("Sioned ydw i a dwi isio mwy o gyngherddau", "[name] ydw i a dwi isio mwy o gyngherddau"),
        ("Swyn dwi a dwi'n byw yn y pentref", "[name] dwi a dwi'n byw yn y pentref"),
        ("haia, tomos dwi ac mae'r parc yn llanast", "haia, [name] dwi ac mae'r parc yn llanast"),
        ("fi di Elan a dwi'n casau'r bws", "fi di [name] a dwi'n casau'r bws"),
    ],
)
def test_lower_case_and_welsh_introductions(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me and jake got chased", "me and [name] got chased"),
        (
            "my little brother alfie needs a safe place",
            "my little brother [name] needs a safe place",
        ),
        ("my mum Karen works at the council", "my mum [name] works at the council"),
        ("my friend jess has no bus to college", "my friend [name] has no bus to college"),
        ("me and my mate ashton go fishing", "me and my mate [name] go fishing"),
        ("ask my cousin Tyreese he knows", "ask my cousin [name] he knows"),
        ("my bf leo cant afford lessons", "my bf [name] cant afford lessons"),
        ("me, Amy and Priya started a litter pick", "me, [name] and [name] started a litter pick"),
        ("my nan Gwen has no bus", "my nan [name] has no bus"),
        ("me n my sister lily walk to school", "me n my sister [name] walk to school"),
        ("Jess and me walk home", "[name] and me walk home"),
        ("my sister Sophie's friend is nice", "my sister [name]'s friend is nice"),
        ("fi a Gruff yn chwarae pel droed", "fi a [name] yn chwarae pel droed"),
        ("fy chwaer Lili yn methu cael bws", "fy chwaer [name] yn methu cael bws"),
        ("dwi'n cerdded adre efo fy ffrind celyn", "dwi'n cerdded adre efo fy ffrind [name]"),
        ("mae fy mam Sian yn gweithio yn y siop", "mae fy mam [name] yn gweithio yn y siop"),
        ("fi a'n ffrind Steffan sy'n codi sbwriel", "fi a'n ffrind [name] sy'n codi sbwriel"),
    ],
)
def test_private_people_named_in_passing(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ms okafor runs the eco club", "ms [name] runs the eco club"),
        ("MR JENKINS SHOUTS AT EVERYONE", "MR [name] SHOUTS AT EVERYONE"),
        ("dr rahman at the gp said", "dr [name] at the gp said"),
        ("mae Syr Dafis yn llym iawn", "mae Syr [name] yn llym iawn"),
        ("at ysgol gyfun llangynwyd the food is bad", "at [school] the food is bad"),
        ("yn ysgol maes y gwendraeth mae'r toiledau", "yn [school] mae'r toiledau"),
        ("Fitzalan High School students need a crossing", "[school] students need a crossing"),
        ("my school (Cantonian High) has no field", "my school ([school]) has no field"),
        ("St Cyres school needs a new sports hall", "[school] needs a new sports hall"),
    ],
)
def test_teachers_in_any_case_and_schools_without_at(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "- Parks\n- Swimming\n- Cinema",  # a list of dashed lines, not a sign-off
        "- Mental Health",  # capitalised everyday words after a dash
        "this is Splott, not Penarth, things are different here",
        "this is Ely, not Canton",
        "This is Madness",
        "call me Crazy but i like school",
        "people call me lazy but i do loads",
        "thanks Mum x",
        "thanks Grandma x",
        "Gutted dw i, mae'r pwll wedi cau.",  # Wenglish, not "Name dw i"
        "give me an Xbox and ill be quiet lol",
        "for me, Maths is the worst subject",
        "for me, Pride is really important",
        "me and Spotify are best friends lol",
        "me and Taylor Swift have the same birthday lol",
        "Harry Potter and me grew up together",
        "its Gareth Bale innit",
        "Syr Tom Jones sang at the Senedd",
        "we need more artists like Beyonce, Rihanna, Adele",
        "Prynhawn da, Dewi Sant oedd",
        "ms teams is rubbish",
        "dr who is the best show",
        "i went to Barry High Street",
        "dwi'n mynd i ysgol gymraeg",
        "yn yr ysgol gynradd leol roedd gwersi nofio",
        "me and will power dont get on lol",
        "me and my mates want a skatepark",
        "fi a fy ffrindiau yn mynd i'r parc",
        "love you mum x",
        "cheers drive x",
        "Eira mawr llynedd a dim bysus am wythnos",
        "Mai ydy mis yr arholiadau, rhy brysur",
    ],
)
def test_round_three_lookalikes_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Hunter and I want a bike track", "I'm [name] and I want a bike track"),
        ("- Will", "- [name]"),
        ("this is Summer from year 9", "this is [name] from year 9"),
        ("me and Wiktoria go to the youth club", "me and [name] go to the youth club"),
        ("luv Mehreen xx", "luv [name] xx"),
        ("Eira dw i, bl 8", "[name] dw i, bl 8"),
    ],
)
def test_names_that_are_also_words_still_count_where_a_name_is_expected(
    text: str, expected: str
) -> None:
    """The everyday-word list leaves out every listed name, so "Hunter" or "Will" after an
    introduction is still a name, while "Madness" or "Cinema" is not."""
    assert scrub(text)[0] == expected


def test_the_name_lists_are_built_and_keep_words_and_names_apart() -> None:
    from services import scrub as module

    first = module._name_list("first_names.txt")
    surnames = module._name_list("surnames.txt")
    words = module._everyday_words()
    assert len(first) > 8000 and len(surnames) > 4000 and len(words) > 50000
    assert {"jade", "kian", "gethin", "llŷr", "becca", "wiktoria"} <= module._GIVEN_NAMES
    assert {"will", "may", "mark", "park", "mae", "beth", "pan", "dan"}.isdisjoint(first)
    assert {"hunter", "grace", "jade", "will"}.isdisjoint(words)  # names that are words too
    assert {"cinema", "mental", "madness", "gutted"} <= words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my ig kai_b07 if u want", "my ig [handle] if u want"),
        ("insta - bmx.boy.07", "insta - [handle]"),
        ("snap fi celf_catrin", "snap fi [handle]"),
        ("i play fortnite v2", "i play fortnite v2"),
        ("roblox 3am again", "roblox 3am again"),
        ("my tiktok got 10k views", "my tiktok got 10k views"),
    ],
)
def test_handles_after_a_platform_without_is_or_a_colon(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


# --- round 4 (scrub2): misses and wrong changes found on tests/data/dev2/scrub.yaml -----------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the bus shelter roof leaks 😭 bradley", "the bus shelter roof leaks 😭 [name]"),
        ("thats my answer 😅😅 dexter", "thats my answer 😅😅 [name]"),
        ("please sort the astro\nrosie 8T x", "please sort the astro\n[name] 8T x"),
        ("hope this helps. Sent from Kyle", "hope this helps. Sent from [name]"),
        ("free swimming. by Lily-Rose 9C", "free swimming. by [name] 9C"),
        ("the tip stinks\nK.W.", "the tip stinks\n[name]"),
        ("bus passes - Jenson, form 10W", "bus passes - [name], form 10W"),
        ("mwy o glybiau chwaraeon, gan Efa bl 8", "mwy o glybiau chwaraeon, gan [name] bl 8"),
        ("bysiau rhatach, oddi wrth Gethin x", "bysiau rhatach, oddi wrth [name] x"),
    ],
)
def test_round_four_sign_offs(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi it's amber from the eco club", "hi it's [name] from the eco club"),
        ("me: Tayla, age 16, need jobs", "me: [name], age 16, need jobs"),
        ("haia, Sion sy'n siarad, ma'r bws", "haia, [name] sy'n siarad, ma'r bws"),
        ("s'mae, Lowri yma, mwy o siopau plis", "s'mae, [name] yma, mwy o siopau plis"),
    ],
)
def test_round_four_introductions(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("im at St Bernadettes RC and", "im at [school] and"),
        ("i go to St Mary's RC Primary and", "i go to [school] and"),
        ("Riverside Academy students need a crossing", "[school] students need a crossing"),
        ("all my mates at Hillcrest College agree", "all my mates at [school] agree"),
        ("add me on discord, its nova#7781", "add me on discord, its [handle]"),
        ("my tag is skyler#4421 lol", "my tag is [handle] lol"),
    ],
)
def test_round_four_schools_and_handles(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "roedd Syr Wynff yn well na'r cyngor",
        "Haf yma dwi isio swydd",
        "Police Academy is a classic film",
        "the Umbrella Academy is on netflix",
        "Cardiff College does free courses",
        "hi its me again, still no buses",
        "hey it's summer, finally",
        "gan fod dim arian does dim clwb",
        "by the time the bus comes im late",
        "Sent from my iPhone",
        "me: i think the buses are bad",
        "we live in the U.K.",
        "thanks for listening\nP.S.",
        "love it 😍 Cardiff",
        "we need it 🙏 thanks",
    ],
)
def test_round_four_lookalikes_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the park is grim tbh Lacey :)", "the park is grim tbh [name] :)"),
        ("sort the lights out xoxo georgia", "sort the lights out xoxo [name]"),
        ("ok thats everything. Kane out ✌️", "ok thats everything. [name] out ✌️"),
        ("more clubs please\nFrom: Priya", "more clubs please\nFrom: [name]"),
        ("the beach bus. Rhys, 15, Barry", "the beach bus. [name], 15, Barry"),
        ("more bus routes (Leon, 14)", "more bus routes ([name], 14)"),
        ("more bins pls\nMaddie & Leo x", "more bins pls\n[name] & [name] x"),
        ("kai woz ere", "[name] woz ere"),
        (
            "please do something - a very annoyed Callum",
            "please do something - a very annoyed [name]",
        ),
        ("trwsiwch y llwybr. gan: Iolo", "trwsiwch y llwybr. gan: [name]"),
    ],
)
def test_round_four_more_sign_off_shapes(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi am kayden from the estate", "hi am [name] from the estate"),
        ("Bella speaking, we need benches", "[name] speaking, we need benches"),
        ("its Jacob lol and the club shut", "its [name] lol and the club shut"),
        ("known as Tash to my mates", "known as [name] to my mates"),
        ("mae pawb yn fy ngalw i'n Bedwyr", "mae pawb yn fy ngalw i'n [name]"),
        ("i'm in year 9 at Ashgrove", "i'm in year 9 at [school]"),
        ("add my snap its tommo2k9", "add my snap its [handle]"),
    ],
)
def test_round_four_more_introductions_schools_handles(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ms Marvel is my favourite",
        "cofion gorau,\nCyngor Ieuenctid",
        "helo! Newydd ydw i yn y dre",
        "xoxo gossip girl is my comfort show",
        "im out of ideas ✌️",
        "From: a young person who cares",
        "- a very annoyed teenager",
        "hi am i the only one who thinks the park is grim",
        "its Friday lol nothing to do",
        "known as the worst town in wales lol",
        "i'm in year 9 at the comp and its fine",
        "i am in year 9 at Cardiff",
        "my tiktok its getting views",
        "trwsiwch y llwybr. Gan: Dewi Sant",
        "(Cardiff, 2019)",
        "Rock & Roll",
        "mae pawb yn fy ngalw i'n ddiog",
    ],
)
def test_round_four_more_lookalikes_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text 07700 nine hundred 361", "text [phone]"),
        ("my @ is kai.jpg on insta", "my @ is [handle] on insta"),
        ("ig → bmx_bro_2010", "ig → [handle]"),
        ("follow us on insta wrexhamskaters", "follow us on insta [handle]"),
        ("mr john davies said no", "mr [name] said no"),
        ("our head teacher Mr John Davies is great", "our head teacher Mr [name] is great"),
        (
            "Mr Prys Mathemateg yn rhoi gormod o waith",
            "Mr [name] Mathemateg yn rhoi gormod o waith",
        ),
    ],
)
def test_round_four_phones_handles_and_teachers(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mr Bates vs the Post Office made me cry",
        "Dr Alex George talks about mental health loads",
        "Miss Universe is so outdated",
        "Mrs Claus should visit the youth club",
        "Prof Brian Cox came to the science fair",
        "Mr Khan the mayor of London has free buses for kids",
        "Dr Martin Luther King had a dream and so do we",
        "Mrs Potts from Beauty and the Beast is my nan",
        "like Mr Potato Head we are missing bits",
        "waiting for Mr Right like the bus lol",
        "mae rhyw wefan dot com yn dweud celwydd",
        "some website dot com said so",
        "follow us on insta for updates",
    ],
)
def test_round_four_titled_public_figures_and_lookalikes_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("written by me (Harley) for the forum", "written by me ([name]) for the forum"),
        ("my mates Ryan and Tyler got banned", "my mates [name] and [name] got banned"),
        ("our Kyle got his bike nicked", "our [name] got his bike nicked"),
        ("Kai and Jack from my class got jumped", "[name] and [name] from my class got jumped"),
        ("roedd Dylan a Fflur yn y parc", "roedd [name] a [name] yn y parc"),
        ("snap is tia.x.09 and", "snap is [handle] and"),
        ("hi there, Isaac here, i want a bike shed", "hi there, [name] here, i want a bike shed"),
        ("oddi wrth: Non", "oddi wrth: [name]"),
    ],
)
def test_round_four_people_named_in_passing_and_more(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Diolch! Gwych",
        "our Jack Russell barks all night",
        "our Council never listens",
        "Tom and Jerry got cancelled",
        "roedd Sali Mali a Jac y Jwc yn y parti",
        "me & my mates get moved on",
        "hi there, the park is bad",
        "insta is toxic for teenagers",
    ],
)
def test_round_four_people_lookalikes_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    "text",
    [
        "Brexit was here before i was born",
        "Hope was here",
        "Arsenal Academy kids came to our school",
    ],
)
def test_round_four_verbs_and_football_academies_are_left_alone(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more youth workers\n- Aisha (16)", "more youth workers\n- [name] (16)"),
        ("Much love, Remi", "Much love, [name]"),
        ("more bins in the park amelia.x", "more bins in the park [name].x"),
        ("Cofion cynnes iawn, Non", "Cofion cynnes iawn, [name]"),
    ],
)
def test_round_four_closers(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add me kai.b07", "add me [handle]"),
        ("find me on tiktok as kaiskates", "find me on tiktok as [handle]"),
        ("my username on roblox is KaiGamer", "my username on roblox is [handle]"),
        ("kai_b07 on snap", "[handle] on snap"),
        ("i.e. on tiktok", "i.e. on tiktok"),
        ("the 10.30 on snap", "the 10.30 on snap"),
        ("follow me as well", "follow me as well"),
    ],
)
def test_round_four_handles_next_to_a_platform(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("our school Heronsbridge has no lockers", "our school [school] has no lockers"),
        ("my school, Bryn Celyn, is far", "my school, [school], is far"),
        ("fy ysgol ydy Glantaf", "fy ysgol ydy [school]"),
        ("Stanwell School has no buses", "[school] has no buses"),
        ("Sunday School is boring", "Sunday School is boring"),
        ("Summer School was fun", "Summer School was fun"),
        ("Driving School prices are mad", "Driving School prices are mad"),
        ("my school is rubbish", "my school is rubbish"),
    ],
)
def test_round_four_a_school_by_its_own_name(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


# --- round 5 (scrub5): unlisted names where a signature stands, Welsh relations and openings,
# schools with a lower-case kind, and inputs that used to take quadratic time ----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the youth hut is freezing\n\nBodhi", "the youth hut is freezing\n\n[name]"),
        ("from ur local bmx kid, Rafferty", "from ur local bmx kid, [name]"),
        ("more seats in the bus station\nWren x", "more seats in the bus station\n[name] x"),
        ("thank u for asking 🙏 zuri", "thank u for asking 🙏 [name]"),
        ("no more cuts\n\n- Taio M, 16", "no more cuts\n\n- [name], 16"),
        ("Signed: Kofi Mensah, year 10\nmore pitches", "Signed: [name], year 10\nmore pitches"),
        ("the park needs a fountain\n-Lyla\nyr 6", "the park needs a fountain\n-[name]\nyr 6"),
        ("me, Sanvi, age 11 - a bigger library", "me, [name], age 11 - a bigger library"),
        ("Iestyn, blwyddyn 9 — ma angen cae 3G", "[name], blwyddyn 9 — ma angen cae 3G"),
        ("my nickname is Tolu lol", "my nickname is [name] lol"),
        ("heya, Kiara here, free buses", "heya, [name] here, free buses"),
        ("bysys yn rhy ddrud. Yn gywir, Seren Fflur", "bysys yn rhy ddrud. Yn gywir, [name]"),
        ("fy enw ydi Steffan a dwi'n byw yn y dre", "fy enw ydi [name] a dwi'n byw yn y dre"),
        ("Moi dw i a dwi isio mwy o fysiau", "[name] dw i a dwi isio mwy o fysiau"),
        ("osian-rhys dw i lol", "[name] dw i lol"),
        ("ma nain Gwyneth yn methu dal y bws", "ma nain [name] yn methu dal y bws"),
        ("ma f'ewythr Emyr yn gyrru ni", "ma f'ewythr [name] yn gyrru ni"),
        ("ask my youth worker Gavin, he knows", "ask my youth worker [name], he knows"),
        ("my bestie maisy and me", "my bestie [name] and me"),
        ("me and Dolly from my class wanna", "me and [name] from my class wanna"),
        ("dilyn fi ar tiktok, llyr_sglefrio", "dilyn fi ar tiktok, [handle]"),
        ("i go to Coed Glas primary and", "i go to [school] and"),
        ("at St Brigids Catholic School there", "at [school] there"),
        ("i'm in yr 9 at greenhill comp, buses", "i'm in yr 9 at [school], buses"),
        ("Pentre Valley Sixth Form College has", "[school] has"),
        ("at st cuthberts we dont get a say", "at [school] we dont get a say"),
    ],
)
def test_round_five_names_and_schools(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nadolig Llawen x",
        "thanks for reading\nPeace and love",
        "Bless you all\nMay",
        "cariad at Gymru x",
        "bore da, Cymru x",
        "more buses! Brexit",
        "fix the roads\nMany thanks",
        "more events\nHelp x",
        "fix it\nlol",
        "so done 😭 bruv",
        "the park\nthankss",
        "more stuff 👍 cheerz",
        "😂 skatepark",
        "ok\nxoxoxo",
        "mwy o fysiau\nplis diolch",
        "dim byd i neud 😩 wir",
        "dilyn fi ar insta, plis",
        "Hapus dw i a dwi isio mwy",
        "Rygbi dw i a pel-droed",
        "Free primary school meals for all",
        "Cardiff primary schools are full",
        "at st ives beach",
        "we were at st marys hospital",
        "me and Maths from my class lol",
        "ma nain yn sal",
    ],
)
def test_round_five_clean_answers_stay(text: str) -> None:
    assert scrub(text)[0] == text


# --- round 6 (scrub6): EAL and young writers, form codes, apostrophe names, casual schools ------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello my name Thuy Linh, I am 12", "Hello my name [name], I am 12"),
        ("i am Kite from 7B and i want a park", "i am [name] from 7B and i want a park"),
        ("the pool is cold. from zuzanna age 9", "the pool is cold. from [name] age 9"),
        ("more buses\n- o'shea", "more buses\n- [name]"),
        ("Ellis-Rae Jones 10C we need lockers", "[name] 10C we need lockers"),
        ("Marek Nowak 9T 07700 900 225", "[name] 9T [phone]"),
        ("im at llandaff high and the field floods", "im at [school] and the field floods"),
        ("our gang at penarth comp want a club", "our gang at [school] want a club"),
        ("my school is st cyres and its ok", "my school is [school] and its ok"),
        ("dwi yn ysgol y gwendraeth", "dwi yn [school]"),
        ("mae plant yn ysgol pencoed yn drist", "mae plant yn [school] yn drist"),
        ("great idea - bisi, 12", "great idea - [name], 12"),
        ("we met a lad called Tomos at the park", "we met a lad called [name] at the park"),
        ("mae bachgen o'r enw Gethin yn y dosbarth", "mae bachgen o'r enw [name] yn y dosbarth"),
        ("a boy in my year Keanu got hurt", "a boy in my year [name] got hurt"),
        ("im a student at Heolgam and its ok", "im a student at [school] and its ok"),
        ("my old school Bryncelyn was better", "my old school [school] was better"),
        ("i was in year 7 at western comp", "i was in year 7 at [school]"),
        ("call frank on 0300 123 6600", "call frank on 0300 123 6600"),
        ("Myself Ishaan, class 7, we need a library", "Myself [name], class 7, we need a library"),
        ("i call myself Tigs", "i call myself [name]"),
        ("dw i'n galw fy hun yn Lili", "dw i'n galw fy hun yn [name]"),
        ("can we get a water park (Amelia)", "can we get a water park ([name])"),
        ("more benches frm ellie x", "more benches frm [name] x"),
        ("Hiya, Gruff o flwyddyn 8 yma", "Hiya, [name] o flwyddyn 8 yma"),
        ("ring O77OO 9OO 611 after school", "ring [phone] after school"),
        ("My name are Olena and I like art", "My name are [name] and I like art"),
        ("Hi I'm name Farid from class 4", "Hi I'm name [name] from class 4"),
        ("my nmae is Tanisha", "my nmae is [name]"),
        ("im lacey-jo im 10", "im [name] im 10"),
        ("I am the Zofia from class 5", "I am the [name] from class 5"),
        ("more bins thank you very much Hafsa", "more bins thank you very much [name]"),
        ("my auntie's boyfriend Darren shouts", "my auntie's boyfriend [name] shouts"),
        ("Fy enw yw i Olena", "Fy enw yw i [name]"),
        ("helo dwi'n Cari", "helo dwi'n [name]"),
    ],
)
def test_round_six_names_and_schools(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "my name on the list since june",
        "ysgol y pentref yn cau",
        "mae angen mwy o arian yn ysgol leol ni",
        "dw i'n mynd yn ysgol heddiw",
        "at cardiff high street",
        "I am Welsh from year 9",
        "oddi wrth ddisgyblion bl 9",
        "Room 12B is cold",
        "Bus 9A is late",
        "Year 7 and 8 - more clubs",
        "a dog called Max",
        "a film called Cars",
        "lle o'r enw Treorci",
        "in my class Maths is boring",
        "my school is Amazing",
        "prices at sky high",
        "at another primary",
        "cofion\nBlwyddyn 10",
        "a letter from Santa",
        # ("Myself and ..." is no introduction; the case once named a friend, Jade, whom the
        # name tagger rightly takes since it learnt from more batches)
        "Myself and the others went to the park",
        "Dw i'n galw fy hun yn Gymro",
        "I call myself Welsh",
        "cool (Netflix)",
        "O2 arena gigs are too dear",
        "I am the Captain of the team",
        "dwi'n Gymraes",
        "my name are not important",
        "thank you very much, council",
        "my mum's car Bertha",
        "ruby-like colours",
        "fy enw yw i ddim yn bwysig",
        "Fy enw i yw dim o'ch busnes",
    ],
)
def test_round_six_clean_answers_stay(text: str) -> None:
    assert scrub(text)[0] == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Good afternoon, Rhys Bowen here, 20", "Good afternoon, [name] here, 20"),
        ("who am i? Lacey, 17, at college", "who am i? [name], 17, at college"),
        (
            "writing as Oren, a young dad, the nursery costs",
            "writing as [name], a young dad, the nursery costs",
        ),
        ("my flatmate Nikita works nights", "my flatmate [name] works nights"),
        ("Best wishes,\nMeleri Haf Roberts\nYear 13", "Best wishes,\n[name]\nYear 13"),
        ("Iola from my course dropped out", "[name] from my course dropped out"),
        ("did my a levels at pontypridd and loved it", "did my a levels at [school] and loved it"),
        ("ffrind fi Nerys wedi symud", "ffrind fi [name] wedi symud"),
        ("Bryn ydy'n enw i", "[name] ydy'n enw i"),
        ("I, Kofi Mensah, want more buses", "I, [name], want more buses"),
        ("shoutout to Megan at the hub", "shoutout to [name] at the hub"),
        ("Jack's nan gives us lifts", "[name]'s nan gives us lifts"),
        ("Many thanks\n- Owen & Elis", "Many thanks\n- [name] & [name]"),
    ],
)
def test_round_seven_names_and_schools(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "my name is already on the list",
        "name: prefer not to say",
        "Tom and Jerry got cancelled",
        "Yours, the residents of Heol Fach",
        "Love, your friendly neighbourhood Spiderman",
        "did my GCSEs at home",
        "the Bishop of Llandaff spoke at the vigil",
        "Yn gywir,\nDisgyblion Blwyddyn 12",
        "Good evening. Rent is the biggest issue",
        "I, for one, think the buses are fine",
    ],
)
def test_round_seven_clean_answers_stay(text: str) -> None:
    assert scrub(text)[0] == text


def _fastest_ms(text: str) -> float:
    """The fastest of a few runs, in ms (tests/timing.py: a median failed a rehearsal while
    models were being rebuilt on the same machine)."""
    return fastest(lambda: scrub(text)) * 1000


def test_adversarial_input_takes_no_longer_than_plain_text() -> None:
    """4,000 characters shaped to make a rule backtrack ("a-b-c-...", "x x x ...", a long run of
    letters before "on snap") take about as long as ordinary text of that length (each used to
    take 0.5-1 s). Compared with plain text on the same machine, so a busy runner does not fail
    it; on an idle one both are some 30 ms."""
    rng = random.Random(14)
    word = "".join(rng.choice("bcdfghjklmnpqrstvwz") + rng.choice("aeiou") for _ in range(2000))
    plain = _fastest_ms(("the buses are always late and the park is a mess " * 90)[:4000])
    for text in (
        "fix it\n" + word,
        "fix 🙏 " + word,
        "at st " + word,
        "-".join(word[i : i + 5] for i in range(0, 3900, 5)),
        "x " * 2000,
        "xo" * 2000,
        "Bodhi\n" * 666,
        "Moi dw i a " * 360,
        word[:3900] + " on snap",
        "yn ysgol " + word,
        "\nJade Price 9R" * 300,
        "i am Yaw " * 440,
        "a girl called " * 300,
        "in my class Aa Bb " * 230,
        "- chioma, 13 " * 300,
        "year 8 at eastern high " * 180,
        "Myself " * 570,
        "(Aa " * 1000,
        "from Jaz " * 440,
        "O7" * 2000,
        "O" * 4000,
        "I am the Aa " * 330,
        "dwi'n Aa " * 440,
        "my auntie's " * 330,
        "Kind regards,\nAbdi Farah" + ", x" * 1300,
        "I, " * 1400,
        "Good evening, " * 290,
        "shoutout to " * 340,
        "Jake, my " * 450,
        "Yours, a very " * 290,
        "hwyl fawr o " * 330,
        "🙏 gan " * 570,
        "- love " * 570,
        "leah 12 " * 500,
        "from ur fav yr 7 " * 230,
        "they call me " * 300,
        "1234567890 " * 364,  # phonenumbers' matcher took 240 ms on these two
        " ".join(str(rng.randint(0, 99999)) for _ in range(700)),
    ):
        assert _fastest_ms(text[:4000]) < max(50.0, 4 * plain), text[:40]


@pytest.mark.parametrize(
    "phone", ["07700 900123", "07700 900 123", "+44 7700 900123", "029 2018 0123"]
)
def test_a_phone_after_a_wall_of_numbers_still_goes(phone: str) -> None:
    """The matcher stops after 60 candidates; the digit-run rules still find what follows."""
    wall = " ".join(str(n) for n in range(10_000, 10_700, 7))
    out, _ = scrub(f"{wall} call me on {phone} ok")
    assert phone not in out and out.endswith("call me on [phone] ok"), out[-60:]


@pytest.mark.parametrize(
    ("text", "own"),
    [
        ("cheers,\nRenée", ()),
        ("my name is Renée Jones", ()),
        ("thanks from Siân", ()),
        ("the bus never comes, Siân here", ("Siân",)),
        ("Zoë Ellis is in my class", ()),
    ],
)
def test_an_answer_in_decomposed_letters_is_scrubbed_as_its_composed_form(
    text: str, own: tuple[str, ...]
) -> None:
    """An accent typed as a combining mark ("e" + U+0301, as some keyboards and pastes send it)
    neither hides a name nor leaves part of one ("[name]\u0301e Jones")."""
    composed = unicodedata.normalize("NFC", text)
    assert scrub(unicodedata.normalize("NFD", text), own) == scrub(composed, own)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a listed first name before a surname already removed; Welsh "X Y ydw i"
        ("Elis Roberts ydw i, dwi'n ail flwyddyn.", "[name] [name] ydw i, dwi'n ail flwyddyn."),
        ("Sion Pritchard ydw i o flwyddyn 6", "[name] [name] ydw i o flwyddyn 6"),
        # a sign-off followed by lines holding only the writer's contacts
        (
            "I made posters — thanks, Marlowe\nbit.ly/abc12",
            "I made posters — thanks, [name]\n[link]",
        ),
        # "thanks for listening" closes as "thanks" does; an age among words in brackets
        (
            "more for young dads. cheers for listening, Dan (Rhyl, 23, dad of 2)",
            "more for young dads. cheers for listening, [name] (Rhyl, 23, dad of 2)",
        ),
        ("diolch am ddarllen, Elin", "diolch am ddarllen, [name]"),
        # a coach's and a cadet officer's title
        ("Coach Pritchard from football says", "Coach [name] from football says"),
        ("Flt Lt Adebayo-Jones runs our squadron", "Flt Lt [name] runs our squadron"),
        # Welsh "o X bl 5" (from) ending the message, for a listed first name
        ("mae'r llithren yn rhy fach. o Elis bl 5", "mae'r llithren yn rhy fach. o [name] bl 5"),
        # schools: a capitalised name after lower-case "ysgol y", two lower-case words before "comp"
        ("Dwi yn ysgol y Moelwyn a", "Dwi yn [school] a"),
        ("the toilets at usk vale comp are locked", "the toilets at [school] are locked"),
        # a message typed in capitals: a first name after a closer or "from" is still a name
        ("SORT IT OUT\n\nCHEERS - KALLUM", "SORT IT OUT\n\nCHEERS - [name]"),
        ("THE SKATE PARK NEEDS LIGHTS\nFROM TYREECE", "THE SKATE PARK NEEDS LIGHTS\nFROM [name]"),
    ],
)
def test_names_in_shapes_found_by_batches_13_and_14(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


def test_a_name_joined_to_one_the_tagger_removed_goes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The joined-name rules run again after the name tagger, whose [name] can stand where no
    rule's did."""
    monkeypatch.setattr(name_model, "replace", lambda text, *_: text.replace("Sam", "[name]"))
    out, _ = scrub("I was walking home with Sam and Seren from band")
    assert out == "I was walking home with [name] and [name] from band"


@pytest.mark.parametrize(
    "text",
    [
        "Ma Norman Price o Sam Tân yn gwneud mwy o synnwyr na'r cyngor",  # no "Norma" + "n"
        "Thanks for reading. Peace out",
        "THANKS FOR READING. PEACE OUT",
        "thanks for listening (24 hours)",
        "we watched Coach Carter in PE",
        "the Coach Station is dirty",
        "Coach Trip is on tv every night",
        "Sgt Pepper is my favourite album",
        "dw i'n dod o Gaerdydd bl 9",
        "mae llawer o Blant bl 6",
        "grŵp o Ferched bl 8",
        "mae ysgol y Dref yn fawr",
        "at my old comp",
        "at big local comp",
        "they go to a different comp",
        "WE NEED MORE BUSES. THANKS, COUNCIL",
        "I'M BORED OF THE PARK",
        "CHEERS - THE LADS",
        "THE BUS IS LATE. THANKS, EVERYONE",
        "Will Smith and Jada were on tv",
    ],
)
def test_clean_lookalikes_of_those_shapes_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Welsh: a listed first name as the word before mutates it, after "with", "thanks to",
        # "ask", or a name already removed and "a"
        (
            "es i i'r clwb ieuenctid gyda Charys a Thegwen nos Wener a roedd e ar gau",
            "es i i'r clwb ieuenctid gyda [name] a [name] nos Wener a roedd e ar gau",
        ),
        (
            "Os dych chi isio gwybod mwy gofynnwch i Ddyfrig yn y ganolfan",
            "Os dych chi isio gwybod mwy gofynnwch i [name] yn y ganolfan",
        ),
        (
            "diolch i Fleddyn yn y clwb ieuenctid am helpu fi efo CV",
            "diolch i [name] yn y clwb ieuenctid am helpu fi efo CV",
        ),
        # a listed first name set off by commas after a word for someone's role
        (
            "the lady from the council, Claire, she help my mum with the forms",
            "the lady from the council, [name], she help my mum with the forms",
        ),
        (
            "Mae'r hyfforddwr, Huw Bryn, yn gorfod gyrru ni",
            "Mae'r hyfforddwr, [name], yn gorfod gyrru ni",
        ),
        # a relation used as a title
        ("Mum and Uncle Terry take me to the shops", "Mum and Uncle [name] take me to the shops"),
        # "please" before "from" closes as a closer does (the issue's "from Name" sign-offs)
        ("more buses please from Zephyrine", "more buses please from [name]"),
    ],
)
def test_names_in_shapes_found_by_batches_15_and_16(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Aethon ni i Drefor ar drip ac roedd y traeth yn lyfli",  # a place named like a person
        "Ma'r bws o Lyn Ceiriog i'r Waun yn dod unwaith bob dwy awr",
        "mae Sali Mali a Jac y Jwc yn y llyfrgell",
        "Ma Norman Price o Sam Tân yn gwneud mwy o synnwyr na'r cyngor",
        "Mai a Medi yw'r misoedd gore i'r traeth ond ma'r toiledau ar gau",
        "Romeo a Juliet yn ein gwers Saesneg, hi'n marw, fe'n marw",
        "mae angen mwy o gerddoriaeth gan bobl fel Dafydd Iwan a Gwenno",
        "dw i'n byw yng Nghaerdydd a dw i'n mynd i Gaerdydd bob dydd",
        "Uncle Sam wants you",
        "Uncle Ben's rice is the best",
        "the man from the shop, Greggs, sells pasties",
        "the teacher said, Well, that is that",
        "more buses please from Tonyrefail",
        "can we have help please from the council",
        "please from now on fix the lights",
    ],
)
def test_clean_lookalikes_of_batches_15_and_16_shapes_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a faith leader by title
        (
            "Father Nonoy from church does a youth night",
            "Father [name] from church does a youth night",
        ),
        ("Mae'r Parchedig Elfed Wyn yn gadael i ni", "Mae'r Parchedig [name] yn gadael i ni"),
        # a name set off after a role: in brackets, two joined by "and", an everyday word listed
        # as a first name
        ("our coach at the club (Jaxon) is sound", "our coach at the club ([name]) is sound"),
        (
            "Two of the lads on site, Kris and Baz, sleep on sofas",
            "Two of the lads on site, [name] and [name], sleep on sofas",
        ),
        ("The nurse who comes, Pearl, is lovely", "The nurse who comes, [name], is lovely"),
        (
            "me = Kim, 22, twins (Lacey and Mason) both 2",
            "me = [name], 22, twins ([name] and [name]) both 2",
        ),
        # a saint's school after "moved to"; southern Welsh "galw'n hunan yn"
        (
            "got moved to st martins when i went to live with my aunty",
            "got moved to [school] when i went to live with my aunty",
        ),
        ("Wi'n galw'n hunan yn Deio ond", "Wi'n galw'n hunan yn [name] ond"),
    ],
)
def test_names_in_shapes_found_by_batches_17_and_18(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mae Taid yn gwrando ar Syr Bryn Terfel bob nos Sul",  # a knight, not a teacher
        "Miss Havisham deserves better",
        "Father Christmas came to the school",
        "the teacher said, Well, that is that",
        "our coach, Cardiff, was late",
        "the workers, Monday and Tuesday, are off",
        "my mates (all of us) want a park",
        "we went to st davids for the day",
        "Hwyl fawr o Gaerdydd",
    ],
)
def test_clean_lookalikes_of_batches_17_and_18_shapes_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relations in the languages of the families young people come from; "her"/"his"
        ("my nani Shabana cant walk to the bus stop", "my nani [name] cant walk to the bus stop"),
        ("My babcia Halina reads the letters", "My babcia [name] reads the letters"),
        ("so her brother Yonas goes to town", "so her brother [name] goes to town"),
        ("from me and her twin Kehinde", "from me and her twin [name]"),
        # a sign-off after a double dash; "safe," as a closer
        ("the club is great, thanks.\n-- jaxon", "the club is great, thanks.\n-- [name]"),
        ("we need a skatepark. stay safe, Tyrese", "we need a skatepark. stay safe, [name]"),
        # a lower-case name no list knows, before an age or after "name is" opening a sentence
        ("im kaveh im 16 and i work at the garage", "im [name] im 16 and i work at the garage"),
        ("name is zhara. more buses pls", "name is [name]. more buses pls"),
        # southern "odw i"; "fi sy 'ma, ..."; a mutated name after "gan", in a sentence with one
        # common Welsh word of the narrow list
        ("Gwenllian odw i ac rwy'n 14", "[name] odw i ac rwy'n 14"),
        ("fi sy 'ma, Nel o flwyddyn 9. Plis", "fi sy 'ma, [name] o flwyddyn 9. Plis"),
        ("Ges i lifft adra gan Fedwyr o'r gwaith", "Ges i lifft adra gan [name] o'r gwaith"),
        (
            "Es i i'r dre gyda Thudur ar ôl ysgol a roedd y bws yn hwyr",
            "Es i i'r dre gyda [name] ar ôl ysgol a roedd y bws yn hwyr",
        ),
    ],
)
def test_names_in_shapes_found_by_batches_19_and_20(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "im fuming 15 minutes late again",
        "im shattered, 16 hours at work",
        "im back 2 years later",
        "name is on the list",
        "Roedd y gêm gan Dewi Sant yn wych",  # Saint David, not a friend
        "Romeo a Juliet yn ein gwers Saesneg",
        "it is not safe, Mam",
        "Safe, the park is fine now",
        "Fi sydd yma, plis helpwch",
        "I ate Pizza",
    ],
)
def test_clean_lookalikes_of_batches_19_and_20_shapes_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relation after a removed name; "brother of"; whose phone sent it
        ("my nan Kezia and uncle Baraka run it", "my nan [name] and uncle [name] run it"),
        ("Bogdan here, brother of Ilinca", "[name] here, brother of [name]"),
        ("sent from ollie's phone", "sent from [name]'s phone"),
        # "here" after "this is" or "ur boi", even in lower case
        ("this is zhara here", "this is [name] here"),
        ("its ur boi kyle here", "its ur boi [name] here"),
        # Welsh "yma" after a greeting; a hyphenated mutated name
        ("Haia, Gwenno yma, bl 8", "Haia, [name] yma, bl 8"),
        (
            "es i gyda Lili-Mai i'r dre achos roedd hi'n oer",
            "es i gyda [name] i'r dre achos roedd hi'n oer",
        ),
        # an everyday word that is a family member's name; care and work roles
        ("my dad Florin drives a taxi", "my dad [name] drives a taxi"),
        ("my old man Terry fished here", "my old man [name] fished here"),
        ("the driver on the 4, Kelvin, is kind", "the driver on the 4, [name], is kind"),
        ("(my grandma, Mariamma) visits", "(my grandma, [name]) visits"),
        # thanks in another language as a closer; three names before "yw'n enw i"
        (
            "cadw'r llyfrgell ar agor. mulțumesc! Andrei",
            "cadw'r llyfrgell ar agor. mulțumesc! [name]",
        ),
        ("Ffion Haf Bevan yw'n enw i, bl 12.", "[name] yw'n enw i, bl 12."),
        # a lower-case name no list knows after an introduction that only ever names
        ("its me zaydan, the bus is late", "its me [name], the bus is late"),
        ("the names zaydan and im bored", "the names [name] and im bored"),
    ],
)
def test_names_in_shapes_found_by_batches_21_and_22(text: str, expected: str) -> None:
    assert scrub(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "its peng here",
        "my mum Always says",
        "my brother Plays football",
        "my health visitor Service has been cut",
        "in the house of my uncle I sleep",
        "Helo, Problem yma.",
        "Ring C.A.L.L. on 0800 132 737",  # helplines in Wales are kept
        "Live Fear Free 0808 80 10 800",
        "Postmon dwi, dim byd sbesial",
        "merci!",
        "its me again",
        "its me bruv",
        "they call me the boss",
        "everyone calls me mental",
    ],
)
def test_clean_lookalikes_of_batches_21_and_22_shapes_are_kept(text: str) -> None:
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    "text",
    [
        "Will the new 3G pitch in Llanelli be free for girls teams? Hope so",
        "Hoffwn gael cae 3G yn Llanelli fel bod ni'n gallu chwarae",
        "Caru chi! Oddi wrth fi 😊",
        "Aneurin Bevan would be ashamed of the waiting times at Nevill Hall, my nan waited 9 hours",
        "Kind regards,\nYouth Forum (Cardiff)",
        "Aethon ni heb Gaerdydd a heb Mam",
    ],
)
def test_round_fifteen_lookalikes_are_left_alone(text: str) -> None:
    """fresh25/26 (scored before the round): a question opening "Will" before a 3G pitch,
    Welsh "Hoffwn" before one, "Oddi wrth fi" after a closer, a hospital's name before ", my
    nan" were each taken as a name."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jade Price 9R - the pitch floods", "Jade"),
        ("I told Jake Hall, my brother, about it", "Hall"),
        ("My sekuru Tendai came from Harare to visit us", "Tendai"),
        ("my anneanne Ayşe lives with us", "Ayşe"),
        ("my xhaxhi Gëzim had his van broke into", "Gëzim"),
        ("Es i i'r rali gyda Phedr llynedd", "Phedr"),
        ("Mae Cynan a fi angen bws", "Cynan"),
        ("Sdim bws o gwbl. Heb Feinir fydde dim clwb 'da ni.", "Feinir"),
        ("Plis cofiwch ni.\n\nDiolch o galon,\nDafydd Jones (Is-gadeirydd y clwb)", "Dafydd"),
        ("Thanks for reading.\n\nKind regards,\nJo Bloggs (Chair)", "Bloggs"),
    ],
)
def test_round_fifteen_names_are_removed(text: str, name: str) -> None:
    """A name before a form code still goes when every word is capitalised; a surname before
    ", my brother" after a listed first name; relatives named with the word their family uses
    (Shona, Turkish, Albanian); Welsh names the lists lacked (Pedr, here mutated); a name
    after "heb" (without) as Welsh mutates it; a name on its own line after a closer with a
    role in brackets."""
    scrubbed, changed = scrub(text)
    assert changed and name not in scrubbed, scrubbed


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("at Ithon Valley School we used to have a youth worker", "Ithon"),
        ("i go to Brynteg School and the bus is late", "Brynteg"),
        ("Mae Nedw fy hogyn bach i'n 2 a does na'm lle", "Nedw"),
        ("Wedodd Dat-cu Emrys bydde fe'n mynd â fi", "Emrys"),
    ],
)
def test_round_sixteen_details_are_removed(text: str, detail: str) -> None:
    """fresh27/28 (scored before the round): a school named with "School" alone after "at"
    or "to"; a name before "fy hogyn"; a grandfather called "Dat-cu", as south Wales says."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Mae'r T5 yn costio £3.80. Gormod i blentyn 13 oed sy'n cael £5 yr wythnos.",
        "at Sunday School we sang, and my brother goes to Forest School in the woods",
        "Summer School at the college was free",
        "she went to Cardiff School of Art and Design",
        "we learn in Welsh School and then Dance School on Fridays",
        "the library should feel like being at Hogwarts School, all old books",
    ],
)
def test_round_sixteen_lookalikes_are_left_alone(text: str) -> None:
    """Welsh "Gormod" opening a sentence; kinds of school, and a school of a university named
    after its city, are no school's name."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        # introductions
        ("fi yw tomasz a dw i isio parc newydd", "tomasz"),
        ("ia, ma pawb yn galw fi'n twm ond Rhys dwi go iawn lol", "twm"),
        ("ka-wai here. i work in my family's chip shop most nights", "ka-wai"),
        ("Morgs. 17. Pontypool.\nTheres nothing to do here after 6", "Morgs"),
        ("this is nusrat typing for my little brother cos he cant spell yet", "nusrat"),
        ("19, second year apprentice at Broughton, Lewys by the way. The bus is late", "Lewys"),
        ("Abdirahman dw i (Abdi i pawb). Dw i'n chwarae pêl-droed", "Abdirahman"),
        # sign-offs and people in passing
        ("police move us on from every field\nta shamus", "shamus"),
        ("A friend of mine, Chidinma, waited so long for counselling", "Chidinma"),
        ("Our other keeper Mebrat has to get two buses to training", "Mebrat"),
        ("Oedd Siwan a Nanw isio mynd i'r disgo yn Llangefni", "Nanw"),
        ("Roedd Dyfrig, arweinydd yr aelwyd, yn talu am y neuadd", "Dyfrig"),
        ("Ma Senait a'i chwaer Luwam newydd symud 'ma", "Luwam"),
        ("Ma isie siop sglodion yn y pentre, fi a Dewi'n gweud 'ny bob wythnos", "Dewi"),
        # schools: a listed school's own name, mutated in Welsh; a comp in lower case
        ("When I was at West Mon nobody ever told us there were youth services", "West Mon"),
        ("the badminton club at bishop vaughan got cancelled", "bishop vaughan"),
        ("Ma'r bws i Gwynllyw yn gadael am 7:15", "Gwynllyw"),
        ("Dwi'n mynd i Syr Thomas Jones a ma'r wifi'n crap", "Thomas Jones"),
        ("pan o'n i ym Mhlasmawr roedd clwb ar ôl ysgol", "Mhlasmawr"),
        ("in tredegar comp the food is too expensive", "tredegar"),
        # two names joined, one listed, the other a capitalised word no list knows
        ("Nour and Amira are scared to walk home past the building site", "Nour"),
        ("Dw i'n cerdded i'r mosg efo Ammi a Hamza bob dydd Gwener", "Ammi"),
    ],
)
def test_round_seventeen_details_are_removed(text: str, detail: str) -> None:
    """fresh29/30 (scored once before the round): Welsh "fi yw" and "galw fi'n" with a name
    in lower case; a name opening the message before "here." or an age; "typing for"; "by the
    way"; a closer and an unlisted name ending the message; "a friend of mine, X"; team-mates;
    a Welsh verb before two names or a name and a role; Welsh 'n and 'i after a name; schools
    from prompts/names/schools.txt (mutated too); "X comp" in lower case after "in"."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "the high street looks like Miss Havisham's house, all dust and shutters",
        "That's all from me. Obrigada x",
        "same here. the buses are bad",
        "the buses are late\nthanks again",
        "the park is rubbish\ncheers mate",
        "Yes by the way the bus is late",
        "Mae Dafydd Iwan yn canu yn y Sioe eleni",
        "Mae Sali Mali a Jac y Jwc yn y llyfrgell",
        "Mae Haf yn dod yn fuan a Seren yn disgleirio",
        "ma Mali yn wlad yn Affrica, dysgon ni amdani",
        "we hang out at John Frost Square on Saturdays",
        "a friend of mine, who is lovely, says the same",
        "fi yw'r gorau am nofio, fi di blino",
        "Chelsea and Arsenal are rubbish at the moment",
        "Saka and Rice were class on Saturday",
        "Ant and Dec are funny but the telly is boring",
    ],
)
def test_round_seventeen_lookalikes_are_left_alone(text: str) -> None:
    """A likeness drawn with a character; thanks in Portuguese; "same here"; closers before an
    everyday word; public figures, seasons and a country after a Welsh verb; a square named
    after a man a school is named after; "fi yw'r" and "fi di" before no name."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Speaking for myself only (Abu, 18, Shotton end of Connah's Quay): the club", "Abu"),
        ("Good afternoon. Clarissa, Year 12. I work Saturdays at the chemist", "Clarissa"),
        ("Pan oeddwn i yn ysgol Treferthyr roedd gennym ni ardd lysiau", "Treferthyr"),
        ("Es i a Thrystan i'r pwll yn Llangefni dydd Sadwrn", "Thrystan"),
        ("ddoe o'n i a Gruffudd a Hedydd yn y parc ag oedd bois mawr", "Hedydd"),
        ("fel rhywun sy'n cael ei alw'n Ianto gan bawb, mwy o bethe i fois", "Ianto"),
        ("more buses to pontypridd on sundays pls!!\n\nfrom mei-xin 🏸", "mei-xin"),
        ("My khaleh Shirin uses a wheelchair and she cannot get onto the buses", "Shirin"),
        ("my tonton Patrick drive me to school when it snow", "Patrick"),
    ],
)
def test_round_eighteen_details_are_removed(text: str, detail: str) -> None:
    """fresh31/32 (scored once before the round): a name and an age opening a bracket; a
    name and a school year after a greeting's sentence; lower-case "ysgol" before a school's
    name; Welsh "es i a" / "o'n i a" (I went / I was with) before a mutated name; "ei alw'n";
    "from" and an unlisted name ending the message before an emoji; Persian and French words
    for family."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "im Hungarian and proud, but i get called names on the school bus",
        "The library is like Miss Havisham's house, nobody has dusted since 1990",
        "mynd i ysgol Gymraeg yn y dref, ac i ysgol Sul ar y penwythnos",
        "(Tesco, 24 hours) is the only place open",
        "buses are late\nfrom cardiff 🙂",
        "Es i a'r teulu i Aber ddoe",
    ],
)
def test_round_eighteen_lookalikes_are_left_alone(text: str) -> None:
    """A nationality after "im"; a likeness with a character after "is like"; kinds of Welsh
    school; a brand and hours in brackets; a place after "from"; "es i a'r teulu"."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Cled ydi'r enw, dwi'n 16 a dwi'n helpu Dad ar y ffarm", "Cled"),
        ("Shwmai, Rhydian fi, 17, o Frynaman. Sa i'n gallu fforddio'r gym", "Rhydian"),
        ("Yn YGG Lôn Las ni'n cael nofio unwaith y flwyddyn yn unig!!", "Lôn Las"),
        ("Fy nghydweithiwr Dilys sy'n fy helpu gyda'r Gymraeg bob amser cinio", "Dilys"),
        ("Ma Dad yn gweithio shifts a ma Jordan bach 'y mrawd gartre 'da fi", "Jordan"),
        ("Ma'r gwter tu allan i 3 Tai'r Efail, Mallwyd, 'di blocio eto", "Tai'r Efail"),
        ("Nonna Pina can't get up the hill to the shops anymore", "Pina"),
        ("please more bins in the park. thank you very much. Kaloyan P.", "Kaloyan"),
        ("Thanks a million for asking,\nOisin Doherty", "Oisin"),
    ],
)
def test_round_nineteen_details_are_removed(text: str, detail: str) -> None:
    """fresh33/34 (scored once before the round): "X ydi'r enw" says X is a name, whatever
    its ending; southern "Rhydian fi" after "Shwmai"; YGG for Ysgol Gymraeg Gynradd; "fy
    nghydweithiwr" (colleague); a name, "bach" and "'y mrawd"; "Tai'r" and "Rhes" in Welsh
    addresses; grandparents' titles in families' languages; "thank you very much" and "thanks
    a million for asking" as closers."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Ma'r coleg yn Llanelli yn iawn. Ysgol Gymraeg o'n i, so fi moyn cadw'r Gymraeg",
        "mynd i Ysgol Gyfun yn y dre",
        "Ma'r Prif Weinidog, Eluned Morgan, yn deud bod pobl ifanc yn bwysig",
        "the First Minister, Eluned Morgan, says young people matter",
        "mae 3 tai newydd ar y stad",
        "Beth yw fy enw? Dim ots",
        "I love it so much. Thanks a lot!",
    ],
)
def test_round_nineteen_lookalikes_are_left_alone(text: str) -> None:
    """A kind of Welsh school with no name after it; a public figure named after their office
    (the tagger no longer overrules it); "tai" as houses; a question about a name; thanks
    with no name."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("I am person not problem.\nL. Prosser, Pencoed", "Prosser"),
        ("Sneb byth yn gofyn i bobol ifanc.\nE. Dafis, Llanybydder", "Dafis"),
        ("Fy enw llawn ydy Idris Wyn Evans. Mewn cyfarfodydd does neb yn aros", "Idris"),
        ("Shwd mae. Elgan wi, deunaw, yn gweitho yn y mart bob dydd Iau.", "Elgan"),
        ("Ges i a Gwenlli a Nanw ein taflu allan o'r pwll nofio", "Gwenlli"),
        ("At Greek school on Saturday Kyria Eleni says there is no hall", "Eleni"),
        ("put me down as Makena, 17, sprinter. Why? girls stop doing sport", "Makena"),
        ("me and [name] walk home. [name]'s mum Grace picks us up now", "Grace"),
        ("Nurse Bethany on nights sits and plays uno with me", "Bethany"),
        ("a discord for producers, add me on there (tawebass_kenz) and ill send it", "kenz"),
        ("anfonwch neges i fi ar Snapchat plis: zahraa.llanbed", "zahraa"),
        ("more buses pls\nOisín Ó Dochartaigh", "Dochartaigh"),
        ("more buses pls\nLuuk van Dijk", "Dijk"),
        ("Thanks a million for asking,\nOisín Ó Dochartaigh\n(first year, Cardiff Met)", "Dochart"),
    ],
)
def test_round_twenty_details_are_removed(text: str, detail: str) -> None:
    """fresh35/36 (scored once before the round): an initial and a surname as the last line;
    "fy enw llawn ydy"; "Shwd mae" and southern "X wi"; "ges i a"; titles in families'
    languages and "Nurse"; "put me down as"; "[name]'s mum Grace"; a handle's shape in
    brackets or after a colon near the platform; a surname after "Ó", "Ní", "van", "bin"."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "More water fountains in the parks. Sawa, thats everything. Kwaheri!",
        "Noah's Ark is a good hospital but the parents room is tiny, my mum sleeps in a chair",
        "Roedd gwefan y cyngor, ceredigion.gov.uk, yn anodd iawn i fy nhad",
        "I loved Nurse Ratched in that film",
        "Get this sorted.\nA. Level",
        "on tiktok (i.e. the app) it's all ads",
    ],
)
def test_round_twenty_lookalikes_are_left_alone(text: str) -> None:
    """A farewell in Swahili; a state before "my mum" ("is tiny, my mum"); a council's own
    site; a nurse from a film; an initial and an everyday word; "i.e." after a platform."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("my grandmother Vija is living with us and she is lonely", "Vija"),
        ("our kid Mason is 16 and been riding since he was 6", "Mason"),
        ("The missus (Kirsty) has been on the waiting list for a nursery place", "Kirsty"),
        ("If the garden needs its hedges doing ring Lewis Prosser on 07700 900123", "Prosser"),
        ("At our church, our priest, Abba Tesfaye, said the hall could be a homework club", "Tesf"),
        ("a free room with a mirror is all we want\nHaeun, crew leader 💃", "Haeun"),
        ("More youth clubs where girls feel safe, please.\nBethlehem G. (16)", "Bethlehem"),
        ("Diolch am wrando, merci beaucoup!\n– Aurélie N., bl. 11", "Aurélie"),
        ("we carry plantain on the bus every week 😂 Merci!\n— Amara & Manka'a", "Manka"),
        ("Fi'n neud y cwrs coedwigaeth yng Ngholeg Sir Gâr ond ma'n cymryd dau fws", "Ngholeg"),
        ("dw i'n gobeithio mynd i Goleg Pen-y-Fron flwyddyn nesa", "Goleg"),
        ("doing level 2 catering at Coleg Dyffryn Hafren and the canteen is dear", "Hafren"),
        (
            "sgin i ddim signal adra o gwbl. ma'n rhaid i fi fynd draw at Lleucu i neud gwaith"
            " cartra ar y wifi",
            "Lleucu",
        ),
        ("Rwy'n ysgrifennu dros Lio a gofalwyr ifanc eraill: mae angen seibiant.", "Lio"),
    ],
)
def test_round_twenty_one_details_are_removed(text: str, detail: str) -> None:
    """fresh37/38 (scored unseen four times before the round): relations no rule knew
    ("grandmother", "our kid", "the missus"); a surname after "ring X ... on [phone]"; faith
    leaders' titles ("Abba", "Sheikh"); a last line that is a name and a few words about the
    writer; a name with an apostrophe inside it; a Welsh college where someone studies,
    mutated or not; a listed name after "at" and "dros"."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Os chi'n ffermwr ifanc, ffoniwch y DPJ Foundation ar 0800 587 4262. Ma nhw'n grêt.",
        "Family Lives has a helpline on 0808 800 2222 and they were really good to me",
        "ring the council on 0300 123 4567 about the bins",
        "Coleg Gwent does good courses",
        "mae'r Coleg Cymraeg Cenedlaethol yn rhoi ysgoloriaethau",
        "es i at Fangor ddoe i weld y gêm",
        "I love Abba Gold",
        "we need more lights\nCardiff, please fix it",
        "Yn gywir,\nY Pwyllgor\nMyfyrwyr ôl-radd, Prifysgol Bangor",
        "our kid is 16 and can't get a job",
    ],
)
def test_round_twenty_one_lookalikes_are_left_alone(text: str) -> None:
    """Numbers only organisations have (080, 084, 087, 116, and 03 written 4-3-4: a Pakistani
    mobile is 03 too, "0300-1234567", and still goes); a college named with nobody studying
    there, and a national body; a place after "at"; a band; a last line that is a place; a
    Welsh signature's words in a Welsh message; "our kid" with no name."""
    assert scrub(text) == (text, False)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("coach Hamid from the club said he would run sessions for free", "Hamid"),
        ("Kind regards,\nMaricel D. Dizon\nCare Assistant", "Dizon"),
        ("Thats all I have to say on it.\nM.J.\n+44 (0) 7700 900 418", "M.J."),
        ("Ma'n ffrind gore i, Wenjing, yn dod gyda fi lawr i'r afon", "Wenjing"),
        ("my best friend, Wenjing, comes with me to the park", "Wenjing"),
        ("ESYLLT 'ma 🛶 os ti isio gwbod mwy am y slalom", "ESYLLT"),
        ("os ti isio gwbod mwy add fi ar snap, esylltpadlo_", "esylltpadlo_"),
        ("add me if u want to talk about it my tag is PembyCal_77 😂", "PembyCal_77"),
        ('my big brother who everyone calls "Dibbs" has to drive me', "Dibbs"),
        ('Ma \'nghefnder i, ni\'n galw fe "Sbrowt", yn ffaelu cael bws', "Sbrowt"),
        ("Wedodd Dai'r hyfforddwr bydd dim lle i'r tîm dan 14 whare.", "Dai"),
        ("Fi'n byw ar fferm Pantyrhedyn a ma'r ffordd mor gul", "Pantyrhedyn"),
        ("I live on Pantyrhedyn Farm so the school bus never comes", "Pantyrhedyn"),
        ("my school is willows high and the canteen chips are £1.80", "willows"),
        ("more bins please from Tomos age 10 pennar school", "pennar"),
        ("more football for girls ⚽⚽ Harvey, yr 5, sirhowy park primary", "sirhowy"),
    ],
)
def test_round_twenty_two_details_are_removed(text: str, detail: str) -> None:
    """fresh39/40 (scored unseen twice before the round): a coach in lower case; a middle
    initial in a signature; initials above the writer's number; a friend set off by commas; a
    Welsh "'ma" (here) after a name; a handle ending in "_" and a gamer tag; a nickname in
    quotes for someone else; Welsh "Dai'r hyfforddwr"; a farm where someone lives; a school in
    lower case, or after a signed name and an age or a year."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "theres no point asking us if you dont listen, mr council man",
        "we went by coach Monday morning",
        "our coach Mr Jones is great",
        "Haf 'ma yn boeth iawn",
        "Mae'r athro yn dda. Cymru'r capten",
        "my tag is on my bag",
        "my school is really high up the hill",
        "we live on a farm so the bus never comes",
        "everyone calls him \"The Boss\"",
        "as a friend, Wales is lovely",
    ],
)
def test_round_twenty_two_lookalikes_are_left_alone(text: str) -> None:
    """ "council" after a title; a coach trip; a coach's title left to the title rule; Welsh
    words that are names before "'ma"; "Mae'r athro"; a tag on a bag; a school high up; a farm
    with no name; a nickname that is everyday words; a place after "a friend,"."""
    assert scrub(text)[0] in (text, text.replace("Jones", "[name]")), scrub(text)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Nanw o flwyddyn 8 yn Ysgol y Gader sy 'ma. Dw i moyn mwy o glybiau", "Nanw"),
        ("Mae Bleddyn o'r prosiect gofalwyr ifanc yn mynd â ni i'r traeth weithiau", "Bleddyn"),
        ("diolch i Bragya o flwyddyn 12 sy'n helpu fi gyda gwaith cartref", "Bragya"),
        ("Mae gweithwraig gymdeithasol fi, Gwenno, wedi newid tair gwaith", "Gwenno"),
        ("cameras or summat\n\npeace, the one and only Dilz", "Dilz"),
        ("I want to be kept updated. Rhiannon Bowen-Price, 12 Heol Goch, Pontypool", "Rhiannon"),
        ("fi a glyn a tesni yn rhedeg clwb celf bach yn y caffi", "glyn"),
        ("fi a glyn a tesni yn rhedeg clwb celf bach yn y caffi", "tesni"),
        ("bryn dw i, 16, o mach. does dim byd i bobl ifanc yma", "bryn"),
        ("Aeth Taid Glyn i'r ysbyty yn y Trallwng", "Glyn"),
    ],
)
def test_round_twenty_three_details_are_removed(text: str, detail: str) -> None:
    """fresh41/42 (scored unseen twice before the round): a name "o flwyddyn 8" or "o'r
    prosiect"; a feminine social worker ("gweithwraig gymdeithasol fi, Gwenno,"); "the one and
    only" signing off; a listed name opening the writer's contact details; Welsh words that
    are names after "fi a" or a grandparent; a lower-case name, "dw i" and an age opening the
    message."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Diolch o galon gan griw'r clwb ieuenctid nos Fawrth 💚",
        "Fi yn mynd i sleepover dydd Gwener a fi ddim yn mynd adre tan dydd Sul!!",
        "does dim trydan ers dydd Iau a fi sy'n bwydo fy mrawd bach",
        "Cyfeiriad fi yw 12 Heol Tŷ Gwyn, Pontypridd",
        "Ffoniwch fi ar 01632 960 284 os 'dach chi isio gwbod mwy",
        "hapus dw i, 16 oed, ond does dim bws",
        "gofalwr dw i, 17, a dw i angen seibiant",
        "the one and only thing we need is a bus",
        "Cardiff Council, 01632 960 284",
        # (review31, left there: an older rule took a greeting before "dw i" for a name)
        "Helo dw i, 15 oed ac mae angen parc sglefrio",
        "Shwmae dw i, 15 oed",
    ],
)
def test_round_twenty_three_lookalikes_are_left_alone(text: str) -> None:
    """Welsh days, mutated too ("nos Fawrth", "dydd Gwener"), are nobody's name; a capitalised
    word opening a sentence before a contact detail is a name only when listed ("Cyfeiriad fi
    yw", "Ffoniwch fi ar"); a state or a job before "dw i" and an age; "the one and only"
    that signs nothing."""
    scrubbed = scrub(text)[0]
    assert "[name]" not in scrubbed, scrubbed


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("my apprenticeship at coleg cambria is good but the bus is £5", "coleg cambria"),
        ("dw i'n mynd i goleg menai ym mis Medi", "goleg menai"),
        ("im in year 5 at cwmaman juniors and we got no clubs", "cwmaman juniors"),
        ("Ma Zofia o'r shifft nos yn cerdded adra ar ben ei hun", "Zofia"),
        ("mae'r neuadd yn oer a Gareth yr hyfforddwr yn prynu'r bêl ei hun", "Gareth"),
        ("coach darren is sound but he cant do it all", "darren"),
    ],
)
def test_round_twenty_four_details_are_removed(text: str, detail: str) -> None:
    """fresh43/44 (scored unseen three times before the round): a Welsh further-education
    college typed in lower case; "juniors" or "infants" after "at"; Welsh "o'r shifft" and a
    role after "yr"; a listed first name after "coach" in lower case."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "coach will be late again",
        "coach trips to the beach please",
        "we train at rhyl fc juniors on tuesdays",
        "the coleg is too far",
        "my coach mr tran says we could use the hall",
    ],
)
def test_round_twenty_four_lookalikes_are_left_alone(text: str) -> None:
    """A word after "coach" that is an English word; a club's juniors; "coleg" without a
    college's name; and "coach mr tran" still gives the surname to the title rule."""
    scrubbed = scrub(text)[0]
    assert scrubbed in (text, text.replace("tran", "[name]")), scrubbed


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Diolch yn fawr iawn i Fflur yn y gegin am y cinio", "Fflur"),
        # (the tagger's [name] at a list's end, as it leaves one)
        ("Diolch i Rojin, Hêvî a [name] o'r grŵp am helpu fi", "Rojin"),
        ("fi a fy ffrindia Tasnim, [name] a [name] yn mynd i'r dre", "Tasnim"),
        ("coach Dean Fowler is the only reason we still train", "Dean"),
        ("our childminder Lorna can't start before 7", "Lorna"),
        ("my portfolio is at osianpritchard.carrd.co if you want to see", "osianpritchard"),
    ],
)
def test_round_twenty_five_details_are_removed(text: str, detail: str) -> None:
    """fresh45/46 (scored unseen three times before the round): "diolch yn fawr iawn i"; the
    first of a list whose other names are gone, however many passes that takes; a first name
    that is also a word, with a surname, after a lower-case "coach"; a childminder; a profile's
    own subdomain on a link-in-bio or blog host."""
    scrubbed, changed = scrub(text)
    assert changed and detail not in scrubbed, scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Coach Carter is the best film about school sport",
        "the Coach Station needs a roof",
        "we went to Cardiff, Newport and Swansea on the train",
    ],
)
def test_round_twenty_five_lookalikes_are_left_alone(text: str) -> None:
    """A film after a capitalised "Coach"; a coach station; places in a list."""
    assert scrub(text)[0] == text


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("Me, Jo, Macca and Leah set up a five-a-side on Tuesdays", ("Macca", "Leah")),
        ("me, hiba, courtney and the twins grew up in that pool", ("hiba", "courtney")),
        ("My best friends are Ffion and Tsz Hin. We feed the ducks", ("Ffion", "Tsz Hin")),
        ("our group (me, Ka Yan, Wing Sze and Tommy Lau) got bumped", ("Tommy Lau",)),
        ("my friends Jade, Amber and Jess all want a dance club", ("Amber", "Jess")),
        (
            "fi, Nel, Cai a cherys sy'n gwerthu cacennau tu allan i Spar dydd Sadwrn i godi pres",
            ("cherys",),
        ),
    ],
)
def test_round_twenty_six_lists_of_people_lose_their_names(
    text: str, details: tuple[str, ...]
) -> None:
    """fresh47/48 (scored unseen three times, then read): a list with the writer, a name
    already removed or a relation in it, or after "my friends are", is a list of people; its
    capitalised items that may be names go, in a list of three or more its lower-case ones
    too, and in Welsh a listed name as "a" mutates it ("a cherys": Cerys)."""
    scrubbed, changed = scrub(text)
    assert changed and not any(d in scrubbed for d in details), scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "there's been no heating in the house all winter and my sister keeps getting ill",
        "they said theyre going to jump me and theyve got a knife",
        "the ramp next to the car park, me and my mate got chased off",
        "i live with my nan and bamps and they're great",
        "me and will power dont get on lol",
        "me, mum and dad went to Tenby",
        "me, myself and I",
        "I read Harry Potter and Percy Jackson at the library",
        "Moyn rhywle i fynd. Cofion gorau o Gwm Rhondda, fi a'r criw",
        "we went to Cardiff, Newport and Swansea, me and my brother",
    ],
)
def test_round_twenty_six_lookalike_lists_are_left_alone(text: str) -> None:
    """Lists the people-list rule must not read as people: a word before "and my sister", a
    contraction after "me and", a lower-case word opening a list, two relations, the writer
    alone, books, a Welsh place of two words, places before "me and my brother"."""
    assert scrub(text)[0] == text


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("it was Sandra on reception who organised it, unpaid", ("Sandra",)),
        ("ask Dai behind the bar, he knows", ("Dai",)),
        ("The circuits class Bev and Jan run on a Monday has a waiting list", ("Bev", "Jan")),
        ("Dw i wedi tynnu llun o Fali a Thesni yn y pwll nofio newydd", ("Fali", "Thesni")),
        ("Diolch i Gwen a Nia am y gwersi nofio", ("Gwen", "Nia")),
    ],
)
def test_round_twenty_seven_details_are_removed(text: str, details: tuple[str, ...]) -> None:
    """fresh47/48's other misses: a name at a place of work ("Sandra on reception"), two listed
    names before more verbs ("Bev and Jan run"), and two listed names after Welsh "o" or "i"
    as Welsh mutates them ("o Fali a Thesni": Mali and Tesni)."""
    scrubbed, changed = scrub(text)
    assert changed and not any(d in scrubbed for d in details), scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Mae Nani a Nana yn dod o Lahore a maen nhw eisiau dysgu Cymraeg hefyd",
        "es i o Fangor a Chaernarfon ddoe ar y bws",
        "Tom and Jerry run all day on the kids channel",
        "we watched Gavin and Stacey made in Barry",
        "there's always someone on reception at the leisure centre",
    ],
)
def test_round_twenty_seven_lookalikes_are_left_alone(text: str) -> None:
    """Grandmothers that look mutated ("Nana" is no "Dana"), mutated places after "o", a famous
    pair before a verb, a person with no name on reception."""
    assert scrub(text)[0] == text


@pytest.mark.parametrize(
    ("text", "details"),
    [
        (
            "ffoniwch fi ar saith dim saith dim dim, naw dim dim, pump chwech un, neu dewch",
            ("saith dim saith",),
        ),
        ("the lollipop man (he is called alan) only does mornings", ("alan",)),
        ("shes called Demi and she is sound", ("Demi",)),
        ("Glenys next door drive me to hospital now", ("Glenys",)),
        ("rhois i lifft i ddyfan, llyr ac ifan nos sadwrn achos odd na ddim tacsi", ("llyr",)),
        ("mynd i'r gampfa efo gethin a lowri ar ol coleg, yr unig beth sy'n helpu", ("gethin",)),
        ("kai, tom and josh came too", ("kai", "tom", "josh")),
    ],
)
def test_round_twenty_eight_details_are_removed(text: str, details: tuple[str, ...]) -> None:
    """fresh49/50 (scored unseen three times, then read): a phone number said in Welsh words;
    "he is called"; a neighbour by name; three or more listed first names with nothing else
    in the list; two listed names in lower case after Welsh "efo" or "gyda"."""
    scrubbed, changed = scrub(text)
    assert changed and not any(d in scrubbed for d in details), scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "dim un dau tri, dim byd o gwbl",
        "mae dau neu dri o bobl yn dod bob dydd, weithiau pump neu chwech",
        "he is called out every day by the teachers",
        "mynd efo mam a dad i'r dre",
        "es i i ginio gyda bara a caws",
        "we went in June, July and August",
        "the house next door is empty",
    ],
)
def test_round_twenty_eight_lookalikes_are_left_alone(text: str) -> None:
    """Counting in Welsh, "called out", relations and food after "efo"/"gyda", months, a house
    next door."""
    assert scrub(text)[0] == text


def test_a_pakistani_mobile_is_still_a_phone_number() -> None:
    """03 numbers are kept only as the UK writes them (4-3-4): Pakistan's mobiles start 03."""
    for text in ("mera number 0300-1234567 hai", "میرا نمبر ۰۳۰۰۱۲۳۴۵۶۷ ہے", "call 03001234567"):
        assert "[phone]" in scrub(text)[0], text


@pytest.mark.parametrize("text", ["its me inshallah x", "names ofc", "its me wallahi"])
def test_every_slang_word_is_read(text: str) -> None:
    """`_SLANG` was defined twice and the second list replaced the first, so its words
    ("inshallah", "ofc", "wallahi", "lush", "tidy") were taken for names after an
    introduction (review34)."""
    assert scrub(text)[0] == text


@pytest.mark.parametrize(
    ("text", "details"),
    [
        # someone who works where young people go
        ("Gemma at the youth centre is doing a great job but she needs money.", ("Gemma",)),
        ("we love it because jodie the youth worker is relly kind", ("jodie",)),
        ("it was jase from the youth club who sat w/ me in A&E", ("jase",)),
        ("Only Sian in the office knows why and she gives me toast", ("Sian",)),
        ("Iolo yn y clwb ieuenctid oedd yr unig oedolyn wnaeth wrando arna i.", ("Iolo",)),
        ("Hoffwn ddiolch i Eraint, y gweithiwr ieuenctid, sydd wedi cadw'r clwb.", ("Eraint",)),
        ("Mae Bethan o'r ganolfan waith wedi helpu fi efo CV.", ("Bethan",)),
        ("Siân and Paddy (the two part-time youth workers) buy the food", ("Siân", "Paddy")),
        # relations
        ("i live with my nan pat and grampy dai and they take me to youf club", ("pat", "dai")),
        ("me n my sister been with our foster carer bev since 2022", ("bev",)),
        ("My badminton partner Ka-yan gets panic attacks before every match", ("Ka-yan",)),
        (
            "dwi'n mynd i bysgota efo taid a Thwm ar y cob bob sadwrn ond ma'r llwybr yn llawn",
            ("Thwm",),
        ),
        # the writer and two friends, no comma
        ("me lacey-mai and ruby want a dance club after school", ("lacey-mai", "ruby")),
        ("me kez n jojo all tried kooth but its just a chat box", ("kez", "jojo")),
        # sign-offs and introductions
        ("can you make it more days becos loads of us are waiting\n\nmaddi x", ("maddi",)),
        ("ma mam yn gorfod dod i nôl fi o'r dre bob tro\n\ngan gadi x", ("gadi",)),
        ("Hoffwn i'r cyngor gynnig cerdyn.\n\nGyda diolch,\noddi wrth Fair (17)", ("Fair",)),
        ("With thanks,\nG. Bracchi-Evans\n07700 900123", ("Bracchi-Evans",)),
        ("its plamedi here (17, maesteg) and i voted for jobs", ("plamedi",)),
        ("name - glody mbala\nage - 16\nwhy - bc the youth club got shut", ("glody", "mbala")),
        # schools, a referral unit, a college
        ("helo dwi, 13, blwyddyn 8 yn ysgol pen y cob. isio clwb", ("pen y cob",)),
        ("yn YG Cwm Twrch ma clwb drama ond dim byd i neud â dawns.", ("Cwm Twrch",)),
        ("got moved to bryngarw learning centre in yr10 and honestly", ("bryngarw",)),
        ("got moved to the bryn celyn pru in yr 9 & did no gcses.", ("bryn celyn",)),
        ("now im 19 doing functional skills at garw valley college", ("garw valley",)),
        ("Ces i fy symud i Ganolfan Dysgu'r Wnion ym Mlwyddyn 9", ("Wnion",)),
        ("dwi'n year 9 ym mhen-y-gelli a ma'r toilets ar gau", ("mhen-y-gelli",)),
        ("I was at Beacon Hill PRU for a year", ("Beacon Hill",)),
        ("islwyn high has a chess club but nothing for gamers", ("islwyn",)),
        ("cowbridge comp should let us use the sports hall", ("cowbridge",)),
        ("at ebbw fawr school they stopped the breakfast club", ("ebbw fawr",)),
        ("I went to Crug Glas school. It was good.", ("Crug Glas",)),
        ("my school is ysgol john bright and the bus is full", ("john bright",)),
        ("chweched dosbarth ysgol glantaf yn rhy llawn", ("glantaf",)),
        ("Radyr comp kids get everything and we get nothing", ("Radyr",)),
        # a relation match that kept its last words reads them again
        ("Mae fy mrawd bach Zayan a fy chwaer Aiza yn ofn y cŵn mawr", ("Zayan", "Aiza")),
        ("Mae fy mrawd Mustafa a fy chwaer fach Ruqaya yn yr ysgol", ("Mustafa", "Ruqaya")),
        # someone to ask; a name no list has, in lower case, after a relation and before a verb
        ("ask kayden or lili-mae or anyone who walks back", ("kayden",)),
        ("the nets are ripped to bits, ask zaid or usman", ("zaid", "usman")),
        ("my little brother sahr has asthma and the air is awful", ("sahr",)),
        ("my little sister yui is 6 and the swings are broken", ("yui",)),
        # short forms no list had
        ("my boss mick drives me in most mornings", ("mick",)),
        ("me and terry walk home past the cemetery", ("terry",)),
        # handles and addresses
        ("tecstwch fi neu dm lowri.krump ar insta", ("lowri.krump",)),
        ("snap fi ar nanw.j_08 (sai'n ateb DMs ar insta)", ("nanw.j_08",)),
        ("my number is on the form. or snap me lew.tyres19", ("lew.tyres19",)),
        ("cyfeiriad fi ydi 23 Stryt y Gof, Rhos. diolch!!", ("Stryt y Gof",)),
        ("neu drwy'r post i Dŷ Capel, Stryd y Felin, LL41 3AA.", ("Dŷ Capel", "Stryd y Felin")),
        ("post it to Rose Cottage, Mill Lane, SA1 1AA please", ("Rose Cottage", "Mill Lane")),
    ],
)
def test_round_twenty_nine_details_are_removed(text: str, details: tuple[str, ...]) -> None:
    """fresh51-54 (scored unseen, then read): people at the youth club, the office or the job
    centre; grandparents and partners by name; "me X and Y" with no comma; sign-offs after
    Welsh "gan"/"oddi wrth" and letter closers; "name - ..." on a form; referral units,
    colleges and Welsh schools in lower case; handles after "snap me"/"dm"; Wrexham's "stryt"
    and an address with no number before a postcode."""
    scrubbed, changed = scrub(text)
    assert changed and not any(d in scrubbed for d in details), scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "More stuff like Heartstopper at the youth club film nights.",
        "And free Wi-Fi in the library, 1 hour is not enough.",
        "Sali Mali yn y llyfrgell oedd y gorau pan o'n i'n fach",
        "Hoffwn i gael mwy o lyfrau Pwyleg yn y llyfrgell.",
        "my sister rose to the challenge and ran the 5k",
        "gwely fi di torri a dwi'n cysgu ar y soffa",
        "Dr Alex George was made a youth mental health ambassador",
        "Mae Llyn Brianne a gwarchodfa Dinas yn llefydd gwych i gerdded",
        "hoffai'r plant lwyfannu drama'r geni, gyda Mair, Joseff a'r doethion, ond mae'n oer",
        "dwi di bod ar meddwl.org a ma'n helpu",
        "me mum and dad all went to the meeting",
        "name-calling is bad at our school",
        "its peng here honestly",
        "at art college we had no help",
        "i went to Cardiff, Queen Street and the bay",
        "At Greek school on Saturday we dance",
        "after school clubs are rubbish",
        "Primary school is fine but secondary is hard",
        "Super high prices in the canteen",
        "exams are hard at driving school",
        "mae ysgol fi yn rhy bell",
        "ges i sgriffiada ar fy mraich gan gath drws nesa lol",
        "taking the mick out of the new kids",
        "ask alexa or google, they know",
        "ask mum if you dont believe me",
        "my sister rain is 10 lol",
        "my brother innit has no job",
        "my brother ket is everywhere at parties",
        "either me or Tesco will sort it",
        "name: n/a\nage: 14",
        "Name: N/A",
        "name: anon",
    ],
)
def test_round_twenty_nine_lookalikes_are_left_alone(text: str) -> None:
    """Things at the youth club or library, Welsh verb-nouns ending in -i, a verb after a
    relation ("rose"), a relation word that swallowed the next ("Alex": "ex"), the nativity,
    a help site, relations after "me", "name-calling", a college kind."""
    assert scrub(text)[0] == text
