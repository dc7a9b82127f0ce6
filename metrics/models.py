"""
Posts and their numbers.

Counts are snapshots: a row per post (or account) per capture date, so that a
post's metrics "as of D" are its latest snapshot captured on or before D. A
blank count means the platform did not report it, which is not the same as 0.

"As of D" is written once per kind of snapshot, as QuerySet methods that every
read uses (pages, API, dossiers, comparisons, and the raw SQL of `post_table`).
The rule is the correlated form, for one post or account (`OuterRef` welcome):
`PostMetrics.objects.on_or_before(day, post=...)`,
`AccountMetrics.objects.followers_on_or_before(day, account=...)` (e.g. on a
post's publication day) and `AudienceSnapshot.objects.on_or_before(day,
account=...)`: the first row is the one. Over many, from it:
- `PostMetrics.objects.as_of(day, posts=...)`: each post's latest snapshot;
- `AccountMetrics.objects.followers_as_of(day, accounts=...)`: each account's
  latest reported follower count (`followers_between(start, end)`: a series);
- `AudienceSnapshot.objects.as_of(day, accounts=...)`: the rows of each
  account's latest audience snapshot;
- `with_followers_as_of(accounts, day)` and `with_post_count(accounts)` annotate
  social accounts with what metrics knows of them (accounts knows nothing of it).
Each post's latest snapshot of all is also kept as a row of `LatestPostMetrics` (by triggers, `metrics.latest`),
which reads of today's numbers use where it agrees with the rule (`PostQuerySet.with_metrics_as_of`, and
`metrics.post_table` for the summaries).
"""

import operator
import re
from datetime import date, datetime, time, timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Case, Count, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf, TruncDate
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.access import sees_everything
from accounts.models import SocialAccount
from accounts.scope_stamp import remembered
from accounts.scoping import ScopedQuerySet
from accounts.vocabulary import METRIC_FIELDS, ContentType
from metrics import engagement, plausibility
from metrics.constraints import CoveringUniqueConstraint
from metrics.db import IdList, OneOf
from metrics.jobs import BackgroundJob  # noqa: F401  (a model of this app, in a module of its own)
from metrics.post_table import PostTable
from metrics.vocabulary import CareerCategory

# A hashtag is # followed by letters, digits or underscores, in any script.
HASHTAG_RE = re.compile(r"#(\w+)")


def hashtags_in(caption: str) -> list[str]:
    """The hashtags of a caption as written, first occurrence of each (case-insensitively), without '#'."""
    seen, tags = set(), []
    for tag in HASHTAG_RE.findall(caption or ""):
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


def hashtag_search_text(caption: str) -> str:
    """The stored search form of a caption's hashtags: ' mskmonday radiology ' (see `Post.hashtags`)."""
    tags = [tag.lower() for tag in hashtags_in(caption)]
    return f" {' '.join(tags)} " if tags else ""


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class LocalDate(TruncDate):
    """
    TruncDate: the day of a datetime in the current (the site's) time zone. On SQLite with both zones UTC it is
    SQLite's own date() of the stored UTC text, the same day without a call into Python for every row (the
    slowest part of reading many posts' engagement there); any other zone keeps Django's function.
    """

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.get_tzname() == "UTC" and connection.timezone_name == "UTC":
            sql, params = compiler.compile(self.lhs)
            return f"date({sql})", params
        return self.as_sql(compiler, connection)


class Provenance(models.TextChoices):
    MANUAL = "manual", "Manual entry"
    IMPORT = "import", "Imported file"
    API = "api", "API"
    SYNC = "sync", "Platform API"


class HistorySource(models.Model):
    """
    What a history record adds to simple-history's own columns: how the change came in (`Provenance`), set
    by `metrics.history.record_how`. Blank: not known (a post created before its history was kept).
    """

    history_source = models.CharField(max_length=20, choices=Provenance.choices, blank=True)

    class Meta:
        abstract = True


class KeepsHistory(models.Model):
    """
    A model whose changes and deletions are kept by simple-history (`history`). A row that imports wrote in
    bulk has no history record yet: its creation is recorded, from the row as it still is, before its first
    change or deletion (`metrics.history.record_creations`), so the history holds the old values too.
    `history_fields`: the fields a change of which the history API shows.
    """

    history_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from metrics.history import record_creations

        if not self._state.adding and self.pk is not None:
            record_creations(type(self), [self.pk])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from metrics.history import record_creations

        record_creations(type(self), [self.pk])
        return super().delete(*args, **kwargs)


class AccountScopedQuerySet(ScopedQuerySet):
    """Rows that belong to an account belong wherever the account does; its owner may change them."""

    account_path = "account"
    faculty_may_change = True

    def institutions_q(self, ids):
        return Q(**{f"{self.account_path}__in": SocialAccount.objects.for_institutions(ids).values("pk")})

    def departments_q(self, ids):
        return Q(**{f"{self.account_path}__in": SocialAccount.objects.for_departments(ids).values("pk")})

    def faculty_q(self, faculty_id):
        return Q(**{f"{self.account_path}__faculty_id": faculty_id})

    def visible_through_accounts(self, user):
        """
        The rows of `visible_to(user)`, found through the ids of the accounts the user sees (one query, now)
        rather than a subquery, remembered by the process until the scope stamp changes
        (`accounts/scope_stamp.py`): a row is visible exactly when its account is, by every role. For long lists
        (the posts list): the page and its count then filter on a list of ids, which the (account, ...) indexes
        serve, instead of checking each row's account against the roles in a semi join, and the roles' SQL is
        compiled once instead of in every query of the request.
        """
        if sees_everything(user):
            return self
        return self.filter(OneOf(F(self.account_path), visible_account_ids(user)))

    def walk_pays(self, user) -> bool:
        """
        Whether a page of `visible_through_accounts(user)` that shows many rows is read faster by walking the
        list's order (`metrics.db.walking_order`) than by reading the visible accounts' rows and sorting them:
        when the user sees at least `WALK_SHARE` of the site's accounts (an admin who sees a third reads about
        three rows a row shown). Call it only when many rows are visible (more than the count reads): the
        site's accounts are then counted, once per scope stamp.
        """
        if sees_everything(user):
            return False
        site_accounts = remembered("site accounts", user, SocialAccount.objects.count)
        return len(visible_account_ids(user)) >= WALK_SHARE * site_accounts


# The least share of the site's accounts for which walking a list's order pays (`walk_pays`): at 1%, a page of
# 50 reads about 5,000 rows, which reading 1% of 1,000,000 posts' rows and sorting them would cost too.
WALK_SHARE = 0.01


def visible_account_ids(user) -> IdList:
    """The ids of the accounts `user` sees, remembered by the process until the scope stamp changes."""

    def read():
        return IdList(SocialAccount.objects.visible_to(user).order_by().values_list("pk", flat=True))

    return remembered("accounts", user, read)


class PostQuerySet(AccountScopedQuerySet):
    def with_hashtag(self, tag: str):
        return self.filter(hashtags__contains=f" {tag.lstrip('#').lower()} ")

    def published_between(self, start: date | None, end: date | None):
        """Posts published on days `start` to `end` inclusive (site time zone); either may be None (open)."""
        # Compared as instants, not as dates of published_at, so the (account, published_at) index serves it.
        queryset = self
        if start is not None:
            queryset = queryset.filter(published_at__gte=start_of_day(start))
        if end is not None:
            queryset = queryset.filter(published_at__lt=start_of_day(end + timedelta(days=1)))
        return queryset

    def with_metrics_as_of(self, as_of: date):
        """
        Annotate each post with its latest snapshot captured on or before `as_of`:
        every metric field under its own name (`post.impressions`, ...), plus
        `snapshot_id` and `snapshot_captured_on`. A post with no such snapshot gets None
        everywhere. Every page, API list and dossier reads its posts' numbers through here.

        A past day probes the snapshot table (`with_probed_metrics_as_of`). Today (or later), each post's row
        of the latest-snapshot table (`LatestPostMetrics`) when it was captured by `as_of`, which is then that
        snapshot; the probe only for a post without such a row (no snapshot yet, or its latest dated after
        `as_of`). The same rule as `metrics.post_table`; tests hold the two reads equal.
        """
        if as_of < timezone.localdate():
            return self.with_probed_metrics_as_of(as_of)
        row = FilteredRelation("latest_metrics", condition=Q(latest_metrics__captured_on__lte=as_of))
        probe = PostMetrics.objects.on_or_before(as_of, post=OuterRef("pk"))
        answered = Q(latest_row__post__isnull=False)

        def column(field: str, row_field: str | None = None):
            # CASE runs the probe's subquery only for a post the table did not answer (both databases evaluate
            # its branches lazily), so the snapshot table is not read at all for the others; such a post costs
            # an index probe per column. Not a join of the snapshots (`with_probed_metrics_as_of`): over many
            # posts PostgreSQL hashed every snapshot of the table for it (docs/scale.md has the measurements).
            output = PostMetrics._meta.pk if field == "pk" else PostMetrics._meta.get_field(field)
            return Case(
                When(answered, then=F(f"latest_row__{row_field or field}")),
                default=Subquery(probe.values(field)[:1]),
                output_field=output,
            )

        return self.annotate(latest_row=row).annotate(
            snapshot_id=column("pk", "snapshot_id"),
            snapshot_captured_on=column("captured_on"),
            **{field: column(field) for field in METRIC_FIELDS},
        )

    def with_probed_metrics_as_of(self, as_of: date):
        """
        `with_metrics_as_of` by the probe of the snapshot table alone, for any day: what a past day reads, and
        what tests hold the latest-snapshot table's read equal to. One correlated subquery finds the latest
        capture date and one join reads that snapshot, both served by the (post, captured_on) unique index
        (over thousands of posts PostgreSQL prefers to hash every snapshot of the table for that join).
        """
        latest_day = PostMetrics.objects.on_or_before(as_of, post=OuterRef("pk")).values("captured_on")[:1]
        snapshot = FilteredRelation("snapshots", condition=Q(snapshots__captured_on=Subquery(latest_day)))
        columns = {field: F(f"latest_snapshot__{field}") for field in METRIC_FIELDS}
        return self.annotate(latest_snapshot=snapshot).annotate(
            snapshot_id=F("latest_snapshot__pk"),
            snapshot_captured_on=F("latest_snapshot__captured_on"),
            **columns,
        )

    def with_followers_on_publication(self):
        """
        Annotate `followers`: the account's followers on the post's publication day (in the
        site's time zone), from its latest follower count captured on or before that day.
        None when there is no such count: the rate by followers is then not computable.
        """
        latest = AccountMetrics.objects.followers_on_or_before(OuterRef("published_on"), account=OuterRef("account"))
        return self.annotate(published_on=LocalDate("published_at")).annotate(
            followers=Subquery(latest.values("followers")[:1])
        )

    def with_engagement(self, as_of: date, *, page: bool = False):
        """
        Both annotations above: what `Post.engagement` and the summaries need. `page`: the rows are a page of a
        list (a few dozen posts), read by the probe whatever the day (`with_probed_metrics_as_of`): as many
        index lookups as rows, and a query that compiles in a quarter of the time (1.5 ms against 6.3) of the
        latest-snapshot table's column-by-column choice, which pays off over many posts only.
        """
        metrics = self.with_probed_metrics_as_of(as_of) if page else self.with_metrics_as_of(as_of)
        return metrics.with_followers_on_publication()

    def with_sortable_engagement(self):
        """
        After `with_engagement`: annotate `sort_actions` and `sort_rate_by_<denominator>` (impressions, reach,
        followers), the definitions of `metrics.engagement` written as SQL so that a list can be ordered by them
        in the database. Only for ordering: pages show `Post.engagement`, and a test holds the two equal. A post
        without a snapshot has None actions; a rate whose denominator is missing or 0 is None, as defined.
        """
        total = reduce(operator.add, (Coalesce(F(field), 0) for field in engagement.ACTION_FIELDS))
        actions = Case(When(snapshot_id__isnull=True, then=None), default=total, output_field=models.BigIntegerField())
        rates = {
            f"sort_rate_by_{denominator}": Cast(F("sort_actions"), models.FloatField())
            / NullIf(Cast(F(denominator), models.FloatField()), Value(0.0))
            for denominator in engagement.DENOMINATORS
        }
        return self.annotate(sort_actions=actions).annotate(**rates)

    def engagement_summary(self, as_of: date) -> engagement.EngagementSummary:
        """Engagement over these posts with metrics as of `as_of`, in one query."""
        return PostTable.read(self, as_of).summary()

    def engagement_summaries_by_account(self, as_of: date) -> dict[int, engagement.EngagementSummary]:
        """One summary per account of these posts, in one query; accounts without posts are absent."""
        return PostTable.read(self, as_of).summaries_by("account_id")


class Post(KeepsHistory):
    # No index of its own: (account, published_at) and (account, external_id) both start with it and serve
    # every lookup by account; a third index only slowed every insert.
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="posts", db_index=False)
    external_id = models.CharField(
        max_length=200, help_text="The platform's id of the post (tweet id, media id, video id, ...)."
    )
    url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField()
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    caption = models.TextField(blank=True, validators=[plausibility.validate_caption])
    # Derived from the caption on save: lower-case tags between spaces, so that
    # `with_hashtag` is one LIKE on every database. Read `hashtag_list` instead.
    hashtags = models.CharField(max_length=2000, blank=True, editable=False)
    category = models.CharField("career category", max_length=20, choices=CareerCategory.choices, blank=True)
    highlight_note = models.TextField("why highlighted", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()
    # The fields that count (and the caption); the derived hashtags, the note and the update time are not kept.
    history = HistoricalRecords(bases=[HistorySource], excluded_fields=["hashtags", "highlight_note", "updated_at"])
    history_fields = ("account", "external_id", "url", "published_at", "content_type", "category", "caption")

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                name="post_unique_per_account",
                violation_error_message="This account already has a post with this external id.",
            ),
        ]
        indexes = [
            # An account's posts in a period, newest first: profiles, summaries, dossiers.
            models.Index(fields=["account", "published_at"], name="post_account_published"),
            # The posts list's default order (-published_at, -id): a page without sorting every post.
            models.Index(fields=["published_at", "id"], name="post_published_id"),
        ]

    def __str__(self):
        return f"{self.account.handle} {self.external_id}"

    def save(self, *args, **kwargs):
        self.hashtags = hashtag_search_text(self.caption)
        super().save(*args, **kwargs)

    def may_be_deleted_by(self, user) -> bool:
        """
        Deleting a post deletes its snapshots: with a verified one among them, only an admin of its institution
        (or a superuser) may, as for the snapshot itself (`SnapshotFields.may_be_deleted_by`).
        """
        if not self.snapshots.filter(verified_at__isnull=False).exists():
            return True
        return Post.objects.administered_by(user).filter(pk=self.pk).exists()

    def clean(self):
        try:
            self.account  # noqa: B018 (none when the form refused the account field)
        except ObjectDoesNotExist:
            return
        if problem := plausibility.future_publication_problem(self.published_at, self.zone):
            raise ValidationError({"published_at": problem})

    def zone(self):
        """The time zone of the post's institution (`SocialAccount.time_zone`), for the rules about today."""
        return self.account.time_zone()

    @property
    def hashtag_list(self) -> list[str]:
        return hashtags_in(self.caption)

    @property
    def engagement(self) -> engagement.PostEngagement:
        """Needs `Post.objects.with_engagement(as_of)`; raises AttributeError without it."""
        if not hasattr(self, "snapshot_id") or not hasattr(self, "followers"):
            raise AttributeError("Post.engagement needs Post.objects.with_engagement(as_of).")
        counts = {field: getattr(self, field) for field in METRIC_FIELDS}
        return engagement.post_engagement(counts, followers=self.followers, has_snapshot=self.snapshot_id is not None)


class SnapshotFields(KeepsHistory):
    """What every dated snapshot records besides its counts: where the numbers came from."""

    captured_on = models.DateField(help_text="The day the numbers were read from the platform.")
    source = models.CharField(max_length=20, choices=Provenance.choices, default=Provenance.MANUAL)
    # Indexed only where set (`verified_index`): few snapshots are verified, and a full index on a column that
    # is NULL in almost every row cost every insert; deleting a user still finds what they verified.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        help_text="The admin who checked these numbers against the platform.",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Provenance of imported numbers: the file (kept with its batch) and the row in it.
    import_batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="%(class)s_rows"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True, help_text="Row of the imported file.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.reading_changed() and self.is_verified:
            # A verification vouches for the numbers an admin compared with the platform, not for whatever the
            # snapshot holds later: a changed reading is a new, unverified one. The same rule as the bulk upsert
            # (`metrics.snapshots`), for every door that saves one snapshot (admin, API, forms).
            self.verified_by, self.verified_at = None, None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "verified_by", "verified_at"}
        super().save(*args, **kwargs)
        self._stored_reading = self._reading()

    # The fields that make a snapshot's reading (its owner, day and counts), set by each kind of snapshot.
    reading_fields: tuple[str, ...] = ()
    provenance_fields = ("source", "import_batch", "source_row", "verified_by", "verified_at")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The reading as stored, to tell a changed one on save (`reading_changed`); a deferred field is not read.
        instance._stored_reading = instance._reading()
        return instance

    def _reading(self) -> tuple | None:
        loaded = self.__dict__
        names = [self._meta.get_field(name).attname for name in self.reading_fields]
        if any(name not in loaded for name in names):
            return None
        return tuple(loaded[name] for name in names)

    def mark_new_reading(self, source: Provenance) -> None:
        """A changed reading is `source`'s: the file it was imported from no longer vouches for its numbers."""
        if self.reading_changed():
            self.source, self.import_batch, self.source_row = source, None, None

    def reading_changed(self) -> bool:
        """Whether this stored snapshot now holds another reading than the one loaded (False for a new one)."""
        stored = getattr(self, "_stored_reading", None)
        return not self._state.adding and stored is not None and self._reading() != stored

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def zone(self):
        """The time zone of the institution the numbers belong to, for the rules about today."""
        return self.account.time_zone()

    # The field that says whose numbers these are; the time zone of "today" is found through it.
    owner_field = "account"

    def clean(self):
        try:
            # Read, not only its id: an inline of a post or account being added has its owner unsaved.
            getattr(self, self.owner_field)
        except ObjectDoesNotExist:
            return  # no owner yet: the form reports the missing field itself
        self.check_plausible(zone=self.zone)

    def check_plausible(self, *, zone: plausibility.ZoneSource) -> None:
        """
        ValidationError naming the field when `metrics.plausibility` refuses this snapshot: here, a capture
        day after today in `zone` (the institution's time zone, or a function that finds it: a writer of
        many snapshots passes one it looked up once per account).
        """
        if problem := plausibility.future_capture_problem(self.captured_on, zone):
            raise ValidationError({"captured_on": problem})

    def mark_verified(self, user) -> None:
        self.verified_by = user
        self.verified_at = timezone.now()

    def verify(self, user) -> bool:
        """
        Record that `user` checked these numbers against the platform, and save: the admin's "Mark as
        verified" and the API's verify action. False (nothing saved) when already verified: the first
        verification keeps who made it and when. Who may verify is `may_be_verified_by`.
        """
        if self.is_verified:
            return False
        self.mark_verified(user)
        self._history_source = Provenance.MANUAL
        self.save(update_fields=["verified_by", "verified_at"])
        return True

    def may_be_verified_by(self, user) -> bool:
        """An admin of the institution the snapshot belongs to, or a superuser: never faculty or reviewers."""
        return type(self).objects.administered_by(user).filter(pk=self.pk).exists()

    def may_be_deleted_by(self, user) -> bool:
        """
        Whether `user`, who may change this snapshot, may also delete it: a verified value is evidence an
        admin vouched for, so only such an admin (`may_be_verified_by`) deletes it; its history keeps it.
        """
        return not self.is_verified or self.may_be_verified_by(user)

    @property
    def provenance(self) -> dict:
        """Where the numbers came from, in the one wording of `metrics.provenance.describe`."""
        from metrics.provenance import describe

        return describe(self)


class SnapshotQuerySet(AccountScopedQuerySet):
    def with_provenance(self):
        """Annotate the import file's name and SHA-256 that `provenance` reads: no query per snapshot."""
        return self.annotate(import_file_name=F("import_batch__file_name"), import_sha256=F("import_batch__sha256"))


class PostMetricsQuerySet(SnapshotQuerySet):
    account_path = "post__account"

    def on_or_before(self, day, *, post):
        """
        The snapshots of `post` captured on or before `day`, the latest first: the first is the post's metrics
        as of `day`, and none means it has no metrics by then. Two cannot tie: (post, captured_on) is unique,
        and that unique index serves the lookup. `post` and `day` may name columns of an outer query
        (`OuterRef("pk")`): `[:1]` of it is then a correlated `Subquery`, one index probe per post.
        """
        return self.filter(post=post, captured_on__lte=day).order_by("-captured_on")

    def as_of(self, day, *, posts=None):
        """
        Each post's latest snapshot captured on or before `day` (see `on_or_before`): one row per post that has
        one; a post with no snapshot by then has no row, not a row of zeros. Which snapshot is a post's latest
        is decided among all its snapshots, so filters before or after this call only narrow the rows.

        `posts` (a `Post` queryset) limits it to those posts and looks their snapshots up from them, one probe
        each: without it every post of the database is probed.
        """
        posts = Post.objects.all() if posts is None else posts
        latest = self.model.objects.on_or_before(day, post=OuterRef("pk")).values("pk")[:1]
        return self.filter(pk__in=posts.annotate(as_of_snapshot_id=Subquery(latest)).values("as_of_snapshot_id"))


def count_field(verbose_name: str) -> models.PositiveBigIntegerField:
    # Blank (NULL) = not reported; the database itself refuses negative values, and every door (the
    # validator) a count above the plausibility ceiling.
    return models.PositiveBigIntegerField(verbose_name, null=True, blank=True, validators=[plausibility.validate_count])


def verified_index(name: str) -> models.Index:
    """The partial index on `verified_by` of a snapshot table: only the verified rows (see `SnapshotFields`)."""
    return models.Index(fields=["verified_by"], condition=Q(verified_by__isnull=False), name=name)


class PostMetrics(SnapshotFields):
    """One post's counts as read on one day. New days add rows; history is never overwritten."""

    # No index of its own: the unique (post, captured_on) index starts with it and serves every lookup by post.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    impressions = count_field("impressions")
    reach = count_field("reach")
    views = count_field("views")
    likes = count_field("likes")
    dislikes = count_field("dislikes")
    comments = count_field("comments")
    shares = count_field("shares")
    saves = count_field("saves")
    profile_visits = count_field("profile visits")
    follows = count_field("follows")
    clicks = count_field("clicks")
    watch_time_seconds = count_field("watch time (seconds)")

    objects = PostMetricsQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistorySource])
    reading_fields = ("post", "captured_on", *METRIC_FIELDS)
    history_fields = (*reading_fields, *SnapshotFields.provenance_fields)

    class Meta:
        ordering = ["-captured_on"]
        verbose_name = "post metrics snapshot"
        verbose_name_plural = "post metrics snapshots"
        constraints = [
            # Also the index behind "latest snapshot on or before D" for each post, which on PostgreSQL holds what
            # that probe reads too (`metrics.constraints`).
            CoveringUniqueConstraint(
                fields=["post", "captured_on"],
                covering=["id", *engagement.SNAPSHOT_COUNTED_FIELDS],
                name="post_snapshot_unique_per_day",
                violation_error_message="This post already has a snapshot on this day.",
            ),
        ]
        indexes = [verified_index("post_snapshot_verified")]

    def __str__(self):
        return f"{self.post} on {self.captured_on}"

    @property
    def counts(self) -> dict[str, int | None]:
        return {field: getattr(self, field) for field in METRIC_FIELDS}

    @property
    def actions(self) -> int:
        return engagement.actions(self.counts)

    owner_field = "post"

    def zone(self):
        try:
            account = self.post.account
        except ObjectDoesNotExist:
            # A post being added whose account the form refused: nothing is saved, the form says why.
            return timezone.get_default_timezone()
        return account.time_zone()

    def check_plausible(self, *, zone: plausibility.ZoneSource) -> None:
        """As for every snapshot, and not captured before the post's publication day."""
        if problem := plausibility.captured_before_publication(self.captured_on, self.post.published_at):
            raise ValidationError({"captured_on": problem})
        super().check_plausible(zone=zone)


class LatestPostMetrics(models.Model):
    """
    Each post's latest snapshot, whatever its day: a copy of its counts, one row per post that has a snapshot.
    Kept by the database itself (`metrics.latest`: triggers on the snapshot table), in the transaction of every
    write, whichever door it came through: the upsert (imports, bulk API), saves and deletes (forms, admin, API,
    history reverts), queryset and cascade deletes, and raw SQL.

    Not a cache of "as of today": a post's latest snapshot as of D is this row when it was captured on or
    before D (no later snapshot exists), and the probe `PostMetrics.objects.on_or_before(D, post=...)` only
    when it was captured after D (a snapshot dated ahead of D). For D = today that is almost never, so reads of
    today's numbers (`PostQuerySet.with_metrics_as_of`, `metrics.post_table`) read one narrow row per post instead
    of probing the snapshot table, which grows with every capture day.
    """

    # No foreign key constraints: the triggers write the rows, before or after Django's own cascade.
    post = models.OneToOneField(
        Post, on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False, related_name="latest_metrics"
    )
    snapshot = models.ForeignKey(
        PostMetrics, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    captured_on = models.DateField()
    impressions = models.BigIntegerField(null=True)
    reach = models.BigIntegerField(null=True)
    views = models.BigIntegerField(null=True)
    likes = models.BigIntegerField(null=True)
    dislikes = models.BigIntegerField(null=True)
    comments = models.BigIntegerField(null=True)
    shares = models.BigIntegerField(null=True)
    saves = models.BigIntegerField(null=True)
    profile_visits = models.BigIntegerField(null=True)
    follows = models.BigIntegerField(null=True)
    clicks = models.BigIntegerField(null=True)
    watch_time_seconds = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "latest post metrics"
        verbose_name_plural = "latest post metrics"

    def __str__(self):
        return f"{self.post_id} latest on {self.captured_on}"


def _latest_per_account(snapshots, day, *, accounts, on_or_before):
    """
    The rows of `snapshots` captured on each account's latest day on or before `day`, the day that the
    correlated form `on_or_before(day, account=...)` puts first: the rule, written once per kind of snapshot.
    `accounts` (ids or a `SocialAccount` queryset; None: every account) limits the rows to those accounts.

    Two subqueries: each account's latest day, one index probe per account; then, for the rows captured on
    one of those days, the check that it is their own account's. The first only narrows what the second
    checks, but without it PostgreSQL runs the check, a probe, for every row of the accounts: 0.4 s instead of
    1 ms for one account with a year of daily audience snapshots.
    """
    owners = SocialAccount.objects.all() if accounts is None else SocialAccount.objects.filter(pk__in=accounts)
    days = owners.annotate(latest_day=Subquery(on_or_before(day, account=OuterRef("pk")).values("captured_on")[:1]))
    own_day = Subquery(on_or_before(day, account=OuterRef("account")).values("captured_on")[:1])
    narrow = {} if accounts is None else {"account__in": accounts}
    return snapshots.filter(**narrow, captured_on__in=days.values("latest_day"), captured_on=own_day)


class AccountMetricsQuerySet(SnapshotQuerySet):
    def reported(self):
        """The counts that give a number of followers: a blank one (not reported) is no count, never 0."""
        return self.filter(followers__isnull=False)

    def followers_between(self, start: date | None, end: date):
        """The reported follower counts captured from `start` (None: the first) to `end`, both included."""
        counts = self.reported().filter(captured_on__lte=end)
        return counts if start is None else counts.filter(captured_on__gte=start)

    def followers_on_or_before(self, day, *, account):
        """
        The reported follower counts of `account` captured on or before `day`, the latest first: the first is
        its followers as of `day`, and none means they are not known by then (not 0). A blank count is skipped,
        so an earlier reported one stands. Two cannot tie: (account, captured_on) is unique, and that unique
        index serves the lookup. `account` and `day` may name columns of an outer query (`OuterRef("pk")`,
        a post's `OuterRef("published_on")`): `[:1]` of it is then a correlated `Subquery`.
        """
        return self.reported().filter(account=account, captured_on__lte=day).order_by("-captured_on")

    def followers_as_of(self, day, *, accounts=None):
        """
        Each account's latest reported follower count captured on or before `day` (see
        `followers_on_or_before`): one row per account that has one. Which count is an account's latest is
        decided among all its counts, so filters before or after this call only narrow the rows. `accounts`
        (ids or a `SocialAccount` queryset) limits it to those accounts, looked up one probe each: without it
        every account is.
        """
        return _latest_per_account(
            self.reported(), day, accounts=accounts, on_or_before=self.model.objects.followers_on_or_before
        )


class AccountMetrics(SnapshotFields):
    """An account's follower count (and friends) as read on one day."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="follower_snapshots")
    followers = count_field("followers")
    following = count_field("following")
    posts_count = count_field("posts")

    objects = AccountMetricsQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistorySource])
    reading_fields = ("account", "captured_on", "followers", "following", "posts_count")
    history_fields = (*reading_fields, *SnapshotFields.provenance_fields)

    class Meta:
        ordering = ["-captured_on"]
        verbose_name = "account metrics snapshot"
        verbose_name_plural = "account metrics snapshots"
        constraints = [
            # Also the index behind "followers on the post's day".
            models.UniqueConstraint(
                fields=["account", "captured_on"],
                name="account_snapshot_unique_per_day",
                violation_error_message="This account already has a snapshot on this day.",
            ),
        ]
        indexes = [verified_index("account_snapshot_verified")]

    def __str__(self):
        return f"{self.account} on {self.captured_on}"


class AudienceSnapshotQuerySet(SnapshotQuerySet):
    def on_or_before(self, day, *, account):
        """
        The audience rows of `account` captured on or before `day`, the latest day first: the first row's day is
        that of its audience as of `day`, and none means it has no audience by then. The (account, captured_on,
        dimension, bucket) unique index serves the lookup. `account` and `day` may name columns of an outer query
        (`OuterRef("pk")`): `[:1]` of its `captured_on` is then a correlated `Subquery`.
        """
        return self.filter(account=account, captured_on__lte=day).order_by("-captured_on")

    def as_of(self, day, *, accounts=None):
        """
        The rows (every dimension and bucket) of each account's latest audience snapshot: all those captured on
        the last day it captured any, on or before `day`. An account without one by then has no rows. Which day
        is an account's latest is decided among all its rows, so filters before or after this call only narrow
        the rows of that day. `accounts` (ids or a `SocialAccount` queryset) limits it to those accounts, looked
        up one probe each: without it every account is.
        """
        return _latest_per_account(self, day, accounts=accounts, on_or_before=self.model.objects.on_or_before)


class AudienceSnapshot(SnapshotFields):
    """How many of an account's audience fall in one bucket (a country, an age band, ...) on one day."""

    class Dimension(models.TextChoices):
        COUNTRY = "country", "Country"
        AGE = "age", "Age band"
        GENDER = "gender", "Gender"
        CITY = "city", "City"
        LANGUAGE = "language", "Language"

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="audience_snapshots")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    bucket = models.CharField(max_length=100, help_text="e.g. US (ISO country code), 25-34, female.")
    count = models.PositiveBigIntegerField(validators=[plausibility.validate_count])

    objects = AudienceSnapshotQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistorySource])
    reading_fields = ("account", "captured_on", "dimension", "bucket", "count")
    history_fields = (*reading_fields, *SnapshotFields.provenance_fields)

    class Meta:
        ordering = ["-captured_on", "dimension", "-count"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "captured_on", "dimension", "bucket"],
                name="audience_bucket_unique_per_day",
                violation_error_message="This bucket already has a count on this day.",
            ),
        ]
        indexes = [verified_index("audience_bucket_verified")]

    def __str__(self):
        return f"{self.account} {self.dimension}={self.bucket} on {self.captured_on}"


def with_followers_as_of(accounts, day, *, name: str = "followers"):
    """
    `accounts` (a `SocialAccount` queryset) annotated with `followers` and `followers_on`: each account's latest
    reported follower count on or before `day` (`AccountMetrics.objects.followers_on_or_before`) and the day it
    was captured, both None without one. `name` renames them (`followers_at_start`, `followers_at_start_on`)
    so that several days fit in one query.
    """
    latest = AccountMetrics.objects.followers_on_or_before(day, account=OuterRef("pk"))
    return accounts.annotate(
        **{
            name: Subquery(latest.values("followers")[:1]),
            f"{name}_on": Subquery(latest.values("captured_on")[:1]),
        }
    )


def with_followers_nearest(accounts, day, *, until, name: str):
    """
    `accounts` annotated with `name` and `<name>_on`: the reported follower count nearest `day` and the day it
    was captured, looking back first: the latest on or before `day` (`followers_on_or_before`), else the first
    one after it up to `until`. Both None when the account has neither. Where a period starts, this is the count
    its growth starts from, so an account first counted within the period still has one.
    """
    before = AccountMetrics.objects.followers_on_or_before(day, account=OuterRef("pk"))
    after = AccountMetrics.objects.followers_between(day, until).filter(account=OuterRef("pk")).order_by("captured_on")
    return accounts.annotate(
        **{
            # A reported count has followers, so each pair of columns comes from one and the same row.
            name: Coalesce(Subquery(before.values("followers")[:1]), Subquery(after.values("followers")[:1])),
            f"{name}_on": Coalesce(
                Subquery(before.values("captured_on")[:1]), Subquery(after.values("captured_on")[:1])
            ),
        }
    )


def with_post_count(accounts):
    """`accounts` annotated with `post_count`, without joining posts into the main query (no GROUP BY over it)."""
    counts = Post.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(n=Count("pk"))
    return accounts.annotate(post_count=Coalesce(Subquery(counts.values("n")[:1]), 0))


class ImportBatchQuerySet(ScopedQuerySet):
    """A batch belongs where its account does; a many-account template batch, to its institution."""

    faculty_may_change = True

    def institutions_q(self, ids):
        return Q(account__in=SocialAccount.objects.for_institutions(ids).values("pk")) | Q(institution__in=ids)

    def departments_q(self, ids):
        return Q(account__in=SocialAccount.objects.for_departments(ids).values("pk"))

    def faculty_q(self, faculty_id):
        return Q(account__faculty_id=faculty_id)


def import_upload_path(batch: "ImportBatch", filename: str) -> str:
    # The checksum keeps two files with the same name apart.
    return f"imports/{timezone.now():%Y/%m}/{batch.sha256[:16]}-{filename}"


class ImportBatch(models.Model):
    """One analytics export handed to the site: who, when, which file, and what it changed."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview (nothing written)"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused (nothing written)"
        DUPLICATE = "duplicate", "Already imported (nothing written)"

    account = models.ForeignKey(
        SocialAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text="The account the file was imported into; blank for a template naming several accounts.",
    )
    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text="For a template naming several accounts: the institution they were loaded for.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=40, blank=True)
    file_name = models.CharField(max_length=255)
    file = models.FileField(upload_to=import_upload_path, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    captured_on = models.DateField(null=True, blank=True, help_text="The export date the snapshots were filed under.")
    status = models.CharField(max_length=20, choices=Status.choices)
    message = models.TextField(blank=True)
    posts_created = models.PositiveIntegerField(default=0)
    posts_updated = models.PositiveIntegerField(default=0)
    snapshots_created = models.PositiveIntegerField(default=0)
    snapshots_updated = models.PositiveIntegerField(default=0)
    account_snapshots_created = models.PositiveIntegerField(default=0)
    account_snapshots_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Each with row, column and message.")
    ignored_columns = models.JSONField(default=list, blank=True)
    sample_rows = models.JSONField(
        default=list, blank=True, help_text="The first rows as they are (or, for a preview, would be) stored."
    )
    captions_flagged = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Previews: captions about to be stored that the privacy check flags (blank: not checked).",
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "import"
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False) | Q(institution__isnull=False),
                name="import_batch_has_an_owner",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"
