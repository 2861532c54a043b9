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
  `LOCALES`); Swahili and Algerian (`MORE_LOCALES`); the romanised lists of `zh_CN` (pinyin)
  and `zh_TW` (`ROMANISED`); and `uk_UA` and `ru_RU` through their own `translit()`, the
  passport spellings ("oleksandr", "anastasiia") (`TRANSLITERATED`). Faker 40 has no Filipino
  person locale, and its Arabic, Persian, Bengali, Nepali, Tamil and Sinhala ones are in their
  own scripts only;
- Welsh first names and the short forms young people sign with ("becca", "jj"), written here
  (Faker has no Welsh locale);
- the given names and surnames of communities in Wales that Faker lacks, written here from
  general knowledge, in the spellings young people in the UK type (`COMMUNITY_FIRST`,
  `COMMUNITY_SURNAMES`, one "# community" block each): Somali, Bangladeshi (Bengali and
  Sylheti), Afghan, Kurdish, Eritrean and Ethiopian, Sudanese, Syrian, Iraqi and Yemeni,
  Chinese (pinyin and Cantonese), Filipino, Ukrainian and Russian, Nepali, Sri Lankan Tamil,
  Gypsy, Roma and Traveller, Caribbean, Albanian, Iranian and Zimbabwean (Shona);
- **minus** every name that is also an everyday word: a lower-case entry of the system's British
  English word list (Debian's `wbritish`, SCOWL: `apt-get install wbritish`), the Welsh and
  slang words in `EVERYDAY` below, places, and names shorter than three letters. Those names
  ("will", "may", "jade", "mark", "dawn", "haf", "seren") are not lost: the scrubber's own
  hand-kept list decides case by case where a lower-case one still counts as a name.

`everyday_words.txt` is the other side: SCOWL's lower-case words less every name in `LOCALES`
and the written lists, so a capitalised word where a name might be ("- Mental Health", "this is
Madness") is known as an everyday word, while a name that is also a word ("Will", "Hunter") is
not in it. The names of MORE_LOCALES, ROMANISED and TRANSLITERATED that are words ("safari",
"ping", "semen") are nobody's name here and stay everyday words.

The lists are used only where a name is expected anyway (a sign-off, an introduction, after
"me and" or "my friend"), to accept one typed in lower case; see services/scrub.py.
Deterministic: sorted, one lower-case name a line, the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable, Iterable
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
# More Latin-script locales: Swahili (Kenyan and Tanzanian families, Somali names such as "abdi")
# and Algerian. Like ROMANISED, TRANSLITERATED and the hand-written blocks below, their names
# that are English words ("safari", "rim"; "min", "ping"; "semen", "tit") are dropped, but do
# not take those words out of everyday_words.txt: they are nobody's name here.
MORE_LOCALES = ("sw", "fr_DZ")
# Locales in another script that carry romanised lists of their own (pinyin for zh_CN,
# Wade-Giles for zh_TW): `first_romanized_names` and `last_romanized_names`.
ROMANISED = ("zh_CN", "zh_TW")
# Cyrillic locales whose module has a `translit()` (the passport spellings: "oleksandr",
# "anastasiia", "dmytro"); the spellings families type ("yulia", "andriy") are written below.
TRANSLITERATED = ("uk_UA", "ru_RU")

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
# Given names of communities in Wales that Faker has no (Latin-script) locale for, written here
# from general knowledge in the spellings young people in the UK type; "#" lines name the
# community. Names that are everyday words ("hope", "lava") are left out.
COMMUNITY_FIRST = """
# Somali
abdi abdirahman abdirahim abdirizak abdiaziz abdikadir abdiqadir abdullahi abdisalam abdiwali
abdinasir abdifatah abdihakim abdimalik abdulkadir axmed maxamed mohamud maxamuud mahad mahamed
xasan xuseen ismaciil liban guled cumar cusmaan faarax warsame jama jaamac abshir awil cawil
ayanle burhan daahir deeq hirsi mukhtar muuse nuur sharmarke sakariye zakariye shafici yonis
yuusuf idiris abdiweli abdiqani abdijabar mohamoud hodan hibo ifrah ayan ayaan aamina caasha
faadumo fadumo fartun xawa khadra hamdi halimo kaltun kaltuun nimco nimo nasra sahra sagal sucaad
ubah ubax idil ilhan hanan mulki najma nasteho ruqiya shukri sumaya fowsiya fawzia anab deqa
degan deka hoda istahil ladan qamar safiya zamzam ikran hibaq hibaaq ebyan cawo luul raho ruun
kowsar kawsar shamsa siham ugbaad yasmiin sabirin sacdiya hamda naima suaad
# Bengali and Sylheti (Bangladeshi families)
tahmid tanvir tanveer tamim tahsin rayhan raihan rafiq rakib rubel ruhel ruhul shahed shafiq
shahin shamim shohel sohel sohail saiful shariful aminul monirul mizanur mizan mahfuz mahbub
masud moinul nazmul jahangir jubair jubayer junaid kamrul kawsar habib hossain liton mamun maruf
mushfiq mustakim nahid nayeem naeem nayem nafis nasim nurul rashed robiul sabbir sadik sakib
shakib shuhel suhel tareq towhid tohid touhid yasir ahad ahnaf ahsan akash alamgir ashik
azad badrul belal dilwar emon faruk fahim foysal hamim hasib helal iftekhar ismam jahed mahin
mehedi minhaz munim muhibur nadim nazrul obaidul rezaul ridwan samiul shanto shawon siam sufian
tafsir tanjim tausif yeamin nusrat nazia nazma nasrin nasima najma farzana farhana fahmida
fatema taslima tasnim tasnia tahmina tahira tania tanzila shirin shahana shamima shammi shanaz
shabnam shaila sharmin sultana sumaiya rumana rubina ruksana roksana rehana rabia rokeya rozina
rahima rashida reshma mahmuda marium mehjabin moriom momtaz monira munni nishat nilufa
nilufar nipa nuzhat papia parveen parvin afsana afroza anika anjuman ayesha arifa amena champa
dilara eshita fahima farida habiba hasina humaira ishrat israt jannat jannatul jesmin jharna
josna khadija lubna maliha masuma mishti tanjila umme zakia zannat sadia sumaya
# Afghan (Pashto and Dari)
ahmadullah ajmal amanullah asadullah atiqullah baryalai bismillah daud dawood ehsan ehsanullah
farhad faridullah fawad ghulam habibullah hamidullah hashmat hayatullah hekmat hekmatullah
hikmat idrees inayatullah jawad jawid najib najibullah naqib nasrullah naveed navid noorullah
obaidullah omid rahmatullah rahmat safiullah sahil samiullah sayed shoaib sohrab wahid wali
wahidullah waheed zabi zabihullah zalmai zaki zakir ziaullah mirwais massoud masood mujtaba
murtaza nawid parwiz parviz qais rohullah sediq siddiq jamshid nematullah arezo arezoo zarghona
zarlasht zarmina zohra zuhal zala zeba zarifa wazhma wajiha shabana shaista shakila shukria
soraya sodaba sadaf sahar sanam sitara setara spogmai palwasha pashtana parisa nargis nilofar
mursal mariam mahbooba mahtab khatera karima homa hosai gulalai gulpari fereshta freshta
farishta bahara basira anisa arzo marwa mahsa mehria muzhgan roya rukhsar parwana
# Kurdish
aram azad ako aras arian baran bakhtiar bakhtiyar bahoz bawan bestun botan chiya darvan
diyar dilshad delan goran hemin hevar heval hiwa hoshyar hawre hersh hardi jwan kawa kamaran
karwan kovan kurdo lawin lawand nechirvan nawzad nihad omed payam pishtiwan rebaz rebwar rekan
renas reber rezhwan rizgar rawand sardar sarkawt shwan shivan serhat soran sherwan shaho sirwan
zana zanyar zirak zryan karzan kardo dler rojhat rezan avin awaz berivan chnar delal dilan
dilvin evin gulistan hawjin hevin helin jiyan kajal kani nazdar nishtiman payman rojda rojin
rozhin runak shilan shnyar shno sozan zilan zhilwan zhina zerin zozan zhyan zheen helan lezan
nishan rawshan dunya beritan berfin sidar narin
# Eritrean and Ethiopian (Tigrinya, Amharic, Oromo)
aklilu amanuel alemayehu awet berhane berhe biniam biniyam bereket dawit efrem ermias estifanos
eyob ezana fitsum filmon fikru girma getachew ghebre gebre goitom habtom haile hailu henok
isayas kibrom kidane kiflom kahsay mebrahtu medhanie mehari mekonnen merhawi mesfin mikael
mulugeta naod natnael nahom negash robel semere senay sirak tadesse tekle teklay temesgen tesfay
tesfaye tewodros tsegay tsegaye weldu yared yemane yonas yohannes yosef zerai zerihun kidus abiy
yitbarek misgana dereje biruk girmay habte teame tedros eyasu amare belay bisrat dagim ermiyas
almaz aster azeb betelhem feven freweini genet hiwot kidist liya luwam lemlem mahlet meron
meaza mekdes selam senait shewit sifan simret tigist tirhas tsega tsion weyni winta yordanos
yodit yohana rahel ruta saron semhar selamawit hermela hewan eyerusalem rediet mekdelawit
bezawit bitania dehab danait haben hirut meseret nardos rahwa segen senayt tsehay yeabsira
zufan milen helina ruhama abrehet nebiat
# Sudanese
elfatih elsadig elsir elrayah eltayeb elnour elamin elhadi abdelrahman abdelrahim abdelaziz
abdelmoneim abdelgadir abubakr almoiz amjad babiker bakri basheer dafalla elfadil gaafar hashim
hatim mamoun mazin mohanad muaz musab mutasim mutaz omer siddig tarig yousif husham monzir
mugahid mohaned elwaleed elmuiz mahgoub khider amna afaf areej azza duaa ikhlas ilham inaam
insaf israa maab mawada mawaddah mayada mihad nahla najwa nawal nisreen nuha omnia randa rawan
rofaida rowa samah sawsan shaimaa suha tagwa wafaa widad wisal yusra hadeel lamees mawahib
ethar eithar shahd safaa walaa sulafa tayseer hanadi
# Syrian, Iraqi and Yemeni (Faker's ar_AA is in Arabic script only)
abdallah abdulla abdulrahman abdulaziz ammar ayham bashar basel bassel fadi fares firas ghaith
haider hayder hussam ihab imad iyad jaafar karam khaled laith louay majd majed malek marwan mazen
muhannad muntadhar murtadha nizar obada qusay ramez riyad saad suhaib tamer wael waleed yaman
yazan yousef youssef zaid eyad abeer ayah alaa amani amira asmaa aseel batool bayan dalia duaa
ghada hala haya heba huda israa jana joud jumana lama layan leen malak manar maram mays rahaf
rama rasha ruba rukaya shahad sidra tala tasneem ula wafa zahraa zeina lujain jood hawraa
ruqayya
# Chinese: Mandarin given names in pinyin and Cantonese ones as Hong Kong families spell them
wei jie jun hao hui jing jia mei lin qing qian xin xiao yan ying yun zhen yue xuan rui yao tian
zhi feng jian lei ming qiang xiang xue yong hua huan chao chun guang jiang liang ning sheng
shu zihan yuxuan haoran yichen yutong xinyi yixuan ziyi zhiwei xiaoming xiaoyu yuqi yifan yiming
meiling lihua tingting wenjie jiahao jiaxin jiayi chenxi siyu sihan ruoxi junjie junhao zixuan
hanyu kaiwen tianyi yunxi muchen ruixi haoyu zhihao jingyi shiyu yuhang zeyu hanwen xinyu ziqi
mengqi yiran xiaohan wenxin yuchen boyang minghao jiawei weijie xiaolong jianhua xiaowei shuyi
qianqian yueyue beibei huanhuan yingying lingling meimei wai kwok siu yiu lok kei chun cheuk sze
pui kwan yuen keung kwong hiu tsz ka-ming kaming wai-man waiman chi-keung siu-ming ka-yan
kayan hoi-yan hoiyan wing-yan pui-yee puiyee ka-yee mei-ling ho-yin tsz-ching tsz-yan hiu-yan
yan-ting ka-wai man-kit chun-kit ka-ho wai-kit ho-yan wing-sze yuen-ting hoi-ching sze-wing
lok-yin ka-lok chun-hei tsz-hin ho-lam hei-yin cheuk-yin yik-hei chun-yin pak-hei long-hin
chi-wai wai-ming kwok-wai siu-wai
# Filipino (Faker has no Filipino person locale)
jhon jhun junjun jomar jayson jaypee jericho jonel rommel arnel ramil rodel ronel reynaldo
mark-anthony john-paul john-lloyd jan-jan kristel maricel marites marilou mary-jane mary-grace
mary-joy angelica rhea rowena jocelyn cherrylyn cherilyn rachelle shiela analyn aileen imelda
luzviminda erlinda marivic maribel jhanine jerica mylene gerlie nenita teresita rosalie
rosemarie dindo boyet dodong nonoy jinky bienvenido renato edgardo jerwin kervin jervin jhayvee
jairus czarina althea sharmaine charmaine liezel liezl mariel ericka rizza riza mikee chona
jenelyn jennylyn jhoanna ronalyn rosalyn myrna nida perla lhea inday kimberlyn mae-ann
# Ukrainian and Russian, as families from there spell them in English
oleksandr oleksandra olexandr oleksii oleksiy olexiy oleg oleh mykola mykyta nikita maksym maxim
maksim dmytro dmitri dmitry andriy andrii andrey artem artyom bohdan bogdan danylo daniil denys
yevhen yevgeny evgeny yegor egor ihor igor illia illya ilya kyrylo kirill matviy matvey
mykhailo mikhail misha nazar pavlo pavel petro rostyslav ruslan serhiy serhii sergei sergey
stanislav taras timur tymofii tymofiy timofey vadym vadim valentyn vasyl vitalii vitaliy vlad
vladyslav vladislav volodymyr vladimir yaroslav yurii yuriy yuri zakhar arsenii arseniy
svyatoslav sasha vova dima kolya vanya zhenya lyosha seryozha tolya slava anastasiia nastya
nastia alona alyona anya dariia darya dasha yelyzaveta elizaveta liza kateryna katerina
ekaterina katya khrystyna kristina ksenia kseniia oksana olena elena olga olha polina sofiia
sonya solomiia svitlana svetlana sveta tetiana tatiana tanya valeriia varvara veronika viktoria
viktoriia vika yana yulia yuliia zlata iryna irina lesya lesia maryna mariia masha milana
natalka nataliya uliana ulyana lyudmyla lyudmila halyna galina larysa larisa yevheniia evgenia
karina kira lilia myroslava snizhana ustyna zoriana
# Nepali (Gurkha families)
aashish ashish anish bibek bikash bikram bijay binod bishal bishnu dipak dinesh ganesh hemant
kishor madan mahesh manish nabin naresh nirajan niraj nischal nitesh pawan prabin prakash
pradeep rabin rajan rajendra ramesh ritesh roshan sagar sandesh santosh saroj shyam subash sudip
sujan suman sunil suraj suresh sushil umesh yubaraj bhim bhupendra dhan gyan indra jiwan padam
pemba tilak aayush aarav anup bishwas bipin dipesh kushal nirmal pramod rupesh saugat sushant
ujjwal pasang dawa lhakpa mingma nima tashi tenzing sonam dorje phurba aarati aarti asmita
bimala binita deepa dipa ganga gita kabita kalpana kamala laxmi manisha menuka nirmala pabitra
pooja puja pramila prativa rachana radha rekha sabina samjhana sangita sapana sarita shanti
shova sita smriti sunita sushma usha yamuna bindu junu mamata nisha prasansa pratima riya sabita
sarmila srijana sujata sulochana susmita trishna aakriti aastha anusha barsha bipana ishika
rojina sadikshya sanju sneha
# Sri Lankan Tamil
aravinth ajanthan anojan kajan gajan kajendran kugan kumaran mathan mayuran niroshan nirojan
pirashanth prashanth rajeevan ramanan sajeevan sathees satheesh sivakumar sivan suthan
sutharsan thanushan tharshan tharsan thiruchelvam thurai vasanthan vinoth yathavan kirushanth
keerthan kishanth mithun nishanth piranavan rajkumar senthil thayalan thilak vithushan vithusan
abishek abinash janarthan jathushan kabilan kavin kathir mugilan nilavan pirakash ragavan
sanjeev shakthi thanujan thivakar yuvan ilango elilan arjunan kapilan dilaksan thusyanthan
pavithran abinaya aarthy dharshini dharshika gayathri janani kajani kavitha keerthana
kirushanthy lavanya mathumitha mayuri nirosha nithya pavithra ramya sajitha sharmila sinthuja
sivakami subashini suganya sutharshini thanuja tharshika tharani thivya vaishnavi vithya yalini
yathursha abirami aruni aishwarya sangeetha kowsalya kalaivani meera nivetha pirathiba rajitha
sharanya sowmiya thulasi vanaja yasotha jeyanthi luxmi mathusha kajeepa logini anojah piriya
varsha
# Gypsy, Roma and Traveller families (most of their names are English or Irish, listed already)
kizzy kizzie vashti lavinia mizelli esmeralda tyson jonjo francie bridgie patsy nelly sonny
jimbo tommy-lee billy-joe jimmy-lee johnny-lee mary-ellen mary-kate mary-ann lily-mae ruby-mae
lacey-mae levi-james frankie-lee denisa nikoleta vanesa
# Caribbean and West Indian
deshawn dwayne delroy desmond winston everton errol leroy neville courtney denzel tyrone
jermaine marcia paulette claudette shereen shanice chantelle tanisha latoya keisha kadeem
kareem akeem shaquille tyreese tyrese kemar kemoy romaine oneil o'neil rushane shamar shemar
dujon fitzroy donovan garfield tavia shantel shanelle kimoy jhanelle sheneil tajay javon
jevaughn jovaun odane dainton leighton tamika tameka kerice shavar jahmal jahmai jaheim jahiem
nakia lascelles cleon
# Albanian and Kosovan
arben arjan besnik bledar dritan endrit erion fatjon gent genti klajdi ardit arlind besart blerim
driton enis erjon flamur granit ilir kujtim liridon lorik mergim rinor valon visar alketa anila
arta besa blerta bora drita elira enkeleda ermira fjolla flutura genta jetmira kaltrina klea
lindita mimoza rudina shqipe teuta valbona vjosa xhensila xhesika
# Iranian (Faker's fa_IR is in Persian script only)
arash babak behnam behrouz dariush hamed hossein kian kourosh mehdi milad mohsen payam pouya
reza saeed sina shahab siavash soroush parsa arman aria nima atena azadeh elham fatemeh golnaz
mahsa nazanin negar niloufar parvaneh shiva soheila taraneh yasaman setareh shadi hasti helia
raha
# Zimbabwean (Shona; Faker's zu_ZA has Zulu and Ndebele names)
tatenda tinashe tendai tafadzwa takudzwa tanaka tawanda tapiwa kudakwashe kudzai farai fadzai
rutendo chipo nyasha ruvimbo rumbidzai tsitsi vimbai chiedza shamiso tariro simba simbarashe
munashe panashe anesu anotida ropafadzo tadiwa tanatswa tinotenda kuda kundai mufaro
nokutenda ngonidzashe mazvita rufaro tafara tichaona tonderai wadzanai shingirai
"""

# Surnames of the same communities, written here the same way.
COMMUNITY_SURNAMES = """
# Somali
warsame abdi abdullahi aden adan mohamud farah jama osman yusuf ismail hersi hirsi egal duale
dualeh elmi guled gure hashi isse jibril kahin mahamud mire mohamoud muse nur nuur roble samatar
shire warsama yasin awale barre dirie dahir diriye gedi haji jimale kulmiye noor obsiye abdillahi
# Bengali and Sylheti
begum khatun miah mia uddin hussain hossain rahman chowdhury choudhury sheikh sarkar talukder
mollah molla bhuiyan bhuiya hoque haque haq alam akhtar akter sultana karim ullah kabir majumder
mazumder das saha sen ghosh biswas chakraborty kazi munshi patwary siddique siddiqui shikder
mridha sikder bepari miya ali islam ahmed
# Afghan
ahmadzai popal popalzai karzai barakzai durrani stanikzai sultani hakimi hashimi rahimi rahmani
karimi amiri azizi habibi haidari hamidi hussaini jalali mohammadi nazari noori qaderi qadiri
rasuli sadat safi sharifi wardak yousufzai yusufzai zadran mangal niazi noorzai achakzai
alokozai kakar shinwari mohmand afridi samadi sediqi siddiqi faizi naseri omari rezai akbari
ahmadi hotak ghilzai sarwari waziri zazai
# Kurdish
barzani talabani jaff baban hawrami zebari sindi kurdi rasul rasool qadir faraj salih shwani
# Eritrean and Ethiopian (a father's name serves as the surname)
tesfay tesfaye berhe berhane gebremedhin gebremariam gebreyesus gebre haile hailu kidane mehari
tekle tesfamariam weldemariam woldemariam yohannes ghebremariam abraha asfaw bekele desta girma
mengistu tadesse tefera tsegay ghebreyesus kahsay negash alemu getachew mulugeta ayele assefa
demissie wolde worku zewdu shiferaw negassa abebe kebede mekonnen gebrehiwet habte
teklehaimanot andemariam ghirmay fessehaye berhanu abreha woldegiorgis
# Sudanese
elhassan elamin elsheikh eltayeb abdelrahman abdalla abdelrahim babiker elbashir elmahdi yousif
elnour eltahir abdelgadir abdelmahmoud fadlalla hamad mirghani elkhalifa suliman suleiman
bakheet elfaki elhag osman idris
# Syrian, Iraqi and Yemeni
haddad nasser mansour hamdan khoury najjar darwish mahmoud youssef jaber jabbar kadhim kazem
obaid qasim kassem salem saad shami halabi hamoud sabri saleem othman farhan awad alhassan
alahmad alsaadi aldulaimi aljubouri alobaidi alamri alzahrani alharbi alqahtani almasri alshami
alsayed alaghbari alammari alhakimi alzubairi qaid thabet mohsen alwan hamood
# Chinese (Cantonese and Mandarin)
chan cheung chung chow chau chiu choi chu fung hui kwok kwan lai lam lau leung liu lui luk mak
mok poon pang siu tam tang tse tsang tsui yau yeung yip yuen cheng chen zhang wang yang huang
zhao zhou xu zhu guo gao luo zheng liang xie deng cao peng zeng xiao tian pan yuan cai jiang
ding ren shen yao qian zhong kong fong szeto mui hung kwong ngai shek lum lim teo goh ong koh
# Filipino
santos reyes cruz bautista ocampo mendoza villanueva ramos castillo delacruz dela-cruz
gonzales aquino navarro santiago salazar domingo pascual mercado tolentino manalo macaraeg dizon
soriano mallari lacson cabrera evangelista magbanua manansala panganiban pangilinan
dimaculangan mangubat lagman tuazon yap gatchalian concepcion buenaventura enriquez galang lapuz
lacsamana macapagal maglaya quiambao roxas sison tiongson umali valdez velasco zamora
# Ukrainian and Russian
shevchenko kovalenko bondarenko tkachenko kravchenko melnyk boyko kovalchuk koval oliinyk
shevchuk polishchuk lysenko marchenko moroz petrenko savchenko rudenko kozak pavlenko tkachuk
kravets ponomarenko kuzmenko levchenko kharchenko romanenko sydorenko vasylenko zinchenko
honcharenko hrytsenko karpenko klymenko symonenko yakovenko ivanenko kostenko mazur bilyk
hnatyuk fedorenko demchenko yurchenko panchenko kolesnyk kushnir babych semenko zhuk prykhodko
voloshyn kovtun ivanov ivanova smirnov smirnova kuznetsov kuznetsova popov popova sokolov
petrov petrova volkov volkova fedorov morozov novikov kozlov lebedev pavlov orlov sidorov
vasiliev mikhailov romanov zaitsev
# Nepali
gurung limbu magar thapa tamang sherpa shrestha sharma adhikari bhandari karki khadka basnet
bista chhetri ghale giri maharjan pandey poudel paudel pokharel rana sunuwar thakuri acharya
aryal baral bhattarai dahal ghimire gautam joshi kafle koirala lamichhane neupane oli pant
pradhan regmi rijal sapkota subedi tiwari upadhyay yadav budha gharti roka shahi tuladhar
dhakal bhusal
# Sri Lankan Tamil (often a father's name)
sivakumar rajaratnam sivapalan balasubramaniam kanagaratnam selvarajah thambirajah arumugam
kandiah ponnambalam shanmugam sinnathamby thurairajah sivanathan yogarajah nadarajah rasiah
sabaratnam sritharan thevarajah velupillai vijayakumar gunaratnam jeyakumar kanapathipillai
mahendran navaratnam paramanathan rajendran ratnam selvanayagam sivalingam somasundaram
subramaniam thiagarajah vinayagamoorthy kumarasamy ganeshan jegatheesan kandasamy manoharan
pathmanathan ravindran sathiyamoorthy sundaralingam thillainathan yoganathan ilangovan
logeswaran
# Gypsy, Roma and Traveller
boswell lovell herne heron loveridge buckland ayres wharton ingram mcdonagh mcginley joyce
connors maughan maugham doran delaney mongan stokes quilligan cash sweeney sherlock cawley
mcinerney coffey
# Caribbean
mcfarlane mckenzie mcleod samuels beckford blackwood ellington gayle lindo ricketts spence
stennett wedderburn bogle dacosta fearon gooden hylton levy nembhard smikle walcott whyte wynter
# Albanian and Kosovan
hoxha krasniqi gashi berisha shala morina bytyqi kelmendi hasani rama leka dervishi kola marku
gjoka xhaferi shehu bajrami
# Iranian
ahmadi hosseini mohammadi rezaei moradi karimi jafari rahimi hashemi ghasemi sadeghi mousavi
kazemi alavi shahbazi tehrani esfahani shirazi hamidi azizi nazari rostami bagheri akbari
salehi zamani
# Zimbabwean
moyo ncube sibanda dube mpofu nyathi chikwanha mutasa chiweshe mapfumo marufu makoni gumbo
sithole shumba madziva chinamasa mudzingwa mashiri
"""
# Words that look like names in some list but are everyday Welsh or slang ("mae", "pam", "dan").
EVERYDAY = """
ati bach bae ben beth bro cael cam cap cas codi con dan dani ela eli ella ema ena gwyn ken le les
mae mai man mel oni pam ras sai sal tad tai tre tara arian allan gael alla pan hen nos tan mor
llan glan cwm bryn glyn haf eira awel heulwen wyn hedd celyn llew non nest
america january june sunday monday friday london telly hoover mario olaf rada thad marc arno
nan nana nanna nain taid mam dad mum english lang nath noone dar
chi lan orig undeg iya
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


def _faker(attrs: tuple[str, ...], *, more: bool = True) -> set[str]:
    """Lower-case names under `attrs` of LOCALES, and with `more` of MORE_LOCALES, ROMANISED
    (their romanised lists) and TRANSLITERATED (through the locale's own translit())."""
    try:
        importlib.import_module("faker")
    except ImportError:
        raise SystemExit("Faker is missing: pip install -e '.[build]'") from None
    found: set[str] = set()

    def add(names: Iterable[str] | None, spell: Callable[[str], str] = str) -> None:
        found.update(spell(name).lower() for name in names or ())

    for locale in LOCALES + (MORE_LOCALES if more else ()):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in attrs:
            add(getattr(provider, attr, None))
    if not more:
        return found
    for locale in ROMANISED:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in {a.split("_")[0] + "_romanized_names" for a in attrs}:
            add(getattr(provider, attr, None))
    for locale in TRANSLITERATED:
        module = importlib.import_module(f"faker.providers.person.{locale}")
        for attr in attrs:
            add(getattr(module.Provider, attr, None), module.translit)
    return found


def _block(text: str) -> set[str]:
    """The names of a hand-written block, without its "# community" lines."""
    return {n for line in text.splitlines() if not line.startswith("#") for n in line.split()}


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
    first |= {n for n in _block(COMMUNITY_FIRST) if _keep(n, frozenset(excluded))}
    last = {n for n in _faker(("last_names",)) if _keep(n, frozenset(excluded))}
    last |= {n for n in _block(COMMUNITY_SURNAMES) if _keep(n, frozenset(excluded))}
    all_first = _faker(("first_names", "first_names_male", "first_names_female"), more=False)
    everyday = {
        w for w in words if w not in all_first and w not in first and re.fullmatch(r"[a-z]+", w)
    }
    head = (
        "# {what} for services/scrub.py, made by bench/names_build.py (do not edit by hand):\n"
        "# Faker's person providers (MIT) for {locales}{welsh}, less every name that is also\n"
        "# an everyday word (SCOWL's British English list, Welsh and slang words, places).\n"
    )
    locales = ", ".join(
        [*LOCALES, *MORE_LOCALES]
        + [f"{loc} romanised" for loc in ROMANISED]
        + [f"{loc} transliterated" for loc in TRANSLITERATED]
    )
    return {
        "first_names.txt": head.format(
            what="First names",
            locales=locales,
            welsh=",\n# Welsh names, nicknames and names of communities Faker lacks, written here",
        )
        + "".join(f"{n}\n" for n in sorted(first)),
        "surnames.txt": head.format(
            what="Surnames",
            locales=locales,
            welsh=",\n# surnames of communities Faker lacks, written here",
        )
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
