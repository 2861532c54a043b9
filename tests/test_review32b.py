"""Review of 91d7827, f9bcd5a (safeguarding) and 5649fda (scrub): the writer's own disclosures
the new stories lost, and the ordinary answers the new phrases alarmed on."""

from __future__ import annotations

import time

import pytest

from services.safeguarding import concerning


@pytest.mark.parametrize(
    "text",
    [
        # "what to do if" is the writer's own not knowing, not advice on it
        "dunno what to do if we get kicked out again",
        "i dont know what to do when he hits mum again",
        "dwi ddim yn gwybod be i neud os mae o'n taro mam eto",
        # (left by review32b, then a phrase: someone at home hitting "us" in Welsh)
        "be i neud os mae o'n ein taro ni eto",
        # a play park is no play, and a play about their own life is no story
        "at the play area where older boys hit us every day",
        "that play date where his dad hit us, we're scared to go back",
        "the play about my life, dad beats us every night",
        # a lesson's story does not cover home, said against it
        "we did a play about bullying but at home dad beats us every night",
        # what the new phrases were for still alarms
        "my wages go into his account so i dont waste them and i have to ask him for bus money",
        "my boyfriend checks everything i spend and i have to ask him for money for food",
        "the boss kept my passport for the paperwork and said he knows where my kid lives",
        "six weeks in hes took my ID 'for the paperwork'",
        "my ex keeps my passport so i cant leave",
        "he said he knows where my daughter goes to school",
        "ma'r bos yn cadw fy mhasbort a dwi'n cysgu mewn carafán ar ei iard",
        "gweithio i contractor ers y gaea, cash. ma'n cadw'n leisens a'n pasbort i 'for insurance'",
    ],
)
def test_the_writers_own_disclosure_is_still_a_disclosure(text: str) -> None:
    assert concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        # a parent, a school, a bouncer or the police holding a document
        "the bouncer took my id and my mate got in anyway lol",
        "my mum has my passport for the holiday",
        "mum kept my passport and documents safe in the drawer",
        "the school has my passport for the french trip",
        "the dvla has my licence and i need it back for my test",
        "the police took my licence and i deserved it",
        "mae mam yn cadw fy mhasbort yn y drôr",
        "mae'r ysgol yn cadw fy mhasbort ar gyfer y trip i Ffrainc",
        "cadw dogfennau yn saff ar y cyfrifiadur",
        "dwyn fy mhasbort, dyna beth wnaeth y lleidr yn y ffilm",
        # a parent's money, a joint account
        "i have to ask her for money for the school trip",
        "got to ask her for cash for the cinema, mum always says yes",
        "my pay goes into her account because we have a joint account, saving for a house",
        "my benefits go into her account, shes my appointee",
        # knowing where someone lives is no threat on its own
        "he knows where my nan lives, hes her neighbour",
        "the postman knows where my family lives lol",
        "found out where my sister is, she's at uni in cardiff",
    ],
)
def test_ordinary_answers_do_not_alarm(text: str) -> None:
    assert not concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        "the play " * 560,
        "about what to do if " * 250,
        "my wages go into his account " * 170,
        "boss " * 1000,
        "the boss kept my " * 300,
        "he said he knows where my " * 200,
        "bos yn cadw " * 420,
    ],
)
def test_a_hostile_answer_of_5000_characters_is_quick(text: str) -> None:
    concerning(text[:5000])  # warm the cache
    start = time.perf_counter()
    concerning(text[:5000])
    assert time.perf_counter() - start < 0.2


@pytest.mark.parametrize(
    "text",
    [
        # the train/dev disclosures f9bcd5a's broad phrases caught stay caught
        "my parents they book tickets to pakistan for summer and i dont want, they took my "
        "passport",
        "My uncle keeps my passport in his car. Is there somebody I can speak to privately?",
        "my uncle took my passport for safekeeping and my mum cried",
        "I owe a lad from Townhill two grand. He knows where my mam lives.",
        "now they say i owe 800, they know where my nan lives 😭",
        "J tracks my location. My wages go into his account since spring 'to help me save'.",
        "Dad wedi cymryd pasbort fi a gweud bod e'n digwydd ym mis Awst",
        "Maen nhw wedi cymryd fy mhasbort i 'i gadw'n saff'",
        "Mae'r bos yn cadw fy pasbort a fy cyflog 'am rhent'",
    ],
)
def test_passports_taken_and_threats_to_family_still_alarm(text: str) -> None:
    assert concerning(text)
