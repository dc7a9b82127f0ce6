"""
Series and hashtag tracking: for one hashtag (a weekly case series such as #MSKMonday), its posts over time,
the accounts taking part, their reach and engagement, per chosen department and institution.

The posts are those of the comparison (`rows.load`) that carry the hashtag (`PostQuerySet.with_hashtag`); the
roll-ups count only accounts taking part, and keep the privacy rule of every aggregate.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from portfolio.comparisons.rollups import Rollup, rollups
from portfolio.comparisons.rows import ComparisonRow, Loaded, sort_rows
from portfolio.comparisons.selection import aggregate_is_shown


@dataclass(frozen=True)
class Week:
    starts_on: date  # a Monday
    posts: int
    accounts: int


@dataclass(frozen=True)
class Series:
    hashtag: str
    participants: list[ComparisonRow]  # accounts taking part whose rows the user may read
    other_participants: int  # accounts taking part the user may not read one by one
    weeks: list[Week] | None  # None when the timeline would expose accounts the user may not see
    rollups: list[Rollup]


def series(loaded: Loaded) -> Series:
    selection = loaded.selection
    taking_part = [row for row in loaded.accounts if row.posts]
    readable = [row for row in taking_part if row.visible]
    hidden = len(taking_part) - len(readable)
    return Series(
        hashtag=selection.hashtag,
        participants=sort_rows(readable, "-posts"),
        other_participants=hidden,
        weeks=_weeks(loaded, taking_part) if aggregate_is_shown(hidden_accounts=hidden) else None,
        rollups=rollups(loaded, active_only=True),
    )


def _weeks(loaded: Loaded, accounts: list[ComparisonRow]) -> list[Week]:
    """Every week of the period (Monday to Sunday, site time zone), with its posts and accounts posting."""
    selection = loaded.selection
    posts, posters = {}, {}
    table = loaded.posts_of(accounts)
    for published_at, account in zip(table.published_at(), table["account_id"].tolist(), strict=True):
        day = timezone.localdate(published_at)
        monday = day - timedelta(days=day.weekday())
        posts[monday] = posts.get(monday, 0) + 1
        posters.setdefault(monday, set()).add(account)
    first = selection.start - timedelta(days=selection.start.weekday())
    weeks, monday = [], first
    while monday <= selection.end:
        weeks.append(Week(monday, posts.get(monday, 0), len(posters.get(monday, ()))))
        monday += timedelta(days=7)
    return weeks
