"""Review of scrub round 26 (lists of people, services/scrub.py ``_people_lists``): clean
lists it changed, names in its own shapes it missed, and input it was slow on."""

import pytest

from services.scrub import scrub
from tests.test_scrub import _fastest_ms


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # safeguarding reads the scrubbed text: a lower-case word no list knows is no name
        ("me, the lads, ket and coke every weekend", "a drug, not a person"),
        ("all ive got is me, my mates, weed and xanax", "a drug, not a person"),
        ("weekends are me, my mates, lean and percs", "drugs, not people"),
        ("its just me, bruises, burns and cuts after he gets home", "injuries, not people"),
        ("my mates are mint, sound and loyal", "words of praise after 'my mates are'"),
        ("my friends are kind, loyal and honest", "words of praise after 'my friends are'"),
        ("me, my sister, summer and autumn are the best", "seasons in lower case"),
        ("me, my mum, kfc and maccies on a friday", "food places in lower case"),
        # the writer or a relation alone make a list of people only of listed first names
        ("me, the twins, Nike and Adidas", "brands"),
        ("movie night is me, my nan, Pepsi and Doritos", "brands and food"),
        ("it's just me, Nanny, Grampy and Bampi at home", "grandparents, not names"),
        ("me, Mamgu and Tadcu live in Llanelli", "Welsh grandparents, not names"),
        ("me, my mum, Lanzarote and Tenerife last summer", "holiday islands"),
        ("me, my brother and Luton on a Saturday", "a football club"),
        ("me, my sister, Frozen, Moana and Encanto on repeat", "films"),
        ("me, my friends, Hollyoaks and Eastenders", "soaps"),
        ("The best bands are me, Coldplay and Oasis lol", "bands"),
        ("me, the lads, Wrexham and Chester", "places and clubs"),
        # a place or an everyday word in a list makes it one of things
        ("My friends are Chelsea, Arsenal and Liverpool fans", "football clubs"),
        ("My mates are Wrexham, Chester and Everton fans", "football clubs"),
        ("me, my dad, Arsenal and Chelsea every weekend", "football clubs"),
        ("me, the lads, Chelsea and Arsenal every weekend", "football clubs"),
        ("I volunteer with [name], Barnardos and Mind", "charities beside a name"),
    ],
)
def test_lists_of_things_keep_their_words(text: str, reason: str) -> None:
    """Lists round 26 read as people: the anchor ("me", "my mates", a [name]) does not make a
    drug, a brand, a club, a grandparent or a film a private name."""
    assert scrub(text)[0] == text, reason


@pytest.mark.parametrize(
    ("text", "details", "reason"),
    [
        ("my mates are kai and jay", ("kai", "jay"), "two listed names in lower case after it"),
        ("my friends r tyler and courtney", ("tyler", "courtney"), "the same, 'r' for are"),
        ("me, hiba, courtney and the twins", ("hiba", "courtney"), "a lower-case name beside"),
        (
            "its jaz here from the car wash crew lol, me and dumi, we need a bus",
            ("dumi",),
            "unlisted in lower case, joined to the writer by 'and' (train14)",
        ),
        ("me, my sister and Tyler went to the park", ("Tyler",), "a listed name beside a relation"),
        ("fi, Nel, Cai a cherys sy'n mynd", ("cherys",), "a Welsh name as 'a' mutates it"),
        ("I volunteer with [name], Macca and Leah", ("Macca", "Leah"), "names beside a [name]"),
    ],
)
def test_names_in_lists_still_go(text: str, details: tuple[str, ...], reason: str) -> None:
    """The shapes round 26 was for still lose their names after the fixes above."""
    scrubbed = scrub(text)[0]
    assert not any(d in scrubbed for d in details), (reason, scrubbed)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "me, " + ", ".join("zq" + chr(97 + i // 26) + chr(97 + i % 26) for i in range(560)),
            "lower-case items each read the 63,000-word list from disk",
        ),
        ("my friends are " + "qwv, " * 800 + "and bob", "the same after 'my friends are'"),
    ],
)
def test_long_people_lists_take_no_longer_than_plain_text(text: str, reason: str) -> None:
    """4,000 characters of one list of lower-case items ("me, x, x, ... and bob") took some
    10 s: as test_scrub's adversarial test, compared with plain text on the same machine."""
    plain = _fastest_ms(("the buses are always late and the park is a mess " * 90)[:4000])
    assert _fastest_ms(text[:3990] + " and bob") < max(50.0, 4 * plain), reason
