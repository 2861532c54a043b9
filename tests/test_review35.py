"""Review of scrub round 29 (services/scrub.py): people at the youth club or office, names
after grandparents and partners, "me X and Y", schools in lower case ("school", "college",
"pru"), "YG" and "Canolfan Dysgu", handles after "dm me". Clean answers its rules changed, and
a variant it meant to catch and missed."""

import pytest

from services.scrub import scrub
from tests.test_scrub import _fastest_ms


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # a word that is a name after a relation, here the first half of a thing
        ("my mates joy riding in stolen cars round the estate", "joyriding, a crime"),
        ("my brother joy rides cars and ive seen it", "joyriding"),
        ("my sisters carol concert is on friday and nobody can take me", "a carol concert"),
        ("my nans pearl earrings got nicked from her flat", "earrings"),
        ("my dads ray bans got snapped in the fight", "sunglasses"),
        ("my mum dawn raid by the police scared me so much", "a police raid"),
        ("my sisters penny board got nicked outside the shop", "a skateboard"),
        ("my brothers jean jacket is too big for me", "a jacket"),
        ("my sisters amber necklace got nicked at school", "a necklace"),
        # a school that is a kind: the language or faith taught on a Saturday, a method
        ("at arabic school on saturdays we learn quran", "Arabic school"),
        ("at urdu school the teacher hits us with a ruler", "Urdu school"),
        ("at bengali school on sundays we do poems", "Bengali school"),
        ("at hebrew school we learn about the holidays", "Hebrew school"),
        ("at quran school we sit for hours", "Quran school"),
        ("at islamic school the girls sit at the back", "Islamic school"),
        ("at montessori school we did loads of painting", "a Montessori school"),
        ("at steiner school we play outside all day", "a Steiner school"),
        # "YG" and "Canolfan Dysgu" as other things name them
        ("BLACKPINK are signed to YG Entertainment and i love them", "a K-pop label"),
        ("i want to work for YG Entertainment one day", "a K-pop label"),
        ("Mae Canolfan Dysgu Cymraeg yn helpu oedolion i siarad", "Learn Welsh, a body"),
        ("Dw i'n gweithio i'r Ganolfan Dysgu Cymraeg Genedlaethol", "Learn Welsh, a body"),
        # famous pairs and characters at the youth club
        ("Sali Mali yn y clwb ieuenctid oedd y gorau pan o'n i'n fach", "Sali Mali"),
        ("Fireman Sam at the leisure centre for the little kids", "Fireman Sam"),
        ("me mickey n minnie all went to disneyland lol", "Mickey and Minnie"),
        ("me ben and jerry all night watching netflix", "the ice cream"),
        # a game's name after "dm me on"
        ("dm me on fifa23 if you want a game", "FIFA 23"),
        ("message me on fc24 after school", "EA FC 24"),
    ],
)
def test_round_twenty_nine_lookalikes_are_kept(text: str, reason: str) -> None:
    assert scrub(text)[0] == text, reason


@pytest.mark.parametrize(
    ("text", "details"),
    [
        # someone at the youth club, with no "the" (as young people write it)
        ("it was jase from youth club who sat with me in A&E", ("jase",)),
        ("Gemma at youth club is the only one who listens", ("Gemma",)),
        ("Sian at job centre was rude to me", ("Sian",)),
        # the names still go after a relation when no thing follows
        ("my nan pat and grampy dai take me to youth club", ("pat", "dai")),
        ("my sister grace is the only one who helps me", ("grace",)),
        ("my mate joy is the only one who gets it", ("joy",)),
        # a school named in lower case that is no kind
        ("at ebbw fawr school they stopped the breakfast club", ("ebbw fawr",)),
        ("yn YG Cwm Twrch ma clwb drama ond dim byd i neud â dawns.", ("Cwm Twrch",)),
        ("Ces i fy symud i Ganolfan Dysgu'r Wnion ym Mlwyddyn 9", ("Wnion",)),
        ("snap me lew.tyres19 if you want", ("lew.tyres19",)),
    ],
)
def test_round_twenty_nine_details_still_go(text: str, details: tuple[str, ...]) -> None:
    scrubbed, changed = scrub(text)
    assert changed and not any(d in scrubbed for d in details), scrubbed


@pytest.mark.parametrize("text", ["Aa-" * 1334, "Ab." * 1334, "Aa-Bb " * 667])
def test_one_long_hyphenated_word_takes_no_longer_than_plain_text(text: str) -> None:
    """A 4,000-character word of capitals joined by hyphens or dots: the school and Welsh role
    patterns read it to its end from each capital in it (0.5 s, ten times plain text)."""
    plain = _fastest_ms(("the buses are always late and the park is a mess " * 90)[:4000])
    assert _fastest_ms(text[:4000]) < max(50.0, 4 * plain)
