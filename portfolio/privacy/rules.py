"""
The caption privacy check: words of a post that may identify a patient, each with why.

De-identified images are not enough: an age with a mechanism of injury, a date, a place, a post written the
day after the event, a record number or a name can identify a patient from the words around the image.
`caption_flags` points at such words so the faculty member can fix the caption before posting, or fix or
acknowledge the flag before a dossier is frozen. The vocabulary lives in `patterns.py`; this module decides
what a match means and how much it matters:

    identifying    identifying on its own: a name, a record number, a phone number, an e-mail address, a date,
                   an age over 89, relative timing ("yesterday") on a post whose publication time is known
    combination    identifying in combination: an age, a place, relative timing on an undated draft, a post
                   published within days of its event, a circumstance (occupation, event, vehicle) with an age,
                   a rare diagnosis with a place or a time
    review         worth a look: an age band ("in her 40s"), a circumstance with a sex but no age

A tool that cries wolf is ignored, so context decides: a date in a sentence about a deadline or a talk, a
"today's #MSKMonday case", a town where a conference meets, a credited colleague ("case courtesy of Dr Lee")
and the safer wording this module suggests ("patient with blunt trauma") raise nothing. Text inside links is
not checked: a URL's digits are ids of pages, not of patients. `manage.py privacy_corpus` measures all of it.
"""

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils import timezone

from portfolio.privacy import patterns as p

# A post published sooner than this after the event it describes can point at one patient: the seed's safer
# version of a trauma post waits weeks. An institution's policy may ask for more (`policy.py`).
RECENT_DAYS = 14


class Severity(StrEnum):
    IDENTIFYING = "identifying"
    COMBINATION = "combination"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self]


SEVERITY_LABELS = {
    Severity.IDENTIFYING: "Identifying on its own",
    Severity.COMBINATION: "Identifying in combination",
    Severity.REVIEW: "Worth a look",
}

# Each kind of flag: its name in words, and the safer way to say the same thing.
KINDS = {
    "age": (
        "Age",
        'Leave the age out, or give a broad band only when the teaching point needs it ("adult", "older adult", '
        '"child").',
    ),
    "date": ("Date", 'Leave the date out; if timing teaches something, say "at presentation" or "at 6 weeks".'),
    "timing": (
        "Timing",
        'Drop "yesterday" and "last night", and wait some weeks before posting: the finding teaches as well later.',
    ),
    "recent_post": (
        "Posted soon after the event",
        "Post weeks after the event, not days: the finding teaches as well later and the patient is harder to "
        "recognise.",
    ),
    "place": (
        "Place",
        'Leave out where the patient came from or lay ("patient with blunt trauma", not "from the county fair").',
    ),
    "name": ("Name", 'Remove the name. Credit colleagues with "case courtesy of Dr ..."; never name a patient.'),
    "record_number": ("Record number", "Remove the number, and crop or blank it on the images too."),
    "phone": ("Phone number", "Remove the number; point people to the department's public page instead."),
    "email": ("E-mail address", "Remove the address; point people to the department's public page instead."),
    "circumstance": (
        "Circumstance",
        'Describe the injury, not the person: "patient with blunt trauma", not "47-year-old man riding a scooter".',
    ),
    "rare_diagnosis": (
        "Rare diagnosis",
        "Keep the diagnosis, drop the place and the time: with them a rare disease can point at one patient.",
    ),
}

REASONS = {
    "age": "An age: together with a sex, a place, a time or a circumstance it can identify a patient.",
    "age_with": "An age together with {what}: together they can identify a patient even when the images are "
    "de-identified.",
    "very_old": "An age over 89: so few patients are that old that the age alone can identify one.",
    "age_band": "An age band: rarely identifying alone, but it adds to a sex, a place or a circumstance.",
    "date": "A specific date: the day of a scan, a visit or an injury can identify a patient.",
    "holiday": "A holiday names the day of the event as surely as a date does.",
    "timing_dated": "Relative timing ({excerpt}) with the post's publication on {published} dates the event to "
    "{event}, {days}: a date of care can identify a patient.",
    "timing": "Relative timing ({excerpt}): with the post's publication date it dates the event, and a date of care "
    "can identify a patient.",
    "recent_post": "The post is published {days} after the event it describes (on {event}); within {limit} days of "
    "an event, people who were there can recognise the patient.",
    "place": "A place (a hospital unit, a town or a venue): it narrows down who the patient is.",
    "name": "A name after a title or beside \u201cpatient\u201d: a patient's or relative's name must not appear.",
    "record_number": "A record or accession number identifies a patient directly.",
    "phone": "A phone number can lead to a patient or their family.",
    "email": "An e-mail address can lead to a patient or their family.",
    "circumstance_age": "{what} together with an age: together they can identify a patient.",
    "circumstance_person": "{what} together with a sex or a stage of life: worth a look, with other details it "
    "can identify a patient.",
    "circumstance_mechanism": "{what} together with how the injury happened: worth a look, a distinctive event "
    "can identify a patient.",
    "rare_diagnosis": "A rare diagnosis together with a place or a time: there may be only one such patient.",
}

# What the check looks for, in words, for /methods/ and the dossier's appendix.
LOOKS_FOR = (
    ("Ages", '"47-year-old", "47 y/o", "aged 47", "45M with", "sixty-two-year-old"; age bands ("in her 40s")'),
    (
        "Dates and timing",
        '"3/14/2026", "March 14", "Christmas Eve"; "yesterday", "last night\'s call", "Saturday '
        'night", "2 days ago", and a post published within 14 days of its event',
    ),
    ("Places", '"in our ED", "bed 12", "Ward 7B", "a patient from Millbrook", "Riverside Speedway", "Route 9"'),
    ("Names", '"Mrs. Patel", "our patient, John Whitaker", "Baby Harper" (not a credited colleague)'),
    ("Record, accession and phone numbers, e-mail addresses", '"MRN 1234567", "acc# 4491882", "(555) 123-4567"'),
    (
        "Circumstances with demographics",
        'an occupation, an event or a vehicle with an age or a sex: "22 y/o '
        'motorcyclist", "the bride collapsed at her wedding"',
    ),
    ("Rare diagnoses with a place or a time", '"the only patient with Proteus syndrome in Millbrook"'),
)
NOT_CHECKED = (
    "Links (their digits identify pages, not patients), dates and timing in sentences about talks, deadlines "
    'and meetings, teaching series ("today\'s #MSKMonday case") and credits ("case courtesy of Dr Lee") are not '
    "flagged. No pattern reads a caption as a whole: read it before acknowledging its flags."
)


@dataclass(frozen=True)
class PrivacyFlag:
    kind: str
    severity: str  # a Severity value
    reason: str  # why it may identify a patient, in words for the faculty member, naming the rule
    excerpt: str  # the caption's text that tripped the check ("" for a flag on the post as a whole)
    start: int  # caption[start:end] == excerpt
    end: int

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def title(self) -> str:
        return KINDS[self.kind][0]

    @property
    def suggestion(self) -> str:
        return KINDS[self.kind][1]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[Severity(self.severity)]


def caption_flags(
    caption: str, *, published_at: datetime | None = None, event_date: date | None = None
) -> list[PrivacyFlag]:
    """
    Likely patient identifiers in `caption`, in reading order, without overlaps.

    `published_at` is when the post went (or will go) out: with it, "yesterday" becomes a date. `event_date` is
    the day of the event the caption describes, when known: with `published_at`, a post sooner than RECENT_DAYS
    after it gets a `recent_post` flag on the post as a whole (excerpt "", start = end = 0).
    """
    if not caption and event_date is None:
        return []
    caption = caption or ""
    # Links are blanked out (offsets kept) rather than removed, so excerpts still point at the caption.
    text = p.URL.sub(lambda match: " " * len(match.group()), caption)
    check = _Check(text, published_at=published_at)
    check.identifiers()
    check.dates()
    check.timing()
    check.places()
    check.ages()
    check.circumstances()
    check.rare_diagnoses()
    flags = []
    for start, end, kind, severity, reason in sorted(check.found, key=lambda item: (item[0], -item[1])):
        if flags and start < flags[-1].end:
            continue  # inside an identifier already flagged (a date within a record number, ...)
        flags.append(PrivacyFlag(kind, severity, reason, caption[start:end], start, end))
    if event_date is not None and published_at is not None:
        days = (timezone.localdate(published_at) if timezone.is_aware(published_at) else published_at.date()) - (
            event_date
        )
        if timedelta(0) <= days < timedelta(days=RECENT_DAYS):
            reason = REASONS["recent_post"].format(days=_days(days.days), event=_day(event_date), limit=RECENT_DAYS)
            flags.insert(0, PrivacyFlag("recent_post", str(Severity.COMBINATION), reason, "", 0, 0))
    return flags


def event_days_before_post(caption: str, published_at: datetime) -> int | None:
    """
    How many days before `published_at` the caption's own words put its event ("yesterday": 1, "last
    Friday": the days back to that Friday), the nearest when it says several; None when it does not say.
    """
    days = [
        days
        for _, days in _timing_matches(p.URL.sub(lambda match: " " * len(match.group()), caption or ""), published_at)
    ]
    return min(days) if days else None


class _Check:
    """One caption's matches, as (start, end, kind, severity, reason); the order of the steps matters."""

    def __init__(self, text: str, *, published_at: datetime | None):
        self.text = text
        self.published_at = published_at
        self.found: list[tuple[int, int, str, str, str]] = []

    def add(self, span, kind, severity, reason):
        self.found.append((*span, kind, str(severity), reason))

    def kinds(self) -> set[str]:
        return {item[2] for item in self.found}

    def sentence(self, start: int, end: int) -> str:
        before = [match.end() for match in p.SENTENCE_END.finditer(self.text, 0, start)]
        after = p.SENTENCE_END.search(self.text, end)
        return self.text[before[-1] if before else 0 : after.start() if after else len(self.text)]

    def about_care(self, start: int, end: int, *, person_counts: bool = False) -> bool:
        """Whether the sentence around text[start:end] is about a patient's care rather than the department's life."""
        sentence = self.sentence(start, end)
        if p.NOT_CARE.search(sentence):
            return False
        return _tells_of_care(sentence) or bool(person_counts and p.PERSON.search(sentence))

    def identifiers(self):
        for match in p.RECORD_NUMBER.finditer(self.text):
            self.add(match.span(), "record_number", Severity.IDENTIFYING, REASONS["record_number"])
        for match in p.EMAIL.finditer(self.text):
            self.add(match.span(), "email", Severity.IDENTIFYING, REASONS["email"])
        for pattern in p.PHONES:
            for match in pattern.finditer(self.text):
                if sum(ch.isdigit() for ch in match.group()) >= 7:
                    self.add(_span(match), "phone", Severity.IDENTIFYING, REASONS["phone"])
        for pattern in p.NAMES:
            for match in pattern.finditer(self.text):
                if not self._credits_a_colleague(match):
                    self.add(_span(match), "name", Severity.IDENTIFYING, REASONS["name"])

    def _credits_a_colleague(self, match: re.Match) -> bool:
        """
        'Congratulations to Dr Rahman', 'case courtesy of Prof. Lee', 'Dr Chen and I will be live on Thursday': a
        doctor thanked or teaching is not a patient named.
        """
        if not match.group().startswith(("Dr", "Prof")):
            return False
        credited = p.CREDIT.search(self.text[max(0, match.start() - 40) : match.start()])
        return bool(credited or p.NOT_CARE.search(self.sentence(*match.span())))

    def dates(self):
        *numeric, holidays = p.DATES
        for pattern in numeric:
            for match in pattern.finditer(self.text):
                if _is_real_date(match) and not p.NOT_CARE.search(self.sentence(*match.span())):
                    self.add(_span(match), "date", Severity.IDENTIFYING, REASONS["date"])
        for match in holidays.finditer(self.text):
            if self.about_care(*match.span(), person_counts=True):
                self.add(match.span(), "date", Severity.IDENTIFYING, REASONS["holiday"])

    def timing(self):
        for match, days in _timing_matches(self.text, self.published_at):
            excerpt = f"\u201c{match.group()}\u201d"
            if self.published_at is None or days is None:
                self.add(match.span(), "timing", Severity.COMBINATION, REASONS["timing"].format(excerpt=excerpt))
                continue
            published = _local_date(self.published_at)
            reason = REASONS["timing_dated"].format(
                excerpt=excerpt,
                published=_day(published),
                event=_day(published - timedelta(days=days)),
                days="the same day" if days == 0 else f"{_days(days)} before",
            )
            self.add(match.span(), "timing", Severity.IDENTIFYING, reason)

    def places(self):
        for pattern in p.PLACES:
            for match in pattern.finditer(self.text):
                town = match.groupdict().get("town")
                if town and p.NOT_A_TOWN.match(town):
                    continue
                span = match.span("town") if town else _span(match)
                if self.about_care(*match.span(), person_counts=True):
                    self.add(span, "place", Severity.COMBINATION, REASONS["place"])

    def ages(self):
        circumstances = self._circumstances_named()
        for pattern in p.AGES:
            for match in pattern.finditer(self.text):
                age = _age_of(match.group())
                if age is None or age > 120:
                    continue
                if age >= 90:
                    self.add(_span(match), "age", Severity.IDENTIFYING, REASONS["very_old"])
                elif circumstances:
                    reason = REASONS["age_with"].format(what=_and(circumstances))
                    self.add(_span(match), "age", Severity.COMBINATION, reason)
                else:
                    self.add(_span(match), "age", Severity.COMBINATION, REASONS["age"])
        for pattern in p.AGE_BANDS:
            for match in pattern.finditer(self.text):
                if p.VERY_OLD.fullmatch(match.group()):
                    self.add(match.span(), "age", Severity.IDENTIFYING, REASONS["very_old"])
                else:
                    self.add(match.span(), "age", Severity.REVIEW, REASONS["age_band"])
        if circumstances:
            for match in p.LIFE_STAGES.finditer(self.text):
                reason = REASONS["age_with"].format(what=_and(circumstances))
                self.add(match.span(), "age", Severity.COMBINATION, reason)

    def _circumstances_named(self) -> list[str]:
        named = [
            (p.MECHANISM, "a mechanism of injury"),
            (p.OCCUPATIONS, "an occupation"),
            (p.EVENTS, "an event or activity"),
            (p.VEHICLES, "a vehicle"),
        ]
        found = [words for pattern, words in named if pattern.search(self.text)]
        if "place" in self.kinds():
            found.append("a place")
        return found

    def circumstances(self):
        has_age = "age" in self.kinds()
        has_person = bool(p.PERSON.search(self.text))
        has_mechanism = bool(p.MECHANISM.search(self.text))
        for pattern, what in ((p.OCCUPATIONS, "An occupation"), (p.EVENTS, "An event"), (p.VEHICLES, "A vehicle")):
            for match in pattern.finditer(self.text):
                if has_age:
                    self.add(
                        match.span(),
                        "circumstance",
                        Severity.COMBINATION,
                        REASONS["circumstance_age"].format(what=what),
                    )
                elif has_person:
                    self.add(
                        match.span(), "circumstance", Severity.REVIEW, REASONS["circumstance_person"].format(what=what)
                    )
                elif pattern is p.OCCUPATIONS and has_mechanism:
                    self.add(
                        match.span(),
                        "circumstance",
                        Severity.REVIEW,
                        REASONS["circumstance_mechanism"].format(what=what),
                    )

    def rare_diagnoses(self):
        if not self.kinds() & {"place", "timing", "date"}:
            return
        for match in p.RARE_DIAGNOSES.finditer(self.text):
            self.add(match.span(), "rare_diagnosis", Severity.COMBINATION, REASONS["rare_diagnosis"])


def _timing_matches(text: str, published_at: datetime | None):
    """(match, days before publication or None) for each phrase of relative timing about a patient's care."""
    check = _Check(text, published_at=published_at)
    for patterns, needs_care in ((p.TIMING, False), (p.TIMING_IN_CONTEXT, True)):
        for pattern, days in patterns:
            for match in pattern.finditer(text):
                sentence = check.sentence(*match.span())
                if p.NOT_CARE.search(sentence) or (needs_care and not _tells_of_care(sentence)):
                    continue
                yield match, _days_back(match, days, published_at)


def _tells_of_care(sentence: str) -> bool:
    """A sentence about a patient's care or injury: a scan, an arrival, how someone got hurt."""
    return bool(p.CARE.search(sentence) or p.MECHANISM.search(sentence))


def _days_back(match: re.Match, days: int | None, published_at: datetime | None) -> int | None:
    if days is not None:
        return days
    groups = match.groupdict()
    if groups.get("days"):
        word = groups["days"].lower()
        return 1 if word in ("a", "an") else int(word) if word.isdigit() else p.word_number(word)
    if published_at is None:
        return None
    weekday = groups.get("weekday") or "Saturday"  # "over the weekend"
    target = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday").index(weekday.lower())
    back = (_local_date(published_at).weekday() - target) % 7
    return back or (7 if match.group().lower().startswith("last") else 0)


def _local_date(moment: datetime) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _span(match: re.Match) -> tuple[int, int]:
    """Where a pattern needs context ("on 3/14", "call 555-1234"), the flag covers the identifier only."""
    return match.span("found") if match.re.groupindex.get("found") and match.group("found") else match.span()


def _is_real_date(match: re.Match) -> bool:
    """Numeric dates must name a real month and day, in either order (3/14/2026 or 14/03/2026)."""
    if "a" not in match.re.groupindex:
        return True  # a written month, or an ISO date whose pattern already checks its ranges
    first, second = int(match.group("a")), int(match.group("b"))
    return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31)


def _age_of(text: str) -> int | None:
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    return p.word_number(text)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}"


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def post_flags(post) -> list[PrivacyFlag]:
    """A published post's caption flags, its publication time dating any "yesterday" it says."""
    return caption_flags(post.caption, published_at=post.published_at)
