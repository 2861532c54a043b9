"""Tag short free-text answers with a language, so results can be read and translated by language.

Answers are often one to six words ("no idea", "dim syniad", "zyada buses chahiye"), where
langdetect alone is unreliable: it has no Roman Urdu, and it spreads two-word English over
Portuguese, French or Afrikaans. (It does have a Welsh profile, good on all but the shortest
texts.) So langdetect (seeded, restricted to the expected languages) is combined with a small
word list and letter patterns per language, and a script check for Urdu.
When the text is too short or the evidence too thin the answer is "und" rather than a guess.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

UNDETERMINED = ("und", 0.0)
DEFAULT_EXPECTED = ("en", "cy", "pl", "ur")

# Below this the best language is not trusted: "und" is better than a wrong tag. At 0.6 no
# message of 180 short test answers got a wrong tag; lone loanwords ("gangs") come out "und".
THRESHOLD = 0.6
# How much one unit of word-list evidence counts against langdetect's log-probability.
EVIDENCE_WEIGHT = 1.6
# langdetect is very sure of itself even on two words; its probabilities are clamped to a
# floor so that word-list evidence can overrule it on short texts, less so on longer ones.
FLOORS = ((15, 0.25), (40, 0.1))  # (fewer letters than, floor); longer texts: LONG_FLOOR
LONG_FLOOR = 0.01
SHORT_LETTERS = 40
# langdetect knows Urdu only in Arabic script, so on Latin text its view of "ur" is no evidence
# either way (Roman Urdu comes out as Somali or Indonesian): it gets this neutral prior instead.
ROMAN_URDU_PRIOR = 0.3
# On a short text, a language the rules know but found no trace of (no word, no letter pattern)
# is marked down: langdetect's guess of Welsh for "I feel unsafe" is noise.
NO_TRACE_PENALTY = 1.0
MAX_CHARS = 2000  # plenty to judge; keeps time and memory flat on long texts

_ARABIC_SCRIPT_LANGS = frozenset({"ur", "ar", "fa", "ps", "sd", "ug"})
_KNOWN_LATIN = frozenset({"en", "cy", "pl"})


def _weigh(words: str, weight: float) -> dict[str, float]:
    return dict.fromkeys(words.split(), weight)


# Words people type in chat for which no language can be told: never evidence on their own.
_UNIVERSAL = frozenset(
    _weigh(
        "ok okay okk k kk lol lmao lmfao haha hahaha hehe xd xx xxx omg hmm hm mm yay wow ah oh "
        "eh uh um umm brb ty thx thanks hi hey hello bye emoji",
        0.0,
    )
)


# Word lists: weight 2 = typical of that language, 1 = suggestive, fractions = shared words.
# Kept small and common on purpose: they only need to tip short answers, not parse them.
_WORDS: dict[str, dict[str, float]] = {
    "cy": {
        **_weigh(
            "mae ydy yw ydw rydw rwy rwyf dw dwi dydy dydw ddim gyda efo ysgol pobl ifanc mwy "
            "llai syniad iawn diolch yn yr ac fy ein eich hefyd ond neu achos oherwydd bydd "
            "roedd sydd hynny hyn hwn hon yma yna nhw angen eisiau isio moyn gallu gwneud wneud "
            "mynd fynd dod cael gael llawer gormod digon ychydig plant cymraeg gymraeg cymru "
            "ardal tref dref pentref parciau diogel diogelwch anniogel bws bysiau fysiau pethau "
            "bethau lleoedd amser nawr rwan rŵan byth sut pam beth pwy ble pryd gwell gwaith "
            "swyddi swydd arian iechyd meddwl meddyliol teulu ffrindiau chwaraeon clwb clybiau "
            "glybiau ieuenctid drud ddrud rhy rhad byd does oes wn gwybod teimlo trafnidiaeth "
            "hapus trist unig cefnogaeth gemau ffordd heol stryd strydoedd siopau gwasanaethau "
            "cyngor gyngor addysg coleg prifysgol hwyl wedi wrth dros heb rhwng trwy drwy "
            "nunlle unman glanach fawr bach mawr gweithgareddau bwlio teithio athrawon",
            2.0,
        ),
        **_weigh("lle peth fi ti chi ni gan bod da parc dim", 1.0),
        **_weigh("a i o e fe hi am ar w", 0.3),
    },
    "pl": {
        **_weigh(
            "nie jest się są być było był jestem mam mamy brak więcej wiem dla że czy przez "
            "który która które tylko też już można trzeba chcę chcemy mniej dobrze źle bardzo "
            "dużo mało lepsze lepszy lepiej lepsza nic nigdy zawsze gdzie kiedy dlaczego bo "
            "bezpieczne bezpieczeństwo szkoła szkole szkoły dzieci młodzież młodzieży młodych "
            "młodzi praca pracy pieniądze autobus autobusy autobusów pociąg pociągi drogie drogo "
            "tanie tańsze zdrowie psychiczne kluby boisko parki miejsca miejsce ludzie ludzi "
            "rodzina przyjaciele znajomi nudno mieszkania mieszkanie pomysłu pojęcia pomocy "
            "pomoc ulice ulica życia życie wszystko wszyscy mój moja moje nasz nasza nasze "
            "zdaniem robić roboty zajęć zajęcia proszę dziękuję czuję boję mieszkam jesteśmy "
            "koszty przemoc czystsze niebezpiecznie iść nikt coś jeszcze sobie tego jego "
            "jej",
            2.0,
        ),
        **_weigh("ale jak tak co za ma na po od z w ze mi mnie to", 1.0),
        **_weigh("do o i no", 0.3),
    },
    "ur": {
        **_weigh(
            "mujhe mujhay mujhko hai hain hay nahi nahin nai bohat bahut bohot boht bhot acha "
            "accha achha achi achay kyun kyu kyunki kyunke kya chahiye chahiyay chahye chaiye "
            "zyada ziada ziyada zada karna karne karo kuch koi yahan wahan liye lye sab bhi tha "
            "thi thay hota hoti hote jata jati pata theek thik sirf hamare hamari hamara humein "
            "hamein mera meri mere tum aap apna apni ghar log logon bachay bachon bacche bachhe "
            "masla masail paisay paise paisa waqt khana dost doston yaar haan jee bilkul zaroor "
            "kaam naukri naukriyan sarak saaf ganda gandi bura buri raat abhi phir agar lekin "
            "magar aur mein mehngi mehnga mehngai sasta sasti behtar behtareen naujawan "
            "naujawanon jawan galiyan gali jagah jaane jana jaana milta milti lagta lagti khatra "
            "mehfooz mahfooz taleem wala wali wale hun hoon raha rahi rahe gaya gayi kaise kab "
            "kahan kaun kyon yeh woh unko inko zindagi pyaar sehat zehni madad chahta chahti "
            "samajh baat shukriya inshallah",
            2.0,
        ),
        **_weigh("ka ki ke ko se hum kar ho ye wo toh kam din ji yar", 1.0),
        **_weigh("main ya na", 0.3),
    },
    "en": {
        **_weigh(
            "the is are and of for with not it we there here too much many very really nothing "
            "something everything anything don can should would could because cos coz cuz my our "
            "your they them this that what why how when where been have has had get got going "
            "just think know all some any out about was were will also only other enough nobody "
            "everyone sure tbh idk dunno please pls plz want feel matters matter yes yeah yep "
            "nope nah",
            2.0,
        ),
        # Nouns and adjectives: often mixed into Welsh and Roman Urdu answers, so weaker.
        **_weigh(
            "idea more less better cheaper safer people young youth school buses trains late "
            "always never help support health mental jobs work money night day clubs things "
            "stuff unsafe safe expensive cheap cost living bullying streets cleaner nowhere "
            "fares fare teens teenagers rubbish lot lots fun places place activities sports "
            "transport roads shops town city village area council housing homes home family "
            "friends mates local community safety crime police important cares care so be go up "
            "by from if an like park parks bus to",
            1.0,
        ),
        **_weigh("a i in on at or but as no do wifi", 0.3),
    },
}

# The commonest non-answers to an open question, in each language: whole phrases count extra.
# Matched on tokens, so apostrophes are spaces ("don t know").
_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("no idea", "not sure", "don t know", "dont know", "no clue"),
    "cy": ("dim syniad", "wn i ddim", "dim clem", "dw i ddim yn gwybod", "sai n gwybod"),
    "pl": ("nie wiem", "brak pomysłu", "nie mam pojęcia", "nie mam pomysłu"),
    "ur": ("pata nahi", "nahi pata", "pata nahin", "maloom nahi", "koi idea nahi"),
}
PHRASE_WEIGHT = 2.0

_TOKEN = re.compile(r"[^\W\d_]+")
_NOISE = re.compile(
    r"\[(?:email|phone|postcode|address|link|handle|name)\]|https?://\S+|www\.\S+|@\w+",
    re.IGNORECASE,
)
_PL_LETTERS = re.compile(r"[ąćęłńśźż]")
_PL_CLUSTERS = re.compile(r"rz|sz|cz|ść|dź|dż")
_CY_CIRCUMFLEX = re.compile(r"[âêîôûŵŷ]")
_CY_PATTERNS = re.compile(
    r"\b(?:ll|rh|dd|ff)|dd|iau\b|ae\b|[bcdfghlmnprst]wy|[bcdfghlmnprst]w[bcdfghlmnprst]"
    r"|[bcdfghlmnprst]y[bcdfglmnprst]\b"
)
_PL_ENDINGS = re.compile(r"(?:owy|owa|owe|owych|ość|ości|cja|cji|ować|ski|ska|skie|emy|ują|ają)\b")

_lock = threading.Lock()
_factory: DetectorFactory | None = None


def _get_factory() -> DetectorFactory:
    """Load langdetect's profiles once, in a fixed order, with a fixed seed (repeatable results)."""
    global _factory
    if _factory is None:
        with _lock:
            if _factory is None:
                factory = DetectorFactory()
                files = sorted(p for p in Path(PROFILES_DIRECTORY).iterdir() if p.is_file())
                factory.load_json_profile([p.read_text(encoding="utf-8") for p in files])
                factory.set_seed(0)
                _factory = factory
    return _factory


def known_languages() -> frozenset[str]:
    """The language codes langdetect has a profile for: what MARKBOT_TEXT_LANGUAGES may list."""
    return frozenset(p.name for p in Path(PROFILES_DIRECTORY).iterdir() if p.is_file())


def _langdetect(text: str, langs: Sequence[str]) -> tuple[dict[str, float], str, float]:
    """langdetect's view: probabilities among `langs` (renormalised), and its overall favourite.

    Uses the full probability vector rather than detect_langs, which hides anything under 0.1:
    on short texts the right language is often down there.
    """
    detector = _get_factory().create()
    detector.append(text)
    try:
        detector.get_probabilities()
    except Exception:  # no usable n-grams: langdetect has nothing to say
        return {}, "und", 0.0
    probs = dict(zip(detector.langlist, detector.langprob, strict=True))
    favourite = max(probs, key=lambda lang: probs[lang])
    known = [lang for lang in langs if lang in probs]
    total = sum(probs[lang] for lang in known)
    if not total:
        return {}, favourite, probs[favourite]
    return {lang: probs[lang] / total for lang in known}, favourite, probs[favourite]


def _evidence(tokens: list[str]) -> dict[str, float]:
    """Word-list and letter-pattern evidence for each language the rules know."""
    score = {lang: sum(words.get(t, 0.0) for t in tokens) for lang, words in _WORDS.items()}
    joined = f" {' '.join(tokens)} "
    for lang, phrases in _PHRASES.items():
        score[lang] += PHRASE_WEIGHT * sum(f" {phrase} " in joined for phrase in phrases)
    letters = "".join(tokens)
    score["pl"] += min(3.0 * len(_PL_LETTERS.findall(letters)), 6.0)
    score["pl"] += min(1.0 * len(_PL_CLUSTERS.findall(letters)), 3.0)
    score["pl"] += min(0.7 * len(_PL_ENDINGS.findall(" ".join(tokens))), 2.0)
    score["cy"] += min(3.0 * len(_CY_CIRCUMFLEX.findall(letters)), 6.0)
    if not _PL_LETTERS.search(letters) and not _PL_CLUSTERS.search(letters):
        score["cy"] += min(0.7 * len(_CY_PATTERNS.findall(joined)), 3.0)
    # Scale by length so that long texts don't turn evidence into certainty on their own.
    scale = 1.0 / math.sqrt(max(len(tokens), 1))
    return {lang: s * scale for lang, s in score.items()}


def _script_shares(text: str) -> tuple[int, float, float]:
    """Number of letters, and the share of them in Latin and in Arabic script."""
    letters = latin = arabic = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        if ch < "\u0250" or "\u1e00" <= ch <= "\u1eff":
            latin += 1
        elif (
            "\u0600" <= ch <= "\u06ff"
            or "\u0750" <= ch <= "\u077f"
            or "\ufb50" <= ch <= "\ufdff"
            or "\ufe70" <= ch <= "\ufeff"
        ):
            arabic += 1
    if not letters:
        return 0, 0.0, 0.0
    return letters, latin / letters, arabic / letters


def _detect(text: str, expected: tuple[str, ...]) -> tuple[str, float]:
    text = unicodedata.normalize("NFC", _NOISE.sub(" ", text[:MAX_CHARS])).replace("’", "'")
    letters, latin, arabic = _script_shares(text)
    if letters < 3 or not expected:
        return UNDETERMINED
    if arabic >= 0.5:
        # Urdu is the only Arabic-script language we expect; only ask langdetect if there's a
        # rival (Arabic, Persian) among the expected languages.
        rivals = [lang for lang in expected if lang in _ARABIC_SCRIPT_LANGS]
        if rivals == ["ur"]:
            return "ur", round(min(0.99, 0.6 + 0.4 * arabic), 3)
        if not rivals:
            return UNDETERMINED
    elif latin < 0.5 and all(lang in _KNOWN_LATIN | {"ur"} for lang in expected):
        return UNDETERMINED  # Cyrillic, CJK, ... when none of the expected languages use it

    tokens = _TOKEN.findall(text.lower())
    if not tokens or all(t in _UNIVERSAL for t in tokens):
        return UNDETERMINED
    evidence = _evidence(tokens)
    # A text that is clearly in a language we weren't asked about is not forced into one we were.
    best_rule = max(evidence, key=lambda lang: evidence[lang])
    weak = all(evidence.get(lang, 0.0) < 0.5 for lang in expected)
    if (
        best_rule not in expected
        and evidence[best_rule] >= 1.2
        and all(evidence.get(lang, 0.0) < 0.5 * evidence[best_rule] for lang in expected)
    ):
        return UNDETERMINED

    ld, favourite, favourite_p = _langdetect(text, expected)
    if weak and favourite not in expected and favourite_p > 0.8 and letters >= 20:
        return UNDETERMINED  # e.g. Spanish or German when we expect English, Welsh, ...
    if arabic < 0.5 and "ur" in ld:
        ld["ur"] = ROMAN_URDU_PRIOR
    floor = next((f for limit, f in FLOORS if letters < limit), LONG_FLOOR)
    logits = {}
    for lang in expected:
        prior = ld.get(lang, 1.0 / len(expected))
        trace = evidence.get(lang)
        logits[lang] = math.log(max(prior, floor)) + EVIDENCE_WEIGHT * (trace or 0.0)
        if trace is not None and trace < 0.2 and letters < SHORT_LETTERS:
            logits[lang] -= NO_TRACE_PENALTY
    top = max(logits.values())
    weights = {lang: math.exp(v - top) for lang, v in logits.items()}
    total = sum(weights.values())
    lang = max(weights, key=lambda k: weights[k])
    confidence = weights[lang] / total
    if confidence < THRESHOLD:
        return UNDETERMINED
    return lang, round(confidence, 3)


def detect_language(text: str, expected: Sequence[str] = DEFAULT_EXPECTED) -> tuple[str, float]:
    """The language of a short answer among `expected`, with a confidence in [0, 1].

    Returns ("und", 0.0) when it can't be judged; never raises, since a tag is only a help to
    whoever reads the results and must not get in the way of storing the answer.
    """
    try:
        if not isinstance(text, str):
            return UNDETERMINED
        langs = tuple(dict.fromkeys(str(lang).lower() for lang in expected))
        return _detect(text, langs)
    except Exception:
        return UNDETERMINED
