"""Review of c041676 (safeguarding phrases and vetoes): the writer's own disclosures it lost,
and the ordinary answers its new phrases alarmed on."""

from __future__ import annotations

import time

import pytest

from services.safeguarding import concerning


@pytest.mark.parametrize(
    "text",
    [
        # a young person's age now is no sign that it is over ("now i am [0-9]+")
        "I was kicked out at 15. Now I am 16 and I am sleeping in a tent",
        "years ago i got kicked out. now i am 17 and homeless",
        "a few years back i tried to overdose. now i am 16 i want to try to overdose",
        "Pan o'n i'n 15 ges i fy nhaflu allan. Nawr dw i'n 16 a dw i'n byw mewn pabell",
        # harm a parent does to herself, then what she does to the children, is the writer's
        "mum shuts herself in her room and there is never any food in the house",
        "my mum cuts her arms and leaves us home alone for days",
        "mae mam yn cloi ei hun yn y stafell ac yn gadael ni ar ben ein hunain am ddyddiau",
        # what someone "told me" to do, or that is on the writer now, is done to the writer
        "my mate owes a dealer money and the dealer told me i owe it now",
        "my friend has to carry knives for older boys and they told me i will have to do it too",
        "my bestie ran away from home and she told me to come with her, i am packing tonight",
        # Welsh "nes i" (I did) before a verb is the writer's "i", not "to"
        "Aethon ni i weld ffilm am ferch sy'n rhedeg i ffwrdd. Neithiwr nes i redeg i ffwrdd o "
        "adra",
        "Es i at fy ffrind a wedyn nes i redeg i ffwrdd o adra",
        "ar ol darllen y llyfr nes i redeg i ffwrdd o adref",
        "mae ffrindiau fi'n gwybod, ond es i redeg i ffwrdd o gartre",
        # and "fy ngorfodi i" (forcing me) is the writer's
        "Wedi gwylio'r ddrama am county lines yn yr ysgol. Maen nhw'n fy ngorfodi i gario "
        "cyffuriau",
        # playing a game is not being in its world, and home is never in the game's world
        "playing gta with the sound up so i cant hear when he throws plates at mum",
        "in minecraft with my little brother when stepdad started throwing things at mum again",
        # a story 80-120 characters back does not cover the writer's own life told after it
        "We read a book in English about a boy who gets put in care. It was OK I suppose. At "
        "home there is never any food in the house",
        "Our drama piece this term is about knife crime in cities, we did it for the show. Real "
        "talk tho, dad throws plates at mum every weekend",
        # a friend's self-harm "and so do i" is the writer's too
        "my mate cuts his arms and so do i",
        "my friend cuts her wrists. i do it too",
        "mae ffrind fi'n torri ei hun a dw i'n torri hefyd",
        # "still hitting me", which the model retrained in c041676 reads as a worry
        "nawr dw i'n 15 a mae o'n dal i fy nharo",
        # the new phrases still catch what they were written for
        "my girlfriend has my location on her phone all day, has all my passcodes",
        "my boyfriend has all my passwords and checks my location every hour",
        "mae fy partner yn cymryd fy ffôn a fy cerdyn banc, mae e'n dweud pwy dw i'n cael "
        "gweld ac mae e'n tracio fi ar yr app",
        "me and the little ones hide in the van til its quiet",
        "I've paid my share of the rent and written down who gets my bike. It feels calm.",
        # "when i go", "after i am gone" are no move to uni
        "ive written down who gets my stuff. when i go nobody will have to sort it",
        "i have written down who gets my things after i am gone",
        # hiding from someone, in a hiding place at home
        "when dad gets drunk i hide in my room till he has passed out",
        "we hid under the bed till the shouting stopped",
    ],
)
def test_the_writers_own_disclosure_is_still_a_disclosure(text: str) -> None:
    assert concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        # a partner who shares, or minds a card by request, is no control
        "my boyfriend keeps my bank card safe for me cos i always lose it",
        "my boyfriend has my location and i have his, we both like it",
        "my girlfriend has all my passwords cos i forget them lol",
        "my partner takes my bank card to the shop for me when i am at work",
        "my boyfriend checks my messages sometimes but i check his too",
        "my girlfriend took my money for the cinema and paid me back",
        "my ex has my location still, i need to turn it off",
        # a parent, an app: not a partner's hold
        "mae mam yn tracio fi ar find my friends",
        "mae strava yn tracio fi ar fy rhediadau",
        "mae dad yn dweud pwy dw i'n cael gweld ar ol ysgol, mae o'n strict",
        "mae mam yn penderfynu pwy dw i'n cael gweld ar y penwythnos",
        # hiding from noise, in a game, in a library
        "we hide behind the sofa till its over when we play hide and seek",
        "i hide in my room till its quiet because my brothers are so loud playing xbox",
        "i hide under my duvet until its over when i watch horror films",
        "me and my mates hide in the park until its quiet then skate",
        "i hide in the library until it is quiet at lunch so i can read",
        # "it still strikes me how lucky i am"
        "mae'n dal i fy nharo i pa mor lwcus ydw i",
        # who gets the writer's things when they move or upgrade
        "i have written down who gets my pokemon cards when i move to uni",
        "we sorted out who gets my old room when i go to uni",
        "i decided who gets my old xbox when i get the new one",
        "mum wrote down who gets my bedroom when i move out",
    ],
)
def test_ordinary_answers_do_not_alarm(text: str) -> None:
    assert not concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        "nes i " * 900,
        "my mate cuts his arms and " * 200,
        "in minecraft " * 400,
        "my boyfriend has my location " * 180,
        "me and the kids hide in the van " * 160,
        "he told me " * 450,
        "a " * 2500,
    ],
)
def test_a_hostile_answer_of_5000_characters_is_quick(text: str) -> None:
    concerning(text[:5000])  # warm the cache
    start = time.perf_counter()
    concerning(text[:5000])
    assert time.perf_counter() - start < 0.2
