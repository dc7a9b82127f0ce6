"""
X / Twitter post exports, in their two shapes (one format, as both give the same rows):

* the legacy tweet activity CSV (analytics.twitter.com, until about 2024), named
  `tweet_activity_metrics_<handle>_<YYYYMMDD>_<YYYYMMDD>_<lang>.csv`, every field quoted, counts
  written as `"424.0"`, `time` in UTC (`2020-02-10 18:00 +0000`), headers translated in
  non-English files (Portuguese: `id do Tweet`, `impressões`, `favoritos`, ...);
* the account analytics content CSV (x.com, Premium), named
  `account_analytics_content_<from>_<to>.csv`, with a date but no time (`"Tue, Jul 14, 2026"`).

| field          | legacy (en / pt)                                   | content           |
|----------------|----------------------------------------------------|-------------------|
| external_id    | Tweet id / id do Tweet                             | Post id           |
| url            | Tweet permalink / link permanente do Tweet         | Post Link         |
| caption        | Tweet text / texto do Tweet                        | Post text         |
| published_at   | time (UTC) / horário                               | Date + the id (*) |
| impressions    | impressions / impressões                           | Impressions       |
| likes          | likes, favorites (before Nov 2015) / favoritos     | Likes             |
| comments       | replies / respostas                                | Replies           |
| shares         | retweets                                           | Reposts (**)      |
| saves          | —                                                  | Bookmarks         |
| profile_visits | user profile clicks / cliques no perfil do usuário | Profile visits    |
| follows        | follows / seguiram                                 | New follows       |
| views          | media views, video views / visualizações da mídia  | —                 |
| clicks         | url clicks / cliques no URL                        | URL Clicks        |

Everything else (engagements, engagement rate, detail expands, the `promoted *` columns, ...) is
listed as ignored. (*) The content file's `Date` has no time of day, but a post id is a snowflake
whose top bits are the creation time in milliseconds; the id's time is used when it falls within
a day of `Date` (which is in the exporting browser's zone), else the start of `Date` in `tz`.
(**) The vocabulary counts reposts as shares; X's own `Shares` column (sends and copied links) is
a different thing, kept out so that the number means the same as the legacy `retweets`. The
content file writes a missing metric as 0 (the web app does `value || 0`), so 0 there may mean
"not reported": nothing in the file tells them apart.

The handle and the export date come from the file name (the period's last day), else the handle
from the posts' links.
"""

import re
from datetime import UTC, date, timedelta, tzinfo
from typing import BinaryIO

from . import common, dates
from .base import FileFacts, Format, KnownFile, ParsedChunk, ParsedFile, PostRow

METRICS = ("impressions", "likes", "comments", "shares", "saves", "profile_visits", "follows", "views", "clicks")

LEGACY_ALIASES = {
    "external_id": ("Tweet id", "id do Tweet"),
    "url": ("Tweet permalink", "link permanente do Tweet"),
    "caption": ("Tweet text", "texto do Tweet"),
    "published_at": ("time", "horário"),
    "impressions": ("impressions", "impressões"),
    "likes": ("likes", "favorites", "favoritos", "curtidas"),
    "comments": ("replies", "respostas"),
    "shares": ("retweets",),
    "profile_visits": ("user profile clicks", "cliques no perfil do usuário"),
    "follows": ("follows", "seguiram"),
    "views": ("media views", "video views", "visualizações da mídia"),
    "clicks": ("url clicks", "cliques no URL"),
}
CONTENT_ALIASES = {
    "external_id": ("Post id",),
    "url": ("Post Link",),
    "caption": ("Post text",),
    "published_at": ("Date",),
    "impressions": ("Impressions",),
    "likes": ("Likes",),
    "comments": ("Replies",),
    "shares": ("Reposts",),
    "saves": ("Bookmarks",),
    "profile_visits": ("Profile visits",),
    "follows": ("New follows",),
    "clicks": ("URL Clicks",),
}

LEGACY_NAME = re.compile(
    r"tweet_activity_metrics_(?P<handle>\w+)_(?P<start>\d{8})_(?P<end>\d{8})_(?P<lang>[a-z]{2,3}(?:[-_]\w+)?)\.csv",
    re.IGNORECASE,
)
CONTENT_NAME = re.compile(r"account_analytics_content_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.csv", re.IGNORECASE)
STATUS_LINK = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w+)/status(?:es)?/(\d+)", re.IGNORECASE)
SNOWFLAKE_EPOCH_MS = 1288834974657


def _legacy_header(names: frozenset[str]) -> bool:
    return bool({"tweet id", "id do tweet"} & names) and bool({"tweet permalink", "link permanente do tweet"} & names)


def _content_header(names: frozenset[str]) -> bool:
    return {"post id", "date", "post link"} <= names


def sniff(head: bytes, filename: str) -> bool:
    names = common.header_names(head)
    if _legacy_header(names) or _content_header(names):
        return True
    # A translation we have no aliases for still gets a clear "no ... column" from `parse`.
    name = common.base_name(filename)
    return bool(LEGACY_NAME.fullmatch(name) or CONTENT_NAME.fullmatch(name))


def snowflake_time(post_id: int):
    """When an X post was created, from its id (ids since late 2010 carry it in their top bits)."""
    return dates.from_unix_ms((post_id >> 22) + SNOWFLAKE_EPOCH_MS)


def _posted(day: date, post_id: str, tz: tzinfo):
    if post_id.isdigit():
        moment = snowflake_time(int(post_id))
        if abs(moment.date() - day) <= timedelta(days=1):
            return moment
    return dates.at_midnight(day, tz)


def parse(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    names = common.header_names(stream.read(common.HEAD_SIZE))
    stream.seek(0)
    name = common.base_name(filename)
    legacy = _legacy_header(names) or (not _content_header(names) and LEGACY_NAME.fullmatch(name) is not None)
    aliases = LEGACY_ALIASES if legacy else CONTENT_ALIASES
    label = "X tweet activity (legacy)" if legacy else "X account analytics content"
    table = common.read_table(stream, aliases, required=("external_id", "published_at"), label=label)

    chunk = ParsedChunk(errors=table.errors)
    handles = set()
    order = dates.DateOrder(table.column("published_at"))  # X writes no numeric dates; a re-saved file may
    read_time = dates.resaved(dates.parse_iso, order, UTC)  # the file says +0000
    read_day = dates.resaved(dates.parse_month_name_date, order)
    for number, cells in table.rows:
        row = common.Row(number, cells, table.columns, day_first=order.day_first)
        post_id = row.text("external_id")
        if not post_id.isdigit():
            row.fail("external_id", f"not a post id (digits only): {post_id!r}" if post_id else "no post id")
        if legacy:
            published = row.read("published_at", read_time, UTC)
        else:
            day = row.read("published_at", read_day)
            published = day and _posted(day, post_id, tz)
        metrics = row.metrics(METRICS)
        caption = row.caption("caption")
        if row.errors:
            chunk.errors.extend(row.errors)
            continue
        url = row.text("url")
        if link := STATUS_LINK.match(url):
            handles.add(link[1])
        chunk.posts.append(
            PostRow(
                row=number,
                external_id=post_id,
                url=url,
                published_at=published,
                caption=caption,
                metrics=metrics,
            )
        )

    handle, captured_on = _from_name(name, legacy)
    if not handle and len(handles) == 1:
        handle = handles.pop()
    facts = FileFacts(
        format=FORMAT.key,
        label=label,
        platform=FORMAT.platform,
        handle=handle,
        captured_on=captured_on,
        ignored_columns=table.columns.ignored,
    )
    return ParsedFile(facts=facts, chunks=iter([chunk]))


def _from_name(name: str, legacy: bool) -> tuple[str, date | None]:
    """The handle and the last day of the exported period, when the file still has its own name."""
    try:
        if legacy and (match := LEGACY_NAME.fullmatch(name)):
            end = match["end"]
            return match["handle"], date(int(end[:4]), int(end[4:6]), int(end[6:]))
        if not legacy and (match := CONTENT_NAME.fullmatch(name)):
            return "", date.fromisoformat(match[2])
    except ValueError:
        pass  # a renamed file with a date that is not one: the workflow asks for the date instead
    return "", None


FORMAT = Format(key="x", label="X / Twitter posts", platform="twitter", sniff=sniff, parse=parse)


def _overview(head: bytes, filename: str) -> bool:
    names = common.header_names(head)
    if {"date", "impressions", "new follows"} <= names and ({"unfollows", "create post"} & names):
        return True
    name = common.base_name(filename).lower()
    return name.startswith(("account_overview_analytics", "daily_tweet_activity_metrics_"))


UNSUPPORTED = (
    KnownFile(
        label="X account overview (daily)",
        sniff=_overview,
        reason=(
            "This is X's daily account overview: it holds whole-account totals per day, with no "
            "per-post numbers and no follower totals, so there is nothing to import from it. "
            "Export the posts instead (Analytics → Content → Export, or the legacy tweet activity file)."
        ),
    ),
)
