"""
Admin for posts and their snapshots: data entry, correction and verification;
and the account admin again, with each account's followers, posts and follower
snapshots added to what `accounts.admin` shows.

Engagement columns follow `metrics.engagement`: a rate that is not computable
shows as an em dash (with the reason on hover), never as 0.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from accounts import admin as accounts_admin
from accounts.admin_scoping import ScopedInlineMixin, ScopedModelAdmin, ScopedRelatedFilter
from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics import engagement
from metrics.formatting import count, percent
from metrics.models import (
    AccountMetrics,
    AudienceSnapshot,
    Post,
    PostMetrics,
    Provenance,
    with_followers_as_of,
    with_post_count,
)


def not_computable(reason: str):
    return format_html('<span title="not computable: {}">—</span>', reason)


NOT_REPORTED = mark_safe('<span title="not reported">—</span>')


def count_display(value: int | None):
    """A count with thousands separators; None is 'not reported', which is not 0."""
    if value is None:
        return NOT_REPORTED
    return count(value)


def count_column(field: str):
    """A list_display column for one count field, formatted by `count_display`."""

    @admin.display(description=METRIC_FIELDS.get(field, field.replace("_", " ")).lower(), ordering=field)
    def column(obj):
        return count_display(getattr(obj, field, None))

    column.__name__ = f"{field}_count"
    return column


def percent_display(value: float | None, denominator: str):
    if value is None:
        return not_computable(f"no {denominator} reported, or 0")
    return percent(value)


class VerifiedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Not verified")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """
    simple-history's "History" of each object, within the admin's scope: an object the user's changelist does not
    hold answers 404, and so does the history of a deleted one unless its owner (`history_owner`: its post's or
    account's) is in the user's scope. Reverting to an old record is off (`SIMPLE_HISTORY_REVERT_DISABLED`): it
    would bring back an old verification with old numbers.
    """

    # The field naming a historical record's owner, and the owner's model (its admin scopes it).
    history_owner: tuple[str, type] = ("account_id", SocialAccount)

    def history_in_scope(self, request, object_id) -> bool:
        try:
            pk = int(unquote(object_id))
        except ValueError:
            return False
        if self.get_queryset(request).filter(pk=pk).exists():
            return True
        if request.user.is_superuser:
            return True
        if self.model._default_manager.filter(pk=pk).exists():
            return False  # exists, outside the user's scope
        record = self.model.history.filter(id=pk).order_by("-history_date").first()
        if record is None:
            return False
        field, owner_model = self.history_owner
        return owner_model.objects.administered_by(request.user).filter(pk=getattr(record, field)).exists()

    def history_view(self, request, object_id, extra_context=None):
        if not self.history_in_scope(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.history_in_scope(request, object_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


class SnapshotAdmin(ScopedHistoryAdmin, ScopedModelAdmin):
    """What the three kinds of snapshot share: provenance columns, the verification action, their history."""

    date_hierarchy = "captured_on"
    # Provenance is recorded, not typed: an admin's entry is a manual one, verified only through the action.
    readonly_fields = ("source", "verified_by", "verified_at", "created_at")
    actions = ["mark_verified"]
    provenance_filters = ("source", VerifiedFilter)

    @admin.display(boolean=True, description="verified", ordering="verified_at")
    def verified(self, snapshot):
        return snapshot.is_verified

    @admin.action(description="Mark as verified", permissions=["change"])
    def mark_verified(self, request, queryset):
        # Already verified rows keep who verified them and when.
        unverified = list(queryset.filter(verified_at__isnull=True))
        for snapshot in unverified:
            snapshot.verify(request.user)
        skipped = queryset.count() - len(unverified)
        message = f"Marked {len(unverified)} {self._noun(len(unverified))} as verified."
        if skipped:
            message += f" {skipped} {'was' if skipped == 1 else 'were'} already verified."
        self.message_user(request, message, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        obj.mark_new_reading(Provenance.MANUAL)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.may_be_deleted_by(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def _noun(self, n: int) -> str:
        opts = self.model._meta
        return opts.verbose_name if n == 1 else opts.verbose_name_plural


# --- posts --------------------------------------------------------------------------------------


class PostMetricsInline(ScopedInlineMixin, admin.TabularInline):
    model = PostMetrics
    fields = ("captured_on", *METRIC_FIELDS, "source", "verified_at")
    readonly_fields = ("source", "verified_at")
    ordering = ("-captured_on",)
    extra = 1
    verbose_name = "metrics snapshot"
    verbose_name_plural = "metrics snapshots"


# The "Engagement as of today" section of a saved post: annotations and timestamps, so read-only as well.
ENGAGEMENT_FIELDS = (
    "metrics_on",
    "action_count",
    "rate_by_impressions",
    "rate_by_reach",
    "rate_by_followers",
    "created_at",
    "updated_at",
)


@admin.register(Post)
class PostAdmin(ScopedHistoryAdmin, ScopedModelAdmin):
    list_display = (
        "external_id",
        "account",
        "published_at",
        "content_type",
        "category",
        "metrics_on",
        count_column("impressions"),
        count_column("reach"),
        "action_count",
        "rate_by_impressions",
        "rate_by_reach",
        "rate_by_followers",
    )
    list_filter = ("content_type", "category", ("account__platform", ScopedRelatedFilter))
    date_hierarchy = "published_at"
    search_fields = ("external_id", "caption", "account__handle")
    autocomplete_fields = ("account",)
    readonly_fields = ("hashtag_tags", *ENGAGEMENT_FIELDS)
    inlines = [PostMetricsInline]

    def save_formset(self, request, form, formset, change):
        # Snapshots typed or corrected on the post's page are manual readings, like those of their own admin.
        for snapshot in formset.save(commit=False):
            if isinstance(snapshot, PostMetrics):
                snapshot.mark_new_reading(Provenance.MANUAL)
                snapshot._history_user = request.user
        super().save_formset(request, form, formset, change)

    def get_queryset(self, request):
        # Every engagement column reads these annotations: no query per row. The account (and its
        # platform) is part of a post's name, in the changelist and in autocomplete alike.
        return super().get_queryset(request).select_related("account__platform").with_engagement(timezone.localdate())

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("account", "external_id", "url", "published_at", "content_type")}),
            ("Content", {"fields": ("caption", "hashtag_tags", "category", "highlight_note")}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Engagement as of today",
                    {
                        "fields": ENGAGEMENT_FIELDS,
                        "description": "From the latest snapshot captured on or before today; "
                        "followers are the account's on the publication day.",
                    },
                )
            )
        return fieldsets

    @admin.display(description="hashtags")
    def hashtag_tags(self, post):
        return " ".join(f"#{tag}" for tag in post.hashtag_list)

    @admin.display(description="metrics on", ordering="snapshot_captured_on")
    def metrics_on(self, post):
        return getattr(post, "snapshot_captured_on", None)

    @admin.display(description="actions")
    def action_count(self, post):
        if getattr(post, "snapshot_id", None) is None:
            return not_computable("no metrics snapshot yet")
        return f"{post.engagement.actions:,}"

    @admin.display(description="rate by impressions")
    def rate_by_impressions(self, post):
        return self._rate(post, "impressions")

    @admin.display(description="rate by reach")
    def rate_by_reach(self, post):
        return self._rate(post, "reach")

    @admin.display(description="rate by followers")
    def rate_by_followers(self, post):
        return self._rate(post, "followers")

    def _rate(self, post, denominator: str):
        if getattr(post, "snapshot_id", None) is None:
            return not_computable("no metrics snapshot yet")
        return percent_display(getattr(post.engagement, f"rate_by_{denominator}"), denominator)


@admin.register(PostMetrics)
class PostMetricsAdmin(SnapshotAdmin):
    history_owner = ("post_id", Post)
    list_display = (
        "post",
        "captured_on",
        *(count_column(field) for field in ("impressions", "reach", "likes", "comments", "shares", "saves")),
        "action_count",
        "rate_by_impressions",
        "rate_by_reach",
        "source",
        "verified",
    )
    list_select_related = ("post__account",)
    list_filter = (*SnapshotAdmin.provenance_filters, ("post__account__platform", ScopedRelatedFilter))
    search_fields = ("post__external_id", "post__account__handle")
    autocomplete_fields = ("post",)
    fieldsets = (
        (None, {"fields": ("post", "captured_on")}),
        ("Counts", {"fields": tuple(METRIC_FIELDS), "description": "Leave blank what the platform did not report."}),
        ("Provenance", {"fields": ("source", "verified_by", "verified_at", "created_at")}),
    )

    @admin.display(description="actions")
    def action_count(self, snapshot):
        return f"{snapshot.actions:,}"

    @admin.display(description="rate by impressions")
    def rate_by_impressions(self, snapshot):
        return percent_display(engagement.rate(snapshot.actions, snapshot.impressions), "impressions")

    @admin.display(description="rate by reach")
    def rate_by_reach(self, snapshot):
        return percent_display(engagement.rate(snapshot.actions, snapshot.reach), "reach")


# --- account snapshots --------------------------------------------------------------------------


class AccountMetricsInline(ScopedInlineMixin, admin.TabularInline):
    model = AccountMetrics
    fields = ("captured_on", "followers", "following", "posts_count", "source", "verified_by", "verified_at")
    readonly_fields = ("source", "verified_by", "verified_at")
    ordering = ("-captured_on",)
    extra = 0
    verbose_name = "follower snapshot"
    verbose_name_plural = "follower snapshots"
    classes = ("collapse",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")


# The account admin of `accounts`, with the numbers it knows nothing of: followers today, posts, and the
# follower snapshots to enter or correct on the account's own page.
admin.site.unregister(SocialAccount)


@admin.register(SocialAccount)
class SocialAccountAdmin(accounts_admin.SocialAccountAdmin):
    list_display = (*accounts_admin.SocialAccountAdmin.list_display, "followers_today", "post_count")
    inlines = [*accounts_admin.SocialAccountAdmin.inlines, AccountMetricsInline]

    def get_queryset(self, request):
        return with_post_count(with_followers_as_of(super().get_queryset(request), timezone.localdate()))

    @admin.display(description="followers today", ordering="followers")
    def followers_today(self, account):
        return f"{account.followers:,}" if account.followers is not None else None

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, account):
        return account.post_count


@admin.register(AccountMetrics)
class AccountMetricsAdmin(SnapshotAdmin):
    list_display = (
        "account",
        "captured_on",
        *(count_column(field) for field in ("followers", "following", "posts_count")),
        "source",
        "verified",
    )
    list_select_related = ("account__platform",)
    list_filter = (*SnapshotAdmin.provenance_filters, ("account__platform", ScopedRelatedFilter))
    search_fields = ("account__handle",)
    autocomplete_fields = ("account",)
    fields = ("account", "captured_on", "followers", "following", "posts_count", *SnapshotAdmin.readonly_fields)


@admin.register(AudienceSnapshot)
class AudienceSnapshotAdmin(SnapshotAdmin):
    list_display = ("account", "captured_on", "dimension", "bucket", count_column("count"), "source", "verified")
    list_select_related = ("account__platform",)
    list_filter = ("dimension", *SnapshotAdmin.provenance_filters, ("account__platform", ScopedRelatedFilter))
    search_fields = ("account__handle", "bucket")
    autocomplete_fields = ("account",)
    fields = ("account", "captured_on", "dimension", "bucket", "count", *SnapshotAdmin.readonly_fields)


# The import page registers ImportBatch.
from metrics import admin_imports  # noqa: E402, F401
