"""Remove personal details from free text before it is kept anywhere.

A first line of defence with well-understood rules, tuned for what children and young people
type into a survey: emails (also "name at gmail dot com"), phone numbers (also the Ofcom drama
numbers that validators reject, and spaced or dotted digits), UK postcodes, street addresses,
links, social media handles, and names when they are introduced ("my name is", "I'm", titles).
The person's own Telegram names are removed too, since the bot knows them at that moment (and
forgets them straight after).

Rules lean towards scrubbing when a detail is introduced ("my number is", "postcode") and
towards keeping text that only looks like one (road numbers, dates, prices, helplines the bot
itself gives out). What it cannot catch is listed in the README.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable

import phonenumbers


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PLACEHOLDERS = ("[email]", "[link]", "[handle]", "[phone]", "[postcode]", "[address]", "[name]")

# --- emails -------------------------------------------------------------------------------------

# "." also spaced on both sides ("yahoo . co . uk") but not "uk. Next sentence"; likewise "@".
_DOT = r"(?:\.|\s+\.\s+|\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+)"
_AT = r"(?:@|\s+@\s+)"
_AT_WORD = r"(?:\s*[(\[{]\s*at\s*[)\]}]\s*|\s+at\s+)"
_LABEL = r"[\w-]+"
_LOCAL = rf"(?<![\w.+-])[\w+-]+(?:{_DOT}[\w+-]+){{0,3}}"
_TLD = r"(?:com|co|uk|org|net|edu|gov|sch|ac|nhs|io|me|info|biz|wales|cymru|pl|pk|ie|eu|us)"
_PROVIDER = (
    r"(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|btinternet|aol|protonmail|proton|"
    r"live\.co\.uk|sky\.com)"
)
# "jessATgmailDOTcom": at and dot glued on, for the big providers only.
_GLUED_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+?at(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|btinternet)"
    r"(?:dot(?:com|co(?:dot)?uk|net))?\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    rf"{_LOCAL}(?:{_AT}(?:{_LABEL}(?:{_DOT}{_LABEL})+|{_PROVIDER}\b)"
    rf"|{_AT_WORD}(?:(?:{_LABEL}{_DOT})+{_TLD}\b|{_PROVIDER}\b))",
    re.IGNORECASE,
)

# --- links and handles --------------------------------------------------------------------------

_URL = re.compile(
    r"(?<![\w@.])(?:https?://|www\.|(?:t|telegram)\.me/|(?:bit\.ly|t\.co)/)[^\s<>\"']+",
    re.IGNORECASE,
)
_BARE_DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|net|org|uk|io|gg|tv|app|dev|info|xyz|wales|cymru|pl|pk|ie|eu)\b"
    r"(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_WORD_DOMAIN = re.compile(
    r"(?<![\w.-])[\w-]+\s+dot\s+(?:com|org|net|io|co\s+dot\s+uk|org\s+dot\s+uk|uk)\b",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""
_HANDLE = re.compile(r"(?<![\w@.])@(?!\d{1,2}(?:[:.]\d\d)?(?:am|pm)\b)\w(?:[\w.]*\w)?")
_SOCIAL = (
    r"(?:insta(?:gram)?|ig|snap(?:chat)?|sc|tik\s?tok|tt|discord|twitter|threads|bereal|fb|"
    r"facebook|telegram|psn|xbox|steam|gamertag|roblox|fortnite|epic|twitch|youtube|yt|"
    r"user\s?name|handle)\b"
)
_SOCIAL_TOKEN = r"(?P<token>@?[\w.#-]*[\w#])"
_SOCIAL_INTROS = tuple(
    re.compile(pattern + _SOCIAL_TOKEN, re.IGNORECASE)
    for pattern in (
        # "my insta is kai.b", "my xbox gamertag: Skull99"
        rf"\bmy\s+{_SOCIAL}(?:\s+(?:name|user\s?name|handle|tag|gamertag|id|account|acc))?"
        r"(?:\s*(?:'s|’s|=|:|-)\s*|\s+is\s+)(?:@\s*)?",
        # "add me on snapchat leo.k2009"
        r"\b(?:add|follow|dm|message|msg|find|hmu|hit\s+me\s+up)(?:\s+me)?\s+(?:on|at)\s+"
        rf"{_SOCIAL}\s*[:\-]?\s*(?:@\s*)?",
        # "snap: tia_xo", "discord = gamerboy#1234"
        rf"(?<![\w@]){_SOCIAL}\s*[:=]\s*(?:@\s*)?",
    )
)

# --- postcodes and addresses --------------------------------------------------------------------

_OUTWARD = r"[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?"
_POSTCODE = re.compile(
    rf"(?<![\w])(?P<out>{_OUTWARD})\s*(?P<in>\d[ABD-HJLNP-UW-Z]{{2}})(?![\w])", re.IGNORECASE
)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")  # "A38 3rd exit" is a road, not "A38 3RD"
_POSTCODE_INTRO = re.compile(
    rf"\b(?P<intro>(?:post\s*code|postal\s*code|cod\s*post|zip\s*code)"
    rf"(?:\s*(?:'s|’s|is|:|-|=))?\s*(?:is\s+)?)(?P<out>{_OUTWARD})(?![\w])",
    re.IGNORECASE,
)
_SUFFIX_ANY = (
    r"street|st|road|rd|avenue|ave|lane|ln|close|cl|drive|dr|way|crescent|cres|court|ct|"
    r"place|pl|grove|gardens|gdns|terrace|tce|hill|park|square|sq|walk|row|mews|view|rise|"
    r"green|vale|croft|parade|boulevard|gate|fields|meadows|approach|wharf|quay|yard|chase|"
    r"orchard|grange|heights|villas|cottages"
)
# Suffixes that are not everyday words, safe after lowercase words ("7 station road").
_SUFFIX_CLEAR = r"street|road|rd|avenue|ave|lane|crescent|terrace|mews|gardens|grove|boulevard"
_NOT_STREET_WORD = (
    r"(?:the|a|an|to|down|up|along|on|in|at|of|my|our|your|his|her|their|this|that|and|or|"
    r"for|from|by|with|more|less|other|new|big|busy|main|miles?|mins?|minutes?|hours?|times?|"
    r"km|buses|bus|people|kids|young|skate)\b"
)
_UNIT = r"(?:(?i:flat|apartment|apt|unit|house|room)\s*\d{1,4}[A-Za-z]?\s*,?\s*)?"
_HOUSE = r"\b\d{1,4}[A-Za-z]?,?\s+"
_ADDRESS = re.compile(
    # "12 High Street", "flat 3, 45 Oak Road", "14 St John's Close"
    rf"{_UNIT}{_HOUSE}(?:[A-Z][\w'’.-]*\s+){{1,3}}(?i:{_SUFFIX_ANY})\b\.?"
    # "7 station road": lowercase names only before an unmistakable suffix
    rf"|{_UNIT}{_HOUSE}(?:(?!{_NOT_STREET_WORD})[a-z][\w'’-]*\s+){{1,3}}(?:{_SUFFIX_CLEAR})\b"
    # Welsh street names come first: "5 Heol y Bont", "18 Stryd Fawr"
    rf"|{_UNIT}{_HOUSE}(?i:heol|ffordd|stryd|lôn|lon|rhodfa|cilgant|clos|teras|maes)"
    rf"\s+(?:(?i:y|yr)\s+)?[\w'’-]+"
)
_DISTANCE = (
    r"(?:miles?|mins?|minutes?|hours?|secs?|seconds?|times?|km|metres?|meters?|steps?|doors?)\b"
)
# "my house is 4 meadow way", "I live at 9 the green": introduced, so any words and suffix.
_ADDRESS_INTRO = re.compile(
    r"(?P<intro>\b(?:live|living|lives|stay|staying|house\s+is|address(?:\s+is)?|addy)"
    r"(?:\s+(?:at|on|in))?\s*[:\-]?\s*)"
    rf"(?P<address>{_UNIT}\d{{1,4}}[A-Za-z]?,?\s+(?:(?!{_DISTANCE})[\w'’-]+\s+){{1,3}}"
    rf"(?:{_SUFFIX_ANY}))\b",
    re.IGNORECASE,
)
_FAMOUS_ADDRESSES = frozenset({"10 downing street", "221b baker street"})

# --- phone numbers ------------------------------------------------------------------------------

# A digit, or a letter O typed for a zero inside a number ("07700 9OO 123").
_DIGIT = r"(?:\d|(?<=[\dOo])[Oo](?=[\dOo]|[ .\-]\d))"
_DIGIT_RUN = re.compile(
    rf"(?<![\d+])(?:\+|00)?\(?\d(?:[ \t\r\n.\-()\u00a0\ufe0f\u20e3]{{0,3}}{_DIGIT}){{8,}}(?!\d)"
)
# 7-8 digits, only with "number", "ring", ... just before; never part of a longer run.
_SHORT_NUMBER = re.compile(
    r"(?<![\d+])(?<!\d[ .\-])(?:\+|00)?\(?\d(?:[ \t.\-()\u00a0]{0,2}\d){6,7}"
    r"(?!\d|[ \t.\-()\u00a0]{1,2}\d)"
)
_PHONE_CONTEXT = re.compile(
    r"(?:number|numbers|num|no\.?|phone|mobile|mob|tel|ring|call|text|whatsapp|landline|"
    r"ffôn|ffon|ffoniwch|rhif|numer|dzwoń|zadzwoń|komórka|komórki|نمبر|فون)"
    r"\W{0,3}(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
# Numbers said in words, alone or mixed with digits: "oh seven seven double oh nine ...".
_NUMBER_WORDS = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_SAID = rf"(?:\d+|{'|'.join(_NUMBER_WORDS)}|double|triple)"
_SAID_NUMBER = re.compile(rf"\b{_SAID}(?:[ \t,.-]+{_SAID}){{3,}}\b", re.IGNORECASE)
# Numbers the bot and schools signpost, never personal: Childline, Samaritans, Shout, NSPCC,
# Papyrus HOPELINE247, CALM, The Mix, Mind, and 999/112/111/101.
_HELPLINES = frozenset(
    {
        "08001111",
        "116123",
        "116111",
        "85258",
        "08088005000",
        "08000684141",
        "0800585858",
        "08088084994",
        "03001233393",
        "999",
        "112",
        "111",
        "101",
    }
)
# Dates, times, year ranges and prices: hidden (same length) before looking for phone numbers, so
# "15.05.2025 9:00" or "2023-2024 2024-2025" never read as one long number.
_NOT_PHONE = re.compile(
    r"\b(?:[0-2]?\d|3[01])([./-])(?:0?\d|1[0-2])\1(?:19|20)\d\d\b"
    r"|\b(?:[0-2]?\d|3[01])/(?:0?\d|1[0-2])/\d\d\b"
    r"|\b(?:19|20)\d\d-\d\d?-\d\d?\b"
    r"|\b(?:19|20)\d\d\s*[-/–]\s*(?:19|20)?\d\d\b"
    r"|\b\d{1,2}:\d\d\b|\b\d{1,2}\.\d\d\s*(?:am|pm)\b"
    r"|[£$€]\s*\d{1,3}(?:[ ,]\d{3})+(?:\.\d\d)?|[£$€]\s*\d+(?:\.\d\d)?",
    re.IGNORECASE,
)
_PHONE_MIN_DIGITS = 7  # below this phonenumbers is not even asked

# --- names --------------------------------------------------------------------------------------

_NAME = r"[^\W\d_][\w'’-]*"
_NAMES = rf"(?P<names>{_NAME}(?:[ \t]+{_NAME}){{0,2}})"
_RELATION = (
    r"(?:mum|mom|mam|mother|dad|father|step-?mum|step-?dad|brother|sister|bro|sis|nan|nana|"
    r"nanna|gran|granny|grandma|grandad|grandpa|auntie|aunt|uncle|cousin|(?:best\s+)?friend|"
    r"bestie|mate|boyfriend|girlfriend|partner|teacher|form\s+tutor|tutor|carer|"
    r"foster\s+carer|social\s+worker|youth\s+worker|coach|neighbour|son|daughter)"
)
# Introductions that are only ever followed by a name: the next word is taken whatever its case.
_STRONG_INTRO = re.compile(
    r"(?P<intro>(?<![\w-])(?:my\s+(?:full\s+)?name(?:\s+is|'s|’s|s|\s*[:=-])|name\s*[:=]|"
    r"i\s+am\s+called|i['’]?m\s+called|(?:they|people|everyone|friends)\s+call\s+me|"
    r"fy\s+enw(?:\s+i)?\s+(?:yw|ydy)|enw\s+fi\s+(?:yw|ydy)|nazywam\s+się|mam\s+na\s+imię|"
    rf"mera\s+naam|mera\s+nam|میرا\s+نام|my\s+{_RELATION}"
    r"(?:['’]s\s+name\s+is|['’]s\s+called|\s+is\s+called|\s+name\s+is))\s+)" + _NAMES,
    re.IGNORECASE,
)
# Introductions that are also ordinary phrases ("I'm Happy"): only a capitalised non-word counts.
_WEAK_INTRO = re.compile(
    r"(?P<intro>(?<![\w'’])(?:i['’`]?m|i\s+am|call\s+me|jestem|galw(?:ch)?\s+fi['’]?n|"
    r"galw(?:ch)?\s+fi\s+yn|(?<!\bi\s)fi\s+(?:yw|ydy))\s+)" + _NAMES,
    re.IGNORECASE,
)
_GREETING_THIS_IS = re.compile(
    r"(?P<intro>(?:^|(?<=[.!?\n]))[ \t]*"
    r"(?:hi|hello|hey|hiya|heya|helo|hia|shwmae|s'mae|yo)\b[\s,!.]*"
    r"(?:this\s+is|it['’]?s|its|it\s+is)\s+)" + _NAMES,
    re.IGNORECASE,
)
_NAME_HERE = re.compile(
    r"(?P<intro>\b(?:this\s+is|it['’]?s|its|it\s+is)\s+)(?P<names>" + _NAME + r")"
    r"(?=\s+(?:here|speaking)\b)",
    re.IGNORECASE,
)
# Welsh puts the name first: "Dafydd ydw i", "Gethin sydd yma", "Nia yw fy enw".
_NAME_FIRST_CY = re.compile(
    rf"(?<![\w'’-])(?P<names>{_NAME}(?:[ \t]+{_NAME})?)"
    r"(?P<after>[ \t]+(?i:yw\s+fy\s+enw|ydy\s+fy\s+enw|ydi\s+fy\s+enw)\b)"
)
# "Cai ydw i", "Gethin sydd yma": a sentence may open that way too ("Pwy ydw i?", "Problem
# sydd yma"), so only after a greeting ("Shwmae, Cai ydw i") or inside a sentence.
_NAME_FIRST_CY_AFTER = re.compile(
    r"(?P<lead>(?:(?i:shwmae|s['’]mae|helo|haia|hai|hia|hiya|hi|hello|hey|bore\s+da|"
    r"prynhawn\s+da|noswaith\s+dda)[\s,!.]+|(?<=[^\W\d_])[ \t]+|,[ \t]*))"
    rf"(?P<names>{_NAME}(?:[ \t]+{_NAME})?)"
    r"(?P<after>[ \t]+(?i:ydw\s+i|sydd\s+yma|sy['’]?\s+yma)\b)"
)
# ... or opening a sentence that stops right there: "Gethin sydd yma, ...", "Cai ydw i."
_NAME_FIRST_CY_START = re.compile(
    r"(?P<lead>(?:^|(?<=[.!?\n]))[ \t]*)"
    rf"(?P<names>{_NAME}(?:[ \t]+{_NAME})?)"
    r"(?P<after>[ \t]+(?i:ydw\s+i|sydd\s+yma|sy['’]?\s+yma)(?=[ \t]*(?:[,.!]|$)))",
    re.MULTILINE,
)
# "my friend Jess Smith": a first name and surname straight after a relation.
_RELATION_FULL_NAME = re.compile(
    rf"(?P<intro>\b(?i:my|our)\s+(?i:{_RELATION})\s+)(?P<names>{_NAME}[ \t]+{_NAME})"
)
_TITLE = re.compile(
    r"(?P<intro>\b(?:(?i:mr|mrs)|[Mm][sx]|Dr|Miss|Mstr|Prof)\.?\s+)"
    rf"(?P<names>{_NAME}(?:[ \t]+{_NAME})?)"
)
_TITLE_LOWERCASE_OK = frozenset({"mr", "mrs"})  # "mr smith"; but not "ms teams"
_NOT_NAMES_AFTER_TITLE = _words(
    "pepper martens bean beast tumble men kipling motivator strange seuss who whippy blobby "
    "incredible robot oetker dre freeze teams word excel paint office forms"
)
# Words that are never part of a name: function words, ages, days, fillers (a few Welsh, Polish
# and Urdu ones too). Lowercased.
_NOT_NAME_WORDS = _words(
    """
    a an the i im i'm me my mine we us our you your he she they them it its this that these those
    in on at from to for with by of off out up down over under about into onto near not no nor
    so too very really just only also still even always never sometimes usually often ever now
    then here there and or but if as because cos coz cuz like literally honestly actually
    basically probably definitely currently kind kinda sort pretty quite well much more less
    most least all any some every each both either neither other another such same own
    year years yr age aged almost nearly
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty
    maybe perhaps hey hi hello yes yeah yep no nope nah sir miss mr mrs ms mx dr prof
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december
    btw lol tbh idk pls please thanks thx x xx ok okay
    is are was were be been am do does did have has had will would can could should might must
    get got
    hai hain aur ac yn ydw dw rwy i'n nie jestem i z
    نہیں ہے ہیں ہوں میں کیا تو بھی یہ وہ کا کی کے اور
    """
)
# Words that follow "I'm" or "my name is" without being a first name: feelings, states,
# identities. They can still be surnames ("Olivia Brown"). -ing words are caught by rule.
_NOT_FIRST_NAMES = _NOT_NAME_WORDS | _words(
    """
    old older oldest young younger youngest
    happy sad glad mad angry upset annoyed cross furious fine good alright great grand
    bad awful terrible fed sick ill unwell tired exhausted bored lonely alone scared afraid
    frightened terrified worried anxious nervous stressed depressed confused excited proud
    grateful thankful sorry sure certain unsure positive negative right wrong lucky unlucky
    safe unsafe free busy ready able unable allowed told done over against late early new shy
    quiet loud tall short small big poor broke hungry homeless unemployed pregnant interested
    concerned passionate keen aware desperate disappointed embarrassed ashamed hopeful hopeless
    helpless useless fat thin ugly weird different normal lost stuck trapped
    autistic adhd dyslexic dyspraxic deaf blind disabled neurodivergent epileptic diabetic
    wheelchair care looked fostered adopted home educated carer
    gay lesbian bi bisexual trans transgender nonbinary non-binary enby queer asexual ace
    straight male female boy girl man woman lad
    black white brown mixed asian british english welsh scottish irish cornish polish
    pakistani indian bangladeshi somali romanian syrian afghan ukrainian kurdish eritrean
    nigerian ghanaian jamaican chinese african caribbean european arab turkish portuguese
    gypsy traveller roma muslim christian catholic jewish sikh hindu buddhist atheist
    agnostic religious vegan vegetarian
    student pupil sixth form college uni university school apprentice
    important private secret personal irrelevant unimportant anonymous none nothing hidden
    unusual common rare long hard difficult
    """
)

# --- own names ----------------------------------------------------------------------------------

# Names that are also everyday words: after an introduction ("my name is Will", "I'm May")
# they are names; elsewhere, in lower case, the person's own-name check leaves them be.
_NAME_LIKE_WORDS = _words(
    """
    will may hope june rose grace faith joy mark bill pat sue rob jack frank art bob sky summer
    autumn dawn amber ruby pearl holly ivy lily daisy jay drew chase miles taylor sunny ray
    guy penny cliff glen reed sandy rusty kit nick skye robin hazel heather willow rowan
    haf eira mai awel heulwen bryn glyn seren
    """
)
# Telegram display names are often everyday words ("Will", "Bus Stop", "Summer"). Such a part
# of the person's own name is removed when it is written like a name (capitalised) or follows
# an introduction ("i am will"), but "the bus will be late" keeps its words. Only words whose
# everyday sense is by far the commoner: children's names such as jack, lily or seren always go.
_EVERYDAY_NAME_WORDS = (
    _NOT_NAME_WORDS
    | _NOT_FIRST_NAMES
    | _words(
        """
        will may hope june rose mark bill pat rob art sky summer autumn winter spring dawn ray
        sunny rich guy chase miles page drew penny sandy river storm rain star stars bus buses
        park parks club clubs climate job jobs money school home love peace field wood hill
        lane bell rock gamer player youth forum council team help music sport sports dance
        football gym food
        """
    )
)
_INTRODUCED = re.compile(
    r"(?:\bi['’]?m|\bi am|\bcall me|\bname is|\bname['’]?s|\bnamed|\bcalled|"
    r"\bfy enw i yw|\bfy enw yw|\bgalw(?:ch)? fi['’]?n)\s+$",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    """Accents off ("Siân" -> "Sian"), so a name typed without them is still found."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _replace_own_name(match: re.Match[str]) -> str:
    """[name], unless it is an everyday word written in lower case ("the bus", "i will") and
    not straight after an introduction ("i am will")."""
    word = match.group()
    if word.islower() and word in _EVERYDAY_NAME_WORDS:
        before = match.string[max(0, match.start() - 20) : match.start()]
        if not _INTRODUCED.search(before):
            return word
    return "[name]"


def _own_name_pattern(own_names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for all of the person's names, their parts, and accent-free spellings."""
    found: set[str] = set()
    if isinstance(own_names, str):
        own_names = (own_names,)
    for raw in own_names or ():
        if not isinstance(raw, str):
            continue
        name = unicodedata.normalize("NFC", raw).strip().lstrip("@")
        parts = [name, *re.findall(r"[\w'’-]+", name)]
        for part in parts:
            part = part.strip()
            if len(part) >= 2 and any(c.isalnum() for c in part):
                found |= {part, _fold(part)}
    if not found:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<![\w\[])@?(?:{alternatives})(?![\w\]])", re.IGNORECASE)


# --- helpers ------------------------------------------------------------------------------------


def _digits(text: str) -> str:
    """The decimal digits of text as ASCII (Urdu and Arabic-Indic digits included)."""
    return "".join(
        str(unicodedata.decimal(c))
        for c in text.replace("O", "0").replace("o", "0")
        if c.isdecimal()
    )


def _national(digits: str) -> str:
    """UK numbers in one form, so "+44 800 1111" and "0800 1111" compare equal."""
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) >= len(prefix) + 6:
            rest = digits[len(prefix) :]
            return rest if rest.startswith("0") else "0" + rest
    return digits


def _is_helpline(digits: str) -> bool:
    return _national(digits) in _HELPLINES or digits in _HELPLINES


def _looks_like_counting(raw: str) -> bool:
    """Ranges, school years and lists of years ("10-12 13-15", "7 8 9 10", "2019 2020")."""
    groups = re.findall(r"\d+", raw)
    if len(groups) < 2 or raw.lstrip().startswith(("+", "0", "(")):
        return False
    numbers = [int(g) for g in groups]
    increasing = all(a < b for a, b in itertools.pairwise(numbers))
    small = all(len(g) <= 2 for g in groups)
    years = all(len(g) == 4 and g[:2] in ("19", "20") for g in groups)
    return increasing and (small or years)


def _is_phone(raw: str, before: str) -> bool:
    """Whether a run of digits found in text is a phone number worth removing."""
    digits = _digits(raw)
    if len(digits) < _PHONE_MIN_DIGITS or _is_helpline(digits) or _looks_like_counting(raw):
        return False
    if before.rstrip().endswith(("£", "$", "€")):
        return False
    if len(digits) >= 10 or (len(digits) >= 9 and raw.lstrip("(").startswith(("+", "0"))):
        return True
    return bool(_PHONE_CONTEXT.search(before[-40:]))


def _sub_phones(text: str) -> str:
    """Replace phone numbers: phonenumbers' matcher first, then any long run of digits."""
    if sum(c.isdecimal() for c in text) < _PHONE_MIN_DIGITS:
        return text
    masked = _NOT_PHONE.sub(lambda m: "#" * len(m.group()), text)
    spans: list[tuple[int, int]] = []
    try:
        matcher = phonenumbers.PhoneNumberMatcher(
            masked, "GB", leniency=phonenumbers.Leniency.POSSIBLE, max_tries=200
        )
        spans += [(m.start, m.end) for m in matcher if _is_phone(m.raw_string, masked[: m.start])]
    except Exception:  # the regex rules below still run
        pass
    for pattern in (_DIGIT_RUN, _SHORT_NUMBER):
        spans += [
            m.span() for m in pattern.finditer(masked) if _is_phone(m.group(), masked[: m.start()])
        ]
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:  # overlapping finds: extend the one already replaced
            if end > last:
                last = end
            continue
        out += [text[last:start], "[phone]"]
        last = end
    out.append(text[last:])
    return "".join(out)


def _replace_said_number(match: re.Match[str]) -> str:
    """A number said in words (at least one word, nine digits in all) is a phone number."""
    tokens = re.findall(r"\w+", match.group().lower())
    if all(t.isdecimal() for t in tokens):
        return match.group()  # digits only: left to the digit rules
    groups: list[str] = []
    repeat = 1
    for token in tokens:
        if token in ("double", "triple"):
            repeat = 2 if token == "double" else 3
            continue
        groups.append(_NUMBER_WORDS.get(token, token) * repeat if token in _NUMBER_WORDS else token)
        repeat = 1
    raw = " ".join(groups)
    if len(_digits(raw)) < 9 or _looks_like_counting(raw) or _is_helpline(_digits(raw)):
        return match.group()
    return "[phone]"


def _trim_link(match: re.Match[str]) -> str:
    """A link without the punctuation that ends the sentence around it."""
    raw = match.group()
    kept = raw.rstrip(_TRAILING)
    return "[link]" + raw[len(kept) :]


def _is_name(word: str, *, capitalised: bool, surname: bool = False) -> bool:
    """Whether a word after an introduction is a name rather than a feeling, age or filler."""
    low = word.lower().strip("'’-")
    if low in _NAME_LIKE_WORDS and (not capitalised or word[0].isupper()):
        return True  # "my name is Will", "I'm May"
    if not low or low in (_NOT_NAME_WORDS if surname else _NOT_FIRST_NAMES) or "[" in low:
        return False
    if len(low) >= 5 and low.endswith("ing"):
        return False
    if capitalised:
        return word[0].isupper() and not (len(word) > 1 and word.isupper())
    return True


def _replace_names(strong: bool) -> Callable[[re.Match[str]], str]:
    """A replacer keeping the introduction and as many following words as are names."""

    def replace(match: re.Match[str]) -> str:
        words = match.group("names").split()
        first_any_case = strong
        taken = 0
        for i, word in enumerate(words):
            if i == 0 and _is_name(word, capitalised=not first_any_case):
                taken = 1
            elif i > 0 and taken == i and _is_name(word, capitalised=True, surname=True):
                taken += 1
            elif (
                i == 1
                and taken == 1
                and strong
                and words[0].islower()
                and _is_name(word, capitalised=False, surname=True)
            ):
                taken = 2  # "my name is jess smith": typed all in lowercase
                break
            else:
                break
        if not taken:
            return match.group()
        names = match.group("names")
        # keep everything after the last name word exactly as typed
        end = 0
        for word in words[:taken]:
            end = names.index(word, end) + len(word)
        return f"{match.group('intro')}[name]{names[end:]}"

    return replace


_NOT_NAMES_CY = _words(
    """
    hapus trist blin unig ofnus nerfus iawn gret grêt da drwg sal sâl bored wedi yn ddim dal
    yma adre adref gartref hen ifanc cymraes cymro cymraeg saesneg myfyriwr disgybl balch
    siomedig poeni poenus flin llwglyd sychedig prysur barod lwcus diolchgar gofalwr
    pwy beth sut pam ble faint pa croeso problem ofn cymru caerdydd abertawe casnewydd wrecsam
    bangor aberystwyth caerfyrddin merthyr pontypridd llanelli rhyl ysgol athro athrawes
    """
)


def _replace_name_first(match: re.Match[str]) -> str:
    """ "Dafydd ydw i" -> "[name] ydw i"; only capitalised names, and not a Welsh feeling or
    state ("Hapus ydw i": its capital is only the sentence's)."""
    words = match.group("names").split()
    if words[0].lower() in _NOT_NAMES_CY:
        return match.group()
    if not all(_is_name(w, capitalised=True, surname=i > 0) for i, w in enumerate(words)):
        if len(words) == 2 and _is_name(words[1], capitalised=True):
            return f"{words[0]} [name]{match.group('after')}"
        return match.group()
    return f"[name]{match.group('after')}"


def _replace_full_name(match: re.Match[str]) -> str:
    first, last = match.group("names").split()
    if _is_name(first, capitalised=True) and _is_name(last, capitalised=True, surname=True):
        return f"{match.group('intro')}[name]"
    return match.group()


def _replace_title(match: re.Match[str]) -> str:
    title = match.group("intro").strip().rstrip(".").lower()
    words = match.group("names").split()
    first = words[0]
    if first.lower() in _NOT_NAMES_AFTER_TITLE:
        return match.group()
    capitalised = title not in _TITLE_LOWERCASE_OK
    if not _is_name(first, capitalised=capitalised) or (
        title in _TITLE_LOWERCASE_OK and first.isupper() and len(first) > 1
    ):
        return match.group()
    names = match.group("names")
    taken = 2 if len(words) > 1 and _is_name(words[1], capitalised=True, surname=True) else 1
    end = 0
    for word in words[:taken]:
        end = names.index(word, end) + len(word)
    return f"{match.group('intro')}[name]{names[end:]}"


def _replace_social(match: re.Match[str]) -> str:
    token = match.group("token")
    bare = token.lstrip("@")
    if (
        bare.lower() in _NOT_NAME_WORDS
        or not any(c.isalpha() for c in bare)
        or bare.startswith("[")
    ):
        return match.group()
    start = match.start("token") - match.start()
    return match.group()[:start] + "[handle]" + match.group()[start + len(token) :]


def _replace_address(match: re.Match[str]) -> str:
    if " ".join(match.group().lower().split()) in _FAMOUS_ADDRESSES:
        return match.group()
    return "[address]"


def _replace_postcode(match: re.Match[str]) -> str:
    if _ORDINAL.fullmatch(match.group("in")):
        return match.group()
    return "[postcode]"


# --- the scrubber -------------------------------------------------------------------------------


def _scrub(text: str, own_names: Iterable[str]) -> str:
    out = _URL.sub(_trim_link, text)  # first: "me at www.x.com" is a link, not an email
    out = _EMAIL.sub("[email]", out)
    out = _GLUED_EMAIL.sub("[email]", out)
    out = _WORD_DOMAIN.sub("[link]", out)
    out = _BARE_DOMAIN.sub(_trim_link, out)
    own = _own_name_pattern(own_names)
    if own is not None:
        out = own.sub(_replace_own_name, out)
    out = _HANDLE.sub("[handle]", out)
    for pattern in _SOCIAL_INTROS:
        out = pattern.sub(_replace_social, out)
    out = _ADDRESS_INTRO.sub(lambda m: f"{m.group('intro')}[address]", out)
    out = _ADDRESS.sub(_replace_address, out)
    out = _POSTCODE.sub(_replace_postcode, out)
    out = _POSTCODE_INTRO.sub(lambda m: f"{m.group('intro')}[postcode]", out)
    out = _SAID_NUMBER.sub(_replace_said_number, out)
    out = _sub_phones(out)
    out = _STRONG_INTRO.sub(_replace_names(strong=True), out)
    out = _GREETING_THIS_IS.sub(_replace_names(strong=False), out)
    out = _NAME_HERE.sub(_replace_names(strong=False), out)
    out = _NAME_FIRST_CY.sub(_replace_name_first, out)
    for pattern in (_NAME_FIRST_CY_AFTER, _NAME_FIRST_CY_START):
        out = pattern.sub(lambda m: m.group("lead") + _replace_name_first(m), out)
    out = _WEAK_INTRO.sub(_replace_names(strong=False), out)
    out = _RELATION_FULL_NAME.sub(_replace_full_name, out)
    out = _TITLE.sub(_replace_title, out)
    return out


def scrub(text: str, own_names: Iterable[str] = ()) -> tuple[str, bool]:
    """Return the text with personal details replaced, and whether anything was replaced.

    Never raises: an answer must neither be lost nor stored raw because a rule failed, so on an
    unexpected error emails and all digits are dropped and the words kept.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    try:
        out = _scrub(text, own_names)
    except Exception:
        out = re.sub(r"\d", "", _EMAIL.sub("[email]", text))
    return out, out != text
