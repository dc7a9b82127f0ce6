"""
The comparison pages: the table with its roll-ups and charts, its exports, series tracking, the best time to
post and what works. Every page reads its parameters through the one `SelectionSerializer` and computes with
the same functions as the API.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.models import Platform, SocialAccount
from portfolio.comparisons import exports, figures, rollups, rows
from portfolio.comparisons.content import what_works
from portfolio.comparisons.heatmap import HOURS, MIN_POSTS_PER_CELL, heatmap
from portfolio.comparisons.selection import (
    DENOMINATOR_CHOICES,
    ContentSelectionSerializer,
    SelectionSerializer,
    SeriesSelectionSerializer,
    one_platform,
)
from portfolio.comparisons.series import series
from portfolio.lib.percentiles import MIN_PEERS

ROWS_PER_PAGE = 25
# The table's sortable columns: (sort key, header, note under the header).
HEADERS = (
    ("handle", "Account", ""),
    ("platform", "Platform", ""),
    ("followers", "Followers", "as of the as-of day"),
    ("growth", "Growth", "in the period"),
    ("posts", "Posts", "in the period"),
    ("posts_per_week", "Posts per week", ""),
    ("actions", "Actions", ""),
    ("impressions", "Impressions", ""),
    ("rate_by_impressions", "Rate by impressions", "mean of per-post rates"),
    ("pooled_rate_by_impressions", "Rate by impressions", "pooled"),
    ("rate_by_reach", "Rate by reach", "mean of per-post rates"),
    ("pooled_rate_by_reach", "Rate by reach", "pooled"),
    ("rate_by_followers", "Rate by followers", "mean of per-post rates"),
    ("pooled_rate_by_followers", "Rate by followers", "pooled"),
)
# Text columns sort A to Z on a first click; number columns largest first.
TEXT_COLUMNS = {"handle", "platform"}
LINES_PER_CHART = 8  # followers over time: the first rows of the page, so the lines stay tellable apart


def _form_context(request, parameters) -> dict:
    """What every comparison page's form needs, and the selection when the parameters are valid."""
    context = {
        "form": parameters,
        "choices": parameters.choices,
        "platforms": list(Platform.objects.only("key", "name")),
        "kinds": SocialAccount.Kind.choices,
        "chosen": {
            "department": set(request.GET.getlist("department")),
            "institution": set(request.GET.getlist("institution")),
            "kind": set(request.GET.getlist("kind")),
        },
        "min_group_size": MIN_PEERS,
        "selection": None,
        # The selection without the table's page and sort: for links between the comparison pages.
        "query": _without(request.GET, "page", "sort", "hashtag", "denominator"),
    }
    if parameters.is_valid():
        context["selection"] = parameters.selection
    else:
        context["errors"] = [(field, message) for field, value in parameters.errors.items() for message in _flat(value)]
    return context


def _flat(errors) -> list[str]:
    """A field's messages, whether a list, or a dict by position (a list parameter's items)."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _flat(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _flat(value)]
    return [str(errors)]


def _without(params, *names) -> str:
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _page(request, template: str, serializer_class=SelectionSerializer, build=None):
    parameters = serializer_class(data=request.GET, context={"user": request.user})
    context = _form_context(request, parameters)
    if context["selection"] is None:
        return render(request, template, context, status=400)
    context.update(build(context["selection"]))
    return render(request, template, context)


@login_required
def comparison(request):
    """One row per account of the chosen places, with percentiles, roll-ups and two charts."""

    def build(selection):
        selection = one_platform(selection)
        loaded = rows.load(selection)
        table = rows.compare(loaded)
        page = Paginator(table.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        charted = list(page)[:LINES_PER_CHART]
        history = rows.follower_history(selection, charted)
        lines = [(f"@{row.handle} ({row.platform})", history[row.pk]) for row in charted]
        distributed = table.peers if table.percentiles_shown else [row for row in table.peers if row.visible]
        rate_chart, rate_bins = figures.rate_distribution(distributed)
        followers_chart, followers_legend = figures.followers_over_time(lines)
        return {
            "selection": selection,
            "table": table,
            "page": page,
            "page_rows": list(page),
            "rollups": rollups.rollups(loaded),
            "rate_chart": rate_chart,
            "rate_bins": rate_bins,
            "followers_chart": followers_chart,
            "followers_legend": followers_legend,
            "percentile_columns": rows.PERCENTILE_COLUMNS,
            "headers": sort_headers(selection.sort),
        }

    return _page(request, "comparisons/compare.html", build=build)


def sort_headers(sort: str) -> list[dict]:
    """Each sortable header with its aria-sort state and the sort a click on it asks for."""
    headers = []
    for key, label, note in HEADERS:
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else "none"
        if state == "none":
            next_sort = key if key in TEXT_COLUMNS else f"-{key}"
        else:
            next_sort = key if state == "descending" else f"-{key}"
        headers.append({"key": key, "label": label, "note": note, "aria_sort": state, "next": next_sort})
    return headers


@login_required
def export(request, fmt: str):
    """The table as CSV or XLSX: every readable row, in the page's order, formula-safe."""
    parameters = SelectionSerializer(data=request.GET, context={"user": request.user})
    if not parameters.is_valid():
        return HttpResponse(str(parameters.errors), status=400, content_type="text/plain; charset=utf-8")
    selection = one_platform(parameters.selection)
    table = rows.compare(rows.load(selection))
    name = f"comparison-{selection.start}-{selection.end}-as-of-{selection.as_of}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(table), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def series_page(request):
    """A hashtag or series across the chosen places: posts per week, accounts taking part, reach, engagement."""
    if "hashtag" not in request.GET:
        # The page's first visit: the form alone, without an error for the empty field.
        parameters = SelectionSerializer(data=request.GET, context={"user": request.user})
        context = _form_context(request, parameters)
        return render(request, "comparisons/series.html", context)

    def build(selection):
        result = series(rows.load(selection, hashtag=selection.hashtag))
        weeks = [(week.starts_on, week.posts) for week in result.weeks or []]
        return {
            "series": result,
            "weeks_chart": figures.posts_per_week(selection.hashtag, weeks),
        }

    return _page(request, "comparisons/series.html", SeriesSelectionSerializer, build)


@login_required
def heatmap_page(request):
    """The best time to post: weekday x hour in each account's institution time zone."""

    def build(selection):
        return {"heatmap": heatmap(rows.load(selection)), "min_posts": MIN_POSTS_PER_CELL, "hours": HOURS}

    return _page(request, "comparisons/heatmap.html", build=build)


@login_required
def what_works_page(request):
    """Mean engagement rate by content type and by career category, with n and a 95% confidence interval."""

    def build(selection):
        return {"what_works": what_works(rows.load(selection)), "denominators": DENOMINATOR_CHOICES}

    return _page(request, "comparisons/what_works.html", ContentSelectionSerializer, build)
