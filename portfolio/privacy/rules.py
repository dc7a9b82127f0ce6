"""
The caption privacy check: likely patient identifiers in a post's caption.

De-identified images are not enough: an age with a mechanism of injury, a date, a record number or a
name can identify a patient from the words around the image. `caption_flags` points at such words so the
faculty member can fix the caption or acknowledge the flag before a dossier is frozen. It flags:

    age             "47-year-old", "47 y/o", "47yo", "aged 47", "6-month-old", "47M with ..."
    date            "3/14/2026", "2026-03-14", "March 14", "14 March 2026", "on 3/14"
    record_number   a number after MRN, medical record number, accession, patient ID, ...
    name            a capitalised name after Dr, Mr, Mrs, Ms, Mx, Miss or Prof
    phone           "(555) 123-4567", "+44 20 7946 0958", "call 555-1234"
    email           "name@example.org"

A tool that cries wolf is ignored, so every pattern asks for the shape of an identifier, not for any
number: teaching captions ("#MSKMonday: Segond fracture", "T2 FLAIR", "Grade 3 sprain", "1.5T MRI",
"L4/5", "BI-RADS 4", "8/10", "PMID 31234567") pass. Text inside links is not checked: a URL's digits are
ids of pages, not of patients. Places are not flagged: no pattern tells a hospital's city from a
conference's.
"""

import re
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PrivacyFlag:
    kind: str
    label: str  # why it may identify a patient, in words for the faculty member
    excerpt: str  # the caption's text that tripped the check
    start: int  # caption[start:end] == excerpt
    end: int

    def as_dict(self) -> dict:
        return asdict(self)


LABELS = {
    "age": "An age: with sex, a mechanism of injury or a place it can identify a patient.",
    "age_with_mechanism": (
        "An age with a mechanism of injury: together they can identify a patient even when the images are "
        "de-identified."
    ),
    "date": "A specific date: the day of a scan, visit or injury can identify a patient.",
    "record_number": "A record or accession number identifies a patient directly.",
    "name": "A name after a title: a patient's or relative's name must not appear; a colleague's may stay.",
    "phone": "A phone number.",
    "email": "An e-mail address.",
}

# What the check looks for, in words, for /methods/.
LOOKS_FOR = (
    ("Ages", '"47-year-old", "47 y/o", "aged 47", "6-month-old", "45M with headache"'),
    ("Specific dates", '"3/14/2026", "2026-03-14", "March 14", "14 March 2026", "on 3/14"'),
    ("Record and accession numbers", "a number after MRN, medical record number, accession, patient ID, NHS number"),
    (
        "Names after titles",
        '"Mr. Jones", "Mrs. Patel", "Dr. Smith" (but not a doctor congratulated, thanked or credited: '
        '"case courtesy of Dr. Smith")',
    ),
    ("Phone numbers", '"(555) 123-4567", "+44 20 7946 0958", "call 555-1234"'),
    ("E-mail addresses", '"name@hospital.org"'),
)
NOT_CHECKED = (
    "Links (their digits identify pages, not patients) and places (no pattern tells a patient's town from a "
    "conference city) are not checked: read the caption as a whole before acknowledging its flags."
)

MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d{2}"
# A number that is a count of something else (3 mm, 14%, 2 cm) is not a day of the month.
NOT_A_UNIT = r"(?!\s*(?:%|mm\b|cm\b|ml\b|mL\b|kg\b|g\b|mg\b|T\b|h\b|hrs?\b|min\b|x\b|-?(?:year|month|week|day)))"

# "Smith", "McDonald", "O'Brien", "Smith-Jones" (and "Smith" of "Smith's"): a capital, then a lower-case
# letter or an apostrophe and a capital.
SURNAME = r"[A-Z](?:[a-z]|['\u2019][A-Z])(?:[\w-]|['\u2019](?=[A-Z]))*"
# "a 2-week-old fracture" dates a lesion or a study, not a patient.
NOT_A_LESION = (
    r"(?!\s+(?:fracture|hematoma|haematoma|infarct|bleed|hemorrhage|haemorrhage|contusion|injury|tear|clot"
    r"|thrombus|stroke|lesion|callus|prior|study|scan|CT|MRI|exam|examination|image|images|radiograph|film)s?\b)"
)
AGE_UNITS = r"(?:years?|yrs?|months?|mos?|weeks?|wks?|days?)"
PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # "47-year-old", "47 year old", "47-yr-old", "6-month-old", "47 years old"; not "a 2-week-old fracture".
    ("age", re.compile(rf"\b\d{{1,3}}[\s-]?{AGE_UNITS}[\s-]old\b{NOT_A_LESION}", re.IGNORECASE)),
    # "47 y/o", "47yo", "47 y.o.", "47 yo"
    ("age", re.compile(r"\b\d{1,3}\s?(?:y/o|y\.o\.|yo)(?!\w)", re.IGNORECASE)),
    # "aged 47", "age 47", "age: 47"; not "gestational age 32" or "bone age 12", which are measurements.
    (
        "age",
        re.compile(
            r"(?<!gestational )(?<!bone )(?<!skeletal )(?<!dental )\baged?:?\s+\d{1,3}\b(?!\s*(?:%|-\s*\d))",
            re.IGNORECASE,
        ),
    ),
    # "47M with ...", "32 F presenting ...": the case-presentation shorthand, only before a presentation word.
    (
        "age",
        re.compile(
            r"\b\d{1,3}\s?[MF]\b(?=,?\s+(?:with|presenting|presents|presented|who|c/o|complaining|s/p|status post"
            r"|after|following|hx|history|admitted|referred)\b)"
        ),
    ),
    # "3/14/2026", "14.03.2026", "3-14-26": checked for a real month and day below.
    ("date", re.compile(rf"\b(?P<a>\d{{1,2}})([/.-])(?P<b>\d{{1,2}})\2(\d{{4}}|\d{{2}})\b(?![/.-]\d){NOT_A_UNIT}")),
    # "2026-03-14"
    ("date", re.compile(r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b")),
    # "on 3/14" (a month and day without a year only after "on": 8/10 is a score, L4/5 a level).
    ("date", re.compile(r"\b(?:on|On|ON)\s+(?P<found>(?P<a>\d{1,2})/(?P<b>\d{1,2}))\b(?![/.\d])")),
    # "March 14", "Mar. 14th", "March 14, 2026"
    ("date", re.compile(rf"\b{MONTHS}\s+{DAY}\b{NOT_A_UNIT}(?:,?\s+{YEAR}\b)?")),
    # "14 March 2026", "14th of March", "14 Mar", "14-Mar-2026"
    ("date", re.compile(rf"\b{DAY}(?:\s+|-)(?:of\s+)?{MONTHS}(?!\w)(?:(?:,?\s+|-){YEAR}\b)?")),
    (
        "record_number",
        re.compile(
            r"\b(?:MRN|medical record(?:\s+(?:number|no\.?|#))?|record\s+(?:number|no\.?|#)|accession"
            r"(?:\s+(?:number|no\.?|#))?|acc\.?\s*#|patient\s+id|pt\.?\s+id|hospital\s+(?:number|no\.?)"
            r"|chart\s+(?:number|no\.?|#)|NHS\s+(?:number|no\.?)|SSN)"
            r"\s*(?:[:#]|is|was)?\s*[A-Z]{0,3}\d[\d\s-]{2,}\d\b",
            re.IGNORECASE,
        ),
    ),
    (
        "name",
        re.compile(
            # "Don't Miss Lisfranc Injuries" is a headline, not Miss Lisfranc.
            r"(?<!n't )(?<!n\u2019t )(?<!not )(?<!never )"
            rf"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof)\.?\s+(?:[A-Z]\.\s*)*{SURNAME}(?:[ -]{SURNAME})?"
        ),
    ),
    # North American numbers, "(555) 123-4567", "555-123-4567", "+1 555 123 4567"
    ("phone", re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b")),
    # International numbers written with their country code: "+44 20 7946 0958"
    ("phone", re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}\b")),
    # Any number after a word that announces one: "call 555-1234", "tel: 020 7946 0958"
    (
        "phone",
        re.compile(
            r"\b(?:call|phone|tel|telephone|mobile|fax|whatsapp)\.?:?\s+(?P<found>\+?\d[\d\s().-]{5,}\d)\b", re.I
        ),
    ),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")),
)

URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
MECHANISM_RE = re.compile(
    r"\b(?:crash|collision|cyclist|cycling|MVC|MVA|RTA|RTC|motorcycle|motorbike|bicycle|car|pedestrian|fall|fell|jump(?:ed)?"
    r"|gunshot|GSW|stab(?:bed|bing)?|assault(?:ed)?|dog bite|drowning|burn|explosion|tackle|ski(?:ing)?"
    r"|snowboard(?:ing)?|trampoline|rugby|football|hockey|horse)\b",
    re.IGNORECASE,
)
CREDIT_RE = re.compile(
    r"\b(?:congratulations|congrats|thanks|thank you|courtesy|credit|kudos|shout-?out|welcome|welcoming)"
    r"(?:\s+(?:to|of|goes to))?\s*,?\s*(?:our\s+(?:own\s+)?|my\s+(?:colleague\s+)?|colleague\s+)?$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?\n]")


def caption_flags(caption: str) -> list[PrivacyFlag]:
    """Likely patient identifiers in `caption`, in reading order, without overlaps."""
    if not caption:
        return []
    # Links are blanked out (offsets kept) rather than removed, so excerpts still point at the caption.
    text = URL_RE.sub(lambda match: " " * len(match.group()), caption)
    found = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if kind == "date" and not _is_real_date(match):
                continue
            if kind == "phone" and sum(ch.isdigit() for ch in match.group()) < 7:
                continue
            if kind == "age" and not _is_human_age(match.group()):
                continue
            if kind == "name" and _credits_a_colleague(text, match):
                continue
            # Where a pattern needs context ("on 3/14", "call 555-1234"), the flag covers the identifier only.
            span = match.span("found") if "found" in pattern.groupindex else match.span()
            found.append((*span, kind))
    flags = []
    for start, end, kind in sorted(found, key=lambda item: (item[0], -item[1])):
        if flags and start < flags[-1].end:
            continue  # inside an identifier already flagged (a date within a record number, ...)
        label_key = "age_with_mechanism" if kind == "age" and _mechanism_nearby(caption, start, end) else kind
        flags.append(PrivacyFlag(kind=kind, label=LABELS[label_key], excerpt=caption[start:end], start=start, end=end))
    return flags


def _is_real_date(match: re.Match) -> bool:
    """Numeric dates must name a real month and day, in either order (3/14/2026 or 14/03/2026)."""
    if "a" not in match.re.groupindex:
        return True  # a written month, or an ISO date whose pattern already checks its ranges
    first, second = int(match.group("a")), int(match.group("b"))
    return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31)


def _credits_a_colleague(text: str, match: re.Match) -> bool:
    """'Congratulations to Dr Rahman', 'case courtesy of Prof. Lee': a doctor thanked is not a patient named."""
    return match.group().startswith(("Dr", "Prof")) and CREDIT_RE.search(
        text[max(0, match.start() - 40) : match.start()]
    )


def _is_human_age(text: str) -> bool:
    number = int(re.search(r"\d+", text).group())
    return number <= 120


def _mechanism_nearby(caption: str, start: int, end: int) -> bool:
    """Whether the sentence holding caption[start:end] also names a mechanism of injury."""
    before = [match.end() for match in SENTENCE_END.finditer(caption, 0, start)]
    sentence_start = before[-1] if before else 0
    after = SENTENCE_END.search(caption, end)
    sentence_end = after.start() if after else len(caption)
    return MECHANISM_RE.search(caption, sentence_start, sentence_end) is not None
