"""
Meta Business Suite post exports (Insights → Content → Export): Instagram and Facebook, one
format each because each names its own platform. Both write a field in quotes only when it holds a
space, comma, quote or newline, start with a UTF-8 BOM, give `Publish time` as
`MM/DD/YYYY HH:MM` in local time without a zone (read in `tz`), and say `Lifetime` in `Date`:
the counts are lifetime totals, and the date is in `Publish time`, never in `Date`.

| field              | Instagram                        | Facebook                                    |
|--------------------|----------------------------------|---------------------------------------------|
| external_id        | Post ID                          | Post ID (the permalink's pfbid changes)     |
| url                | Permalink                        | Permalink                                   |
| caption            | Description                      | Title, then Description when it differs     |
| published_at       | Publish time (in `tz`)           | Publish time (in `tz`)                      |
| content_type       | Post type (below)                | Post type (below)                           |
| views              | Views                            | Views                                       |
| impressions        | Impressions (files before 2025)  | Impressions (files before 2025)             |
| reach              | Reach                            | Reach                                       |
| likes              | Likes                            | Reactions (all reaction types)              |
| comments           | Comments                         | Comments                                    |
| shares             | Shares                           | Shares                                      |
| saves              | Saves                            | —                                           |
| follows            | Follows                          | —                                           |
| profile_visits     | Profile visits (if chosen)       | —                                           |
| clicks             | —                                | Total clicks                                |
| watch_time_seconds | —                                | Seconds viewed (if present)                 |

Meta renamed `Impressions` to `Views` in 2025. The two are kept apart, each under its own name:
an old file fills `impressions`, a new one `views`, and no number is moved between them here.
Post types: IG image → image, IG carousel → carousel, IG reel → short_video, IG video → video,
IG story → story; Photos → image, Videos → video, Reels → short_video, Links → link, Stories →
story, Status/Text → text. A type Meta adds later leaves the content type unsaid (no error).

`Reactions, Comments and Shares` is a sum of columns we read and is ignored, like `Duration
(sec)`, `Data comment`, the account columns and the click parts. Only English headers are known.

The daily page-metric files (UTF-16, `sep=,`, a metric name such as `Instagram follows` on line 2)
are recognised but not imported: they count new follows (or views, visits...) per day for the
whole account, with days of 0 left out, which is neither a post's numbers nor a follower total.
"""

from datetime import UTC, date, tzinfo
from typing import BinaryIO

from metrics import plausibility

from . import common, dates
from .base import FileFacts, Format, KnownFile, ParsedChunk, ParsedFile, PostRow

SHARED_ALIASES = {
    "external_id": ("Post ID",),
    "url": ("Permalink",),
    "published_at": ("Publish time",),
    "content_type": ("Post type",),
    "views": ("Views",),
    "impressions": ("Impressions",),
    "reach": ("Reach",),
    "comments": ("Comments",),
    "shares": ("Shares",),
}
INSTAGRAM_ALIASES = {
    **SHARED_ALIASES,
    "handle": ("Account username",),
    "caption": ("Description",),
    "likes": ("Likes",),
    "saves": ("Saves",),
    "follows": ("Follows",),
    "profile_visits": ("Profile visits",),
}
FACEBOOK_ALIASES = {
    **SHARED_ALIASES,
    "title": ("Title",),
    "description": ("Description",),
    "likes": ("Reactions",),
    "clicks": ("Total clicks",),
    "watch_time_seconds": ("Seconds viewed",),
}
METRICS = (
    "views",
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "follows",
    "profile_visits",
    "clicks",
    "watch_time_seconds",
)
CONTENT_TYPES = {
    "ig image": "image",
    "ig carousel": "carousel",
    "ig reel": "short_video",
    "ig video": "video",
    "ig story": "story",
    "photos": "image",
    "photo": "image",
    "videos": "video",
    "video": "video",
    "reels": "short_video",
    "reel": "short_video",
    "links": "link",
    "link": "link",
    "stories": "story",
    "story": "story",
    "status": "text",
    "text": "text",
    "live": "live",
}


def _instagram_header(head: bytes, filename: str) -> bool:
    return {"post id", "account username", "publish time", "post type"} <= common.header_names(head)


def _facebook_header(head: bytes, filename: str) -> bool:
    return {"post id", "page id", "publish time"} <= common.header_names(head)


def _parse(stream: BinaryIO, *, fmt: Format, aliases: dict, tz: tzinfo) -> ParsedFile:
    table = common.read_table(stream, aliases, required=("external_id", "published_at"), label=fmt.label)
    chunk = ParsedChunk(errors=table.errors)
    handles = set()
    # Meta writes MM/DD/YYYY; a file re-saved where the day comes first says so in this column.
    order = dates.DateOrder(table.column("published_at"), native=dates.MONTH_FIRST)
    publish_time = dates.resaved(dates.parse_us_datetime, order, tz)
    for number, cells in table.rows:
        row = common.Row(number, cells, table.columns, day_first=order.day_first)
        post_id = row.text("external_id")
        if not post_id:
            row.fail("external_id", "no post id")
        published = row.read("published_at", publish_time, tz)
        # A post type Meta adds later is not an error: the post comes in with no content type.
        content_type = CONTENT_TYPES.get(row.text("content_type").casefold(), "")
        metrics = row.metrics(METRICS)
        caption = row.caption("caption") if "caption" in table.columns else _facebook_caption(row)
        if row.errors:
            chunk.errors.extend(row.errors)
            continue
        handle = row.text("handle").lstrip("@")
        handles.add(handle)
        chunk.posts.append(
            PostRow(
                row=number,
                external_id=post_id,
                url=row.text("url"),
                published_at=published,
                content_type=content_type,
                caption=caption,
                metrics=metrics,
                # Instagram names the account on every row; Facebook gives only the page's display
                # name, which is not a handle, so its rows (and facts) name none.
                platform=fmt.platform if handle else "",
                handle=handle,
            )
        )
    facts = FileFacts(
        format=fmt.key,
        label=fmt.label,
        platform=fmt.platform,
        # One account per export; when the rows disagree the file does not name one account.
        handle=handles.pop() if len(handles) == 1 else "",
        ignored_columns=table.columns.ignored,
    )
    return ParsedFile(facts=facts, chunks=iter([chunk]))


def _facebook_caption(row: common.Row) -> str:
    # Photo posts carry their message in Title; videos may have a title and a description.
    title, description = row.verbatim("title").strip(), row.verbatim("description").strip()
    caption = f"{title}\n\n{description}" if title and description and title != description else title or description
    if problem := plausibility.caption_problem(caption):
        row.fail("title" if title else "description", problem)
    return caption


def parse_instagram(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    return _parse(stream, fmt=INSTAGRAM_FORMAT, aliases=INSTAGRAM_ALIASES, tz=tz)


def parse_facebook(stream: BinaryIO, *, filename: str, today: date, tz: tzinfo = UTC) -> ParsedFile:
    return _parse(stream, fmt=FACEBOOK_FORMAT, aliases=FACEBOOK_ALIASES, tz=tz)


INSTAGRAM_FORMAT = Format(
    key="instagram", label="Instagram posts (Meta Business Suite)", platform="instagram",
    sniff=_instagram_header, parse=parse_instagram,
)  # fmt: skip
FACEBOOK_FORMAT = Format(
    key="facebook", label="Facebook posts (Meta Business Suite)", platform="facebook",
    sniff=_facebook_header, parse=parse_facebook,
)  # fmt: skip


def _daily_page_metric(head: bytes, filename: str) -> bool:
    text = common.head_text(head) or ""
    return text.lstrip().lower().startswith("sep=") and {"date", "primary"} <= common.header_names(head)


UNSUPPORTED = (
    KnownFile(
        label="Meta daily page metric",
        sniff=_daily_page_metric,
        reason=(
            "This is one of Meta's daily page-metric files (a chart export such as 'Instagram follows' "
            "or 'Views'): it counts one metric per day for the whole account, not per post, and its "
            "follows are new follows per day, not a follower total, so there is nothing to import "
            "from it. Export the posts instead (Insights → Content → Export)."
        ),
    ),
)
