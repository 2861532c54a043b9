"""Safeguarding phrases: real disclosures match; figures of speech don't."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.safeguarding import concerning

CORPUS = Path(__file__).parent / "data" / "safeguarding_corpus.yaml"
MIN_RECALL = 0.95
MIN_RECALL_PER_LANGUAGE = 0.9
MAX_FALSE_POSITIVE_RATE = 0.05


def _corpus() -> dict[str, Any]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))


def test_corpus_is_big_balanced_and_bilingual() -> None:
    corpus = _corpus()
    texts = {
        (kind, lang): corpus[kind][lang]
        for kind in ("concerning", "not_concerning")
        for lang in ("en", "cy")
    }
    assert all(isinstance(t, str) and t.strip() for ts in texts.values() for t in ts)
    positive = texts["concerning", "en"] + texts["concerning", "cy"]
    negative = texts["not_concerning", "en"] + texts["not_concerning", "cy"]
    total = len(positive) + len(negative)
    assert total >= 200
    assert abs(len(positive) - len(negative)) <= 0.2 * total
    assert len(texts["concerning", "cy"]) + len(texts["not_concerning", "cy"]) >= 50
    everything = positive + negative
    assert len(set(everything)) == len(everything), "a message is in the corpus twice"


def test_recall_and_false_positive_rate_on_corpus() -> None:
    corpus = _corpus()
    missed: dict[str, list[str]] = {}
    flagged: dict[str, list[str]] = {}
    lines = []
    for lang in ("en", "cy"):
        missed[lang] = [t for t in corpus["concerning"][lang] if not concerning(t)]
        flagged[lang] = [t for t in corpus["not_concerning"][lang] if concerning(t)]
        recall = 1 - len(missed[lang]) / len(corpus["concerning"][lang])
        fpr = len(flagged[lang]) / len(corpus["not_concerning"][lang])
        lines.append(f"{lang}: recall {recall:.1%}, false positives {fpr:.1%}")
        assert recall >= MIN_RECALL_PER_LANGUAGE, (lang, missed[lang])
    positive = sum(len(corpus["concerning"][lang]) for lang in ("en", "cy"))
    negative = sum(len(corpus["not_concerning"][lang]) for lang in ("en", "cy"))
    recall = 1 - sum(map(len, missed.values())) / positive
    fpr = sum(map(len, flagged.values())) / negative
    print(f"\nsafeguarding: recall {recall:.1%} of {positive}, ", end="")
    print(f"false positives {fpr:.1%} of {negative}")
    print("\n".join(lines))
    for t in [*missed["en"], *missed["cy"]]:
        print(f"  missed: {t}")
    for t in [*flagged["en"], *flagged["cy"]]:
        print(f"  flagged: {t}")
    assert recall >= MIN_RECALL
    assert fpr <= MAX_FALSE_POSITIVE_RATE


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02",
        "\ud800 a lone surrogate",
        "😀🔪💀" * 300,
        "'" * 1000,
        "a" * 100_000,
        "my dad " + "and " * 5000,
        "(?:[unbalanced regex chars]*+{2,1}\\",
        "ŵŷâêîôû ÂŴŶ",
    ],
)
def test_junk_never_raises(text: str) -> None:
    assert concerning(text) in (True, False)


def test_not_text_is_not_concerning() -> None:
    assert concerning(None) is False  # type: ignore[arg-type]
    assert concerning(b"kms") is False  # type: ignore[arg-type]


def test_a_long_answer_is_quick() -> None:
    answer = (
        "we need more buses and youth clubs in the evenings because there is nothing to do, "
        "my mum says the park isn't safe at night and my dad thinks so too. "
    ) * 7
    answer = answer[:1000]
    concerning(answer)  # the first call reads and compiles the list
    batches = []  # the best of 5 batches: the machine is shared, other work only adds time
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            assert not concerning(answer)
        batches.append((time.perf_counter() - start) / 10)
    per_call = min(batches)
    print(f"\nsafeguarding: {per_call * 1000:.2f} ms for a 1,000-character answer")
    assert per_call < 0.015  # about 1-4 ms on an idle core; 4-10 ms seen on a shared machine


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "sometimes i want to kill my self",
        "my dad hits me",
        "My step dad hurts me when he's drunk",
        "I self-harm and nobody knows",
        "I don't want to be alive anymore",
        "I'm not safe at home",
        "I'm scared to go home",
        "they make me carry drugs",
        "I was groomed online",
        "Dw i eisiau marw",
        "mae dad yn fy nharo",
        "dw i ddim yn saff adre",
        "honestly i just wanna kms",
        "ma dad hits me",
        "im scared 2 go home",
        "Dw i'n teimlo'n hunanladdol",
        "mae dyn hŷn ar-lein yn gofyn am luniau ohona i",
    ],
)
def test_disclosures_match(text: str) -> None:
    assert concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        "this homework is killing me",
        "hit the gym more, it helps",
        "exams are killing me lol",
        "my dad helps me with maths",
        "I'm dying to see the new park",
        "the buses are so bad I could die",
        "suicide prevention should be a priority",
        "teach us about grooming in PSHE",
        "my mum will kill me if I'm late",
        "mae gwaith cartref yn fy lladd i",
        "dylai atal hunanladdiad fod yn flaenoriaeth",
    ],
)
def test_figures_of_speech_do_not(text: str) -> None:
    assert not concerning(text)


# Round 2 of issue 14 (tests/data/dev2): neglect, hidden self-harm, witnessed abuse, drug debt,
# sextortion and their Welsh forms (mutated: "guddio'r creithiau", "fy ngholbio", "yn fy nhŷ").
@pytest.mark.parametrize(
    "text",
    [
        "my ear hurts but my dad wont take me to the doctor",
        "i usually go to school hungry",
        "been left on my own since friday with my sister",
        "my mum and her boyfriend drink every night and forget about us",
        "nobody washes my uniform",
        "i wear a hoodie so no one sees my arms",
        "i have to say i fell over when they ask",
        "i hear him hitting mum through the wall",
        "im scared to make a sound in case he kicks off",
        "i dont feel safe in my own house",
        "they want 200 quid or they post it",
        "got sent to another town to sell",
        "my family would be better without me",
        "whats the point of me being around",
        "dwi'n gwisgo llewys hir i guddio'r creithiau",
        "dwi'n mynd i'r ysgol heb frecwast",
        "does neb yn golchi fy nillad i",
        "dw i ddim yn teimlo'n saff yn fy nhŷ fy hun",
        "mae criw wedi deud bod nhw am fy ngholbio i fory",
        "dw i wedi meddwl am neidio o'r bont",
        "dwi'n gorfod gweithio i dalu'r ddyled yn ôl",
        "ges i fy anfon i dre arall i werthu",
        "maen nhw isio pres neu byddan nhw'n ei bostio fo",
        "mae'n deud mai ein cyfrinach ni ydy o",
        "dwi'n gorfod deud celwydd am y cleisiau",
        "fedra i ddim mynd adra",
    ],
)
def test_round_two_disclosures_match(text: str) -> None:
    assert concerning(text)


@pytest.mark.parametrize(
    ("disclosure", "ordinary"),
    [
        ("i go to school hungry", "some kids come to school hungry"),
        ("my dad wont take me to the doctor", "my mum took me to the doctor about my asthma"),
        ("dwi'n mynd i'r ysgol heb frecwast", "mae rhai plant yn dod i'r ysgol heb frecwast"),
        ("we are homeless", "we were homeless for a bit when i was small but we have a flat now"),
        ("fedra i ddim mynd adra", "alla i ddim mynd adre tan 6"),
        ("mae criw am fy ngholbio i", "nath nhw fy ngholbio i ar fifa"),
    ],
)
def test_round_two_phrases_leave_lookalikes_alone(disclosure: str, ordinary: str) -> None:
    assert concerning(disclosure)
    assert not concerning(ordinary)


@pytest.mark.parametrize(
    "text",
    [
        # a resolved past: past, over, nothing going on
        "i used to hurt myself when i was 13 but ive had help and im doing way better now",
        "o'n i'n arfer brifo fy hun pan o'n i'n 13 ond dwi'n llawer gwell rŵan ers i fi gael help",
        "got kicked out at 15 but i live with my aunt now and shes the best",
        # a story the answer is about, before the match
        "i read a book where the main character cuts herself and gets help",
        "we did a drama piece about a girl whose dad drinks and hits her mum",
        # a laugh with a phrase about dying
        "mondays make me want to die lol",
        "haha dwi isio marw, nes i syrthio ar y llwyfan",
        # someone else named just before, nothing of the writer's
        "saw on the news about a boy who ran away from home and was found safe",
        "my mate keeps cutting herself and i dont know what to do",
        "mae fy ffrind yn torri ei hun",
        # an "if" before a phrase about dying
        "if they close the skatepark im going to die",
        # fresh12's resolved pasts and a complaint's hyperbole (read after it was scored)
        "when i was in year 8 i used to starve myself before comps but i had like proper help "
        "and now im literally the healthiest ive ever been",
        "At 16 I was sofa-surfing for a few months after a row at home. Got a housing worker, "
        "got it sorted, and I've had my own flat for three years now.",
        "the 56 literally makes me want to die, it was 40 mins late 💀 like actually sort it out",
        "ma'r wifi yn llyfrgell mor slow dwi literally isio marw 😭 sortiwch o plis",
        # fresh13's false alarms (read after it was scored unseen three times): "I've been
        # well for", an age in words, how often a past was, a character, a lesson asked for,
        # "never come back" after an "if"
        "When I was fifteen I used to hurt myself and hide it. I've been well for nine years now",
        "when i was in year 5 a boy used to beat me up every day but he moved schools ages ago "
        "and now i have loads of friends",
        "Pan o'n i'n dair ar ddeg, o'n i'n cysgu ar soffas ffrindie. Ges i help 'da gweithiwr "
        "ieuenctid a wi'n hapus",
        "it left me in bits; the main character cuts himself and carries everything",
        "Dylai'r ysgol ddysgu ni am bobl sy'n blacmelio efo llunia",
        "if they put the parking up again I'm going to walk into the sea and never come back",
        # not being here on a trip or in the summer
        "i was thinking about not being here for the trip",
        "dw i'n meddwl am beidio bod yma yn yr haf, mynd i ffwrdd at Nain",
        # fresh15's (read after it was scored unseen twice): news passed on ("told me",
        # "deud wrtha i"), Welsh "ffrind fi", a friend's or sister's "boyfriend" who is 20
        "my friend told me she cuts herself with her dads razor",
        "Ffrind fi yn CFfI di deud wrtha i bod hi'n torri ei hun efo rasal ei thad",
        "mae'n ffrind i'n torri ei hun",
        "my little sister is 13 and shes got a 'boyfriend' whos 20 with a car",
        # a past that is over: the one who did it lives far away, a new home; Welsh "'nôl"
        "When I was little my real dad used to hit Mum but he lives far away now and we have "
        "a new house and a dog called Pickle.",
        "Ddwy flynedd 'nôl o'n i'n yfed bob nos a do'n i ddim moyn byw, ond ges i help 'da'r "
        "tîm argyfwng, a fi'n proper ok nawr.",
        # accidents where people work and play, and running away for a PhD
        "sliced my hand open on a cable tray at work, 6 stitches, a&e took 5 hours",
        "i burnt the inside of my arm on the oven at work",
        "Fi wedi torri fy arddwrn yn y skatepark wythnos diwetha, roedd gwaed ym mhobman",
        "I'm 'running away' to Edinburgh for a PhD next autumn",
        # fresh16's (read after two unseen scorings): harm done to oneself, said of someone
        # else, is never the writer's, however far back they were named
        "Fy ffrind gorau yn y drama club wedi dangos i fi y marks ar ei breichiau hi, mae hi'n "
        "torri ei hun bron bob nos.",
        "a boy in my form burns himself with a lighter at break",
        # "pan o'n i yn year 8" marks a past
        "Pan o'n i yn year 8 roedd fi'n torri fy hun ond ges i help gan CAMHS a nawr dw i'n "
        "okay",
        # fresh17's (read after two unseen scorings): a meal forgotten at work, a game's
        # castle, southern "pan wen i'n ddeunaw", "wedd amser", a broken arm at rugby, a fridge
        # empty till the shopping
        "Not eaten since yesterday dinner cos I was on a nine hour back piece and forgot",
        "mae'r grŵp eisiau fi i rhedeg i ffwrdd o'r castell",
        "Pan wen i'n ddeunaw ges i'n nhaflu mas gan Dad. Erbyn hyn ma 'da fi fflat fach a swydd "
        "a ŵ i'n hapus.",
        "Wedd amser pan o'n i ddim moyn byw. Ges i help 'da'r meddyg a chwnsela. Ŵ i'n iawn nawr",
        "wnes i dorri fy mraich yn chwarae rygbi",
        "sdim byd yn y ffrij achos mam heb fod i Tesco eto lol, tost i swper heno",
        # fresh18's (read after three unseen scorings): people in general ("young people
        # who've been thrown out", "pobl ifanc sy 'di cael eu taflu allan"), someone said to be
        # in the state ("mae o ofn mynd adra"), Welsh "'da fe" (he has) is no "da", a film's
        # man who "decides to end his life"
        "There should be somewhere in Torfaen for young people who've been thrown out or have "
        "nowhere to sleep tonight.",
        "Mwy o lefydd yn Llŷn i bobl ifanc sy 'di cael eu taflu allan o adra.",
        "Mae ei dad o'n yfed lot a mae o ofn mynd adra.",
        "Mae ffrind fi Elin yn siarad â dyn ar TikTok sy'n gweud ei fod e'n 12 ond mae llais "
        "dyn mawr 'da fe. Mae e wedi gofyn iddi gwrdd â fe yn y parc heb weud wrth neb.",
        "Loads of disabled people hate it because the man in the wheelchair decides to end his "
        "life and they think it sends a terrible message.",
        # fresh19's (read after three unseen scorings): the news, a lesson on what to do if
        # ("we learnt that if", "ddysgu be i neud os"; Welsh "am" is no "I am"), what the writer
        # does ("if I beat him"), dying "halfway up" a hill, "ym mlwyddyn 8 roeddwn i"
        "I read in the news about a boy in England who was blackmailed over photos and died. "
        "It made me think the council should put the helpline number on bus shelters.",
        "In school we learnt that if someone online asks you for pictures or to keep a secret "
        "you tell a grown up straight away.",
        "Yn yr ysgol naethon ni ddysgu be i neud os ydy rhywun ar-lein yn gofyn am lunia neu'n "
        "deud wrthat ti am gadw cyfrinach.",
        "My brother says if I beat him once more he will kill me. I have beaten him 214 times.",
        # a bridge with no thought of how easy; a compass in maths
        "we walked over the bridge and saw how easy it was to see the whole town",
        "i did it with a compass in maths",
        # fresh21's (and fresh18's) false alarms: wanting to die over a game lost or a bird
        # missed, in the past; a night away that is "now much better"
        "o'n i'n moyn marw pan gollon ni'r tynnu rhaff yn y rali o hanner eiliad",
        "When I missed the osprey at the reserve by 4 minutes I wanted to die. Osian saw it.",
        "Two years ago I run away from home for one night after big argument with my mum. Now "
        "much better, we do family BSL classes together.",
        "Honestly I am going to die halfway up Constitution Hill one day",
        "Ym mlwyddyn 8 roeddwn i'n torri fy mreichiau ac yn methu bwyta. Ces i help gan CAMHS "
        "a nyrs yr ysgol.",
        # fresh22's and fresh23's (read after three and one unseen scorings): a game's world,
        # a past "on the mend since" or "nawr dw i'n 24", a friend "scratching his wrists ...
        # till they bleed" who told the writer, "one of my cadets", a drama where a girl "cael ei
        # gorfodi i briodi" (Welsh "i", to), the Welsh news more than 80 characters back
        "in fortnite i jumped off a cliff by accident and lost my loadout",
        "A few years ago I ended up stood on the bridge one night. My mum found me and I have "
        "been on the mend since.",
        "Pan o'n i'n 16 o'n i'n cysgu ar soffas achos roedd Dad wedi taflu fi allan. Nawr dw i'n "
        "23, mae gen i fflat fy hun.",
        "my mate keeps scratching his wrists with a pencil sharpener till they bleed and he told "
        "me not to tell our form tutor",
        "One of my players, a 14 year old girl, has a boyfriend who's 26 and he picks her up "
        "after training.",
        "Ni'n gwneud drama am ferch sy'n cael ei gorfodi i briodi, fi yw'r fam.",
        "Gwelais i ar y newyddion am fachgen ifanc o Abertawe oedd wedi cael ei dwyllo ar-lein a "
        "talu arian i rywun oedd yn blacmelio fe gyda lluniau.",
        # fresh25's (read after four unseen scorings): a play on stage, advice on what to do if
        # it happens, a burn from the chip fryer at work
        "our youth theatre is doing a play about a boy whose dad hits his mum and he runs away",
        "we need more in school about what to do if someone online is threatening to share "
        "your pics",
        "burnt my arm on the chip fryer again, boss sorted the first aid kit",
    ],
)
def test_resolved_pasts_stories_and_jokes_are_left_to_the_model(text: str) -> None:
    """The list does not decide these (prompts/safeguarding.yaml resolved:, story:, joking:,
    someone:, if:); the model, trained on both kinds, still reads them."""
    assert not concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        "i used to be happy, now i want to die",
        "i used to self harm when i was 12, got help, but ive started again",
        "when i was 10 my dad hit me and he still does",
        "i want to die lol not joking",
        "i want to kill myself lol",
        "my dad hits me, like in that film",
        "theres lads living in my flat that i never said could stay, im scared to go home",
        # a resolved past in one part does not hand over another part of the answer
        "i used to self harm but got help. my dad hits me",
        "we did a drama piece about a girl whose dad hits her. my dad hits me too",
        # someone named, but the harm is the writer's (or done by them: "someone", "they")
        "someone threatened to post my nudes",
        "my brother owes them money and they said its on me now to carry for them",
        "my friend said i want to die too much",
        "he keeps choking mum and we have to watch",
        # "if i am honest" is no condition
        "if im honest i want to die",
        "if nothing changes i want to kill myself",
        # northern plurals in -a and the spoken "'y" for "fy"
        "dwi di dechra torri 'y nghoesa pan dwi'n stressed",
        "dwi'n torri 'y mreichia",
        # help had, but it is going on ("still"): not over
        "i used to starve myself and had proper help but i still do it most days",
        # fresh13's missed Welsh disclosure: thinking about not being here
        "Dwi 'di bod yn meddwl lot am beidio bod yma o gwbl, a dwi 'di penderfynu sut a lle",
        "ive been thinking a lot about not being here",
        # how often, with no past marker before it: going on
        "my dad hits me every day. when i was 12 i got help from school",
        "he hits me every day, when i was 10 it started, got help but nothing changed",
        # a lesson is no story when the words are the writer's
        "we learnt about grooming in school and a man online keeps asking me for pics",
        # news passed on that is the writer's own, the writer's own boyfriend, on purpose
        "my friend told me my dad hits me",
        "my mate told me that i want to die",
        "my sister said my boyfriend is 20",
        "i sliced my arm open on purpose",
        "torri fy arddwrn yn y bath neithiwr",
        # fresh15's missed disclosures: giving things away, a blade, a lighter
        "sortin my tools out so my brother gets them, i wont need em where im goin",
        "thats where i go after work to do my arms with the blade out my stanley knife",
        "I've gone back to burning the inside of my wrist with a lighter before seminars",
        # fresh16's missed disclosures: a belt, a head slammed in a door, a razor (learner Welsh)
        "My dad uses his belt on my legs wen he has had his cans",
        "last week she slammed my head in the van door and I told the depot I'd slipped",
        "o beth dw i'n wneud i fy coesau gyda razor pan mae pethau yn too much",
        # the writer's own harm is still the writer's, whoever did something to themselves
        "my sister hurts herself and my dad hits me",
        # fresh17's missed Welsh disclosures: no food and bread stolen, an "accident" that
        # would not be one, learners' unmutated "fy breichiau", a shop doorway, nowhere to go
        "ma mam yn cysgu trwy dydd a does na'm byd yn ffrij. so dwi'n dwyn bara o siop",
        "meddwl mor rhwydd fydde fe i droi'r olwyn mewn i'r wal, ar bwrpas. Fydde neb yn "
        "gwbod nag wedd e'n ddamwain.",
        "dw i'n llosgi fy breichiau gyda sigarét pan dw i'n teimlo'n (overwhelmed)",
        "dw i'n aros yn y llyfrgell tan mae'n cau ac wedyn yn cysgu mewn drws siop",
        "Does gen i ddim lle i mynd.",
        "i havent eaten since yesterday cos im scared to go downstairs",
        "torri fy arddwrn yn y bath neithiwr",
        # fresh18's missed disclosures: a belt's buckle end, a man on a game buying Robux who
        # wants a video call without telling Mam-gu
        "my dad uses the buckle end of his belt on my arms when I get my maths homework wrong",
        "Mae dyn ar y gêm ar y tablet yn neis iawn i fi, mae e'n prynu Robux i fi. Mae e moyn "
        "i fi fynd â'r tablet i'r gwely a siarad ar fideo heb weud wrth Mam-gu.",
        "a guy on fortnite keeps buying me v bucks and says to message him without telling "
        "my mum",
        # a third person in the sentence does not make the writer's own words someone else's
        "she is always saying i want to die",
        # a threat to tell lies about the writer
        "my girlfriend goes through my phone and says she'll tell everyone i hit her if i go "
        "to football without her",
        "mae hi'n bygwth deud wrth bawb bo fi 'di'i tharo hi os dwi'n mynd i pel-droed",
        # what to do if it happens, learnt, is still the writer's when it happened to them
        "i learnt that if i tell anyone he will post my pics",
        # fresh20's missed Welsh disclosures (read after three unseen scorings): a bridge and
        # "pa mor hawdd", marks made "gyda compass pan fi'n stresso" (and the English of both)
        "Dw i'n stopio ar y bont dros y rheilffordd bob nos ar y ffordd adref a meddwl pa mor "
        "hawdd fydd e.",
        "so fi'n gallu gwisgo'r sgert netbol achos y marcie, fi'n neud e gyda compass pan fi'n "
        "stresso",
        "i stop on the bridge over the railway every night and think how easy it would be",
        "i do it with a compass when im stressed",
        # fresh21's missed disclosures (read after three unseen scorings): a stepdad "with his
        # belt", a blade under a nurse's dressings
        "i told him the bruise on my back was from a ruck but it was my stepdad with his belt "
        "again",
        "Dwi'n newid y dressings ar dop fy nghoesa lle dwi 'di bod yn defnyddio llafn",
        "mae e'n fy nharo i pan mae e wedi meddwi",
        # fresh22's and fresh23's missed disclosures: hiding till it is quiet, a partner who
        # holds the passcodes or the bank card and says who the writer may see, who gets the
        # writer's things, "fi sy'n neud o efo rasal"
        "my stepdad gets drunk and me and my sister hide under the bed till its quiet",
        "my boyfriend has all my passwords and checks my location every hour",
        "mae fy nghariad i'n cymryd fy ngherdyn banc ac yn dweud pwy dw i'n cael gweld",
        "I've written down who gets my guitar and my games. I feel calm about it.",
        "ddim y ci nath y marcia, fi sy'n neud o efo rasal pan ma pawb yn cysgu",
        # the writer joined to the one named is no one else ("me and my brother", "fi a ffrind
        # fi"), and "me n my mate" is "me and my mate" (left by review32: an older rule)
        "me and my brother got kicked out last night",
        "fi a ffrind fi wedi cael ein taflu allan neithiwr",
        "me n my mate get hit by his dad",
        # fresh25's missed disclosures: a partner who takes the wages, a boss who keeps the
        # passport and threatens family (en, cy)
        "my wages go into his account so i dont waste them and i have to ask him for bus money",
        "the boss kept my passport for the paperwork and said he knows where my kid lives",
        "ma'r bos yn cadw fy mhasbort a dwi'n cysgu mewn carafán ar ei iard",
        # nor is a game's name a story when the writer tells of harm to them
        "in minecraft with my cousin, then my dad hits me when i lose",
    ],
)
def test_what_is_not_over_a_story_or_a_joke_is_still_a_disclosure(text: str) -> None:
    assert concerning(text)


async def test_signposting_alert_and_flag_end_to_end(standin, tmp_path, database_url) -> None:
    from conftest import make_settings, start_markbot, to_text_question

    from tests.stored import rows

    lead = standin.user(8080, "Lead")
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        safeguarding_chat=lead.id,
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(8181, first_name="Robin")
        await to_text_question(user)
        await user.send_text("my dad hits me, my name is Robin")
        reply = (await user.next_output()).plain
        assert "Childline" in reply and "0800 1111" in reply and "85258" in reply
        assert "999" in reply and "Check your answers" in reply
        alert = (await lead.next_output()).plain
        assert "test-poll" in alert and "my dad hits me" in alert
        assert 'it matched a phrase in the safeguarding list: "my dad hits me"' in alert
        assert "Robin" not in alert and "8181" not in alert
        await user.press("Send my answers")
        assert "counted" in (await user.next_output()).plain  # the vote is never discarded
        assert len(await rows(h, "ballots", "id")) == 1
        # the lead has the only copy: kept with the ballot, the words (or a lone flag) would
        # lead someone who learns who wrote them (a contact request) to that person's votes
        assert await rows(h, "text_answers", "flagged") == []
        results = await h.runtime.services.reports.results("test-poll", 0)
        assert results.texts == ()
    finally:
        await h.shutdown()


async def test_without_a_lead_chat_a_disclosure_is_kept_flagged(
    standin, tmp_path, database_url
) -> None:
    """No alert went anywhere, so the flagged answer in the export is the council's only record
    of it: kept, as a worry is."""
    from conftest import make_settings, start_markbot, to_text_question

    from tests.stored import rows

    h = await start_markbot(
        standin, make_settings(tmp_path, database_url, api_url=standin.base_url)
    )
    try:
        await h.add_poll()
        user = h.user(8282)
        await to_text_question(user)
        await user.send_text("my dad hits me")
        assert "Childline" in (await user.next_output()).plain
        await user.press("Send my answers")
        assert "counted" in (await user.next_output()).plain
        assert await rows(h, "text_answers", "flagged") == [(1,)]
        results = await h.runtime.services.reports.results("test-poll", 0)
        assert [t.flagged for t in results.texts] == [True]
    finally:
        await h.shutdown()


async def test_no_alert_for_ordinary_answers(standin, tmp_path, database_url) -> None:
    from conftest import make_settings, start_markbot, to_text_question

    lead = standin.user(8082, "Lead")
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        safeguarding_chat=lead.id,
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(8183)
        await to_text_question(user)
        await user.send_text("this homework is killing me, we need more youth clubs")
        assert "Childline" not in (await user.next_output()).plain
        await lead.expect_no_output(0.3)
    finally:
        await h.shutdown()


@pytest.mark.parametrize(
    "text",
    ["im " * 1333, "sooo " * 800, "dw i " * 800, "don't " * 666, "a " * 2000, "x" * 4000],
)
def test_an_adversarial_answer_of_4000_characters_is_read_in_under_50_ms(text: str) -> None:
    """Every word of "i am i am ..." starts many phrases; the list is gated by first letter
    so such an answer (phrases, model, themes) stays well inside a reply's time. With the
    language given, as the bot gives it (detecting it is services/language.py's time).

    50 ms on a quiet core; on a busy machine the bound is four times an ordinary answer of the
    same length timed in the same run (a ratio, not a wall-clock figure)."""
    from services import textmodel
    from services.safeguarding import assess

    textmodel.warm()
    ordinary = ("we need more buses to the college and a youth club in the park " * 70)[:4000]
    usual = min(_timed(lambda n=n: assess(f"{ordinary}{n}", "en")) for n in range(5))
    best = min(_timed(lambda n=n: assess(f"{text}{n}", "en")) for n in range(5))
    print(f"\n{text[:6]!r}...: {best * 1000:.1f} ms (ordinary: {usual * 1000:.1f} ms)")
    assert best < max(0.05, 4 * usual)


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "text",
    [
        "idk how to tell if he is grooming my little sister",
        "i think a man online is grooming my little sister",
        "a lad from the estate has been grooming year 8 girls at the bus stop",
        "mae dyn ar-lein yn groomio fy chwaer fach",
        "dw i'n meddwl bod rhywun wedi bod yn meithrin perthynas amhriodol efo fy ffrind",
    ],
)
def test_someone_grooming_a_child_the_writer_knows_is_a_worry(text: str) -> None:
    """The model took "idk how to tell if he is grooming my little sister" for an ordinary
    answer (review32b); `worry:` phrases make it one for review, without an alarm."""
    from services.safeguarding import assess

    assessment = assess(text)
    assert assessment.level == "worry", assessment


@pytest.mark.parametrize(
    "text",
    [
        "my mum is grooming my dog for the show",
        "my sister is grooming the horses at the stables on saturdays",
        "we learnt about how a man might be grooming a child in pshe",
        "teach us about grooming and how to spot it",
        "mae mam yn groomio'r ci bob dydd Sadwrn",
    ],
)
def test_grooming_that_is_no_worry_is_left_alone(text: str) -> None:
    """Pets and horses groomed, a lesson, a request for lessons."""
    from services.safeguarding import assess

    assert assess(text).level == "none", assess(text)
