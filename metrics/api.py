"""
API endpoints for posts and their dated snapshots, and the account resource with what these numbers say of each
account: its followers, its engagement and its audience.
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts import api as accounts_api
from accounts.api_scoping import ScopedFilterSet, ScopedModelViewSet
from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics import serializers
from metrics.audience import audience_summary
from metrics.audience_serializers import AudienceQuerySerializer, AudienceSummarySerializer
from metrics.bulk import (
    BulkConflict,
    BulkConflictSerializer,
    BulkErrorsSerializer,
    BulkInvalid,
    BulkResultSerializer,
    BulkSnapshotSerializer,
    ItemError,
    upsert_post_metrics,
)
from metrics.db import walking_order, without_estimates
from metrics.history import history_of
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics, Provenance, with_followers_as_of
from portfolio.pagination import KeysetPagination, capped_count

VERIFY_REFUSED = "Only an admin of the institution these numbers belong to verifies them."
DELETE_REFUSED = "These numbers were verified by an admin: only an admin of their institution deletes them."


class HistoryMixin:
    """
    Writes through the API are recorded as `api` in the history, and `history/` answers an object's history,
    newest first (`metrics.history.history_of`), to whoever may read the object: another institution's is 404.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # On the request simple-history's middleware keeps, where `metrics.history.record_how` reads it.
        request._request.history_source = Provenance.API

    @extend_schema(responses=serializers.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Every create, change and delete of this object, newest first: when, by whom, how, old and new values."""
        obj = self.get_object()
        return Response(serializers.HistoryEntrySerializer(history_of(obj), many=True).data)


class SnapshotViewSet(HistoryMixin, ScopedModelViewSet):
    """Snapshots: their provenance in the list without a query per row; verification; verified values kept."""

    pagination_class = KeysetPagination

    def base_queryset(self):
        return super().base_queryset().with_provenance()

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """
        Record that you checked these numbers against the platform, as the admin's "Mark as verified" does: for
        an admin of the institution they belong to. Faculty and reviewers get 403; already verified: unchanged.
        """
        snapshot = self.get_object()
        if not snapshot.may_be_verified_by(request.user):
            raise PermissionDenied(VERIFY_REFUSED)
        snapshot.verify(request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=snapshot.pk)).data)

    def perform_destroy(self, instance):
        if not instance.may_be_deleted_by(self.request.user):
            raise PermissionDenied(DELETE_REFUSED)
        super().perform_destroy(instance)


# Accounts (`/api/v1/accounts/`) with what metrics knows of them: followers as of today, and each account's
# engagement and audience. Comments, not a docstring: drf-spectacular would print one into every operation.
class SocialAccountViewSet(accounts_api.SocialAccountViewSet):
    serializer_class = serializers.SocialAccountSerializer
    ordering_fields = [*accounts_api.SocialAccountViewSet.ordering_fields, "followers"]

    def base_queryset(self):
        return with_followers_as_of(super().base_queryset(), timezone.localdate())

    @extend_schema(
        parameters=[serializers.EngagementQuerySerializer], responses=serializers.EngagementSummarySerializer
    )
    @action(detail=True, methods=["get"])
    def engagement(self, request, pk=None):
        """The account's posts published in [start, end], with their metrics as of `as_of` (default today)."""
        account = self.get_object()
        query = serializers.EngagementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        window = query.validated_data
        posts = Post.objects.filter(account=account).published_between(window.get("start"), window.get("end"))
        summary = posts.engagement_summary(window["as_of"])
        return Response(serializers.EngagementSummarySerializer.for_account(summary, account=account, **window))

    @extend_schema(parameters=[AudienceQuerySerializer], responses=AudienceSummarySerializer)
    @action(detail=True, methods=["get"])
    def audience(self, request, pk=None):
        """
        The account's latest audience snapshot on or before `on` (default today) as shares, with its countries
        rolled up to UN M49 regions and World Bank income groups. No snapshot by then: 200 with `captured_on`
        null and empty lists.
        """
        account = self.get_object()
        query = AudienceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data["on"]
        summary = audience_summary(account=account, on=on)
        return Response(AudienceSummarySerializer({"account": account.pk, "on": on, **summary}).data)


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


class PostViewSet(HistoryMixin, ScopedModelViewSet):
    queryset = Post.objects.all()
    serializer_class = serializers.PostSerializer
    filterset_class = PostFilter
    ordering_fields = ["published_at", "id", "impressions", "likes"]
    ordering = ["-published_at", "-id"]

    pagination_class = KeysetPagination
    metric_orderings = frozenset({"impressions", "likes"})

    def base_queryset(self):
        if self.action == "list" and not self.sorts_by_metrics():
            # Filtered and counted as the posts alone; the page's rows get their metrics in `paginate_queryset`.
            return self.queryset.all()
        return self.queryset.with_engagement(timezone.localdate())

    def get_queryset(self):
        if self.action == "list":
            # The visible accounts' ids, read once: see `visible_through_accounts`.
            return self.base_queryset().visible_through_accounts(self.request.user)
        return super().get_queryset()

    def sorts_by_metrics(self) -> bool:
        terms = {term.strip().lstrip("-") for term in self.request.query_params.get("ordering", "").split(",")}
        return bool(self.metric_orderings & terms)

    def perform_destroy(self, instance):
        if not instance.may_be_deleted_by(self.request.user):
            raise PermissionDenied(DELETE_REFUSED)
        super().perform_destroy(instance)

    def paginate_queryset(self, queryset):
        if self.paginator is None or self.sorts_by_metrics():
            return super().paginate_queryset(queryset)
        today = timezone.localdate()
        # Counted first, the posts alone. With more posts visible than the count reads, and a large enough share
        # of the site's accounts, the page walks the list's order (`walking_order`: SQLite cannot weigh the ids,
        # and PostgreSQL need not spend 1-3 ms planning 3,334 of them); otherwise it reads the visible accounts'
        # posts and sorts them (a faculty member's few posts among 1,000,000).
        count = capped_count(without_estimates(queryset), self.paginator.count_cap)
        if not count[1] and self.queryset.walk_pays(self.request.user):
            queryset = walking_order(queryset)
        if connection.vendor == "postgresql":
            # The page is read with its metrics in one query: the walk of (published_at, id) stops at the page's
            # last row, so the metric subqueries run for the page's rows only.
            rows = queryset.with_engagement(today, page=True)
            return self.paginator.paginate_queryset(rows, self.request, view=self, known_count=count)
        # SQLite computes the metric subqueries for every visible post before it sorts them (an admin's page of
        # 33,400 posts: 50 ms), so it reads the page's posts first, then their metrics (one query more).
        page = self.paginator.paginate_queryset(queryset, self.request, view=self, known_count=count)
        posts = self.queryset.with_engagement(today, page=True).order_by().in_bulk([post.pk for post in page])
        return [posts[post.pk] for post in page]


class SnapshotFilter(ScopedFilterSet):
    captured_on = django_filters.DateFromToRangeFilter(label="Captured between (captured_on_after, captured_on_before)")


class PostMetricsFilter(SnapshotFilter):
    account = django_filters.ModelChoiceFilter(field_name="post__account", queryset=SocialAccount.objects.all())
    platform = django_filters.CharFilter(field_name="post__account__platform__key")

    class Meta:
        model = PostMetrics
        fields = ["post", "source"]


class PostMetricsViewSet(SnapshotViewSet):
    queryset = PostMetrics.objects.all()
    serializer_class = serializers.PostMetricsSerializer
    filterset_class = PostMetricsFilter
    ordering_fields = ["captured_on", "id", *METRIC_FIELDS]
    ordering = ["-captured_on", "-id"]

    @extend_schema(
        summary="Create or update many snapshots at once",
        request=BulkSnapshotSerializer(many=True),
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(BulkErrorsSerializer, description="Every problem of the body; nothing saved."),
            409: OpenApiResponse(BulkConflictSerializer, description="A concurrent write; nothing saved."),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser])
    def bulk(self, request):
        """
        Send a JSON list of up to 10,000 snapshots. Each item names its post by `post` (id), or by `account` (id)
        and `external_id`, and gives `captured_on` and the metrics (non-negative integers; null = not reported).

        - An item is one reading: the snapshot of that post and day becomes exactly what the item says. A metric
          left out is null (not reported), also when the stored snapshot had a number.
        - Snapshots are upserted on (post, captured_on) and the body is written all or nothing: any invalid item
          answers 400 with every error (`index`, `field`, `message`) and nothing is saved.
        - Sending the same body twice changes nothing: the second answer counts every item as `unchanged`.
        - Written snapshots get source `api`; an updated snapshot loses its verification.
        - A post of another institution is reported as not existing. Reviewers answer 403, and so does a post
          that you may read but not change.
        """
        try:
            result = upsert_post_metrics(user=request.user, rows=request.data)
        except ParseError as error:
            # Not JSON at all: refused in the same shape as a body with invalid items.
            refused = BulkInvalid([ItemError(None, None, str(error.detail))])
            return Response(refused.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        except BulkInvalid as error:
            return Response(error.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except BulkConflict as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(result.as_dict())


class AccountMetricsFilter(SnapshotFilter):
    platform = django_filters.CharFilter(field_name="account__platform__key")

    class Meta:
        model = AccountMetrics
        fields = ["account", "source"]


class AccountMetricsViewSet(SnapshotViewSet):
    queryset = AccountMetrics.objects.all()
    serializer_class = serializers.AccountMetricsSerializer
    filterset_class = AccountMetricsFilter
    ordering_fields = ["captured_on", "id", "followers"]
    ordering = ["-captured_on", "-id"]


class AudienceFilter(SnapshotFilter):
    class Meta:
        model = AudienceSnapshot
        fields = ["account", "dimension", "bucket", "source"]


class AudienceSnapshotViewSet(SnapshotViewSet):
    queryset = AudienceSnapshot.objects.all()
    serializer_class = serializers.AudienceSnapshotSerializer
    filterset_class = AudienceFilter
    ordering_fields = ["captured_on", "id", "count"]
    ordering = ["-captured_on", "dimension", "-count", "id"]
