"""
Plausibility at the door (`metrics.plausibility`): the same rule through every entry point that writes a value.

Alice owns `alice_rads` on Instagram at Northfield (America/New_York); Nora administers Northfield. A refused
write is reported with the field (the item index in the bulk API, the row and column in an import) and changes
nothing. "Now" is 03:00 UTC on 10 March 2026: still 9 March in New York, already 10 March in London.
"""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.vocabulary import METRIC_FIELDS
from metrics import plausibility
from metrics.importers.template import HEADER
from metrics.imports import import_file
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.plausibility import COUNT_CEILING
from metrics.plausibility import COUNT_REASON
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
TODAY_IN_NEW_YORK = dt.date(2026, 3, 9)
TOMORROW_IN_NEW_YORK = dt.date(2026, 3, 10)  # already today in London
TOO_MANY = COUNT_CEILING + 1
LARGEST_64_BIT = 2**63 - 1


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def post(alice_instagram):
    return PostFactory(
        account=alice_instagram, external_id="p1", published_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def everything() -> list:
    """
    Every stored post, snapshot, follower count and audience row, and every history record of them: what
    "nothing changed" compares, so a refused write is also one that left no history.
    """
    models = (Post, PostMetrics, AccountMetrics, AudienceSnapshot)
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (*models, *(model.history.model for model in models))
    ]


# --- the rules themselves --------------------------------------------------------------------------


def test_the_ceiling_keeps_the_largest_sum_of_a_summary_inside_64_bits():
    assert COUNT_CEILING == 10**12
    assert plausibility.MOST_POSTS_IN_A_SUMMARY * 8 * COUNT_CEILING < 2**63 - 1
    assert plausibility.count_problem(COUNT_CEILING) == ""
    assert plausibility.count_problem(TOO_MANY) == f"1,000,000,000,001 is {COUNT_REASON}."


def test_today_is_the_institutions_day():
    new_york, london = zoneinfo.ZoneInfo("America/New_York"), zoneinfo.ZoneInfo("Europe/London")

    assert plausibility.day_after_today(TOMORROW_IN_NEW_YORK, new_york)
    assert not plausibility.day_after_today(TOMORROW_IN_NEW_YORK, london)
    assert not plausibility.day_after_today(TODAY_IN_NEW_YORK, new_york)


def test_the_zone_is_looked_up_only_for_the_days_on_which_the_world_disagrees():
    def never():
        raise AssertionError("looked up")

    assert not plausibility.day_after_today(dt.date(2026, 3, 8), never)
    assert plausibility.day_after_today(dt.date(2026, 3, 12), never)
    assert plausibility.future_publication_problem(NOW - dt.timedelta(hours=1), never) == ""


def test_a_post_published_later_today_is_not_in_the_future():
    new_york = zoneinfo.ZoneInfo("America/New_York")
    this_evening = dt.datetime(2026, 3, 9, 22, tzinfo=new_york)
    tomorrow = dt.datetime(2026, 3, 10, 1, tzinfo=new_york)

    assert plausibility.future_publication_problem(this_evening, new_york) == ""
    assert plausibility.future_publication_problem(tomorrow, new_york) == (
        "Published on 2026-03-10, after today (2026-03-09) in the institution's time zone."
    )


def test_a_snapshot_of_a_post_without_its_account_yet_is_judged_without_an_error():
    post = Post(published_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))  # its account refused by the form

    PostMetrics(post=post, captured_on=TOMORROW_IN_NEW_YORK).clean()  # judged in the site's zone (UTC): today
    with pytest.raises(ValidationError, match="before the post was published"):
        PostMetrics(post=post, captured_on=dt.date(2026, 2, 28)).clean()


# --- the API, one object at a time -----------------------------------------------------------------


@pytest.mark.parametrize("count", [TOO_MANY, LARGEST_64_BIT])
def test_api_refuses_a_count_above_the_ceiling_naming_the_field(alice, post, count):
    before = everything()

    response = api(alice).post(
        "/api/v1/post-metrics/", {"post": post.pk, "captured_on": "2026-03-05", "likes": count}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["likes"]
    assert COUNT_REASON in response.json()["likes"][0]
    assert everything() == before


def test_api_refuses_to_raise_a_stored_count_above_the_ceiling(alice, post):
    snapshot = PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 5), likes=184)
    before = everything()

    response = api(alice).patch(f"/api/v1/post-metrics/{snapshot.pk}/", {"impressions": TOO_MANY}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["impressions"]
    assert everything() == before


def test_api_accepts_the_ceiling_itself(alice, post):
    response = api(alice).post(
        "/api/v1/post-metrics/", {"post": post.pk, "captured_on": "2026-03-05", "views": COUNT_CEILING}, format="json"
    )

    assert response.status_code == 201
    assert PostMetrics.objects.get().views == COUNT_CEILING


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/account-metrics/", {"captured_on": "2026-03-05", "followers": TOO_MANY}, "followers"),
        ("/api/v1/account-metrics/", {"captured_on": "2026-03-10", "followers": 7100}, "captured_on"),
        (
            "/api/v1/audience/",
            {"captured_on": "2026-03-05", "dimension": "country", "bucket": "US", "count": TOO_MANY},
            "count",
        ),
        (
            "/api/v1/audience/",
            {"captured_on": "2026-03-10", "dimension": "country", "bucket": "US", "count": 10},
            "captured_on",
        ),
    ],
)
def test_api_refuses_implausible_account_numbers(alice, alice_instagram, url, body, field):
    before = everything()

    response = api(alice).post(url, {"account": alice_instagram.pk, **body}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert everything() == before


def test_api_refuses_a_snapshot_captured_tomorrow_in_the_institutions_zone(alice, post):
    before = everything()

    response = api(alice).post(
        "/api/v1/post-metrics/", {"post": post.pk, "captured_on": "2026-03-10", "likes": 3}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "captured_on": ["Captured on 2026-03-10, after today (2026-03-09) in the institution's time zone."]
    }
    assert everything() == before


def test_the_same_day_is_today_at_an_institution_in_london(charlie, southbay_x):
    response = api(charlie).post(
        "/api/v1/account-metrics/",
        {"account": southbay_x.pk, "captured_on": "2026-03-10", "followers": 5},
        format="json",
    )

    assert response.status_code == 201


def test_api_refuses_a_snapshot_before_the_posts_publication_day(alice, post):
    response = api(alice).post(
        "/api/v1/post-metrics/", {"post": post.pk, "captured_on": "2026-02-28", "likes": 3}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"captured_on": ["A snapshot cannot be dated before the post was published."]}


def test_api_refuses_a_post_published_after_today_and_a_caption_past_every_platforms_limit(alice, alice_instagram):
    before = everything()
    body = {"account": alice_instagram.pk, "external_id": "p9", "content_type": "image"}

    future = api(alice).post("/api/v1/posts/", {**body, "published_at": "2031-01-01T12:00:00Z"}, format="json")
    long = api(alice).post(
        "/api/v1/posts/",
        {**body, "published_at": "2026-03-01T12:00:00Z", "caption": "x" * 65_537},
        format="json",
    )

    assert (future.status_code, list(future.json())) == (400, ["published_at"])
    assert (long.status_code, list(long.json())) == (400, ["caption"])
    assert "65,537 characters; the limit is 65,536" in long.json()["caption"][0]
    assert everything() == before


def test_api_refuses_to_move_a_post_into_the_future(alice, post):
    before = everything()

    response = api(alice).patch(f"/api/v1/posts/{post.pk}/", {"published_at": "2032-01-01T12:00:00Z"}, format="json")

    assert (response.status_code, list(response.json())) == (400, ["published_at"])
    assert everything() == before


# --- the bulk API ----------------------------------------------------------------------------------


def test_bulk_refuses_implausible_items_by_index_and_field_and_writes_nothing(alice, post):
    before = everything()

    response = api(alice).post(
        "/api/v1/post-metrics/bulk/",
        [
            {"post": post.pk, "captured_on": "2026-03-05", "likes": 3},
            {"post": post.pk, "captured_on": "2026-03-06", "likes": TOO_MANY},
            {"post": post.pk, "captured_on": "2026-03-07", "reach": str(LARGEST_64_BIT)},
            {"post": post.pk, "captured_on": "2026-03-10", "likes": 3},
            {"post": post.pk, "captured_on": "2031-01-01", "likes": 3},
        ],
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["index"], error["field"]) for error in errors] == [
        (1, "likes"),
        (2, "reach"),
        (3, "captured_on"),
        (4, "captured_on"),
    ]
    assert COUNT_REASON in errors[0]["message"] and COUNT_REASON in errors[1]["message"]
    assert errors[2]["message"] == "Captured on 2026-03-10, after today (2026-03-09) in the institution's time zone."
    assert everything() == before


@pytest.fixture
def southbay_x(southbay):
    return SocialAccountFactory(
        platform=platform("twitter"), handle="southbay", institution=southbay, faculty=None, kind="institution"
    )


def test_bulk_looks_the_zone_up_once_per_account_and_only_near_today(charlie, southbay_x):
    first, second = (
        PostFactory(account=southbay_x, external_id=name, published_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
        for name in ("p1", "p2")
    )

    def queries(days: list[dt.date]) -> int:
        body = [{"post": post.pk, "captured_on": str(day), "likes": 1} for day in days for post in (first, second)]
        with CaptureQueriesContext(connection) as context:
            response = api(charlie).post("/api/v1/post-metrics/bulk/", body, format="json")
        assert response.status_code == 200, response.json()
        return len(context.captured_queries)

    long_past = queries([dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
    # 10 March: already today in London, not yet anywhere west of UTC-12; so the zone is looked up.
    near_today = queries([dt.date(2026, 3, 4), dt.date(2026, 3, 10)])

    # The account, then its institution: once for both items of 10 March.
    assert near_today == long_past + 2


# --- imports ---------------------------------------------------------------------------------------


def template(*rows: dict) -> ContentFile:
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join(str(row.get(column, "")) for column in HEADER))
    return ContentFile(("\n".join(lines) + "\n").encode(), name="snapshots.csv")


def row(external_id="p1", captured_on="2026-03-05", published_at="2026-03-01T12:00:00", **values) -> dict:
    return {
        "external_id": external_id,
        "published_at": published_at,
        "content_type": "image",
        "captured_on": captured_on,
        **values,
    }


def test_an_import_refuses_implausible_rows_by_row_and_column_and_writes_nothing(alice, alice_instagram):
    before = everything()

    batch = import_file(
        user=alice,
        upload=template(
            row("good", likes=3),
            row("huge", likes=TOO_MANY),
            row("tomorrow", captured_on="2026-03-10"),
            row("future", published_at="2031-01-01T12:00:00", captured_on="2031-01-02"),
            row("long", caption="x" * 65_537),
        ),
        account=alice_instagram,
        today=TODAY_IN_NEW_YORK,
    )

    assert batch.status == ImportBatch.Status.REFUSED
    found = {(error["row"], error["column"]) for error in batch.errors}
    assert found >= {(3, "likes"), (4, "captured_on"), (5, "published_at"), (5, "captured_on"), (6, "caption")}
    messages = {(error["row"], error["column"]): error["message"] for error in batch.errors}
    assert COUNT_REASON in messages[3, "likes"]
    assert messages[4, "captured_on"] == (
        "Captured on 2026-03-10, after today (2026-03-09) in the institution's time zone."
    )
    assert everything() == before


def test_an_import_of_follower_counts_refuses_a_day_after_today_in_the_institutions_zone(alice):
    account = SocialAccountFactory(platform=platform("tiktok"), handle="alice.rad", faculty=alice.faculty)
    history = '"Date","Followers","Difference in followers from previous day"\n"9 March","10210","12"\n'
    history += '"10 March","10240","30"\n'
    before = everything()

    # The site's today is 10 March (UTC); New York's is still the 9th.
    batch = import_file(
        user=alice, upload=ContentFile(history.encode(), name="FollowerHistory.csv"), account=account,
        today=dt.date(2026, 3, 10),
    )  # fmt: skip

    assert batch.status == ImportBatch.Status.REFUSED
    assert [(error["row"], error["column"]) for error in batch.errors] == [(3, "captured_on")]
    assert everything() == before


def test_an_import_accepts_the_ceiling_itself(alice, alice_instagram):
    batch = import_file(
        user=alice,
        upload=template(row("p1", views=str(COUNT_CEILING))),
        account=alice_instagram,
        today=TODAY_IN_NEW_YORK,
    )

    assert batch.status == ImportBatch.Status.IMPORTED
    assert PostMetrics.objects.get().views == COUNT_CEILING


# --- the admin -------------------------------------------------------------------------------------


def blank_counts() -> dict:
    return dict.fromkeys(METRIC_FIELDS, "")


def test_admin_refuses_a_count_above_the_ceiling_as_an_error_on_the_field(client, nora, post):
    client.force_login(nora)
    before = everything()

    response = client.post(
        reverse("admin:metrics_postmetrics_add"),
        {"post": post.pk, "captured_on": "2026-03-05", **blank_counts(), "likes": str(TOO_MANY)},
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["likes"]
    assert COUNT_REASON in form.errors["likes"][0]
    assert everything() == before


def test_admin_refuses_a_snapshot_before_publication_or_after_today(client, nora, post):
    client.force_login(nora)
    before = everything()

    for day in ("2026-02-28", "2026-03-10"):
        response = client.post(
            reverse("admin:metrics_postmetrics_add"),
            {"post": post.pk, "captured_on": day, **blank_counts(), "likes": "3"},
        )
        assert list(response.context["adminform"].form.errors) == ["captured_on"]
    assert everything() == before


def test_admin_refuses_implausible_follower_and_audience_counts(client, nora, alice_instagram):
    client.force_login(nora)
    before = everything()

    followers = client.post(
        reverse("admin:metrics_accountmetrics_add"),
        {"account": alice_instagram.pk, "captured_on": "2026-03-10", "followers": str(TOO_MANY)},
    )
    audience = client.post(
        reverse("admin:metrics_audiencesnapshot_add"),
        {
            "account": alice_instagram.pk,
            "captured_on": "2026-03-05",
            "dimension": "country",
            "bucket": "US",
            "count": str(LARGEST_64_BIT),
        },
    )

    assert set(followers.context["adminform"].form.errors) == {"captured_on", "followers"}
    assert list(audience.context["adminform"].form.errors) == ["count"]
    assert everything() == before


def test_admin_inline_refuses_a_count_above_the_ceiling(client, nora, post):
    PostMetricsFactory(post=post, captured_on=dt.date(2026, 3, 5), likes=184)
    client.force_login(nora)
    before = everything()
    url = reverse("admin:metrics_post_change", args=[post.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    inline = client.get(url).context["inline_admin_formsets"][0].formset
    data.update(
        {
            "account": post.account_id,
            "published_at_0": "2026-03-01",
            "published_at_1": "12:00:00",
            f"{inline.prefix}-TOTAL_FORMS": "1",
            f"{inline.prefix}-INITIAL_FORMS": "1",
            f"{inline.prefix}-0-id": str(post.snapshots.get().pk),
            f"{inline.prefix}-0-post": str(post.pk),
            f"{inline.prefix}-0-captured_on": "2026-03-05",
            **{f"{inline.prefix}-0-{name}": "" for name in METRIC_FIELDS},
            f"{inline.prefix}-0-likes": str(TOO_MANY),
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert list(errors[0]) == ["likes"]
    assert everything() == before


def test_admin_refuses_a_post_published_after_today(client, nora, post):
    client.force_login(nora)
    before = everything()
    url = reverse("admin:metrics_post_change", args=[post.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.update({"account": post.account_id, "published_at_0": "2031-01-01", "published_at_1": "12:00:00"})
    inline = client.get(url).context["inline_admin_formsets"][0].formset
    data.update({f"{inline.prefix}-TOTAL_FORMS": "0", f"{inline.prefix}-INITIAL_FORMS": "0"})

    response = client.post(url, data)

    assert "published_at" in response.context["adminform"].form.errors
    assert everything() == before


# --- the rules in words ----------------------------------------------------------------------------


def test_the_methods_page_states_the_rules_and_the_jump_with_their_numbers(client):
    html = client.get("/methods/").content.decode()

    assert "No count above 1,000,000,000,000 (10^12)" in html
    assert "after today, in the time zone of the institution" in html
    assert "At most 65,536 characters" in html
    assert "Far above the other posts of its account" in html
    assert "more than 3 interquartile ranges above the median" in html
    assert "at least 8 such posts" in html
    assert "More accounts reached than impressions" in html
