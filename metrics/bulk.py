"""
Many post snapshots in one request: `upsert_post_metrics`, behind POST /api/v1/post-metrics/bulk/.

The body is checked as a whole and written as a whole: every problem of every
item is reported at once (with the item's index and field), and nothing is
written unless every item is valid. Items are upserted on (post, captured_on),
so sending the same body twice changes nothing the second time.

Each item is one reading of one post on one day, so the stored snapshot becomes
exactly what the item says: a metric sent as null or left out is "not reported"
(null), for a new snapshot and for an existing one alike. To keep a number that
is already stored, send it again.

Rows are checked with the fields of `BulkSnapshotSerializer` (the same
coercion and messages as the single-snapshot endpoint), but without running a
serializer per row: posts, permissions and existing snapshots are read in bulk,
so the number of queries does not grow with the rows (beyond the batches that
the database's parameter limit calls for).
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from accounts.api_scoping import MAX_ID, READ_ONLY_ROLE, may_write_at_all
from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics import plausibility
from metrics.db import in_batches
from metrics.models import Post, PostMetrics, Provenance
from metrics.snapshots import POST_SNAPSHOTS, posts_by_key

MAX_ROWS = 10_000
# Rows per INSERT statement (SQLite lowers it further to fit its parameter limit).
WRITE_BATCH = 1_000

DOES_NOT_EXIST = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
POST_FIELDS = ("post", "account", "external_id")


class BulkSnapshotSerializer(serializers.ModelSerializer):
    """One item of a bulk request (documents the schema; `upsert_post_metrics` uses its fields one by one)."""

    post = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The post's id; or name it by account + external_id."
    )
    account = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The post's account (id), with external_id."
    )
    external_id = serializers.CharField(
        required=False,
        max_length=Post._meta.get_field("external_id").max_length,
        help_text="The platform's id of the post, with account.",
    )

    class Meta:
        model = PostMetrics
        fields = [*POST_FIELDS, "captured_on", *METRIC_FIELDS]
        # Uniqueness of (post, captured_on) is the upsert key here, not an error.
        validators = []


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Snapshots that did not exist.")
    updated = serializers.IntegerField(help_text="Existing snapshots whose counts changed (verification cleared).")
    unchanged = serializers.IntegerField(help_text="Existing snapshots that already had these counts (not written).")


class BulkErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="Position of the item in the list; null: the body.")
    field = serializers.CharField(allow_null=True, help_text="The item's field; null: the item as a whole.")
    message = serializers.CharField()


class BulkErrorsSerializer(serializers.Serializer):
    errors = BulkErrorSerializer(many=True)


class BulkConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()


@dataclass(frozen=True)
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class ItemError:
    index: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class BulkInvalid(Exception):
    """The body was refused; `errors` says why, item by item. Nothing was written."""

    def __init__(self, errors: list[ItemError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = sorted(errors, key=lambda error: -1 if error.index is None else error.index)

    def as_dict(self) -> dict:
        return {"errors": [error.as_dict() for error in self.errors]}


class BulkConflict(Exception):
    """Another request wrote snapshots of the same posts meanwhile. Nothing was written."""


@dataclass
class _Row:
    """One item, as far as it could be read."""

    index: int
    valid: bool = True
    post_id: int | None = None
    account_id: int | None = None
    external_id: str | None = None
    captured_on: date | None = None
    counts: dict[str, int | None] = field(default_factory=dict)
    post: Post | None = None


def upsert_post_metrics(*, user, rows: list[dict]) -> BulkResult:
    """
    Create or update the snapshots that `rows` describe, as `user`, all or nothing.

    Raises BulkInvalid (nothing written) when the body is not a list, has more
    than MAX_ROWS items, or any item is invalid: unknown or missing fields, bad
    values, a post that `user` cannot see (reported as not existing), two items
    for the same post and day, or what `metrics.plausibility` refuses (a count
    above its ceiling, a day before the post's publication or after today in
    the institution's time zone). Raises
    PermissionDenied when `user` may not change snapshots at all, or may see but
    not change one of the posts. Raises BulkConflict when a concurrent write got
    in the way.

    Written snapshots get source "api"; an updated snapshot loses its
    verification, an unchanged one is not written at all.
    """
    if not isinstance(rows, list):
        raise BulkInvalid([ItemError(None, None, "Send a JSON list of snapshots.")])
    if len(rows) > MAX_ROWS:
        raise BulkInvalid(
            [ItemError(None, None, f"Send at most {MAX_ROWS:,} snapshots per request; this body has {len(rows):,}.")]
        )
    if not may_write_at_all(user, PostMetrics):
        raise PermissionDenied(READ_ONLY_ROLE)

    errors: list[ItemError] = []
    parsed = [_parse(index, item, errors) for index, item in enumerate(rows)]
    _resolve_posts(parsed, user=user, errors=errors)
    _check_editable(parsed, user=user)
    snapshots = _snapshots(parsed, errors=errors)
    if errors:
        raise BulkInvalid(errors)

    try:
        with transaction.atomic():
            return _write(snapshots)
    except IntegrityError as error:
        raise BulkConflict(
            "Another request changed snapshots of these posts at the same time; nothing was saved. Send the body again."
        ) from error


@cache
def _item_fields() -> dict[str, serializers.Field]:
    return dict(BulkSnapshotSerializer().fields)


def _parse(index: int, item, errors: list[ItemError]) -> _Row:
    """Read one item with the serializer's fields; its problems go to `errors`."""
    row = _Row(index=index)
    if not isinstance(item, dict):
        row.valid = False
        errors.append(
            ItemError(index, None, f"Expected an object with a snapshot's fields, got {type(item).__name__}.")
        )
        return row

    def refuse(name: str | None, message: str) -> None:
        row.valid = False
        errors.append(ItemError(index, name, message))

    fields = _item_fields()
    values = {}
    for name, value in item.items():
        if name not in fields:
            refuse(name, "Unknown field.")
            continue
        try:
            values[name] = _validated(fields[name], value)
        except serializers.ValidationError as error:
            refuse(name, str(error.detail[0]))

    if "post" in item and ("account" in item or "external_id" in item):
        refuse("post", "Name the post either by `post` or by `account` and `external_id`, not both.")
    elif "post" not in item and "account" not in item and "external_id" not in item:
        refuse("post", "Name the post by `post`, or by `account` and `external_id`.")
    elif "post" not in item:
        for name in ("account", "external_id"):
            if name not in item:
                refuse(name, "This field is required to name the post by `account` and `external_id`.")
    if "captured_on" not in item:
        refuse("captured_on", "This field is required.")

    row.post_id = values.get("post")
    row.account_id = values.get("account")
    row.external_id = values.get("external_id")
    row.captured_on = values.get("captured_on")
    row.counts = {name: values.get(name) for name in METRIC_FIELDS}
    return row


def _validated(serializer_field: serializers.Field, value):
    # A whole plausible number in range (or null) is what nearly every count is: skip DRF's coercion for it,
    # a full body has 120,000 of them. Anything else gets the field's own coercion, validators and messages
    # (a count above the ceiling: the model field's `plausibility.validate_count`).
    if isinstance(serializer_field, serializers.IntegerField) and (
        (value is None and serializer_field.allow_null)
        or (
            type(value) is int
            and (serializer_field.min_value is None or value >= serializer_field.min_value)
            and (serializer_field.max_value is None or value <= serializer_field.max_value)
            and value <= plausibility.COUNT_CEILING
        )
    ):
        return value
    return serializer_field.run_validation(value)


def _resolve_posts(rows: list[_Row], *, user, errors: list[ItemError]) -> None:
    """Set `row.post` from the posts `user` can see: one query for ids, one for (account, external_id)."""
    # Only what the checks and the writes use: the key and the publication day.
    visible = Post.objects.visible_to(user).order_by().only("account", "external_id", "published_at")

    ids = {row.post_id for row in rows if row.post_id is not None}
    by_id = {post.pk: post for batch in in_batches(ids) for post in visible.filter(pk__in=batch)}

    keys = {(row.account_id, row.external_id) for row in rows if row.account_id is not None and row.external_id}
    by_key = posts_by_key(visible, keys)

    unresolved_accounts = {
        row.account_id
        for row in rows
        if row.account_id is not None and row.external_id and (row.account_id, row.external_id) not in by_key
    }
    visible_accounts = set()
    for batch in in_batches(unresolved_accounts):
        accounts = SocialAccount.objects.visible_to(user).filter(pk__in=batch)
        visible_accounts.update(accounts.values_list("pk", flat=True))

    for row in rows:
        if row.post_id is not None:
            row.post = by_id.get(row.post_id)
            if row.post is None:
                row.valid = False
                errors.append(ItemError(row.index, "post", DOES_NOT_EXIST.format(pk_value=row.post_id)))
        elif row.account_id is not None and row.external_id:
            row.post = by_key.get((row.account_id, row.external_id))
            if row.post is not None:
                continue
            row.valid = False
            if row.account_id not in visible_accounts:
                # Another institution's account is reported exactly like one that does not exist.
                errors.append(ItemError(row.index, "account", DOES_NOT_EXIST.format(pk_value=row.account_id)))
            else:
                message = f'No post with external id "{row.external_id}" on account {row.account_id}.'
                errors.append(ItemError(row.index, "external_id", message))


def _check_editable(rows: list[_Row], *, user) -> None:
    """PermissionDenied when an item names a post that `user` may see but not change."""
    ids = {row.post.pk for row in rows if row.post is not None}
    editable = set()
    for batch in in_batches(ids):
        editable.update(Post.objects.editable_by(user).filter(pk__in=batch).order_by().values_list("pk", flat=True))
    refused = [row.index for row in rows if row.post is not None and row.post.pk not in editable]
    if refused:
        items = f"item {refused[0]}" if len(refused) == 1 else "items " + ", ".join(map(str, refused[:20]))
        more = f" and {len(refused) - 20} more" if len(refused) > 20 else ""
        raise PermissionDenied(f"You may read but not change the post of {items}{more}; nothing was saved.")


def _snapshots(rows: list[_Row], *, errors: list[ItemError]) -> list[PostMetrics]:
    """The snapshots to write, after the checks that need the post: one per post and day, none before publication."""
    first_index: dict[tuple[int, date], int] = {}
    snapshots = []
    zones = {}  # account id -> its time zone, looked up once, and only for days near today

    def zone_of(post: Post):
        if post.account_id not in zones:
            zones[post.account_id] = post.account.time_zone()
        return zones[post.account_id]

    for row in rows:
        if row.post is None or row.captured_on is None:
            continue
        first = first_index.setdefault((row.post.pk, row.captured_on), row.index)
        if first != row.index:
            message = f"Item {first} already sends a snapshot of this post on this day; send one per post and day."
            errors.append(ItemError(row.index, "captured_on", message))
            continue
        snapshot = PostMetrics(post=row.post, captured_on=row.captured_on, source=Provenance.API, **row.counts)
        try:
            # The model's own rules (`metrics.plausibility`: not before the post's publication day, not after today).
            snapshot.check_plausible(zone=lambda post=row.post: zone_of(post))
        except ValidationError as error:
            errors.extend(
                ItemError(row.index, None if name == NON_FIELD_ERRORS else name, message)
                for name, messages in error.message_dict.items()
                for message in messages
            )
            continue
        if row.valid:
            snapshots.append(snapshot)
    return snapshots


def _write(snapshots: list[PostMetrics]) -> BulkResult:
    # Each item is the whole reading (a metric it leaves out is null), written as an API entry.
    result = POST_SNAPSHOTS.upsert(
        [snapshot.post_id for snapshot in snapshots],
        [snapshot.captured_on for snapshot in snapshots],
        [snapshot.counts for snapshot in snapshots],
        source=Provenance.API,
        partial=False,
        now=timezone.now(),
        rows_per_insert=WRITE_BATCH,
    )
    return BulkResult(created=result.created, updated=result.updated, unchanged=result.unchanged)
