"""
Privacy of peers in comparisons: faculty see their own rows and only aggregates and percentiles of others;
reviewers and admins see their departments and institutions; nothing crosses institutions except aggregates
an institution's admins opted into sharing, and no aggregate covers fewer than five accounts one cannot see.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from tests.comparison_data import PERIOD
from tests.comparison_data import add_post
from tests.comparison_data import peers

pytestmark = pytest.mark.django_db

API = "/api/v1/compare/"


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def handles(answer) -> set[str]:
    return {row["handle"] for row in answer.json()["results"]}


@pytest.fixture
def alice_posts(alice_instagram):
    """Alice's account with one post at 3% of impressions."""
    add_post(alice_instagram, snapshot={"impressions": 1000, "likes": 30})
    return alice_instagram


# --- faculty -------------------------------------------------------------------------------------------------


def test_faculty_see_their_own_row_and_percentiles_among_five_or_more_peers(alice, alice_posts, northfield_radiology):
    peers(northfield_radiology, 5)

    answer = api(alice).get(API, PERIOD)

    assert answer.status_code == 200
    body = answer.json()
    assert handles(answer) == {"alice_rads"}
    assert (body["accounts_in_set"], body["accounts_in_aggregates_only"]) == (6, 5)
    # Alice at 3% among means of 1.5%, 3%, 4.5%, 6%, 7.5% and her own: (1 below + 2 equal / 2) / 6.
    assert body["results"][0]["percentiles"]["rate_by_impressions"] == pytest.approx(100 * (1 + 2 / 2) / 6)


def test_faculty_get_no_percentiles_when_fewer_than_five_peers_are_hidden(alice, alice_posts, northfield_radiology):
    peers(northfield_radiology, 4)

    body = api(alice).get(API, PERIOD).json()

    assert [row["handle"] for row in body["results"]] == ["alice_rads"]
    assert body["results"][0]["percentiles"] is None


def test_faculty_roll_up_of_a_small_department_is_withheld(alice, alice_posts, northfield_radiology):
    peers(northfield_radiology, 2)

    body = api(alice).get(f"{API}rollups/", PERIOD).json()

    (radiology,) = body["results"]
    assert (radiology["accounts"], radiology["shown"], radiology["summary"]) == (3, False, None)


def test_faculty_page_never_names_a_peer(client, alice, alice_posts, northfield_radiology):
    peers(northfield_radiology, 6)
    client.force_login(alice)

    for name in ("compare", "compare-heatmap", "compare-what-works"):
        html = client.get(reverse(name), PERIOD).content.decode()
        assert "peer_" not in html and "Owner of" not in html
    html = client.get(reverse("compare-export", args=["csv"]), PERIOD).content.decode()
    assert "alice_rads" in html and "peer_" not in html


def test_faculty_see_series_participants_only_as_a_count(alice, alice_posts, northfield_radiology):
    peers(northfield_radiology, 2)  # their posts carry #MSKMonday (the factory's caption)

    body = api(alice).get(f"{API}series/", {**PERIOD, "hashtag": "MSKMonday"}).json()

    assert [p["handle"] for p in body["participants"]] == ["alice_rads"]
    assert body["other_participants"] == 2
    assert body["weeks"] is None  # two hidden accounts: a timeline would tell their posting days


# --- reviewers and admins --------------------------------------------------------------------------------------


def test_reviewer_sees_rows_of_their_department_and_only_aggregates_of_another(
    bob, alice_posts, northfield_radiology, northfield_nucmed
):
    peers(northfield_radiology, 2, prefix="rad")
    peers(northfield_nucmed, 5, prefix="nuc")

    answer = api(bob).get(API, {**PERIOD, "department": [northfield_radiology.pk, northfield_nucmed.pk]})
    rollups = api(bob).get(f"{API}rollups/", {**PERIOD, "department": [northfield_nucmed.pk]}).json()

    assert handles(answer) == {"alice_rads", "rad_0", "rad_1"}
    assert answer.json()["accounts_in_aggregates_only"] == 5
    assert rollups["results"][0]["shown"] is True
    assert rollups["results"][0]["summary"]["posts"] == 10


def test_institution_admin_sees_every_row_of_the_institution(nora, alice_posts, northfield, northfield_nucmed):
    peers(northfield_nucmed, 2, prefix="nuc")

    answer = api(nora).get(API, {**PERIOD, "institution": northfield.pk})

    assert handles(answer) == {"alice_rads", "nuc_0", "nuc_1"}
    assert answer.json()["accounts_in_aggregates_only"] == 0


def test_a_reviewer_without_a_choice_compares_their_own_department(bob, alice_posts, northfield_nucmed):
    peers(northfield_nucmed, 2, prefix="nuc")

    body = api(bob).get(API, PERIOD).json()

    assert [place["name"] for place in body["places"]] == ["Radiology, Northfield University"]
    assert handles_of(body) == {"alice_rads"}


def handles_of(body) -> set[str]:
    return {row["handle"] for row in body["results"]}


# --- other institutions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("parameter", ["institution", "department"])
def test_another_institution_cannot_be_chosen_unless_it_shares(charlie, northfield_radiology, parameter):
    theirs = northfield_radiology.institution if parameter == "institution" else northfield_radiology

    answer = api(charlie).get(API, {**PERIOD, parameter: theirs.pk})
    unknown = api(charlie).get(API, {**PERIOD, parameter: 999999})

    assert answer.status_code == unknown.status_code == 400
    # The same words for a place that exists and one that does not: nothing is revealed.
    assert answer.json()[parameter] == [f"{theirs.pk} is not one of the {parameter}s you may compare."]
    assert unknown.json()[parameter] == [f"999999 is not one of the {parameter}s you may compare."]


def test_the_page_refuses_another_institutions_department_without_naming_it(client, charlie, northfield_radiology):
    client.force_login(charlie)

    response = client.get(reverse("compare"), {"department": northfield_radiology.pk})

    assert response.status_code == 400
    assert "Northfield" not in response.content.decode()


def test_shared_aggregates_appear_in_roll_ups_only_and_with_five_accounts(
    charlie, northfield, northfield_radiology, southbay_radiology
):
    northfield.shares_aggregates = True
    northfield.save()
    peers(northfield_radiology, 5, prefix="nf")
    peers(southbay_radiology, 2, prefix="sb")
    query = {**PERIOD, "department": [northfield_radiology.pk, southbay_radiology.pk]}

    rows = api(charlie).get(API, query).json()
    rollups = api(charlie).get(f"{API}rollups/", query).json()["results"]

    assert handles_of(rows) == {"sb_0", "sb_1"}  # Northfield's accounts are neither rows nor peers in percentiles
    assert rows["accounts_in_set"] == 2
    by_place = {group["place"]["name"]: group for group in rollups}
    shared = by_place["Radiology, Northfield University"]
    assert shared["place"]["shared"] is True and shared["shown"] is True
    assert shared["summary"]["posts"] == 10
    assert by_place["Radiology, Southbay Medical College"]["summary"]["posts"] == 4


def test_a_shared_department_with_fewer_than_five_accounts_is_withheld(charlie, northfield, northfield_radiology):
    northfield.shares_aggregates = True
    northfield.save()
    peers(northfield_radiology, 4, prefix="nf")

    (group,) = api(charlie).get(f"{API}rollups/", {**PERIOD, "department": northfield_radiology.pk}).json()["results"]

    assert (group["accounts"], group["shown"], group["followers"], group["summary"]) == (4, False, None, None)


def test_institution_admin_opts_into_sharing_through_the_api(nora, charlie, northfield):
    answer = api(nora).patch(f"/api/v1/institutions/{northfield.pk}/", {"shares_aggregates": True}, format="json")
    refused = api(charlie).patch(f"/api/v1/institutions/{northfield.pk}/", {"shares_aggregates": False}, format="json")

    assert answer.status_code == 200 and answer.json()["shares_aggregates"] is True
    assert refused.status_code == 404
    northfield.refresh_from_db()
    assert northfield.shares_aggregates is True


def test_reviewer_may_read_but_not_change_sharing(bob, northfield):
    answer = api(bob).patch(f"/api/v1/institutions/{northfield.pk}/", {"shares_aggregates": True}, format="json")

    assert answer.status_code == 403


def test_sharing_is_off_until_an_admin_turns_it_on(northfield):
    assert northfield.shares_aggregates is False


def test_institution_admin_sees_the_sharing_switch_in_django_admin(client, nora, northfield):
    client.force_login(nora)

    html = client.get(reverse("admin:accounts_institution_change", args=[northfield.pk])).content.decode()

    assert 'name="shares_aggregates"' in html


# --- superuser and anonymous -----------------------------------------------------------------------------------


def test_superuser_sees_every_institution_as_rows(root, alice_posts, southbay_radiology, northfield):
    peers(southbay_radiology, 1, prefix="sb")

    answer = api(root).get(API, PERIOD)

    assert handles(answer) == {"alice_rads", "sb_0"}


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses_them(client):
    assert client.get(reverse("compare")).status_code == 302
    assert api(None).get(API).status_code in (401, 403)
