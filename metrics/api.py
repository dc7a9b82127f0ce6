"""API endpoints for posts and their dated snapshots."""

import django_filters
from django.utils import timezone

from accounts.api_scoping import IdFilter, ScopedFilterSet, ScopedModelViewSet
from metrics import serializers
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics
from metrics.vocabulary import METRIC_FIELDS


class PostFilter(ScopedFilterSet):
    platform = django_filters.CharFilter(field_name="account__platform__key", label="Platform key, e.g. instagram")
    kind = django_filters.CharFilter(field_name="account__kind", label="Account kind")
    hashtag = django_filters.CharFilter(method="filter_hashtag", label="Hashtag, with or without #")
    published_at = django_filters.IsoDateTimeFromToRangeFilter(
        label="Published between (published_at_after, published_at_before)"
    )

    class Meta:
        model = Post
        fields = ["account", "category", "content_type", "external_id"]

    def filter_hashtag(self, queryset, name, value):
        return queryset.with_hashtag(value)


class PostViewSet(ScopedModelViewSet):
    queryset = Post.objects.all()
    serializer_class = serializers.PostSerializer
    filterset_class = PostFilter
    ordering_fields = ["published_at", "id", "impressions", "likes"]
    ordering = ["-published_at", "-id"]

    def base_queryset(self):
        return self.queryset.with_engagement(timezone.localdate())


class SnapshotFilter(ScopedFilterSet):
    captured_on = django_filters.DateFromToRangeFilter(label="Captured between (captured_on_after, captured_on_before)")


class PostMetricsFilter(SnapshotFilter):
    account = IdFilter(field_name="post__account")
    platform = django_filters.CharFilter(field_name="post__account__platform__key")

    class Meta:
        model = PostMetrics
        fields = ["post", "source"]


class PostMetricsViewSet(ScopedModelViewSet):
    queryset = PostMetrics.objects.all()
    serializer_class = serializers.PostMetricsSerializer
    filterset_class = PostMetricsFilter
    ordering_fields = ["captured_on", "id", *METRIC_FIELDS]
    ordering = ["-captured_on", "-id"]


class AccountMetricsFilter(SnapshotFilter):
    platform = django_filters.CharFilter(field_name="account__platform__key")

    class Meta:
        model = AccountMetrics
        fields = ["account", "source"]


class AccountMetricsViewSet(ScopedModelViewSet):
    queryset = AccountMetrics.objects.all()
    serializer_class = serializers.AccountMetricsSerializer
    filterset_class = AccountMetricsFilter
    ordering_fields = ["captured_on", "id", "followers"]
    ordering = ["-captured_on", "-id"]


class AudienceFilter(SnapshotFilter):
    class Meta:
        model = AudienceSnapshot
        fields = ["account", "dimension", "bucket", "source"]


class AudienceSnapshotViewSet(ScopedModelViewSet):
    queryset = AudienceSnapshot.objects.all()
    serializer_class = serializers.AudienceSnapshotSerializer
    filterset_class = AudienceFilter
    ordering_fields = ["captured_on", "id", "count"]
    ordering = ["-captured_on", "dimension", "-count", "id"]
