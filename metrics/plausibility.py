"""
What a number or a date must be to be stored at all: the plausibility rules, each written once.

Every door that writes a value calls these: model forms and the admin (through the models' field validators
and `clean()`), the API (the serializers call the same `clean()`), the bulk API (`metrics.bulk`) and imports
(`metrics.importers.common` for the cells, `metrics.imports_writer` for the rows). Each door only says where
the problem was (a form field, an item index, a row and column); none restates a rule.

Refused here: a count above `COUNT_CEILING`, a caption longer than `caption_limit()`, a post published or a
snapshot captured after today in the institution's time zone, a snapshot captured before its post's
publication day. Not refused: reach above impressions, which platforms do report (they count differently);
it is an integrity flag of the dossier (`portfolio.dossiers.integrity`), as are likes above reach and actions
above impressions.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# No platform reports 10^12 of anything: the most-viewed videos ever have about 1.6 * 10^10 views, and there
# are about 5 * 10^9 people online. A count above this is a typing or export error, refused at every door.
#
# It also keeps every sum we compute inside a signed 64-bit integer (2^63 - 1, about 9.22 * 10^18). The
# largest is a summary's actions: the posts it adds times the 8 action fields times the ceiling. With
# MOST_POSTS_IN_A_SUMMARY = 10^6 posts (a faculty member has thousands, a comparison of a department tens of
# thousands; 10^6 is also the most rows one import may hold): 10^6 * 8 * 10^12 = 8 * 10^18 < 9.22 * 10^18.
# A post's actions (8 * 10^12) and a count times 100 for a percentage (10^14) are far inside it. Rates, and
# the summaries of `metrics.post_table`, are computed in float64: no overflow, exact up to 2^53 (about
# 9 * 10^15). Rows stored before the ceiling existed (or written around it) are read by the integrity checks
# in floating point, so even they cannot overflow there.
COUNT_CEILING = 10**12
MOST_POSTS_IN_A_SUMMARY = 10**6
assert MOST_POSTS_IN_A_SUMMARY * 8 * COUNT_CEILING < 2**63 - 1  # the arithmetic above, checked at import

COUNT_REASON = "above the ceiling of 10^12 (1,000,000,000,000): no platform reports that many of anything"
FUTURE_PUBLICATION = "Published on {day}, after today ({today}) in the institution's time zone."
FUTURE_CAPTURE = "Captured on {day}, after today ({today}) in the institution's time zone."
CAPTURED_BEFORE_PUBLICATION = "A snapshot cannot be dated before the post was published."
FUTURE_AS_OF = "The metrics cannot be as of {day}, after today ({today}): those numbers do not exist yet."
AS_OF_BEFORE_PERIOD_END = (
    "Metrics as of {as_of}, before the review period ends ({end}): posts published after {as_of} are listed "
    "without metrics, and every other number is the one known on {as_of}."
)

# Every time zone in use lies between UTC-12 and UTC+14: a day on or before today at UTC-12 is today or
# earlier everywhere, and a day after today at UTC+14 is after today everywhere. Only the days between
# need the institution's zone, which costs a query or two to find: most writes are of days long past.
_WESTERNMOST = timedelta(hours=-12)
_EASTERNMOST = timedelta(hours=14)


@deconstructible
class CountCeiling:
    """The field validator of every count (post metrics, follower counts, audience counts)."""

    def __call__(self, value) -> None:
        if problem := count_problem(value):
            raise ValidationError(problem, code="count_ceiling")

    def __eq__(self, other) -> bool:
        return isinstance(other, CountCeiling)


validate_count = CountCeiling()


def count_problem(value: int) -> str:
    """Why `value` cannot be a count ("" when it can)."""
    if value is None or value <= COUNT_CEILING:
        return ""
    return f"{value:,} is {COUNT_REASON}."


def caption_limit() -> int:
    """
    The longest caption stored, in characters: IMPORT_MAX_CAPTION_CHARS (65,536 by default), above every
    platform's own limit (Facebook 63,206, Reddit 40,000, X Premium 25,000, YouTube 5,000, TikTok 4,000,
    LinkedIn 3,000, Instagram 2,200). Read at each call, so that a changed setting applies at once.
    """
    return settings.IMPORT_MAX_CAPTION_CHARS


def caption_problem(caption: str) -> str:
    """Why a caption cannot be stored ("" when it can): longer than `caption_limit()`."""
    most = caption_limit()
    if len(caption or "") <= most:
        return ""
    return (
        f"the caption is {len(caption):,} characters; the limit is {most:,} (IMPORT_MAX_CAPTION_CHARS), "
        "more than any platform allows"
    )


@deconstructible
class CaptionLimit:
    """The field validator of `Post.caption`."""

    def __call__(self, value) -> None:
        if problem := caption_problem(value):
            raise ValidationError(problem[0].upper() + problem[1:] + ".", code="caption_too_long")

    def __eq__(self, other) -> bool:
        return isinstance(other, CaptionLimit)


validate_caption = CaptionLimit()


ZoneSource = tzinfo | Callable[[], tzinfo]


def today_in(zone: ZoneSource) -> date:
    """Today in `zone` (a time zone, or a function that finds it)."""
    return timezone.now().astimezone(zone() if callable(zone) else zone).date()


def today_everywhere(now: datetime | None = None) -> date:
    """The latest day that is today or past in every time zone: no day up to it is after today anywhere."""
    return ((now or timezone.now()) + _WESTERNMOST).date()


def day_after_today(day: date, zone: ZoneSource) -> bool:
    """
    Whether `day` is after today in `zone`. `zone` may be a function (`account.time_zone`): it is called
    only for the day or two around today on which the zones of the world disagree.
    """
    now = timezone.now()
    if day <= today_everywhere(now):
        return False
    if day > (now + _EASTERNMOST).date():
        return True
    return day > today_in(zone)


def future_capture_problem(day: date | None, zone: ZoneSource) -> str:
    """Why a snapshot cannot be captured on `day` ("" when it can): after today in `zone`."""
    if day is None or not day_after_today(day, zone):
        return ""
    return FUTURE_CAPTURE.format(day=day, today=today_in(zone))


def future_publication_problem(published_at: datetime | None, zone: ZoneSource) -> str:
    """
    Why a post cannot be published at `published_at` ("" when it can): on a day after today in `zone`.
    A time later today is allowed: a post scheduled for this evening is today's.
    """
    if published_at is None or published_at <= timezone.now():
        return ""
    zone = zone() if callable(zone) else zone
    day = published_at.astimezone(zone).date()
    if day <= today_in(zone):
        return ""
    return FUTURE_PUBLICATION.format(day=day, today=today_in(zone))


def publication_day(published_at: datetime, site_zone: tzinfo | None = None) -> date:
    """
    The day a post was published, as its snapshots' days are compared with it: in the site's time zone (the
    current one; `site_zone` is that zone, found once by a caller that asks for many posts).
    """
    return timezone.localdate(published_at, site_zone)


def captured_before_publication(captured_on: date | None, published_at: datetime | None) -> str:
    """Why a snapshot cannot be captured on `captured_on` ("" when it can): before its post's publication day."""
    if captured_on is None or published_at is None or captured_on >= publication_day(published_at):
        return ""
    return CAPTURED_BEFORE_PUBLICATION


def as_of_problem(as_of: date | None, zone: ZoneSource) -> str:
    """Why a dossier's metrics cannot be as of `as_of` ("" when they can): after today in `zone`."""
    if as_of is None or not day_after_today(as_of, zone):
        return ""
    return FUTURE_AS_OF.format(day=as_of, today=today_in(zone))


def as_of_note(as_of: date | None, period_end: date | None) -> str:
    """
    What an as-of date before the review period's end means for the dossier ("" when it is not): allowed,
    since a committee may want the numbers as they stood on a given day, but said wherever it is set.
    """
    if as_of is None or period_end is None or as_of >= period_end:
        return ""
    return AS_OF_BEFORE_PERIOD_END.format(as_of=as_of, end=period_end)


def rules_in_words() -> list[tuple[str, str]]:
    """The rules above as /methods/ states them: (what, the rule), with the numbers in force."""
    return [
        (
            "Counts",
            f"No count above {COUNT_CEILING:,} (10^12): no platform reports that many of anything. Such a number "
            "is refused wherever it is entered (a form, the admin, the API, a bulk upload, an import), naming the "
            "field, the item or the row and column; nothing of that entry is saved.",
        ),
        (
            "Dates",
            "No post published and no snapshot captured after today, in the time zone of the institution the "
            "account belongs to; no snapshot captured before its post's publication day.",
        ),
        (
            "Captions",
            f"At most {caption_limit():,} characters, more than any platform allows (Facebook 63,206, Instagram "
            "2,200).",
        ),
        (
            "Reach above impressions",
            "Accepted, since platforms count the two differently, and flagged in the dossier (see below).",
        ),
        (
            "Metrics as of",
            "A dossier's as-of day cannot be after today. A day before the review period ends is allowed, and the "
            "dossier form and the API say what it means: posts published after it are listed without metrics.",
        ),
    ]
