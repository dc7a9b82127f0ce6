"""
The vocabulary of the caption privacy check: what an identifier looks like, and the context words that decide
whether a phrase is about a patient at all. `rules.py` turns matches into flags; this module only finds text.

Each pattern asks for the shape of an identifier, not for any number or capital letter: teaching captions
("#MSKMonday: Segond fracture", "T2 FLAIR", "Grade 3 sprain", "1.5T MRI", "L4/5", "BI-RADS 4", "8/10",
"PMID 31234567") must pass untouched, or people stop reading the flags.
"""

import re

MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d{2}"
# A number that is a count of something else (3 mm, 14%, 2 cm) is not a day of the month.
NOT_A_UNIT = r"(?!\s*(?:%|mm\b|cm\b|ml\b|mL\b|kg\b|g\b|mg\b|T\b|h\b|hrs?\b|min\b|x\b|-?(?:year|month|week|day)))"
# "Smith", "McDonald", "O'Brien", "Smith-Jones" (and "Smith" of "Smith's").
SURNAME = r"[A-Z](?:[a-z]|['\u2019][A-Z])(?:[\w-]|['\u2019](?=[A-Z]))*"
FIRST_NAME = r"[A-Z][a-z]+"
# "a 2-week-old fracture" dates a lesion or a study, not a patient.
NOT_A_LESION = (
    r"(?!\s+(?:fracture|hematoma|haematoma|infarct|bleed|hemorrhage|haemorrhage|contusion|injury|tear|clot"
    r"|thrombus|stroke|lesion|callus|prior|study|scan|CT|MRI|exam|examination|image|images|radiograph|film)s?\b)"
)
AGE_UNITS = r"(?:years?|yrs?|months?|mos?|weeks?|wks?|days?)"
UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS_WORDS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
NUMBER_WORD = (
    rf"(?:(?:{'|'.join(TENS_WORDS)})(?:[\s-](?:{'|'.join(UNITS_WORDS)}))?|{'|'.join(TEENS_WORDS)}"
    rf"|{'|'.join(UNITS_WORDS)}|(?:a|one)\s+hundred)"
)
DECADES = r"(?:\d0\u2019?'?s|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)"

# Occupations (and roles at an event): with an age or a sex they can point at one person.
OCCUPATION_WORDS = (
    r"(?:farmer|firefighter|fireman|paramedic|police\s+officer|officer|cop|soldier|veteran|(?:school)?teacher"
    r"|nurse|pilot|jockey|roofer|electrician|construction\s+worker|(?:truck|bus|taxi|snowplow|delivery)\s+driver"
    r"|lineman|guitarist|drummer|dancer|comedian|quarterback|goalie|gymnast|surfer|skier|snowboarder|motorcyclist|skateboarder|cyclist|rider"
    r"|(?:marathon\s+)?runner|hiker|climber|fisherman|miner|welder|mechanic|chef|musician|singer|actor|lifeguard"
    r"|boxer|wrestler|footballer|hunter|diver|bride|groom|(?:soccer|football|hockey|rugby|basketball)\s+player)\b"
)

# (kind, pattern); a pattern's group "found", when it has one, is the flagged part.
AGES = (
    # "47-year-old", "47 year old", "6-month-old", "47 years old"; not "a 2-week-old fracture".
    re.compile(rf"\b\d{{1,3}}[\s-]?{AGE_UNITS}[\s-]old\b{NOT_A_LESION}", re.I),
    # "sixty-two-year-old", "a seventy year old", "Nineteen-year-old"
    re.compile(rf"\b{NUMBER_WORD}[\s-]{AGE_UNITS}[\s-]old\b{NOT_A_LESION}", re.I),
    # "47 y/o", "47yo", "47 y.o."
    re.compile(r"\b\d{1,3}\s?(?:y/o|y\.o\.|yo)(?!\w)", re.I),
    # "aged 47", "age: 47"; not "gestational age 32" or "bone age 12", which are measurements.
    re.compile(r"(?<!gestational )(?<!bone )(?<!skeletal )(?<!dental )\baged?:?\s+\d{1,3}\b(?!\s*(?:%|-\s*\d))", re.I),
    # "47M with ...", "32 F presenting ...": the case-presentation shorthand, before a presentation word.
    re.compile(
        rf"\b\d{{1,3}}\s?[MF]\b(?=,?\s+(?:with|presenting|presents|presented|who|c/o|complaining|s/p|status post"
        rf"|after|following|hx|history|admitted|referred|scanned|fell|hit)\b|,?\s+(?:\w+\s+)?{OCCUPATION_WORDS})"
    ),
    # "Male, 37", "elderly woman, 88,"
    re.compile(
        rf"\b(?:male|female|man|woman|boy|girl|{OCCUPATION_WORDS})\s*,\s*(?P<found>\d{{1,3}})\b(?!\s*(?:%|mm|cm|[/.-]\d))",
        re.I,
    ),
)
AGE_BANDS = (
    # "in her 40s", "in his early seventies", "in her mid-thirties"
    re.compile(rf"\bin\s+(?:his|her|their)\s+(?:early\s+|mid-?\s*|late\s+)?{DECADES}", re.I),
    # "thirty-something", "forty-something"
    re.compile(rf"\b(?:{'|'.join(TENS_WORDS)})-?something\b", re.I),
    re.compile(r"\b(?:sexa|septua|octo|nona)genarian\b|\bcentenarian\b", re.I),
    re.compile(r"\bteen(?:age)?\s+(?:girl|boy|son|daughter)\b|\ba\s+teenager\b", re.I),
)
# A stage of life narrows down little alone ("intussusception in a toddler" is a teaching point); it counts
# when the caption also tells what happened to the child.
LIFE_STAGES = re.compile(r"\b(?:a|an|the)\s+(?:toddler|infant|newborn|preschooler|neonate)\b", re.I)
VERY_OLD = re.compile(r"\b(?:nonagenarian|centenarian)\b", re.I)
# Words that say who the patient is in general (a sex, a stage of life): demographics that make an
# occupation, event or vehicle point at one person.
PERSON = re.compile(
    r"\b(?:man|woman|boy|girl|male|female|gentleman|lady|grandmother|grandfather|grandma|grandpa|mother|father"
    r"|son|daughter|brothers?|sisters?|wife|husband|bride|groom|he|she|his|her|him|toddler|teenager|teenage|teen"
    r"|infant|newborn|kid|child|baby|guy)\b"
    r"|\b\d{1,3}\s?[MF]\b",
    re.I,
)

DATES = (
    # "3/14/2026", "14.03.2026", "3-14-26": checked for a real month and day by the rules.
    re.compile(rf"\b(?P<a>\d{{1,2}})([/.-])(?P<b>\d{{1,2}})\2(\d{{4}}|\d{{2}})\b(?![/.-]\d){NOT_A_UNIT}"),
    # "2026-03-14"
    re.compile(r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"),
    # "on 3/14" (a month and day without a year only after "on": 8/10 is a score, L4/5 a level).
    re.compile(r"\b(?:on|On|ON)\s+(?P<found>(?P<a>\d{1,2})/(?P<b>\d{1,2}))\b(?![/.\d])"),
    # "March 14", "Mar. 14th", "March 14, 2026"
    re.compile(rf"\b{MONTHS}\s+{DAY}\b{NOT_A_UNIT}(?:,?\s+{YEAR}\b)?"),
    # "14 March 2026", "14th of March", "14-Mar-2026"
    re.compile(rf"\b{DAY}(?:\s+|-)(?:of\s+)?{MONTHS}(?!\w)(?:(?:,?\s+|-){YEAR}\b)?"),
    # Holidays name a day as well as a date does.
    re.compile(
        r"\b(?:christmas(?:\s+(?:eve|day))?|new\s+year[\u2019']?s(?:\s+(?:eve|day))?|thanksgiving|halloween"
        r"|easter(?:\s+sunday)?|independence\s+day|fourth\s+of\s+july|valentine[\u2019']?s\s+day|memorial\s+day"
        r"|labou?r\s+day|boxing\s+day)\b",
        re.I,
    ),
)
RECORD_NUMBER = re.compile(
    r"\b(?:MRN|medical record(?:\s+(?:number|no\.?|#))?|record\s+(?:number|no\.?|#)|accession"
    r"(?:\s+(?:number|no\.?|#))?|acc\.?\s*#|patient\s+id|pt\.?\s+id|hospital\s+(?:number|no\.?)"
    r"|chart\s*(?:number|no\.?|#)|NHS\s+(?:number|no\.?)|SSN)"
    r"\s*(?:[:#]|is|was)?\s*[A-Z]{0,3}\d[\d\s-]{2,}\d\b",
    re.I,
)
NAMES = (
    # "Mrs. Patel", "Dr. Smith"; "Don't Miss Lisfranc Injuries" is a headline, not Miss Lisfranc.
    re.compile(
        r"(?<!n't )(?<!n\u2019t )(?<!not )(?<!never )"
        rf"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof)\.?\s+(?:[A-Z]\.\s*)*{SURNAME}(?:[ -]{SURNAME})?"
    ),
    # "our patient, John Whitaker", "patient named Daniel Brooks"
    re.compile(rf"\b(?:[Pp]atient|[Pp]t),?\s+(?:named\s+|called\s+)?(?P<found>{FIRST_NAME}\s+{SURNAME})"),
    # "we share Maria's story"
    re.compile(
        r"\b(?:share|sharing|tell|telling|meet)\s+(?P<found>[A-Z][a-z]+)"
        r"(?=[\u2019']s\s+(?:story|journey|case|scans?|images?|x-?rays?|MRI|CT)\b)"
    ),
    # "Baby Harper"
    re.compile(rf"\bBaby\s+{SURNAME}"),
)
PHONES = (
    # North American numbers, "(555) 123-4567", "555-123-4567", "+1 555 123 4567"
    re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b"),
    # International numbers written with their country code: "+44 20 7946 0958"
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}\b"),
    # Any number after a word that announces one: "call 555-1234", "tel: 020 7946 0958"
    re.compile(
        r"\b(?:call|phone|tel|telephone|mobile|fax|whatsapp|text)\.?:?\s+(?P<found>\+?\d[\d\s().-]{5,}\d)\b", re.I
    ),
)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)

# Places. A hospital's own unit ("in our ED"), a numbered bed or ward, a named venue, street or mountain, and a
# town after "from" or "in" when the sentence is about a patient.
UNITS = (
    r"ED|ER|A&E|emergency\s+(?:department|room)|ICU|NICU|PICU|CCU|trauma\s+bay|resus(?:citation)?(?:\s+(?:room|bay))?"
    r"|cath\s+lab|IR(?:\s+suite)?|angio(?:graphy)?\s+suite|operating\s+(?:room|theatre)|ward|burn\s+unit|stroke\s+unit|labou?r\s+and\s+delivery|hospital|clinic|state|county|town|city"
    r"|community|village"
)
OUR_UNIT = re.compile(
    rf"\b(?:in|into|to|at|from|of|outside|near)\s+our\s+(?:own\s+)?(?:{UNITS})\b"
    r"(?!\s+(?:colleagues|team|teams|staff|nurses|residents|docs|doctors|physicians|friends|partners|family))",
    re.I,
)
NUMBERED_UNIT = re.compile(r"\b(?:ward|bed|room|bay|pod|cubicle)\s+\d{1,3}[A-Z]?\b", re.I)
VENUE_WORDS = (
    r"Elementary|High|Middle School|School|Academy|Mall|Station|Stadium|Arena|Speedway|Raceway|Park|Fair"
    r"|Festival|Church|Hotel|Airport|Marina|Casino|Plaza|Prison|Jail|Farm|Ranch|Factory|Plant|Mine"
    r"|[Nn]ursing [Hh]ome|Care Home|Street|St|Avenue|Ave|Road|Rd|Lane|Drive|Boulevard|Highway|Bridge"
)
PLACES = (
    OUR_UNIT,
    NUMBERED_UNIT,
    # "Riverside Speedway", "Northgate Mall", "St. Mary's Elementary", "Lakeview nursing home", "Elm Street"
    re.compile(rf"\b(?:[A-Z][\w'\u2019.]*\s+){{1,3}}(?:{VENUE_WORDS})\b(?!\s+[A-Z][a-z])"),
    re.compile(r"\b(?:Route|Highway|Interstate|I-)\s?\d{1,3}\b|\bMount\s+[A-Z][a-z]+|\bLake\s+[A-Z][a-z]+"),
    re.compile(r"\bthe\s+(?:county|state|school)\s+fair\b|\b(?:a|the)\s+small\s+town\b", re.I),
    # "a resident of Pine Hollow", "from Millbrook", "in Oakdale"
    re.compile(
        r"\b(?:resident|native|local)\s+of\s+(?P<found>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
        r"|\b(?:from|in|near|outside)\s+(?P<town>[A-Z][a-z]{3,}(?:\s+[A-Z][a-z]+)?)\b(?![\u2019']s)"
    ),
)
# Capitalised words after "in" or "from" that are not towns.
NOT_A_TOWN = re.compile(
    rf"^(?:{MONTHS}|{WEEKDAYS}|The|This|That|These|Those|Our|Their|Radiology|Radiographics|Neuroradiology|Imaging"
    r"|Medicine|Pediatrics|Surgery|Emergency|Trauma|Doppler|Practice|English|Spanish|French|Nature|Science|Journal"
    r"|Spring|Summer|Autumn|Fall|Winter|Review|Memory|Honor|Honour|Residency|Fellowship|General|Internal)\b"
)

# Circumstances: what the patient does or did, which with an age or a sex can point at one person.
OCCUPATIONS = re.compile(rf"\b{OCCUPATION_WORDS}", re.I)
EVENTS = re.compile(
    r"\b(?:marathon|rodeo|wedding|festival|concert|gig|on\s+stage|band|parade|races|tournament|competition|show\s+jumping"
    r"|prom|graduation|fireworks|reception|match|horse|bull|cow|dog|trampoline|pitchfork|IED|ladder|scaffolding"
    r"|skydiving|surfing|skiing|snowboarding)\b",
    re.I,
)
VEHICLES = re.compile(
    r"\b(?:e-?scooter|scooter|moped|motorcycle|motorbike|dirt\s+bike|ATV|quad\s+bike|tractor|bus|train|boat"
    r"|jet\s+ski|snowmobile|skateboard|hoverboard|bicycle|bike|truck|van|pickup(?:\s+truck)?|helicopter|plane"
    r"|car|taxi)\b",
    re.I,
)
MECHANISM = re.compile(
    r"\b(?:crash(?:ed)?|collision|MVC|MVA|RTA|RTC|pedestrian|fall|fell|falling|jump(?:ed)?|gunshot|GSW|shot"
    r"|stab(?:bed|bing)?|assault(?:ed)?|drowning|burn(?:ed|s)?|explosion|tackle|thrown|struck|hit\s+by"
    r"|kicked|gored|pinned|rollover|rolled|collapsed|electrocuted|wiped\s+out|injured|injury|T-boned|crushed)\b",
    re.I,
)

# Relative timing: (pattern, days before publication). A weekday's distance depends on the publication day.
TIMING = (
    (re.compile(r"\byesterday(?:[\u2019']s)?\b", re.I), 1),
    (re.compile(r"\blast\s+night(?:[\u2019']s)?\b", re.I), 1),
    (re.compile(r"\b(?:earlier\s+)?this\s+(?:morning|afternoon|evening)(?:[\u2019']s)?\b", re.I), 0),
    (re.compile(r"\btonight(?:[\u2019']s)?\b", re.I), 0),
    (
        re.compile(r"\bearlier\s+today\b|\bjust\s+now\b|\bright\s+now\b|\brn\b|\bjust\s+came\s+(?:in|through)\b", re.I),
        0,
    ),
    (re.compile(r"\b(?:an?|one|few|couple\s+of|\d{1,2})\s+hours?\s+ago\b", re.I), 0),
    (re.compile(r"\b(?P<days>an?|one|two|three|four|five|six|\d{1,2})\s+days?\s+ago\b", re.I), None),
    (re.compile(r"\bovernight\b", re.I), 0),
    (re.compile(r"\bjust\s+(?:scanned|imaged|read|saw|seen|diagnosed|admitted)\b", re.I), 0),
)
# Weaker phrases count only in a sentence about care: "today's #MSKMonday case" is a teaching series.
TIMING_IN_CONTEXT = (
    (re.compile(r"\btoday(?![\u2019']s\s+#)(?:[\u2019']s)?\b(?!\s+#)", re.I), 0),
    (re.compile(r"\bthis\s+week\b", re.I), 3),
    (re.compile(r"\b(?:over\s+the|this\s+past|last)\s+weekend\b", re.I), None),
    (re.compile(rf"\b(?:last|this\s+past|on)\s+(?P<weekday>{WEEKDAYS})\b", re.I), None),
    (re.compile(rf"\b(?P<weekday>{WEEKDAYS})\s+(?:night|morning|evening|afternoon)(?:[\u2019']s)?\b", re.I), None),
    (re.compile(r"\blast\s+(?:week|month)\b", re.I), 7),
)
# A sentence about care: a patient, an arrival, an injury, a scan.
CARE = re.compile(
    r"\b(?:patients?|pt|came|comes|brought|presented|presenting|presents|admitted|arrived|rolled|injured|injury"
    r"|trauma|activation|call|shift|nights|scanned|imaged|CT|MRI|x-?ray|ultrasound|scanner|case|diagnosed|saw|seen"
    r"|found|victims?|rescued|collapsed|fell|crash|embolized|treated|delivered|surgery|stroke\s+alert|code)\b"
    r"|\byear[\s-]old\b|\d\s?y/?o\b",
    re.I,
)
# A sentence about the department's life, not a patient's: a date or a "yesterday" there dates a talk.
NOT_CARE = re.compile(
    r"\b(?:deadline|due|abstracts?|conference|meeting|webinar|grand\s+rounds|journal\s+club|symposium"
    r"|register|registration|submit|submissions|apply|published|issue|course|lecture|talk|session|join\s+us"
    r"|welcom\w*|happy|day\s+of|podcast|workshop|exam|boards|poster|paper|launch|hiring|award|live\s+on)\b",
    re.I,
)

RARE_DIAGNOSES = re.compile(
    r"\b(?:Erdheim-Chester(?:\s+disease)?|Gorham(?:-Stout)?(?:\s+disease)?|fibrodysplasia\s+ossificans\s+progressiva"
    r"|FOP|progeria|Proteus\s+syndrome|McCune-Albright(?:\s+syndrome)?|conjoined\s+twins|lymphangioleiomyomatosis"
    r"|Kimura(?:\s+disease)?|Kartagener(?:\s+syndrome)?|situs\s+inversus(?:\s+totalis)?|Castleman(?:\s+disease)?"
    r"|Rosai-Dorfman(?:\s+disease)?|Caffey(?:\s+disease)?|Ollier(?:\s+disease)?|Maffucci(?:\s+syndrome)?"
    r"|Klippel-Tr[eé]naunay(?:\s+syndrome)?|hydatid\s+cyst|alkaptonuria|Gaucher(?:\s+disease)?|Fabry(?:\s+disease)?"
    r"|pulmonary\s+alveolar\s+proteinosis|Birt-Hogg-Dub[eé](?:\s+syndrome)?|Langerhans\s+cell\s+histiocytosis"
    r"|(?:extremely|very|ultra-?)\s*rare\s+(?:case|disease|condition|diagnosis))\b",
    re.I,
)
# Credits, thanks and congratulations name a colleague, not a patient.
CREDIT = re.compile(
    r"\b(?:congratulations|congrats|thanks|thank you|courtesy|credit|kudos|shout-?out|welcome|welcoming)"
    r"(?:\s+(?:to|of|goes to))?\s*,?\s*(?:our\s+(?:own\s+)?|my\s+(?:colleague\s+)?|colleague\s+)?$",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?\n;:]\s|[.!?\n]$|\n")


def word_number(text: str) -> int | None:
    """'sixty-two' -> 62, 'a hundred' -> 100; None when `text` holds no number word."""
    words = re.split(r"[\s-]+", text.lower())
    total, seen = 0, False
    for word in words:
        if word in UNITS_WORDS:
            total += UNITS_WORDS.index(word) + 1
        elif word in TEENS_WORDS:
            total += TEENS_WORDS.index(word) + 10
        elif word in TENS_WORDS:
            total += (TENS_WORDS.index(word) + 2) * 10
        elif word == "hundred":
            total = 100
        else:
            continue
        seen = True
    return total if seen else None
