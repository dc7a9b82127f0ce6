"""
The highlight picker: the posts a dossier may highlight, with their numbers, sorted and filtered.

Every number is the site's own (`metrics.engagement`, read by `metrics.post_table.PostTable` in one query over
all the candidates): a post's impressions, its actions and its rate by impressions, as of the dossier's date.
Sorting happens on those columns, so "best rate first" ranks by the same rate the dossier prints. Only the
page's posts are then loaded as objects (one more query, whatever the page size); the privacy check reads
their captions in Python. Posts already highlighted stay in the list, marked as such, so adding one never moves
the rows around it: the reader keeps their place with or without JavaScript.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
from django.core.paginator import Page, Paginator
from django.db.models import F
from django.utils.text import Truncator

from accounts.models import Platform, SocialAccount
from metrics.models import Post
from metrics.post_table import PostTable
from metrics.vocabulary import CareerCategory
from portfolio.dossiers.models import Dossier
from portfolio.privacy.rules import PrivacyFlag, caption_flags

PER_PAGE = 20
CAPTION_START = 120

# Sort keys in the table's column order: heading, and whether the first click sorts descending (the most first).
SORTS = {
    "published": ("Published", True),
    "platform": ("Platform", False),
    "caption": ("Caption", False),
    "impressions": ("Impressions", True),
    "actions": ("Actions", True),
    "rate": ("Rate", True),
}
DEFAULT_SORT = "-rate"
# The query parameters that say where the reader is; the add form carries them back.
PLACE_PARAMETERS = ("sort", "platform", "account", "category", "q", "page")


@dataclass(frozen=True)
class Filters:
    sort: str = DEFAULT_SORT
    platform: int | None = None
    account: int | None = None
    category: str = ""
    query: str = ""

    @classmethod
    def from_query(cls, params) -> "Filters":
        """From a request's GET (or a form's hidden fields); anything unknown falls back to the default."""
        sort = params.get("sort", DEFAULT_SORT)
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        category = params.get("category", "")
        return cls(
            sort=sort,
            platform=_whole(params.get("platform")),
            account=_whole(params.get("account")),
            category=category if category in CareerCategory.values else "",
            query=params.get("q", "").strip()[:200],
        )

    def as_query(self, **changes) -> dict[str, str]:
        """The non-default parameters, with `changes` applied: what a link or a redirect keeps."""
        values = {
            "sort": self.sort,
            "platform": self.platform,
            "account": self.account,
            "category": self.category,
            "q": self.query,
            **changes,
        }
        return {
            key: str(value)
            for key, value in values.items()
            if value not in (None, "") and (key, value) != ("sort", DEFAULT_SORT)
        }

    def sort_link(self, key: str) -> str:
        """The query string that sorts by `key`: its natural direction first, reversed when already sorted by it."""
        descending_first = SORTS[key][1]
        if self.sort.lstrip("-") == key:
            sort = key if self.sort.startswith("-") else f"-{key}"
        else:
            sort = f"-{key}" if descending_first else key
        return urlencode(self.as_query(sort=sort))

    def aria_sort(self, key: str) -> str | None:
        if self.sort.lstrip("-") != key:
            return None
        return "descending" if self.sort.startswith("-") else "ascending"


@dataclass(frozen=True)
class Candidate:
    post: Post
    impressions: int | None
    actions: int | None  # None: no snapshot as of the dossier's date
    rate: float | None  # actions / impressions; None when not computable
    flags: list[PrivacyFlag]
    highlight_id: int | None  # the highlight, when the post is already in the dossier

    @property
    def caption_start(self) -> str:
        return Truncator(" ".join(self.post.caption.split())).chars(CAPTION_START)


@dataclass(frozen=True)
class Picker:
    filters: Filters
    page: Page
    candidates: list[Candidate]
    platforms: list[Platform]
    accounts: list[SocialAccount]

    @property
    def sort_columns(self) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _) in SORTS.items()]

    @property
    def categories(self) -> list[tuple[str, str]]:
        return CareerCategory.choices


def picker(dossier: Dossier, params, *, highlighted: dict[int, int]) -> Picker:
    """
    The page of candidates that `params` (sort, filters, page) asks for, three queries whatever the rows.
    `highlighted` maps the posts the dossier highlights to their highlight: the page has them loaded already.
    """
    filters = Filters.from_query(params)
    accounts = list(dossier.accounts.filter(kind=SocialAccount.Kind.PERSONAL).select_related("platform"))
    posts = dossier.highlightable_posts()
    if filters.platform:
        posts = posts.filter(account__platform_id=filters.platform)
    if filters.account:
        posts = posts.filter(account_id=filters.account)
    if filters.category:
        posts = posts.filter(category=filters.category)
    if filters.query:
        posts = posts.filter(caption__icontains=filters.query)
    # The caption is read for all candidates only to sort by it; the page's captions come with its posts.
    fields = ("platform_name", "caption") if filters.sort.lstrip("-") == "caption" else ("platform_name",)
    table = PostTable.read(posts.annotate(platform_name=F("account__platform__name")), dossier.as_of, fields)
    order = _order(table, filters.sort)
    page = Paginator(order.tolist(), PER_PAGE).get_page(params.get("page"))
    positions = list(page)
    ids = table["id"][positions].tolist()
    by_id = Post.objects.select_related("account__platform").in_bulk(ids)
    return Picker(
        filters=filters,
        page=page,
        candidates=[
            _candidate(by_id[post_id], table, position, highlighted)
            for post_id, position in zip(ids, positions, strict=True)
        ],
        platforms=sorted({account.platform for account in accounts}, key=lambda platform: platform.name),
        accounts=accounts,
    )


def candidate(dossier: Dossier, post: Post) -> Candidate:
    """One post's row, as the picker shows it (after it is highlighted, for the page that does not reload)."""
    table = PostTable.read(Post.objects.filter(pk=post.pk), dossier.as_of)
    highlighted = dict(dossier.highlight_rows.filter(post=post).values_list("post_id", "pk"))
    return _candidate(post, table, 0, highlighted)


def _candidate(post: Post, table: PostTable, position: int, highlighted: dict[int, int]) -> Candidate:
    engagement = table.counts.post(position)
    return Candidate(
        post=post,
        impressions=engagement.impressions,
        actions=engagement.actions,
        rate=engagement.rate_by_impressions,
        flags=caption_flags(post.caption),
        highlight_id=highlighted.get(post.pk),
    )


def _order(table: PostTable, sort: str) -> np.ndarray:
    """
    Positions of the table's rows in the asked order. A number that is not known (no snapshot, no impressions)
    comes last whichever the direction: "best rate first" must not open on the posts it cannot rank. Ties, and
    the rest, newest first.
    """
    key, descending = sort.lstrip("-"), sort.startswith("-")
    counts = table.counts
    actions = counts.actions()
    columns = {
        "rate": counts.rates("impressions", actions),
        "actions": actions,
        "impressions": np.where(counts.measured, counts.column("impressions"), np.nan),
        "published": table["published_epoch"].astype("float64"),
    }
    newest_first = (-table["published_epoch"], -table["id"])
    if key in columns:
        values = columns[key]
        unknown = np.isnan(values)
        ranked = np.where(unknown, 0.0, -values if descending else values)
        return np.lexsort((*reversed(newest_first), ranked, unknown))
    # Text sorts case-blind: a rank per distinct value, then the same lexsort.
    text = np.char.lower(np.asarray(table["platform_name" if key == "platform" else "caption"], dtype=str))
    ranks = np.unique(text, return_inverse=True)[1]
    return np.lexsort((*reversed(newest_first), -ranks if descending else ranks))


def _whole(value) -> int | None:
    """A positive id from a query parameter, else None (no filter)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
