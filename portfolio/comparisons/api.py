"""
The comparison endpoints under /api/v1/compare/: the same parameters (`SelectionSerializer`) and the same
computation (`rows`, `rollups`, `series`, `heatmap`, `content`) as the pages; only the representation differs.
Rates are fractions and null when not computable, as everywhere in the API.
"""

from django.core.paginator import EmptyPage, Paginator
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.serializers import SummarySerializer
from portfolio.comparisons import rollups, rows
from portfolio.comparisons.content import what_works
from portfolio.comparisons.heatmap import MIN_POSTS_PER_CELL, heatmap
from portfolio.comparisons.selection import (
    ContentSelectionSerializer,
    SelectionSerializer,
    SeriesSelectionSerializer,
    one_platform,
)
from portfolio.comparisons.series import series

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


# --- representations --------------------------------------------------------------------------------------------


class PlaceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["department", "institution"])
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="label")
    shared = serializers.BooleanField(help_text="Another institution's, seen through its shared aggregates.")


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateField()
    places = PlaceSerializer(many=True)


class TopPostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.CharField()
    external_id = serializers.CharField()
    published_at = serializers.DateTimeField()
    actions = serializers.IntegerField()
    rate_by_impressions = serializers.FloatField(allow_null=True)


class PercentilesSerializer(serializers.Serializer):
    followers = serializers.FloatField(allow_null=True)
    posts_per_week = serializers.FloatField(allow_null=True)
    actions = serializers.FloatField(allow_null=True)
    rate_by_impressions = serializers.FloatField(allow_null=True, help_text="Of the mean rate by impressions.")
    rate_by_reach = serializers.FloatField(allow_null=True)
    rate_by_followers = serializers.FloatField(allow_null=True)


class RowSerializer(SummarySerializer):
    account = serializers.IntegerField()
    handle = serializers.CharField()
    url = serializers.CharField()
    platform = serializers.CharField(help_text="Platform key.")
    kind = serializers.CharField()
    owner = serializers.CharField()
    followers = serializers.IntegerField(allow_null=True, help_text="Latest count on or before as_of.")
    followers_counted_on = serializers.DateField(allow_null=True)
    follower_growth = serializers.IntegerField(allow_null=True, help_text="In the period; null if not computable.")
    follower_growth_from = serializers.DateField(
        allow_null=True,
        help_text="The day of the count growth starts from: the last on or before the start, else the first after.",
    )
    follower_growth_to = serializers.DateField(allow_null=True, help_text="The day of the count growth ends with.")
    posts_per_week = serializers.FloatField()
    career_categories = serializers.DictField(child=serializers.IntegerField(), help_text="Posts per category.")
    content_types = serializers.DictField(child=serializers.IntegerField(), help_text="Posts per content type.")
    top_post = TopPostSerializer(allow_null=True)
    percentiles = PercentilesSerializer(
        allow_null=True,
        help_text="Within the set; null when withheld, and each null where fewer than 5 peers have a value.",
    )

    def get_fields(self):
        # In the table's order: the account's columns up to its follower growth, then the summary's with posts
        # per week after posts, then the rest. (DRF puts inherited fields first.)
        fields = super().get_fields()
        own = [name for name in fields if name not in SummarySerializer._declared_fields]
        split = own.index("posts_per_week")
        order = [*own[:split], *SummarySerializer._declared_fields, *own[split + 1 :]]
        order.insert(order.index("posts") + 1, "posts_per_week")
        return {name: fields[name] for name in order}


class RankedPlatformSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    chosen = serializers.BooleanField(
        help_text="False when no platform was asked for: the most common among the chosen places' accounts."
    )


class ComparisonSerializer(WindowSerializer):
    platform = RankedPlatformSerializer(
        allow_null=True,
        help_text="The platform ranked: rows and percentiles are of its accounts only (null: no account at all).",
    )
    accounts_in_set = serializers.IntegerField(help_text="Accounts the percentiles are computed among.")
    accounts_in_aggregates_only = serializers.IntegerField(help_text="Of those, accounts you may not read.")
    percentile_peers = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Per percentile column: the accounts of the set whose value is computable, the group a "
        "percentile ranks in (none below 5 is shown); null when percentiles are withheld.",
    )
    count = serializers.IntegerField(help_text="Rows you may read (after the search).")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = RowSerializer(many=True)


class RollupSerializer(serializers.Serializer):
    place = PlaceSerializer()
    accounts = serializers.IntegerField()
    shown = serializers.BooleanField(help_text="False when it would expose fewer than the minimum group.")
    followers = serializers.IntegerField(allow_null=True)
    median_followers = serializers.FloatField(allow_null=True)
    median_posts_per_week = serializers.FloatField(allow_null=True)
    median_rate_by_impressions = serializers.FloatField(allow_null=True)
    summary = SummarySerializer(allow_null=True)


class RollupsSerializer(WindowSerializer):
    results = RollupSerializer(many=True)


class WeekSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    posts = serializers.IntegerField()
    accounts = serializers.IntegerField()


class ParticipantSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    handle = serializers.CharField()
    platform = serializers.CharField()
    summary = SummarySerializer()


class SeriesSerializer(WindowSerializer):
    hashtag = serializers.CharField()
    participants = ParticipantSerializer(many=True)
    other_participants = serializers.IntegerField(help_text="Accounts taking part that you may not read.")
    weeks = WeekSerializer(many=True, allow_null=True)
    rollups = RollupSerializer(many=True)


class CellSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    hour = serializers.IntegerField(help_text="Local hour in the account's institution time zone.")
    posts = serializers.IntegerField(help_text="Posts whose rate by impressions is computable.")
    rate_by_impressions = serializers.FloatField(allow_null=True, help_text="Mean; null: not enough data.")


class HeatmapSerializer(WindowSerializer):
    min_posts_per_cell = serializers.IntegerField()
    posts = serializers.IntegerField()
    accounts = serializers.IntegerField()
    cells = CellSerializer(many=True)


class GroupRateSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    posts = serializers.IntegerField(help_text="n: posts whose rate is computable.")
    mean = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="95% t-interval; null for n < 2.")
    ci_high = serializers.FloatField(allow_null=True)
    pooled = serializers.FloatField(allow_null=True)


class WhatWorksSerializer(WindowSerializer):
    denominator = serializers.CharField()
    accounts = serializers.IntegerField()
    content_types = GroupRateSerializer(many=True)
    career_categories = GroupRateSerializer(many=True)


def _window(selection) -> dict:
    return {
        "start": selection.start,
        "end": selection.end,
        "as_of": selection.as_of,
        "places": [{"kind": p.kind, "pk": p.pk, "label": p.label, "shared": not p.is_home} for p in selection.places],
    }


def _row(row: rows.ComparisonRow, *, percentiles: bool) -> dict:
    return {
        "account": row.pk,
        "handle": row.handle,
        "url": row.url,
        "platform": row.platform_key,
        "kind": row.kind,
        "owner": row.owner,
        "followers": row.followers,
        "followers_counted_on": row.followers_on,
        "follower_growth": row.growth,
        "follower_growth_from": row.followers_at_start_on,
        "follower_growth_to": row.followers_at_end_on,
        "posts_per_week": row.posts_per_week,
        **SummarySerializer.from_summary(row.summary),
        "career_categories": row.categories,
        "content_types": row.content_types,
        "top_post": row.top_post,
        "percentiles": row.percentiles if percentiles else None,
    }


def _rollup(group: rollups.Rollup) -> dict:
    place = group.place
    return {
        "place": {"kind": place.kind, "pk": place.pk, "label": place.label, "shared": not place.is_home},
        "accounts": group.accounts,
        "shown": group.shown,
        "followers": group.followers,
        "median_followers": group.median_followers,
        "median_posts_per_week": group.median_posts_per_week,
        "median_rate_by_impressions": group.median_rate_by_impressions,
        "summary": SummarySerializer.from_summary(group.summary) if group.summary else None,
    }


# --- endpoints ------------------------------------------------------------------------------------------------


class ComparisonView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parameters_class = SelectionSerializer

    def selection(self, request):
        parameters = self.parameters_class(data=request.query_params, context={"user": request.user})
        parameters.is_valid(raise_exception=True)
        return parameters.selection


class PageParameters(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page number (default 1).")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


class CompareView(ComparisonView):
    @extend_schema(parameters=[SelectionSerializer, PageParameters], responses=ComparisonSerializer)
    def get(self, request):
        """One row per account of the chosen places that you may read, sorted and paginated; percentiles within
        the set of the chosen places in your institutions. Accounts of one platform at a time: `platform`, else
        the most common among the chosen places' accounts, named in the answer's `platform`."""
        selection = one_platform(self.selection(request))
        paging = PageParameters(data=request.query_params)
        paging.is_valid(raise_exception=True)
        table = rows.compare(rows.load(selection))
        paginator = Paginator(table.rows, paging.validated_data.get("page_size", DEFAULT_PAGE_SIZE))
        try:
            page = paginator.page(paging.validated_data.get("page", 1))
        except EmptyPage:
            raise NotFound("No such page.") from None
        ranked = selection.platform
        data = {
            **_window(selection),
            "platform": ranked and {"key": ranked.key, "name": ranked.name, "chosen": selection.chose_platform},
            "accounts_in_set": len(table.peers),
            "accounts_in_aggregates_only": table.hidden,
            "percentile_peers": table.percentile_peers if table.percentiles_shown else None,
            "count": paginator.count,
            "next": self._link(request, page.next_page_number()) if page.has_next() else None,
            "previous": self._link(request, page.previous_page_number()) if page.has_previous() else None,
            "results": [_row(row, percentiles=table.percentiles_shown) for row in page],
        }
        return Response(ComparisonSerializer(data).data)

    @staticmethod
    def _link(request, number: int) -> str:
        params = request.query_params.copy()
        params["page"] = number
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class RollupsView(ComparisonView):
    @extend_schema(parameters=[SelectionSerializer], responses=RollupsSerializer)
    def get(self, request):
        """Totals, medians and pooled rates per chosen department and institution (another institution's only
        when it shares aggregates, and any group only when it hides no account below the minimum group)."""
        selection = self.selection(request)
        groups = rollups.rollups(rows.load(selection))
        return Response(RollupsSerializer({**_window(selection), "results": [_rollup(g) for g in groups]}).data)


class SeriesView(ComparisonView):
    parameters_class = SeriesSelectionSerializer

    @extend_schema(parameters=[SeriesSelectionSerializer], responses=SeriesSerializer)
    def get(self, request):
        """A hashtag or series across the chosen places: posts per week, accounts taking part, their engagement."""
        selection = self.selection(request)
        result = series(rows.load(selection, hashtag=selection.hashtag))
        data = {
            **_window(selection),
            "hashtag": result.hashtag,
            "participants": [
                {
                    "account": r.pk,
                    "handle": r.handle,
                    "platform": r.platform_key,
                    "summary": SummarySerializer.from_summary(r.summary),
                }
                for r in result.participants
            ],
            "other_participants": result.other_participants,
            "weeks": result.weeks,
            "rollups": [_rollup(group) for group in result.rollups],
        }
        return Response(SeriesSerializer(data).data)


class HeatmapView(ComparisonView):
    @extend_schema(parameters=[SelectionSerializer], responses=HeatmapSerializer)
    def get(self, request):
        """Mean rate by impressions per weekday and hour (institution time zone), with n; null below the minimum."""
        selection = self.selection(request)
        grid = heatmap(rows.load(selection))
        cells = [
            {"weekday": c.weekday, "hour": c.hour, "posts": c.posts, "rate_by_impressions": c.rate} for c in grid.cells
        ]
        data = {
            **_window(selection),
            "min_posts_per_cell": MIN_POSTS_PER_CELL,
            "posts": grid.posts,
            "accounts": grid.accounts,
            "cells": cells,
        }
        return Response(HeatmapSerializer(data).data)


class ContentTypesView(ComparisonView):
    parameters_class = ContentSelectionSerializer

    @extend_schema(parameters=[ContentSelectionSerializer], responses=WhatWorksSerializer)
    def get(self, request):
        """Mean rate by content type and by career category, with n and a 95% t-interval on per-post rates."""
        selection = self.selection(request)
        result = what_works(rows.load(selection))

        def groups(grouping):
            return [
                {
                    "key": g.key,
                    "label": g.label,
                    "posts": g.posts,
                    "mean": g.mean,
                    "ci_low": g.ci.low if g.ci else None,
                    "ci_high": g.ci.high if g.ci else None,
                    "pooled": g.pooled,
                }
                for g in result.by[grouping][1]
            ]

        data = {
            **_window(selection),
            "denominator": result.denominator,
            "accounts": result.accounts,
            "content_types": groups("content_type"),
            "career_categories": groups("category"),
        }
        return Response(WhatWorksSerializer(data).data)


urlpatterns = [
    path("", CompareView.as_view(), name="api-compare"),
    path("rollups/", RollupsView.as_view(), name="api-compare-rollups"),
    path("series/", SeriesView.as_view(), name="api-compare-series"),
    path("heatmap/", HeatmapView.as_view(), name="api-compare-heatmap"),
    path("content-types/", ContentTypesView.as_view(), name="api-compare-content-types"),
]
