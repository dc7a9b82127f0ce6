"""GET /api/v1/accounts/{id}/audience/: the latest audience snapshot as shares, regions and income groups."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from metrics import geography
from metrics.audience import summarize
from metrics.models import AudienceSnapshot
from tests.factories import AudienceSnapshotFactory

COUNTRY = AudienceSnapshot.Dimension.COUNTRY
AGE = AudienceSnapshot.Dimension.AGE
GENDER = AudienceSnapshot.Dimension.GENDER
FEB_15 = dt.date(2020, 2, 15)

# The nuclear-medicine Instagram account of DESIGN.md: ages 13.2% / 56.6% / 21% / 9.2%, 51.5% women,
# top countries US, IN, BR, SA, GB (small round counts, so that the roll-ups can be checked by hand).
DESIGN_EXAMPLE = {
    AGE: {"18-24": 784, "25-34": 3360, "35-44": 1247, "45+": 545},
    GENDER: {"female": 3057, "male": 2879},
    COUNTRY: {"US": 50, "IN": 20, "BR": 15, "SA": 10, "GB": 5},
}


def audience_url(account, on=None) -> str:
    query = f"?on={on}" if on is not None else ""
    return f"/api/v1/accounts/{account.pk}/audience/{query}"


def record(account, captured_on, buckets_by_dimension) -> None:
    AudienceSnapshot.objects.bulk_create(
        AudienceSnapshot(account=account, captured_on=captured_on, dimension=dimension, bucket=bucket, count=count)
        for dimension, buckets in buckets_by_dimension.items()
        for bucket, count in buckets.items()
    )


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def by_bucket(entries) -> dict[str, tuple[int, float]]:
    return {entry["bucket"]: (entry["count"], entry["share"]) for entry in entries}


@pytest.fixture
def design_example(alice_instagram):
    record(alice_instagram, FEB_15, DESIGN_EXAMPLE)
    return alice_instagram


def test_the_summary_reads_like_the_design_example(alice, design_example):
    response = client_for(alice).get(audience_url(design_example, on="2020-02-15"))

    assert response.status_code == 200
    body = response.json()
    assert body["account"] == design_example.pk
    assert body["on"] == "2020-02-15"
    assert body["captured_on"] == "2020-02-15"
    ages = body["dimensions"]["age"]
    assert ages[0]["bucket"] == "25-34"
    assert ages[0]["count"] == 3360
    assert round(ages[0]["share"], 3) == 0.566
    assert [entry["bucket"] for entry in ages] == ["25-34", "35-44", "18-24", "45+"]  # by count, largest first
    assert [round(entry["share"], 3) for entry in ages] == [0.566, 0.210, 0.132, 0.092]
    assert round(by_bucket(body["dimensions"]["gender"])["female"][1], 3) == 0.515
    assert [entry["bucket"] for entry in body["dimensions"]["country"]] == ["US", "IN", "BR", "SA", "GB"]
    assert body["dimensions"]["city"] == []
    assert body["dimensions"]["language"] == []


def test_shares_sum_to_one_in_every_dimension_and_roll_up(alice, design_example):
    body = client_for(alice).get(audience_url(design_example, on="2020-03-01")).json()

    lists = [*body["dimensions"].values(), body["regions"], body["subregions"], body["income_groups"]]
    for entries in lists:
        if entries:
            assert sum(entry["share"] for entry in entries) == pytest.approx(1)


def test_countries_roll_up_to_m49_regions_and_sub_regions(alice, design_example):
    body = client_for(alice).get(audience_url(design_example, on="2020-02-15")).json()

    # US 50 + BR 15 = 65 in the Americas; IN 20 + SA 10 = 30 in Asia; GB 5 in Europe (of 100).
    assert by_bucket(body["regions"]) == {"Americas": (65, 0.65), "Asia": (30, 0.30), "Europe": (5, 0.05)}
    assert [entry["bucket"] for entry in body["regions"]] == ["Americas", "Asia", "Europe"]
    assert by_bucket(body["subregions"]) == {
        "Northern America": (50, 0.50),
        "Southern Asia": (20, 0.20),
        "Latin America and the Caribbean": (15, 0.15),
        "Western Asia": (10, 0.10),
        "Northern Europe": (5, 0.05),
    }


def test_countries_roll_up_to_world_bank_income_groups(alice, design_example):
    body = client_for(alice).get(audience_url(design_example, on="2020-02-15")).json()

    # US, SA and GB are high income (65); India lower middle (20); Brazil upper middle (15).
    assert by_bucket(body["income_groups"]) == {
        "High income": (65, 0.65),
        "Lower middle income": (20, 0.20),
        "Upper middle income": (15, 0.15),
    }
    assert body["low_and_middle_income_share"] == pytest.approx(0.35)
    assert body["income_classification"] == geography.INCOME_CLASSIFICATION


def test_unknown_and_unclassified_countries_are_kept_so_shares_still_sum_to_one(alice, alice_instagram):
    record(alice_instagram, FEB_15, {COUNTRY: {"us": 40, "US": 10, "VE": 20, "AQ": 5, "": 15, "ZZ": 10}})

    body = client_for(alice).get(audience_url(alice_instagram, on="2020-02-15")).json()

    # Lower case merges with upper case; blank counts as Unknown; an unknown code is listed as given.
    assert by_bucket(body["dimensions"]["country"]) == {
        "US": (50, 0.50),
        "VE": (20, 0.20),
        "Unknown": (15, 0.15),
        "ZZ": (10, 0.10),
        "AQ": (5, 0.05),
    }
    assert by_bucket(body["regions"]) == {"Americas": (70, 0.70), "Unknown": (25, 0.25), "Unclassified": (5, 0.05)}
    assert by_bucket(body["income_groups"]) == {
        "High income": (50, 0.50),
        "Unknown": (25, 0.25),
        "Unclassified": (25, 0.25),  # Venezuela and Antarctica
    }
    # Neither Unknown nor Unclassified counts as low- or middle-income; they stay in the denominator.
    assert body["low_and_middle_income_share"] == 0


def test_the_latest_snapshot_on_or_before_the_day_is_used_whole(alice, alice_instagram):
    record(alice_instagram, dt.date(2020, 1, 10), {COUNTRY: {"IN": 1}, AGE: {"18-24": 1}})
    record(alice_instagram, FEB_15, {COUNTRY: {"US": 3, "BR": 1}, GENDER: {"female": 2}})
    record(alice_instagram, dt.date(2020, 3, 1), {COUNTRY: {"GB": 7}})

    body = client_for(alice).get(audience_url(alice_instagram, on="2020-02-20")).json()

    assert body["captured_on"] == "2020-02-15"
    assert by_bucket(body["dimensions"]["country"]) == {"US": (3, 0.75), "BR": (1, 0.25)}
    assert body["dimensions"]["age"] == []  # only in the earlier snapshot: not mixed in
    assert by_bucket(body["dimensions"]["gender"]) == {"female": (2, 1.0)}


def test_a_snapshot_captured_on_the_day_itself_counts(alice, alice_instagram):
    record(alice_instagram, FEB_15, {COUNTRY: {"US": 3}})

    body = client_for(alice).get(audience_url(alice_instagram, on="2020-02-15")).json()

    assert body["captured_on"] == "2020-02-15"


def test_the_day_defaults_to_today(alice, alice_instagram):
    today = timezone.localdate()
    record(alice_instagram, today - dt.timedelta(days=3), {COUNTRY: {"US": 3}})
    record(alice_instagram, today + dt.timedelta(days=3), {COUNTRY: {"GB": 3}})

    body = client_for(alice).get(audience_url(alice_instagram)).json()

    assert body["on"] == today.isoformat()
    assert body["captured_on"] == (today - dt.timedelta(days=3)).isoformat()


def test_another_accounts_snapshots_are_not_mixed_in(alice, alice_instagram):
    other = AudienceSnapshotFactory(captured_on=FEB_15, bucket="IN", count=1000).account
    record(alice_instagram, dt.date(2020, 2, 1), {COUNTRY: {"US": 3}})

    body = client_for(alice).get(audience_url(alice_instagram, on="2020-02-15")).json()

    assert other != alice_instagram
    assert body["captured_on"] == "2020-02-01"
    assert by_bucket(body["dimensions"]["country"]) == {"US": (3, 1.0)}


def test_without_a_snapshot_by_then_the_answer_is_empty_not_an_error(alice, alice_instagram):
    record(alice_instagram, dt.date(2020, 3, 1), {COUNTRY: {"US": 3}})

    response = client_for(alice).get(audience_url(alice_instagram, on="2020-02-15"))

    assert response.status_code == 200
    assert response.json() == {
        "account": alice_instagram.pk,
        "on": "2020-02-15",
        "captured_on": None,
        "dimensions": {"age": [], "country": [], "gender": [], "city": [], "language": []},
        "regions": [],
        "subregions": [],
        "income_groups": [],
        "income_classification": geography.INCOME_CLASSIFICATION,
        "low_and_middle_income_share": None,
    }


def test_a_dimension_whose_counts_are_all_zero_has_no_shares(alice, alice_instagram):
    record(alice_instagram, FEB_15, {COUNTRY: {"US": 0}, AGE: {"25-34": 0}})

    body = client_for(alice).get(audience_url(alice_instagram, on="2020-02-15")).json()

    assert body["dimensions"]["age"] == [{"bucket": "25-34", "count": 0, "share": None}]
    assert body["low_and_middle_income_share"] is None


@pytest.mark.parametrize("on", ["2020-13-01", "yesterday", "15/02/2020"])
def test_a_malformed_day_is_a_400_naming_the_field(alice, alice_instagram, on):
    response = client_for(alice).get(audience_url(alice_instagram, on=on))

    assert response.status_code == 400
    assert "on" in response.json()


def test_the_reviewer_of_the_accounts_department_can_read_it(bob, design_example):
    response = client_for(bob).get(audience_url(design_example, on="2020-02-15"))

    assert response.status_code == 200
    assert response.json()["captured_on"] == "2020-02-15"


def test_an_admin_of_another_institution_gets_404(charlie, design_example):
    response = client_for(charlie).get(audience_url(design_example, on="2020-02-15"))

    assert response.status_code == 404


def test_anonymous_is_refused(design_example):
    response = client_for().get(audience_url(design_example, on="2020-02-15"))

    assert response.status_code in (401, 403)


def test_the_query_count_does_not_grow_with_the_number_of_buckets(alice, alice_instagram, django_assert_num_queries):
    def get(on):
        # A fresh user object per request: the roles are cached on it for one request only.
        client = client_for(type(alice).objects.get(pk=alice.pk))
        with django_assert_num_queries(4):  # the user's memberships and faculty record, the account, the rows
            return client.get(audience_url(alice_instagram, on=on))

    record(alice_instagram, FEB_15, {COUNTRY: {"US": 1}, AGE: {"25-34": 1}})
    get("2020-02-15")

    codes = sorted(geography.known_country_codes())[:150]
    record(
        alice_instagram, dt.date(2020, 3, 1), {COUNTRY: dict.fromkeys(codes, 7), AGE: {f"{n}": n for n in range(50)}}
    )
    response = get("2020-03-01")
    assert len(response.json()["dimensions"]["country"]) == 150


def test_summarize_refuses_rows_of_several_days():
    rows = [
        {"captured_on": dt.date(2020, 1, 1), "dimension": "country", "bucket": "US", "count": 1},
        {"captured_on": dt.date(2020, 1, 2), "dimension": "country", "bucket": "US", "count": 1},
    ]
    with pytest.raises(ValueError):
        summarize(rows)
