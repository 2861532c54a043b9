"""Build prompts/names/*.txt: the name and word lists services/scrub.py reads.

    python -m bench.names_build            # write both files
    python -m bench.names_build --check    # build in memory, fail if the files differ

Sources (nothing is downloaded when the bot runs; it only reads the two text files):

- **Faker**'s person providers (MIT licence; the `build` extra pins the version), the first names
  and surnames of the locales young people in Wales are most likely to come from: `en_GB`
  (taken by Faker from the ONS tables, Open Government Licence), `en`, `en_US`, `en_IE`,
  `en_IN`, `en_PK`, `pl_PL`, `ar_AA`, `yo_NG`, `en_NG`, and twenty more whose names are written
  in Latin letters (Irish, Ghanaian, Nigerian, Zulu, Kenyan, Romanian, Portuguese, Brazilian,
  Turkish, Baltic, Czech, Slovak, Hungarian, Vietnamese, Spanish, Italian, French, Thai: see
  `LOCALES`);
- Welsh first names and the short forms young people sign with ("becca", "jj"), written here
  (Faker has no Welsh locale);
- **minus** every name that is also an everyday word: a lower-case entry of the system's British
  English word list (Debian's `wbritish`, SCOWL: `apt-get install wbritish`), the Welsh and
  slang words in `EVERYDAY` below, places, and names shorter than three letters. Those names
  ("will", "may", "jade", "mark", "dawn", "haf", "seren") are not lost: the scrubber's own
  hand-kept list decides case by case where a lower-case one still counts as a name.

`everyday_words.txt` is the other side: SCOWL's lower-case words less every name in the sources
above, so a capitalised word where a name might be ("- Mental Health", "this is Madness") is
known as an everyday word, while a name that is also a word ("Will", "Hunter") is not in it.

The lists are used only where a name is expected anyway (a sign-off, an introduction, after
"me and" or "my friend"), to accept one typed in lower case; see services/scrub.py.
Deterministic: sorted, one lower-case name a line, the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "prompts" / "names"
WORDLIST = Path("/usr/share/dict/british-english")
LOCALES = (
    *("en_GB", "en", "en_US", "en_IE", "en_IN", "en_PK", "pl_PL", "ar_AA", "yo_NG", "en_NG"),
    # more of the families young people in Wales come from (Latin-script names only: the
    # Arabic, Devanagari, Bengali, Tamil and Cyrillic locales give names nobody types here)
    *("ga_IE", "tw_GH", "ig_NG", "ha_NG", "zu_ZA", "en_KE", "ro_RO", "pt_PT", "pt_BR", "tr_TR"),
    *("lt_LT", "lv_LV", "sk_SK", "cs_CZ", "hu_HU", "vi_VN", "es_ES", "it_IT", "fr_FR", "en_TH"),
)

# Welsh first names (and their usual spellings without accents), written here.
WELSH = """
aeron alaw aled alun alwen amlyn aneirin aneurin angharad anwen arianwen arwel arwyn awen
bedwyr begw berwyn beca betsan bethan bleddyn blodwen branwen brengain briallen bronwen brychan
cadi cadog cadfael cai caradog carwyn caryl catrin cefin ceinwen celyn ceri cerian cerys cian
cynan cynog cynwal dafydd dai deian deio delyth dewi dilwyn dylan dyfan dyfed dyfrig eban eben
efa eifion eilir eiluned eirian eirlys eiry eirys elan eleri elfed elin elis elliw elwyn emlyn
emrys endaf enfys eryl esyllt euros ffion ffraid gareth garmon geraint gethin glenys glesni
gruff gruffudd gruffydd guto gwenan gwenllian gwenno gwennan gwil gwilym gwion gwydion gwyneth
gwynfor hafwen hedd heddwyn heledd hywel iago idris idwal ieuan ifan ifor iestyn iolo iona
iorwerth iwan ianto llew llewelyn llinos lleucu llio llŷr llyr lowri luned mabli mabon macsen
madlen mair manon mared maredudd medi megan meilyr meinir meleri meredydd mererid mirain morfudd
morgan myfanwy myrddin nanw nel nerys nesta nia nye olwen osian owain owen peredur prys rhian
rhiannon rhianwen rhodri rhun rhydian rhydderch rhys sara seren sian siân siôn sion sioned siwan
steffan sulwen swyn taliesin tecwyn tegan tegid tegwen teleri tesni tomos trefor trystan twm
wynne ynyr
aeddan aerona aeronwy alis alwyn alys anarawd andras andreas aneira anest annes annest anni annwen
arianrhod aron arthur arwen asaff awena bendigeidfran berian beti betsi beuno blodeuwedd brochwel
bronwyn brynach brynmor buddug cadell cadfan cadoc cadwaladr cadwallon cadwgan caerwyn caradoc cari
caron carwen carys caswallon cati cawrdaf cedwyn ceirion cennydd cenydd ceredig ceridwen cerwyn cet
cledwyn collwyn creiddylad creirwy crystyn culhwch cunedda cybi cynddelw cynddylan cyndeyrn cynfael
cynfelyn cynfor cynwrig cynyr cêt dafi dei deiniol delwen delwyn derec derfel derwyn dilwen dogfael
dwynwen dyddgu dyfnallt dyfnan dyfnog edern edeyrn edmwnd ednyfed edryd edwyn efan efnisien eiddwen
eigra eila eilian eilwen einion eirianwen eirwen eirwyn elain elen elfair elffin elfyn elgan elian
elidir elidyr elinor elisa elisabeth ellis elsi eluned elwen elystan emyr enid erfyl eurfron eurgain
eurig eurliw eurlys euron eurwen euryn evan ffebi fflur ffowc ffrancon ffransis ffreuer gaenor garym
gaynor gerallt gereint gerwyn gilfaethwy gladys glanmor glanwyn glenda glyndwr glyndŵr goronwy
griffith gronw gutun gutyn gwalchmai gwallter gwatcyn gwenallt gwenda gwenddydd gwendolen gwendoline
gwendolyn gwenfair gwenffrewi gwenfrewi gwenfron gwenhwyfar gwenllïan gwenni gwenog gwenonwy
gwenwynwyn gwenydd gwerful gwerfyl gwili gwladus gwladys gwyddno gwyndaf gwynfryn gwynllyw gwynn
gwynne gwynneth gwyon hafgan hana hanna hari hawys heddwen hefin heilyn heti hopcyn hunydd huw
huwcyn huwi hywyn ieuaf ifanwy ifer ilan illtud illtyd indeg ioan ioel iola iolyn ioseff ithel ivor
iwerydd jac jenkin jini joseff lefi leusa lewellyn lewi lewis lewys lisa lisbeth lisi lleu llewellyn
llion lliwen lloyd llywarch llywela llywelyn lois loli lona luc lynwen mabyn maddox madoc madog
madrun maelgwn maelog maelon magi mairwen malen mali mallt manawydan marchell marged margiad mari
martha mathau matholwch mathonwy medrawd medwyn meical meilir meinwen meirig meirion melangell
melfyn menna mered meredith merfyn meri mervyn meugan meurig mihangel modron morfran morfydd morien
morus morwen morwenna morys mwrog nansi nedw nefydd neifion neli nisien noa nona nudd odwyn owena
padrig peblig pedr pegi pergrin prydderch pryderi pyrs rebeca rees reese rheinallt rhiain rhianedd
rhidian rhion rhisiart rhiwallon rhonabwy rhonwen rhoswen rhydwen rhydwyn robat rwth sali samiwel
seimon seiriol seisyll selwyn selyf shan shoni shôn siani siarl siarls sieffre sieffri siencyn sioni
sionyn sior siwsan siwsi siôr sulien sulwyn talfryn tanwen tanwg tathan tegai tegau tegfan tegla
tegryn tegwyn teifion teilo teyrnon tomas tomi trahaearn trebor trevor tristan tudful tudor tudur
tudwal tudwen tybie tysilio tysul urien valmai vaughan wenna wil wiliam winifred wmffra wmffre
wynford wynn
"""
# Short forms young people in the UK sign with, which no list of given names carries.
NICKNAMES = """
becca beccy bex dom domi jj tj aj cj rj kj jonno robbo tommo benji danni gabby izzy issy
lottie lotty livvy liv maddy mads soph sophs tash tasha nats abz emz hols laurie rach rachy
charlie chaz baz gaz daz kez kezza shaz tez wills harri olly ollie alfie archie freddie
jojo mikey bradders jacko lils millie tilly evie ellie-mae gracie rosie maisie-mae lexi-mae
zak zac kai jay-jay deano jaz jazz jess jessie georgie frankie ronnie reggie teddy sammie
"""
# Words that look like names in some list but are everyday Welsh or slang ("mae", "pam", "dan").
EVERYDAY = """
ati bach bae ben beth bro cael cam cap cas codi con dan dani ela eli ella ema ena gwyn ken le les
mae mai man mel oni pam ras sai sal tad tai tre tara arian allan gael alla pan hen nos tan mor
llan glan cwm bryn glyn haf eira awel heulwen wyn hedd celyn llew non nest
america january june sunday monday friday london telly hoover mario olaf rada thad marc arno
nan nana nanna nain taid mam dad mum english lang nath noone dar
chi lan orig undeg
"""
# Places in Wales and nearby that are also someone's first name somewhere ("im from Ely").
PLACES = """
barry ely neath tenby caerau splott roath canton grange chester preston kerry sully penarth
llandaff fairwater rumney trowbridge whitchurch radyr lisvane cyncoed llanishen gabalfa cathays
adamsdown butetown pontcanna llanrumney pentwyn morriston sketty mumbles gower clydach
ammanford aberdare ferndale porth merthyr brecon bala conwy rhyl flint mold ruthin denbigh
holyhead bangor harlech tywyn barmouth avon rome york asia cuba nile etna
gwynedd hafren teifi afan arfon enlli cynon irfon dyfri mostyn islwyn gwydyr padarn onllwyn
maldwyn cemlyn ceiriog tudno idloes
"""


def _wordlist() -> frozenset[str]:
    if not WORDLIST.exists():
        raise SystemExit(f"{WORDLIST} is missing: apt-get install wbritish")
    words = set()
    for line in WORDLIST.read_text(encoding="utf-8").splitlines():
        if line and line[0].islower():
            words.add(line.lower().removesuffix("'s"))
    return frozenset(words)


SCOWL_NOTICE = """\
# Everyday English words for services/scrub.py, made by bench/names_build.py (do not edit by hand):
# the lower-case words of SCOWL's British English list (Debian's wbritish) less every first name
# in prompts/names/first_names.txt's sources, so that a name which is also a word is not here.
# SCOWL is Copyright 2000-2011 by Kevin Atkinson and others, used under its permissive licence:
# see prompts/names/SCOWL-COPYRIGHT.txt (Debian's copyright file for wbritish, kept with it).
"""


def _faker(attrs: tuple[str, ...]) -> set[str]:
    try:
        importlib.import_module("faker")
    except ImportError:
        raise SystemExit("Faker is missing: pip install -e '.[build]'") from None
    found: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in attrs:
            found |= {name.lower() for name in getattr(provider, attr, None) or ()}
    return found


def _keep(name: str, excluded: frozenset[str]) -> bool:
    return (
        re.fullmatch(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))+", name) is not None
        and len(name) >= 3
        and name not in excluded
    )


def build() -> dict[str, str]:
    """File name -> contents."""
    words = _wordlist()
    excluded = words | set(EVERYDAY.split()) | set(PLACES.split())
    first = {
        n
        for n in _faker(("first_names", "first_names_male", "first_names_female"))
        if _keep(n, frozenset(excluded))
    }
    not_names = set(EVERYDAY.split()) | set(PLACES.split())
    first |= {n for n in (WELSH + NICKNAMES).split() if n not in not_names}
    last = {n for n in _faker(("last_names",)) if _keep(n, frozenset(excluded))}
    all_first = _faker(("first_names", "first_names_male", "first_names_female"))
    everyday = {
        w for w in words if w not in all_first and w not in first and re.fullmatch(r"[a-z]+", w)
    }
    head = (
        "# {what} for services/scrub.py, made by bench/names_build.py (do not edit by hand):\n"
        "# Faker's person providers (MIT) for {locales}{welsh}, less every name that is also\n"
        "# an everyday word (SCOWL's British English list, Welsh and slang words, places).\n"
    )
    locales = ", ".join(LOCALES)
    return {
        "first_names.txt": head.format(
            what="First names", locales=locales, welsh=",\n# Welsh names and nicknames written here"
        )
        + "".join(f"{n}\n" for n in sorted(first)),
        "surnames.txt": head.format(what="Surnames", locales=locales, welsh="")
        + "".join(f"{n}\n" for n in sorted(last)),
        "everyday_words.txt": SCOWL_NOTICE + "".join(f"{w}\n" for w in sorted(everyday)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files would change")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, text in files.items() if (OUT / n).read_text("utf-8") != text]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "SCOWL-COPYRIGHT.txt").write_text(
        WORDLIST.parent.parent.joinpath("doc", "wbritish", "copyright").read_text("utf-8"),
        encoding="utf-8",
    )
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
        names = [line for line in text.splitlines() if not line.startswith("#")]
        print(f"{OUT / name}: {len(names)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
