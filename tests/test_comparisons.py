"""
The comparison table: every figure equals the account engagement endpoint's, percentiles are right, the page
sorts, searches, paginates and exports, and its query count does not grow with the accounts.
"""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from portfolio.lib.spreadsheets import safe_cell
from tests.comparison_data import MARCH
from tests.comparison_data import PERIOD
from tests.comparison_data import add_post
from tests.comparison_data import department_account
from tests.comparison_data import peers
from tests.comparison_data import personal_account
from tests.factories import AccountMetricsFactory

pytestmark = pytest.mark.django_db

COMPARE = reverse("compare")
API = "/api/v1/compare/"


def api(user) -> APIClient:
    client = APIClient()
    # A fresh copy of the user: roles are cached on the user object, and each request should read them.
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def radiology(northfield_radiology, alice_instagram):
    """Northfield radiology: Alice's account with varied posts, two colleagues' accounts and a department account."""
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 1, 1), followers=7000)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 6, 1), followers=7100)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 2, 1), followers=9999)  # after as-of
    worked = {"likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42, "follows": 9}
    add_post(alice_instagram, snapshot={"impressions": 6154, **worked}, content_type="image", category="education")
    add_post(
        alice_instagram,
        published_at=MARCH + dt.timedelta(days=30),
        snapshot={"impressions": 2000, "reach": 1500, "likes": 50},
        content_type="video",
        category="research",
    )
    add_post(alice_instagram, published_at=MARCH + dt.timedelta(days=40))  # no snapshot: counts nowhere else
    add_post(alice_instagram, published_at=dt.datetime(2023, 6, 1, tzinfo=dt.UTC), snapshot={"likes": 5})  # before
    department = department_account(northfield_radiology, handle="nf_radiology")
    add_post(department, snapshot={"impressions": 0, "likes": 3}, content_type="link")  # rate not computable
    colleagues = [
        personal_account(northfield_radiology, handle="carol_rads", rates=(0.02, 0.04)),
        personal_account(northfield_radiology, handle="=evil_formula", rates=(0.05,), followers=(100,)),
    ]
    return [alice_instagram, department, *colleagues]


def params(department, **extra) -> dict:
    return {"department": department.pk, **PERIOD, **extra}


def every_platform(client, department, **extra) -> dict:
    """The rows of the radiology fixture's two platforms (Instagram, X): one platform is ranked at a time."""
    return {
        row["handle"]: row
        for key in ("instagram", "twitter")
        for row in client.get(API, params(department, platform=key, **extra)).json()["results"]
    }


# --- every figure equals the engagement endpoint ------------------------------------------------------------


def test_each_row_equals_the_account_engagement_endpoint_for_the_same_window(bob, radiology, northfield_radiology):
    client = api(bob)
    rows = every_platform(client, northfield_radiology)

    assert len(rows) == len(radiology) == 4
    for row in rows.values():
        summary = client.get(f"/api/v1/accounts/{row['account']}/engagement/", PERIOD).json()
        for figure in ("posts", "posts_with_metrics", "actions", "impressions", "reach"):
            assert row[figure] == summary[figure], (row["handle"], figure)
        for rate in ("rate_by_impressions", "rate_by_reach", "rate_by_followers"):
            assert row[rate] == summary[rate], (row["handle"], rate)


def test_the_page_shows_the_figures_the_api_reports(client, bob, radiology, northfield_radiology, alice_instagram):
    client.force_login(bob)
    rows = {row.pk: row for row in client.get(COMPARE, params(northfield_radiology)).context["page_rows"]}
    summary = api(bob).get(f"/api/v1/accounts/{alice_instagram.pk}/engagement/", PERIOD).json()

    alice = rows[alice_instagram.pk]
    assert (alice.posts, alice.actions, alice.impressions) == (3, 292 + 50, 8154)
    assert alice.summary.posts_with_metrics == summary["posts_with_metrics"] == 2
    assert (
        alice.rate_by_impressions == summary["rate_by_impressions"]["mean"] == pytest.approx((292 / 6154 + 0.025) / 2)
    )
    assert alice.pooled_rate_by_impressions == summary["rate_by_impressions"]["pooled"] == 342 / 8154


def test_followers_are_as_of_the_day_and_growth_is_over_the_period(bob, radiology, northfield_radiology):
    rows = every_platform(api(bob), northfield_radiology)

    assert rows["alice_rads"]["followers"] == 7100  # the count of 2025 comes after the as-of date
    assert rows["alice_rads"]["followers_counted_on"] == "2024-06-01"
    assert rows["alice_rads"]["follower_growth"] == 100
    assert (rows["alice_rads"]["follower_growth_from"], rows["alice_rads"]["follower_growth_to"]) == (
        "2024-01-01",
        "2024-06-01",
    )
    assert rows["=evil_formula"]["follower_growth"] is None  # one count, on the first day: nothing counted since
    assert rows["nf_radiology"]["followers"] is None


def test_posts_per_week_mix_and_top_post(bob, radiology, northfield_radiology):
    rows = every_platform(api(bob), northfield_radiology)
    alice = rows["alice_rads"]

    assert alice["posts_per_week"] == pytest.approx(3 / (366 / 7))  # 2024 has 366 days
    assert alice["career_categories"] == {"education": 2, "research": 1}
    assert alice["content_types"] == {"image": 2, "video": 1}
    assert alice["top_post"]["actions"] == 292
    assert alice["top_post"]["rate_by_impressions"] == pytest.approx(292 / 6154)
    assert rows["nf_radiology"]["rate_by_impressions"]["mean"] is None  # 0 impressions: not computable, not 0


def test_the_top_post_is_the_newest_of_those_with_most_actions(bob, northfield_radiology):
    account = personal_account(northfield_radiology, handle="ties")
    add_post(account, published_at=MARCH, snapshot={"likes": 40}, external_id="older")
    newer = add_post(account, published_at=MARCH + dt.timedelta(days=3), snapshot={"likes": 40}, external_id="newer")
    add_post(account, published_at=MARCH + dt.timedelta(days=5), snapshot={"likes": 39})
    add_post(account, published_at=MARCH + dt.timedelta(days=9))  # no snapshot: never the top post

    rows = {row["handle"]: row for row in api(bob).get(API, params(northfield_radiology)).json()["results"]}

    assert rows["ties"]["top_post"]["id"] == newer.pk
    assert rows["ties"]["top_post"]["actions"] == 40


def test_an_account_reporting_no_actions_has_its_newest_post_on_top(bob, northfield_radiology):
    # Every post ties at 0 actions (only impressions reported): the newest wins, without reading every post.
    account = personal_account(northfield_radiology, handle="views_only")
    posts = [
        add_post(account, published_at=MARCH + dt.timedelta(days=day), snapshot={"impressions": 100 + day})
        for day in range(6)
    ]

    rows = {row["handle"]: row for row in api(bob).get(API, params(northfield_radiology)).json()["results"]}

    assert rows["views_only"]["top_post"]["id"] == posts[-1].pk
    assert rows["views_only"]["top_post"]["actions"] == 0


# --- percentiles --------------------------------------------------------------------------------------------


def test_percentiles_within_the_set_follow_the_mid_rank_definition(bob, northfield_radiology):
    for handle, rate in (("one", 0.01), ("two_a", 0.02), ("two_b", 0.02), ("five", 0.05), ("six", 0.06)):
        personal_account(northfield_radiology, handle=handle, rates=(rate,))

    rows = api(bob).get(API, params(northfield_radiology)).json()["results"]

    ranks = {row["handle"]: row["percentiles"]["rate_by_impressions"] for row in rows}
    assert ranks == {"one": 10.0, "two_a": 40.0, "two_b": 40.0, "five": 70.0, "six": 90.0}


def test_an_account_without_a_computable_rate_has_no_percentile_and_is_left_out(bob, northfield_radiology):
    for handle, rate in (("low", 0.01), ("mid_a", 0.02), ("mid_b", 0.025), ("high", 0.03), ("top", 0.04)):
        personal_account(northfield_radiology, handle=handle, rates=(rate,))
    personal_account(northfield_radiology, handle="silent")

    rows = api(bob).get(API, params(northfield_radiology)).json()["results"]

    ranks = {row["handle"]: row["percentiles"]["rate_by_impressions"] for row in rows}
    assert ranks == {"low": 10.0, "mid_a": 30.0, "mid_b": 50.0, "high": 70.0, "top": 90.0, "silent": None}


# --- sort, search, filter, paginate ---------------------------------------------------------------------------


def test_rows_sort_by_a_column_with_not_computable_values_last(bob, radiology, northfield_radiology):
    personal_account(northfield_radiology, handle="silent")  # no posts: no rate
    client = api(bob)

    descending = client.get(API, params(northfield_radiology, sort="-rate_by_impressions")).json()["results"]
    ascending = client.get(API, params(northfield_radiology, sort="rate_by_impressions")).json()["results"]

    assert [row["handle"] for row in descending] == ["=evil_formula", "alice_rads", "carol_rads", "silent"]
    assert [row["handle"] for row in ascending] == ["carol_rads", "alice_rads", "=evil_formula", "silent"]


def test_platform_kind_and_search_narrow_the_rows(bob, radiology, northfield_radiology):
    client = api(bob)

    def handles(**extra):
        return {row["handle"] for row in client.get(API, params(northfield_radiology, **extra)).json()["results"]}

    assert handles(platform="twitter") == {"nf_radiology"}
    assert handles(kind="personal") == {"alice_rads", "carol_rads", "=evil_formula"}
    assert handles(q="CAROL") == {"carol_rads"}


def test_the_page_paginates_and_links_keep_the_selection(client, bob, northfield_radiology):
    peers(northfield_radiology, 27)
    client.force_login(bob)

    response = client.get(COMPARE, params(northfield_radiology, sort="handle", page=2))

    assert [row.handle for row in response.context["page_rows"]] == [
        "peer_8",
        "peer_9",
    ]  # by text: peer_0, peer_1, peer_10, ...
    html = response.content.decode()
    assert "Page 2 of 2" in html
    assert "sort=handle" in html and f"department={northfield_radiology.pk}" in html


def test_an_invalid_selection_is_explained_on_the_page(client, bob, northfield_radiology):
    client.force_login(bob)

    backwards = client.get(COMPARE, {"start": "2024-05-01", "end": "2024-04-01"})
    not_a_number = client.get(COMPARE, {"department": "abc"})

    assert backwards.status_code == not_a_number.status_code == 400
    assert '<a href="#id_end">End</a>: The end of the period is before its start.' in backwards.content.decode()
    assert '<a href="#id_department">Department</a>: A valid integer is required.' in not_a_number.content.decode()


# --- exports -----------------------------------------------------------------------------------------------


def test_csv_export_has_every_row_with_formulas_neutralised(client, bob, radiology, northfield_radiology):
    client.force_login(bob)

    response = client.get(reverse("compare-export", args=["csv"]), params(northfield_radiology, sort="handle"))

    assert response["Content-Disposition"] == (
        'attachment; filename="comparison-2024-01-01-2024-12-31-as-of-2024-12-31.csv"'
    )
    assert response.content.startswith("\ufeff".encode())  # a byte-order mark: Excel then reads UTF-8
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["handle"] for row in table] == ["'=evil_formula", "alice_rads", "carol_rads"]  # Instagram's
    alice = table[1]
    assert (alice["actions"], alice["impressions"], alice["mean_rate_by_reach"]) == (
        "342",
        "8154",
        "0.03333333333333333",
    )
    assert alice["pooled_rate_by_followers"] == str(342 / 14000)
    assert alice["follower_growth_from"] == "2024-01-01"
    on_x = client.get(reverse("compare-export", args=["csv"]), params(northfield_radiology, platform="twitter"))
    department = next(csv.DictReader(io.StringIO(on_x.content.decode("utf-8-sig"))))
    assert department["handle"] == "nf_radiology"
    assert department["mean_rate_by_impressions"] == ""  # not computable is blank, never 0


def test_xlsx_export_matches_the_csv(client, bob, radiology, northfield_radiology):
    client.force_login(bob)
    query = params(northfield_radiology, sort="handle")

    csv_rows = list(
        csv.reader(io.StringIO(client.get(reverse("compare-export", args=["csv"]), query).content.decode("utf-8-sig")))
    )
    workbook = load_workbook(io.BytesIO(client.get(reverse("compare-export", args=["xlsx"]), query).content))
    xlsx_rows = [["" if v is None else str(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]

    assert xlsx_rows[0] == csv_rows[0]
    assert [row[4] for row in xlsx_rows] == [row[4] for row in csv_rows]  # handles, the formula neutralised
    assert workbook.active["E2"].data_type == "s"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_safe_cell_neutralises_text_that_starts_a_formula(text):
    assert safe_cell(text) == f"'{text}"


def test_safe_cell_leaves_numbers_and_plain_text_alone():
    assert safe_cell(-5) == -5
    assert safe_cell("radiology") == "radiology"
    assert safe_cell(None) is None


# --- charts ----------------------------------------------------------------------------------------------


def test_the_page_draws_the_rate_distribution_and_followers_over_time(client, bob, radiology, northfield_radiology):
    client.force_login(bob)

    html = client.get(COMPARE, params(northfield_radiology)).content.decode()

    assert '<svg class="chart"' in html and 'id="rate-distribution-title"' in html
    assert 'id="followers-over-time-title"' in html
    assert "@alice_rads (Instagram): 7,000 on 2024-01-01 to 7,100 on 2024-06-01" in html
    assert "<script" not in html


# --- queries do not grow with the accounts -------------------------------------------------------------------


# Session, user, roles (2), choices (2), accounts, posts with metrics, top posts, followers over time.
PAGE_QUERIES = 10
# The table's pages also find the platform to rank (the most common among the chosen accounts).
RANKED_QUERIES = PAGE_QUERIES + 1
# The page's form lists the platforms.
PAGE_QUERIES_WITH_FORM = RANKED_QUERIES + 1
API_QUERIES = PAGE_QUERIES - 1  # no follower history


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        (COMPARE, PAGE_QUERIES_WITH_FORM),
        (reverse("compare-export", args=["csv"]), API_QUERIES + 1),
        (reverse("compare-heatmap"), PAGE_QUERIES),
        (reverse("compare-what-works"), PAGE_QUERIES),
        (reverse("compare-series"), PAGE_QUERIES),
    ],
)
def test_page_query_count_does_not_grow_with_accounts(
    client, bob, northfield_radiology, django_assert_num_queries, path, queries
):
    client.force_login(bob)
    peers(northfield_radiology, 3, prefix="first")
    with django_assert_num_queries(queries):
        assert client.get(path, {**PERIOD, "hashtag": "MSKMonday"}).status_code == 200

    peers(northfield_radiology, 5, prefix="more")
    with django_assert_num_queries(queries):
        assert client.get(path, {**PERIOD, "hashtag": "MSKMonday"}).status_code == 200


@pytest.mark.parametrize("endpoint", ["", "rollups/", "heatmap/", "content-types/", "series/"])
def test_api_query_count_does_not_grow_with_accounts(bob, northfield_radiology, django_assert_num_queries, endpoint):
    peers(northfield_radiology, 3, prefix="first")
    client = api(bob)
    # Authenticated by force: no session, no user query; the table finds the platform it ranks.
    queries = API_QUERIES - 2 + (endpoint == "")
    with django_assert_num_queries(queries):
        assert client.get(f"{API}{endpoint}", {**PERIOD, "hashtag": "MSKMonday"}).status_code == 200

    peers(northfield_radiology, 5, prefix="more")
    client = api(bob)
    with django_assert_num_queries(queries):
        assert client.get(f"{API}{endpoint}", {**PERIOD, "hashtag": "MSKMonday"}).status_code == 200


# --- like with like: one platform at a time ----------------------------------------------------------------------


def test_ranks_are_within_the_most_common_platform_unless_another_is_asked_for(client, bob, northfield_radiology):
    instagram = peers(northfield_radiology, 6, prefix="insta")
    for n in range(5):
        personal_account(northfield_radiology, handle=f"tube_{n}", key="youtube", rates=(0.5 + n / 100,))
    api_client = api(bob)

    answer = api_client.get(API, params(northfield_radiology)).json()
    assert answer["platform"] == {"key": "instagram", "name": "Instagram", "chosen": False}
    assert {row["handle"] for row in answer["results"]} == {account.handle for account in instagram}
    # The YouTube accounts' far higher rates rank nobody down: the lowest Instagram peer is still above 0.
    ranks = sorted(row["percentiles"]["rate_by_impressions"] for row in answer["results"])
    assert ranks == pytest.approx([100 * (n + 0.5) / 6 for n in range(6)])

    youtube = api_client.get(API, params(northfield_radiology, platform="youtube")).json()
    assert youtube["platform"] == {"key": "youtube", "name": "YouTube", "chosen": True}
    assert youtube["accounts_in_set"] == 5

    client.force_login(bob)
    html = " ".join(client.get(COMPARE, params(northfield_radiology)).content.decode().split())
    assert "Accounts on Instagram" in html
    assert "Instagram is the most common platform among the chosen accounts" in html


def test_growth_starts_from_the_first_count_within_the_period_when_none_came_before(client, bob, northfield_radiology):
    late = personal_account(northfield_radiology, handle="late_starter", followers=())
    AccountMetricsFactory(account=late, captured_on=dt.date(2024, 2, 1), followers=900)
    AccountMetricsFactory(account=late, captured_on=dt.date(2024, 7, 1), followers=1000)
    on_time = personal_account(northfield_radiology, handle="on_time", followers=(800, 1000))
    AccountMetricsFactory(account=on_time, captured_on=dt.date(2023, 12, 1), followers=700)

    rows = {row["handle"]: row for row in api(bob).get(API, params(northfield_radiology)).json()["results"]}

    assert (rows["late_starter"]["follower_growth"], rows["late_starter"]["follower_growth_from"]) == (
        100,
        "2024-02-01",
    )
    # A count on the first day or before it comes first: the nearest on the left.
    assert (rows["on_time"]["follower_growth"], rows["on_time"]["follower_growth_from"]) == (200, "2024-01-01")
    client.force_login(bob)
    html = client.get(COMPARE, params(northfield_radiology)).content.decode()
    assert "since 1 Feb 2024" in html


def test_the_default_period_gives_every_account_counted_in_it_a_growth(bob, northfield_radiology):
    # Counted monthly from some weeks after the default period (a year to today) started: never before it.
    account = personal_account(northfield_radiology, handle="monthly", followers=())
    today = timezone.localdate()
    for months in range(1, 6):
        AccountMetricsFactory(account=account, captured_on=today - dt.timedelta(days=30 * months), followers=months)

    row = api(bob).get(API, {"department": northfield_radiology.pk}).json()["results"][0]

    assert row["follower_growth"] == 1 - 5
