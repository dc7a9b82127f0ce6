"""
Peer groups of at least five: a percentile is shown only when its group holds 5 accounts with a value, on the
dossier, in the comparisons and through the API; "all peers" are the faculty member's institutions and the
institutions that share aggregates, never any other.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import AccountMetrics
from portfolio.comparisons.selection import aggregate_is_shown
from portfolio.dossiers.content import dossier_data
from portfolio.lib.percentiles import MIN_PEERS
from portfolio.lib.percentiles import percentile_in_group
from portfolio.lib.percentiles import ranks_in_group
from tests.comparison_data import PERIOD
from tests.comparison_data import peers
from tests.factories import AccountMetricsFactory
from tests.factories import AppointmentFactory
from tests.factories import DepartmentFactory
from tests.factories import FacultyFactory
from tests.factories import InstitutionFactory
from tests.factories import SocialAccountFactory

pytest_plugins = ["tests.api_fixtures", "tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

COMPARE_API = "/api/v1/compare/"


def colleague(department, name: str, followers: int):
    """A faculty member of `department` with an Instagram account of `followers` followers at New Year 2026."""
    faculty = FacultyFactory(name=name)
    AppointmentFactory(faculty=faculty, department=department, primary=True)
    account = SocialAccountFactory(faculty=faculty)
    AccountMetricsFactory(account=account, captured_on=dt.date(2026, 1, 1), followers=followers)
    return account


def followers_row(data: dict) -> dict:
    return next(row for row in data["context"]["percentiles"] if row["metric"] == "followers")


# --- the rule ---------------------------------------------------------------------------------------------------


def test_a_group_of_four_has_no_percentile_and_a_group_of_five_has_one():
    assert MIN_PEERS == 5
    assert percentile_in_group(3, [1, 2, 3, 4]) is None
    assert percentile_in_group(3, [1, 2, 3, 4, 5]) == 50
    # Values that are not computable are not peers: four values and a None are still four.
    assert percentile_in_group(3, [1, 2, 3, 4, None]) is None
    assert ranks_in_group({"a": 1, "b": 2, "c": 3, "d": 4}) == {"a": None, "b": None, "c": None, "d": None}
    assert ranks_in_group({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}) == {"a": 10, "b": 30, "c": 50, "d": 70, "e": 90}


def test_aggregates_over_hidden_accounts_use_the_same_minimum():
    assert not aggregate_is_shown(hidden_accounts=MIN_PEERS - 1)
    assert aggregate_is_shown(hidden_accounts=MIN_PEERS)


# --- the dossier ------------------------------------------------------------------------------------------------


def test_dossier_percentile_among_four_says_fewer_than_five_peers(client, alice, dossier, northfield_radiology):
    # Alice has 7,100 followers on the as-of date; three colleagues make a department of four.
    for name, followers in (("Dana Diaz", 1000), ("Eve Ellis", 2000), ("Finn Ford", 9000)):
        colleague(northfield_radiology, name, followers)

    followers = followers_row(dossier_data(dossier))

    assert followers["department"] == {"percentile": None, "peers": 4}
    client.force_login(alice)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "fewer than 5 peers" in page
    assert "of 4 peers" not in page


def test_dossier_percentile_among_five_is_shown(client, alice, dossier, northfield_radiology):
    for name, followers in (("Dana Diaz", 1000), ("Eve Ellis", 2000), ("Finn Ford", 9000), ("Gus Green", 3000)):
        colleague(northfield_radiology, name, followers)

    followers = followers_row(dossier_data(dossier))

    # 1,000, 2,000, 3,000, 7,100 (Alice), 9,000: 100 x (3 + 1/2) / 5.
    assert followers["department"] == {"percentile": 70.0, "peers": 5}
    client.force_login(alice)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "of 5 peers" in page


def test_dossier_api_gives_null_among_four_and_a_number_among_five(alice, dossier, northfield_radiology, api_client):
    for name, followers in (("Dana Diaz", 1000), ("Eve Ellis", 2000), ("Finn Ford", 9000)):
        colleague(northfield_radiology, name, followers)
    first = api_client(alice).post(f"/api/v1/dossiers/{dossier.pk}/freeze/").json()
    colleague(northfield_radiology, "Gus Green", 3000)
    second = api_client(alice).post(f"/api/v1/dossiers/{dossier.pk}/freeze/").json()

    assert followers_row(first["data"])["department"] == {"percentile": None, "peers": 4}
    assert followers_row(second["data"])["department"] == {"percentile": 70.0, "peers": 5}


def test_all_peers_are_own_institutions_and_those_that_share(
    dossier, northfield_radiology, southbay, southbay_radiology
):
    eastgate = InstitutionFactory(name="Eastgate Medical School", slug="eastgate", shares_aggregates=False)
    eastgate_radiology = DepartmentFactory(institution=eastgate, name="Radiology", slug="radiology")
    for n in range(6):
        colleague(southbay_radiology, f"Southbay {n}", 100 + n)
        colleague(eastgate_radiology, f"Eastgate {n}", 50_000 + n)
    for n in range(4):
        colleague(northfield_radiology, f"Northfield {n}", 1000 + n)

    alone = followers_row(dossier_data(dossier))
    southbay.shares_aggregates = True
    southbay.save()
    shared = followers_row(dossier_data(dossier))

    # Neither Southbay (not yet sharing) nor Eastgate (never): Alice and her four colleagues.
    assert alone["all"] == {"percentile": 90.0, "peers": 5}
    # Southbay's six join once it shares; Eastgate's 50,000-follower accounts never do.
    assert shared["all"] == {"percentile": pytest.approx(100 * 10.5 / 11), "peers": 11}
    assert shared["department"] == shared["institution"] == alone["department"]


def test_dossier_data_query_count_does_not_grow_with_peers(dossier, northfield_radiology, southbay, southbay_radiology):
    southbay.shares_aggregates = True
    southbay.save()
    colleague(northfield_radiology, "Dana Diaz", 1000)
    dossier_data(dossier)  # warm caches (content types, platforms)
    with CaptureQueriesContext(connection) as few:
        dossier_data(dossier)
    for n in range(6):
        colleague(southbay_radiology, f"Southbay {n}", 100 + n)
        colleague(northfield_radiology, f"Northfield {n}", 1000 + n)
    with CaptureQueriesContext(connection) as many:
        data = dossier_data(dossier)
    assert followers_row(data)["all"]["peers"] == 14
    assert len(many) == len(few)


# --- the comparisons --------------------------------------------------------------------------------------------


def api_and_page(client, api_client, user, department) -> tuple[dict, str]:
    """The comparison of `department` as the API answers it and as the page shows it to `user`."""
    query = {"department": department.pk, **PERIOD}
    body = api_client(user).get(COMPARE_API, query).json()
    client.force_login(user)
    return body, client.get(reverse("compare"), query).content.decode()


def test_comparison_among_four_gives_null_and_says_fewer_than_five_peers(client, bob, northfield_radiology, api_client):
    peers(northfield_radiology, 4)

    body, page = api_and_page(client, api_client, bob, northfield_radiology)

    assert {row["handle"] for row in body["results"]} == {f"peer_{n}" for n in range(4)}
    assert all(value is None for row in body["results"] for value in row["percentiles"].values())
    assert body["percentile_peers"]["rate_by_impressions"] == 4
    assert "fewer than 5 peers" in page
    assert '<span class="td-note">P' not in page


def test_comparison_among_five_gives_percentiles(client, bob, northfield_radiology, api_client):
    peers(northfield_radiology, 5)

    body, page = api_and_page(client, api_client, bob, northfield_radiology)

    # Means of 1.5%, 3%, 4.5%, 6% and 7.5%: peer_0 lowest, peer_4 highest.
    ranks = {row["handle"]: row["percentiles"]["rate_by_impressions"] for row in body["results"]}
    assert ranks == {"peer_0": 10.0, "peer_1": 30.0, "peer_2": 50.0, "peer_3": 70.0, "peer_4": 90.0}
    assert body["percentile_peers"] == {
        "followers": 5,
        "posts_per_week": 5,
        "actions": 5,
        "rate_by_impressions": 5,
        "rate_by_reach": 5,
        "rate_by_followers": 5,
    }
    assert "fewer than 5 peers" not in page
    assert '<span class="td-note">P90</span>' in page


def test_comparison_column_with_four_values_has_no_percentile_while_others_do(bob, northfield_radiology, api_client):
    accounts = peers(northfield_radiology, 5)
    AccountMetrics.objects.filter(account=accounts[0]).delete()  # peer_0 reports no follower count

    body = api_client(bob).get(COMPARE_API, {"department": northfield_radiology.pk, **PERIOD}).json()

    assert body["percentile_peers"]["followers"] == 4
    assert all(row["percentiles"]["followers"] is None for row in body["results"])
    assert all(row["percentiles"]["actions"] is not None for row in body["results"])
