"""API representations of posts, snapshots and engagement summaries."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import serializers as accounts_serializers
from accounts.api_scoping import ScopedModelSerializer
from accounts.vocabulary import METRIC_FIELDS
from metrics.engagement import EngagementSummary, RateSummary
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics

# The post's latest snapshot (as of today), one field per metric; a count that was not reported is null.
LatestMetricsSerializer = type(
    "LatestMetricsSerializer",
    (serializers.Serializer,),
    {
        "captured_on": serializers.DateField(),
        **{field: serializers.IntegerField(allow_null=True) for field in METRIC_FIELDS},
    },
)


# An account as the API shows it: with its latest follower count (`with_followers_as_of`). A comment, not a
# docstring: drf-spectacular would print a docstring into the schema's description of accounts.
class SocialAccountSerializer(accounts_serializers.SocialAccountSerializer):
    followers = serializers.SerializerMethodField(help_text="Latest reported follower count.")
    followers_on = serializers.SerializerMethodField(help_text="The day that follower count was captured.")

    class Meta(accounts_serializers.SocialAccountSerializer.Meta):
        fields = [*accounts_serializers.SocialAccountSerializer.Meta.fields, "followers", "followers_on"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_followers(self, account) -> int | None:
        return getattr(account, "followers", None)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_followers_on(self, account):
        return getattr(account, "followers_on", None)


class PostEngagementSerializer(serializers.Serializer):
    actions = serializers.IntegerField(allow_null=True, help_text="Null when the post has no snapshot yet.")
    rate_by_impressions = serializers.FloatField(allow_null=True, help_text="A fraction; null when not computable.")
    rate_by_reach = serializers.FloatField(allow_null=True)
    rate_by_followers = serializers.FloatField(
        allow_null=True, help_text="Followers of the account on the publication day."
    )


class PostSerializer(ScopedModelSerializer):
    hashtags = serializers.ListField(child=serializers.CharField(), source="hashtag_list", read_only=True)
    metrics = serializers.SerializerMethodField()
    engagement = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "account",
            "external_id",
            "url",
            "published_at",
            "content_type",
            "caption",
            "hashtags",
            "category",
            "highlight_note",
            "metrics",
            "engagement",
        ]

    @extend_schema_field(LatestMetricsSerializer(allow_null=True))
    def get_metrics(self, post) -> dict | None:
        if getattr(post, "snapshot_id", None) is None:
            return None
        return {"captured_on": post.snapshot_captured_on, **{field: getattr(post, field) for field in METRIC_FIELDS}}

    @extend_schema_field(PostEngagementSerializer)
    def get_engagement(self, post) -> dict:
        return post.engagement.as_dict()


class ProvenanceSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="manual, import, api or sync.")
    label = serializers.CharField(help_text="Where the numbers came from, in words.")
    file_name = serializers.CharField(help_text="The imported file's name; empty unless imported.")
    sha256 = serializers.CharField(help_text="The imported file's SHA-256; empty unless imported.")
    verified = serializers.BooleanField()


class SnapshotSerializer(ScopedModelSerializer):
    """Provenance is recorded, not sent: API writes are `api` entries, unverified until an admin checks them."""

    source = serializers.CharField(read_only=True)
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    provenance = ProvenanceSerializer(read_only=True)

    def create(self, validated_data):
        return super().create({**validated_data, "source": "api"})

    def update(self, instance, validated_data):
        changed = any(getattr(instance, name) != value for name, value in validated_data.items())
        if changed:
            # New numbers are the API's; the snapshot's save() takes a verification off a changed reading.
            validated_data.update(source="api", import_batch=None, source_row=None)
        return super().update(instance, validated_data)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.IntegerField(allow_null=True, help_text="The user who made the change; null when not known.")
    source = serializers.CharField(allow_null=True, help_text="manual, import, api or sync; null when not known.")
    changes = serializers.DictField(
        child=serializers.ListField(min_length=2, max_length=2),
        help_text="{field: [old, new]}; a creation: [null, new].",
    )


class PostMetricsSerializer(SnapshotSerializer):
    class Meta:
        model = PostMetrics
        fields = ["id", "post", "captured_on", *METRIC_FIELDS, "source", "verified", "provenance"]


class AccountMetricsSerializer(SnapshotSerializer):
    class Meta:
        model = AccountMetrics
        fields = [
            "id",
            "account",
            "captured_on",
            "followers",
            "following",
            "posts_count",
            "source",
            "verified",
            "provenance",
        ]


class AudienceSnapshotSerializer(SnapshotSerializer):
    class Meta:
        model = AudienceSnapshot
        fields = ["id", "account", "captured_on", "dimension", "bucket", "count", "source", "verified", "provenance"]


class EngagementQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First publication day (inclusive).")
    end = serializers.DateField(required=False, help_text="Last publication day (inclusive).")
    as_of = serializers.DateField(
        required=False, help_text="Metrics as of this day: each post's latest snapshot on or before it. Default today."
    )

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "The end of the window is before its start."})
        attrs.setdefault("as_of", timezone.localdate())
        return attrs


class RateSummarySerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True, help_text="Mean of the per-post rates that are computable.")
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    pooled = serializers.FloatField(allow_null=True, help_text="Sum of actions / sum of denominators.")
    posts = serializers.IntegerField(help_text="Posts whose rate is computable.")

    @staticmethod
    def from_rate(rate: RateSummary) -> dict:
        return {**rate.as_dict(), "posts": rate.posts}


# The one declaration of an engagement summary over many posts (`metrics.engagement.EngagementSummary`): counts,
# and per denominator the mean and pooled rates with their n. The account engagement endpoint, the comparison
# rows, roll-ups and series all answer in it. (Comments, not a docstring: drf-spectacular would print one into
# the schema.)
class SummarySerializer(serializers.Serializer):
    posts = serializers.IntegerField(help_text="Posts published in the window.")
    posts_with_metrics = serializers.IntegerField(help_text="Of those, posts with a snapshot on or before as_of.")
    actions = serializers.IntegerField()
    impressions = serializers.IntegerField(allow_null=True, help_text="Sum over the posts that report them.")
    reach = serializers.IntegerField(allow_null=True)
    rate_by_impressions = RateSummarySerializer()
    rate_by_reach = RateSummarySerializer()
    rate_by_followers = RateSummarySerializer()

    @staticmethod
    def from_summary(summary: EngagementSummary) -> dict:
        return {
            "posts": summary.posts,
            "posts_with_metrics": summary.posts_with_metrics,
            "actions": summary.actions,
            "impressions": summary.impressions,
            "reach": summary.reach,
            **{f"rate_by_{rate.denominator}": RateSummarySerializer.from_rate(rate) for rate in summary.rates},
        }


class EngagementWindowSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    as_of = serializers.DateField()


# The account engagement endpoint's answer: the account and window asked for, then the summary of its posts
# (the bases in that order put the fields in that order).
class EngagementSummarySerializer(EngagementWindowSerializer, SummarySerializer):
    @staticmethod
    def for_account(summary: EngagementSummary, *, account, start=None, end=None, as_of=None) -> dict:
        return {
            "account": account.pk,
            "start": start,
            "end": end,
            "as_of": summary.as_of,
            **SummarySerializer.from_summary(summary),
        }
