"""`dossier_data`, `tables` and `render_dossier_html`: every figure of a dossier, computed once."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.models import LatestPostMetrics
from metrics.models import Post
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.content import tables
from portfolio.dossiers.models import ScoringProfile
from portfolio.dossiers.render import render_dossier_html
from tests.factories import AccountMetricsFactory
from tests.factories import ActivityFactory
from tests.factories import AppointmentFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import DossierFactory
from tests.factories import FacultyFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

AS_OF = dt.date(2026, 7, 1)
WORKED_EXAMPLE = {"likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42, "follows": 9}


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def alice_dossier(alice, alice_instagram):
    """Two posts in the period with hand-computed numbers, one before it, one snapshot after the as-of date."""
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 1, 1), followers=7100)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 6, 1), followers=8000)
    worked = PostFactory(
        account=alice_instagram, published_at=published(dt.date(2025, 3, 3)), caption="Case #MSKMonday"
    )
    PostMetricsFactory(post=worked, captured_on=dt.date(2025, 3, 10), impressions=6154, reach=None, **WORKED_EXAMPLE)
    # Later snapshot, after the as-of date: ignored.
    PostMetricsFactory(post=worked, captured_on=dt.date(2026, 8, 1), impressions=9000, likes=900)
    second = PostFactory(account=alice_instagram, published_at=published(dt.date(2025, 4, 1)))
    PostMetricsFactory(post=second, captured_on=dt.date(2025, 4, 8), impressions=1000, reach=500, likes=50, comments=10)
    before = PostFactory(account=alice_instagram, published_at=published(dt.date(2023, 6, 1)))
    PostMetricsFactory(post=before, captured_on=dt.date(2023, 6, 8), impressions=100, likes=99)
    dossier = DossierFactory(
        faculty=alice.faculty, as_of=AS_OF, scoring_profile=ScoringProfile.objects.get(institution=None)
    )
    dossier.accounts.add(alice_instagram)
    HighlightFactory(dossier=dossier, post=worked, position=1)
    return dossier


def test_general_impact_equals_the_engagement_summary_of_the_period(alice_dossier, alice_instagram):
    data = dossier_data(alice_dossier)
    account = data["impact"]["accounts"][0]
    expected = (
        Post.objects.filter(account=alice_instagram)
        .published_between(alice_dossier.period_start, alice_dossier.period_end)
        .engagement_summary(AS_OF)
    )
    assert account["posts"] == expected.posts == 2
    assert account["actions"] == expected.actions == 292 + 60
    assert account["impressions"] == expected.impressions == 7154
    assert account["reach"] == expected.reach == 500
    rates = {rate["denominator"]: rate for rate in account["rates"]}
    assert rates["impressions"]["pooled"] == pytest.approx(352 / 7154)
    assert rates["impressions"]["mean"] == pytest.approx((292 / 6154 + 60 / 1000) / 2)
    assert rates["reach"]["posts"] == 1
    assert rates["reach"]["pooled"] == pytest.approx(60 / 500)
    # Followers on each post's day: 7,100 (counted 1 Jan 2025).
    assert rates["followers"]["pooled"] == pytest.approx(352 / 14200)
    assert account["followers"] == 8000
    assert account["followers_on"] == "2026-06-01"


def test_highlight_carries_the_worked_example(alice_dossier):
    highlight = dossier_data(alice_dossier)["highlights"][0]
    assert highlight["actions"] == 292
    assert highlight["rates"]["by_impressions"] == pytest.approx(292 / 6154)
    assert highlight["rates"]["by_reach"] is None
    assert highlight["rates"]["by_followers"] == pytest.approx(292 / 7100)
    assert highlight["snapshot_captured_on"] == "2025-03-10"
    assert highlight["provenance"] == {
        "source": "manual",
        "source_label": "Manual entry",
        "verified": False,
        "file_name": "",
    }


def test_categories_and_composite_add_up(alice_dossier):
    data = dossier_data(alice_dossier)
    counts = {m["metric"]: m["count"] for c in data["impact"]["categories"] for m in c["metrics"]}
    assert counts["likes"] == 184 + 50
    assert counts["impressions"] == 7154
    assert counts["followers"] == 8000
    assert counts["views"] is None  # not reported is not 0
    composite = data["composite"]
    from decimal import Decimal

    assert sum(Decimal(row["contribution"]) for row in composite["rows"]) == Decimal(composite["total"])
    likes = next(row for row in composite["rows"] if row["metric"] == "likes")
    assert (likes["count"], likes["weight"], likes["contribution"]) == (234, "0.1", "23.4")


def test_data_is_json_serialisable_and_renders_without_queries(alice_dossier, django_assert_num_queries):
    data = json.loads(json.dumps(dossier_data(alice_dossier)))
    with django_assert_num_queries(0):
        html = render_dossier_html(
            data, frozen={"number": 2, "frozen_at": "2026-07-02T10:00:00+00:00", "frozen_by": "Alice Adams"}
        )
    assert html.startswith("<!doctype html>")
    assert "Version 2 of this dossier" in html
    assert "@alice_rads" in html
    assert render_dossier_html(data) == render_dossier_html(data)


def test_a_script_caption_is_escaped(alice_dossier):
    post = alice_dossier.highlights.get()
    post.caption = '<script>alert("x")</script> 47-year-old'
    post.save()
    html = render_dossier_html(dossier_data(alice_dossier))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def add_posts(account, count: int) -> None:
    for i in range(count):
        post = PostFactory(account=account, published_at=published(dt.date(2025, 5, 1) + dt.timedelta(days=i)))
        PostMetricsFactory(post=post, impressions=100 + i, likes=i)


def test_dossier_data_query_count_does_not_grow_with_posts(alice_dossier, alice_instagram, django_assert_num_queries):
    add_posts(alice_instagram, 2)
    dossier_data(alice_dossier)  # warm caches (content types, platforms)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        dossier_data(alice_dossier)
    add_posts(alice_instagram, 40)
    with django_assert_num_queries(len(few)):
        data = dossier_data(alice_dossier)
    assert data["impact"]["accounts"][0]["posts"] == 44


def test_percentiles_against_department_institution_and_all_peers(
    alice_dossier, northfield_nucmed, southbay_radiology, dana, northfield_radiology
):
    # Alice's Instagram has 8,000 followers on the as-of date.
    AccountMetricsFactory(account=SocialAccountFactory(faculty=dana), captured_on=dt.date(2026, 1, 1), followers=9000)
    nadia = FacultyFactory(name="Nadia Novak")
    AppointmentFactory(faculty=nadia, department=northfield_nucmed)
    AccountMetricsFactory(account=SocialAccountFactory(faculty=nadia), captured_on=dt.date(2026, 1, 1), followers=5000)
    sam = FacultyFactory(name="Sam Southbay")
    AppointmentFactory(faculty=sam, department=southbay_radiology)
    AccountMetricsFactory(account=SocialAccountFactory(faculty=sam), captured_on=dt.date(2026, 1, 1), followers=100)
    # Not peers: another platform, and a department's account on the same platform.
    other_platform = SocialAccountFactory(faculty=sam, platform=platform("twitter"))
    AccountMetricsFactory(account=other_platform, captured_on=dt.date(2026, 1, 1), followers=1)
    department_account = SocialAccountFactory(
        faculty=None, department=northfield_radiology, kind="department", platform=platform("instagram")
    )
    AccountMetricsFactory(account=department_account, captured_on=dt.date(2026, 1, 1), followers=1)

    data = dossier_data(alice_dossier)
    followers = next(row for row in data["context"]["percentiles"] if row["metric"] == "followers")
    assert followers["value"] == 8000
    # Department (Alice 8,000, Dana 9,000), institution adding Nadia (5,000): groups too small to rank in.
    assert followers["department"] == {"percentile": None, "peers": 2}
    assert followers["institution"] == {"percentile": None, "peers": 3}
    # Southbay does not share aggregates: Sam is no peer of Alice's at all.
    assert followers["all"] == {"percentile": None, "peers": 3}
    assert data["context"]["peer_groups"] == {"department": "Radiology", "institution": "Northfield University"}
    assert data["context"]["min_peers"] == 5


def test_peers_are_ranked_on_the_same_period_summaries_as_the_dossier_itself(alice_dossier, dana, northfield_radiology):
    dana_instagram = SocialAccountFactory(faculty=dana)
    for name in ("Eve Ellis", "Finn Ford", "Gus Green"):  # colleagues with no post: 0 posts, no rate
        colleague = FacultyFactory(name=name)
        AppointmentFactory(faculty=colleague, department=northfield_radiology)
        SocialAccountFactory(faculty=colleague)
    in_period = PostFactory(account=dana_instagram, published_at=published(dt.date(2025, 5, 1)))
    PostMetricsFactory(post=in_period, captured_on=dt.date(2025, 5, 8), impressions=1_000_000, likes=1)
    before = PostFactory(account=dana_instagram, published_at=published(dt.date(2023, 5, 1)))
    PostMetricsFactory(post=before, captured_on=dt.date(2023, 5, 8), impressions=10, likes=10)

    data = dossier_data(alice_dossier)
    rows = {row["metric"]: row for row in data["context"]["percentiles"]}
    # Alice: 292 + 60 actions over 6,154 + 1,000 impressions, as in the general impact; Dana: 1 in 1,000,000.
    assert rows["rate_by_impressions"]["value"] == pytest.approx(352 / 7154)
    assert rows["rate_by_impressions"]["value"] == data["impact"]["accounts"][0]["rates"][0]["pooled"]
    assert rows["rate_by_impressions"]["department"] == {"percentile": None, "peers": 2}
    # Two posts against Dana's one in the period (her older post is not counted) and three colleagues' none.
    assert rows["posts"]["department"] == {"percentile": 90.0, "peers": 5}


def test_audience_rolls_up_to_regions_and_income_groups(alice_dossier, alice_instagram):
    for bucket, count in (("US", 60), ("IN", 40)):
        AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2026, 6, 1), bucket=bucket, count=count)
    AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2026, 8, 1), bucket="BR", count=999)
    audience = dossier_data(alice_dossier)["audience"][0]
    assert audience["captured_on"] == "2026-06-01"
    assert [(row["bucket"], row["share"]) for row in audience["regions"]] == [("Americas", 0.6), ("Asia", 0.4)]
    assert audience["low_and_middle_income_share"] == pytest.approx(0.4)


def test_activities_and_tables_come_from_the_data(alice_dossier, alice):
    included = ActivityFactory(faculty=alice.faculty, title="Moderator, #RadEd chat", started_on=dt.date(2025, 5, 1))
    ActivityFactory(faculty=alice.faculty, title="Not in this dossier")
    alice_dossier.activities.add(included)
    data = dossier_data(alice_dossier)
    assert [activity["title"] for activity in data["activities"]] == ["Moderator, #RadEd chat"]
    sheets = {table.title: table for table in tables(data)}
    assert next(iter(sheets["Reputation and leadership"].rows))[1] == "Moderator, #RadEd chat"
    impact = next(iter(sheets["General impact"].rows))
    assert impact[:2] == ["Instagram", "alice_rads"]
    assert impact[6] == 352  # actions
    composite = list(sheets["Composite score"].rows)
    assert composite[-1][-1] == data["composite"]["total"]


def test_a_highlight_shows_how_its_actions_add_up(alice_dossier):
    html = render_dossier_html(dossier_data(alice_dossier))
    assert "Actions: 184 likes + 10 comments + 11 shares + 36 saves + 42 profile visits + 9 follows = 292" in html


def test_a_dossier_as_of_today_reads_the_latest_snapshot_table_and_equals_the_probe(
    alice_dossier, django_assert_num_queries
):
    dossier_data(alice_dossier)  # warm caches (content types, platforms)
    with CaptureQueriesContext(connection) as past:
        dossier_data(alice_dossier)
    alice_dossier.as_of = timezone.localdate()
    alice_dossier.save()

    with django_assert_num_queries(len(past)):
        from_table = dossier_data(alice_dossier)
    worked = from_table["highlights"][0]["post_id"]
    # A row of the table that disagrees with the snapshots, only to tell which one the dossier read.
    LatestPostMetrics.objects.filter(post_id=worked).update(likes=901)
    assert dossier_data(alice_dossier)["highlights"][0]["metrics"]["likes"] == 901
    LatestPostMetrics.objects.all().delete()  # every post probed instead
    probed = dossier_data(alice_dossier)

    assert from_table == probed
    # Today the worked example's latest snapshot (1 August) counts, in the highlights and the impact alike.
    assert from_table["highlights"][0]["snapshot_captured_on"] == "2026-08-01"
    assert from_table["highlights"][0]["metrics"]["likes"] == 900
    assert from_table["impact"]["accounts"][0]["impressions"] == 9000 + 1000
