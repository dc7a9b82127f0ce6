"""
The posts list: whose posts, its filters and its sort orders. The numbers are those of `metrics.engagement`
(metrics as of today; the rate by followers uses the followers on the publication day); sorting by one of them
orders by the same definition written in SQL (`PostQuerySet.with_sortable_engagement`).
"""

from dataclasses import dataclass

from django import forms
from django.db.models import F

from accounts.models import Faculty, Platform, SocialAccount
from accounts.vocabulary import ContentType
from metrics.models import Post
from metrics.vocabulary import CareerCategory


@dataclass(frozen=True)
class Column:
    key: str  # the value of ?sort=
    label: str
    order_by: str  # the field or annotation the list is ordered by
    numeric: bool = False


COLUMNS = (
    Column("caption", "Post", "caption"),
    Column("published", "Published", "published_at"),
    Column("account", "Account", "account__handle"),
    Column("type", "Content type", "content_type"),
    Column("category", "Category", "category"),
    Column("impressions", "Impressions", "impressions", numeric=True),
    Column("reach", "Reach", "reach", numeric=True),
    Column("actions", "Actions", "sort_actions", numeric=True),
    Column("rate_impressions", "Rate by impressions", "sort_rate_by_impressions", numeric=True),
    Column("rate_reach", "Rate by reach", "sort_rate_by_reach", numeric=True),
    Column("rate_followers", "Rate by followers", "sort_rate_by_followers", numeric=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "-published"
ANY = [("", "Any")]


def parse_sort(value: str | None) -> tuple[Column, bool]:
    """The column and whether descending, from '?sort=rate_impressions' or '-rate_impressions'; else the default."""
    value = value or DEFAULT_SORT
    descending = value.startswith("-")
    column = BY_KEY.get(value.lstrip("-"))
    if column is None:
        return parse_sort(DEFAULT_SORT)
    return column, descending


def ordered(posts, column: Column, descending: bool):
    """Blanks (not reported, not computable) last either way; the id breaks ties, so pages never overlap."""
    field = F(column.order_by)
    key = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return posts.order_by(key, "-pk" if descending else "pk")


class PostFilterForm(forms.Form):
    """The list's filters, from the query string; the choices are the user's own (evaluated in the view)."""

    faculty = forms.TypedChoiceField(label="Whose posts", required=False, coerce=int, empty_value=None)
    account = forms.TypedChoiceField(label="Account", required=False, coerce=int, empty_value=None)
    platform = forms.ChoiceField(label="Platform", required=False)
    category = forms.ChoiceField(label="Category", required=False, choices=ANY + CareerCategory.choices)
    content_type = forms.ChoiceField(label="Content type", required=False, choices=ANY + ContentType.choices)
    q = forms.CharField(label="Caption contains", required=False, max_length=200)
    # The column headers sort too; this is the same choice where the headers are out of sight (narrow screens).
    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, data, *, user):
        data = data.copy()
        data.setdefault("sort", DEFAULT_SORT)
        super().__init__(data)
        people = list(Faculty.objects.visible_to(user).order_by("name").values_list("pk", "name"))
        self.fields["faculty"].choices = [("", "Everyone you may see"), *people]
        if len(people) < 2:
            # Only one's own posts to see: nothing to choose.
            del self.fields["faculty"]
        accounts = (
            SocialAccount.objects.visible_to(user).select_related("platform").order_by("platform__name", "handle")
        )
        if data.get("faculty", "").isdigit():
            accounts = accounts.filter(faculty_id=int(data["faculty"]))
        self.fields["account"].choices = ANY + [(a.pk, f"{a.handle} ({a.platform.name})") for a in accounts]
        self.fields["platform"].choices = ANY + list(Platform.objects.order_by("name").values_list("key", "name"))
        self.fields["sort"].choices = [
            (f"{sign}{column.key}", f"{column.label}, {words}")
            for column in COLUMNS
            for sign, words in (("-", "largest or latest first"), ("", "smallest or earliest first"))
        ]
        self.fields["sort"].initial = DEFAULT_SORT

    def filter(self, posts):
        """`posts` narrowed by every valid filter (an invalid one is shown as such and ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("faculty"):
            posts = posts.filter(account__faculty_id=data["faculty"])
        if data.get("account"):
            posts = posts.filter(account_id=data["account"])
        if data.get("platform"):
            posts = posts.filter(account__platform__key=data["platform"])
        if data.get("category"):
            posts = posts.filter(category=data["category"])
        if data.get("content_type"):
            posts = posts.filter(content_type=data["content_type"])
        if data.get("q"):
            posts = posts.filter(caption__icontains=data["q"])
        return posts


def post_rows(user, *, as_of, form: PostFilterForm, column: Column, descending: bool):
    """The user's posts, filtered and ordered, with their metrics as of `as_of` and the sort keys: one query."""
    posts = Post.objects.visible_to(user).select_related("account__platform")
    posts = form.filter(posts).with_engagement(as_of).with_sortable_engagement()
    return ordered(posts, column, descending)
