"""
Roll-ups, series tracking, the best-time heatmap and what works, on small cases computed by hand.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import SocialAccount
from portfolio.comparisons import rows
from portfolio.comparisons.content import t_interval
from portfolio.comparisons.selection import SelectionSerializer
from tests.comparison_data import MARCH
from tests.comparison_data import PERIOD
from tests.comparison_data import add_post
from tests.comparison_data import department_account
from tests.comparison_data import peers
from tests.comparison_data import personal_account
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/compare/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


# --- roll-ups ----------------------------------------------------------------------------------------------


def test_roll_up_gives_totals_medians_and_pooled_rates(bob, northfield_radiology):
    personal_account(northfield_radiology, handle="a", followers=(100, 200), rates=(0.01, 0.03))  # mean 2%
    personal_account(northfield_radiology, handle="b", followers=(400,), rates=(0.05,))  # 5%
    personal_account(northfield_radiology, handle="c", followers=(), rates=())

    (group,) = api(bob).get(f"{API}rollups/", {**PERIOD, "department": northfield_radiology.pk}).json()["results"]

    assert (group["accounts"], group["followers"], group["median_followers"]) == (3, 600, 300.0)
    assert group["median_posts_per_week"] == pytest.approx(1 / (366 / 7))  # 2, 1 and 0 posts
    assert group["median_rate_by_impressions"] == pytest.approx(0.035)  # of 2% and 5%; c has none
    summary = group["summary"]
    assert (summary["posts"], summary["actions"], summary["impressions"]) == (3, 90, 3000)
    assert summary["rate_by_impressions"]["pooled"] == pytest.approx(0.03)
    assert summary["rate_by_reach"]["pooled"] == pytest.approx(90 / 2400)


def test_a_department_and_its_institution_roll_up_side_by_side(
    nora, northfield, northfield_radiology, northfield_nucmed
):
    peers(northfield_radiology, 2, prefix="rad")
    peers(northfield_nucmed, 1, prefix="nuc")

    results = (
        api(nora)
        .get(f"{API}rollups/", {**PERIOD, "department": northfield_radiology.pk, "institution": northfield.pk})
        .json()["results"]
    )

    assert [(g["place"]["kind"], g["accounts"], g["summary"]["posts"]) for g in results] == [
        ("department", 2, 4),
        ("institution", 3, 6),
    ]


def test_the_page_shows_roll_ups(client, bob, northfield_radiology):
    peers(northfield_radiology, 2)
    client.force_login(bob)

    html = client.get(reverse("compare"), PERIOD).content.decode()

    assert "Roll-ups per department and institution" in html
    assert "Radiology, Northfield University" in html


# --- series --------------------------------------------------------------------------------------------------


def test_series_counts_posts_per_week_and_accounts_taking_part(bob, northfield_radiology):
    first = personal_account(northfield_radiology, handle="first")
    second = personal_account(northfield_radiology, handle="second")
    for account, weeks in ((first, (0, 1)), (second, (1,))):
        for week in weeks:
            add_post(
                account,
                published_at=MARCH + dt.timedelta(weeks=week),
                caption="Case of the week #MSKMonday",
                snapshot={"impressions": 500, "reach": 400, "likes": 20},
            )
    add_post(first, caption="Not in the series #radiology", snapshot={"impressions": 100, "likes": 50})

    body = api(bob).get(f"{API}series/", {**PERIOD, "hashtag": "#mskmonday"}).json()

    weeks = {week["starts_on"]: (week["posts"], week["accounts"]) for week in body["weeks"] if week["posts"]}
    assert weeks == {"2024-03-04": (1, 1), "2024-03-11": (2, 2)}
    assert {p["handle"]: p["summary"]["posts"] for p in body["participants"]} == {"first": 2, "second": 1}
    (group,) = body["rollups"]
    assert (group["accounts"], group["summary"]["reach"], group["summary"]["rate_by_impressions"]["pooled"]) == (
        2,
        1200,
        pytest.approx(0.04),
    )


def test_series_page_asks_for_a_hashtag_first(client, bob):
    client.force_login(bob)

    response = client.get(reverse("compare-series"))

    assert response.status_code == 200
    assert 'id="id_hashtag"' in response.content.decode()


# --- best time to post -----------------------------------------------------------------------------------------


def test_heatmap_places_posts_in_their_institution_time_zone(bob, northfield_radiology):
    account = personal_account(northfield_radiology, handle="ny")  # Northfield: America/New_York
    for n in range(5):
        # 14:00 UTC on a Monday in March 2024 (before US daylight time on the 10th) is 09:00 in New York.
        add_post(
            account,
            published_at=dt.datetime(2024, 3, 4, 14, tzinfo=dt.UTC) - dt.timedelta(weeks=n),
            snapshot={"impressions": 1000, "likes": 10 * (n + 1)},
        )
    add_post(account, published_at=dt.datetime(2024, 3, 5, 14, tzinfo=dt.UTC), snapshot={"impressions": 100})

    cells = api(bob).get(f"{API}heatmap/", PERIOD).json()["cells"]

    by_cell = {(c["weekday"], c["hour"]): c for c in cells if c["posts"]}
    assert by_cell[(0, 9)]["rate_by_impressions"] == pytest.approx(0.03)  # mean of 1% to 5%
    assert by_cell[(0, 9)]["posts"] == 5
    assert by_cell[(1, 9)] == {"weekday": 1, "hour": 9, "posts": 1, "rate_by_impressions": None}  # not enough data


def test_heatmap_page_says_not_enough_data(client, bob, northfield_radiology):
    personal_account(northfield_radiology, handle="few", rates=(0.02,))
    client.force_login(bob)

    html = client.get(reverse("compare-heatmap"), PERIOD).content.decode()

    assert "not enough data" in html
    assert "Monday" in html


@pytest.mark.parametrize("kind", ["personal", "department", "institution"])
def test_row_time_zone_is_the_accounts_time_zone(bob, northfield, northfield_radiology, southbay_radiology, kind):
    if kind == "personal":
        faculty = FacultyFactory()
        AppointmentFactory(faculty=faculty, department=southbay_radiology)
        AppointmentFactory(faculty=faculty, department=northfield_radiology, primary=True)
        account = SocialAccountFactory(faculty=faculty)
    elif kind == "department":
        account = department_account(northfield_radiology, handle="dept")
    else:
        account = SocialAccountFactory(kind=SocialAccount.Kind.INSTITUTION, faculty=None, institution=northfield)
    parameters = SelectionSerializer(data={"institution": [northfield.pk]}, context={"user": bob})
    assert parameters.is_valid(), parameters.errors

    (row,) = rows.load(parameters.selection).accounts

    assert row.time_zone == str(account.time_zone()) == "America/New_York"


# --- what works ------------------------------------------------------------------------------------------------


def test_t_interval_on_three_rates_computed_by_hand():
    interval = t_interval([0.02, 0.04, 0.06])

    # mean 0.04, s = 0.02, t(0.975, 2) = 4.302653: half width 4.302653 x 0.02 / sqrt(3) = 0.0496828
    assert interval.low == pytest.approx(0.04 - 0.0496828, abs=1e-7)
    assert interval.high == pytest.approx(0.04 + 0.0496828, abs=1e-7)


def test_t_interval_needs_two_rates():
    assert t_interval([0.05]) is None
    assert t_interval([]) is None


def test_what_works_gives_mean_n_and_interval_per_content_type_and_category(bob, northfield_radiology):
    account = personal_account(northfield_radiology, handle="teacher")
    for likes, content_type, category in (
        (20, "image", "education"),
        (40, "image", "education"),
        (60, "image", "research"),
        (10, "link", "research"),
    ):
        add_post(
            account,
            snapshot={"impressions": 1000, "likes": likes},
            content_type=content_type,
            category=category,
        )

    body = api(bob).get(f"{API}content-types/", PERIOD).json()

    image, link = body["content_types"]
    assert (image["key"], image["posts"], image["mean"]) == ("image", 3, pytest.approx(0.04))
    assert (image["ci_low"], image["ci_high"]) == (pytest.approx(-0.0096828, abs=1e-6), pytest.approx(0.0896828))
    assert (link["key"], link["posts"], link["ci_low"], link["ci_high"]) == ("link", 1, None, None)
    categories = {group["key"]: (group["posts"], group["mean"]) for group in body["career_categories"]}
    assert categories == {"education": (2, pytest.approx(0.03)), "research": (2, pytest.approx(0.035))}


def test_what_works_by_reach_uses_that_denominator(bob, northfield_radiology):
    personal_account(northfield_radiology, handle="r", rates=(0.02, 0.04))  # reach 800 each

    body = api(bob).get(f"{API}content-types/", {**PERIOD, "denominator": "reach"}).json()

    (image,) = body["content_types"]
    assert body["denominator"] == "reach"
    assert image["mean"] == pytest.approx((20 / 800 + 40 / 800) / 2)


def test_what_works_page_names_the_interval(client, bob, northfield_radiology):
    personal_account(northfield_radiology, handle="r", rates=(0.02, 0.04))
    client.force_login(bob)

    html = client.get(reverse("compare-what-works"), PERIOD).content.decode()

    assert "95% confidence interval" in html and "t-interval" in html
