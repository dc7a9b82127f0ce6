"""
Correcting a post and adding or correcting its snapshots from the site: the same plausibility rules as every
door, history with the author, and a hand-entered or corrected value unverified until an admin checks it.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import plausibility
from metrics.history import history_of
from metrics.models import PostMetrics
from metrics.models import Provenance
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

PUBLISHED = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)


@pytest.fixture
def post(alice_instagram):
    return PostFactory(account=alice_instagram, published_at=PUBLISHED, caption="A 47-year-old after a fall #MSKMonday")


@pytest.fixture
def verified_snapshot(post, nora):
    snapshot = PostMetricsFactory(
        post=post, captured_on=dt.date(2025, 3, 10), impressions=6154, likes=184, source=Provenance.IMPORT
    )
    snapshot.verify(nora)
    return snapshot


def snapshot_form(**fields) -> dict:
    return {"captured_on": "2025-03-20", "impressions": "6154", "likes": "184", **fields}


def test_editing_a_caption_keeps_its_history_with_the_author(client, alice, post):
    client.force_login(alice)
    page = client.get(reverse("records:post-edit", args=[post.pk]))
    assert "47-year-old" in page.content.decode()  # the privacy flag's excerpt, shown beside the form
    response = client.post(
        reverse("records:post-edit", args=[post.pk]),
        {"caption": "A patient after a fall #MSKMonday", "url": "", "content_type": "image", "category": "education"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.caption == "A patient after a fall #MSKMonday"
    latest = history_of(post)[0]
    assert latest["by"] == alice.pk
    assert latest["source"] == Provenance.MANUAL
    assert latest["changes"] == {
        "caption": ["A 47-year-old after a fall #MSKMonday", "A patient after a fall #MSKMonday"]
    }
    html = client.get(reverse("records:post", args=[post.pk])).content.decode()
    assert "by alice, entered by hand" in html
    assert "A 47-year-old after a fall" in html  # the old caption, in the history


def test_the_post_page_and_form_show_the_captions_privacy_flags(client, alice, post):
    client.force_login(alice)
    html = client.get(reverse("records:post", args=[post.pk])).content.decode()
    assert "Privacy check: this caption may identify a patient" in html
    response = client.post(
        reverse("records:post-edit", args=[post.pk]),
        {"caption": "Call 555-123-4567 " + "x" * 70000, "url": "", "content_type": "image", "category": ""},
    )
    assert response.status_code == 200  # refused: the caption is longer than the rule allows
    assert response.context["form"].errors["caption"]
    assert response.context["privacy_flags"]  # the flags of what was typed, not of what is stored


def test_adding_a_snapshot_records_it_as_manual_and_unverified(client, alice, post):
    client.force_login(alice)
    response = client.post(reverse("records:snapshot-add", args=[post.pk]), snapshot_form(comments="10"))
    assert response.status_code == 302
    snapshot = PostMetrics.objects.get(post=post)
    assert (snapshot.source, snapshot.is_verified, snapshot.comments) == (Provenance.MANUAL, False, 10)
    assert history_of(snapshot)[0]["by"] == alice.pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"likes": str(10**13)}, "likes", plausibility.count_problem(10**13)),
        ({"captured_on": "2025-03-01"}, "captured_on", plausibility.CAPTURED_BEFORE_PUBLICATION),
        ({"impressions": "-5"}, "impressions", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_an_implausible_snapshot_shows_the_rules_error_on_its_field(client, alice, post, fields, field, message):
    client.force_login(alice)
    response = client.post(reverse("records:snapshot-add", args=[post.pk]), snapshot_form(**fields))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not PostMetrics.objects.filter(post=post).exists()


def test_a_snapshot_dated_after_today_is_refused_on_its_day(client, alice, post):
    client.force_login(alice)
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(reverse("records:snapshot-add", args=[post.pk]), snapshot_form(captured_on=tomorrow))
    assert "after today" in " ".join(response.context["form"].errors["captured_on"])


def test_a_second_snapshot_on_the_same_day_is_refused_on_the_day(client, alice, verified_snapshot):
    client.force_login(alice)
    response = client.post(
        reverse("records:snapshot-add", args=[verified_snapshot.post_id]), snapshot_form(captured_on="2025-03-10")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["captured_on"] == ["This post already has a snapshot on this day."]


def test_a_corrected_snapshot_is_manual_and_unverified_and_keeps_the_old_value(client, alice, verified_snapshot):
    client.force_login(alice)
    response = client.post(
        reverse("records:snapshot-edit", args=[verified_snapshot.pk]),
        snapshot_form(captured_on="2025-03-10", likes="190"),
    )
    assert response.status_code == 302
    verified_snapshot.refresh_from_db()
    assert (verified_snapshot.likes, verified_snapshot.source) == (190, Provenance.MANUAL)
    assert not verified_snapshot.is_verified
    latest = history_of(verified_snapshot)[0]
    assert latest["by"] == alice.pk
    assert latest["changes"]["likes"] == [184, 190]
    html = client.get(reverse("records:post", args=[verified_snapshot.post_id])).content.decode()
    assert "not verified" in html


def test_an_unchanged_snapshot_form_writes_nothing(client, alice, verified_snapshot):
    client.force_login(alice)
    records = verified_snapshot.history.count()
    client.post(reverse("records:snapshot-edit", args=[verified_snapshot.pk]), snapshot_form(captured_on="2025-03-10"))
    verified_snapshot.refresh_from_db()
    assert verified_snapshot.is_verified
    assert verified_snapshot.history.count() == records


def test_an_admin_verifies_a_hand_entered_snapshot_and_faculty_cannot(client, alice, nora, post):
    snapshot = PostMetricsFactory(post=post, captured_on=dt.date(2025, 3, 20), likes=3)
    client.force_login(alice)
    assert client.post(reverse("records:snapshot-verify", args=[snapshot.pk])).status_code == 403
    client.force_login(nora)
    assert client.post(reverse("records:snapshot-verify", args=[snapshot.pk])).status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.verified_by == nora


def test_an_admin_corrects_her_faculty_members_post(client, nora, post):
    client.force_login(nora)
    response = client.post(
        reverse("records:post-edit", args=[post.pk]),
        {"caption": "Fixed by the admin", "url": "", "content_type": "image", "category": "education"},
    )
    assert response.status_code == 302
    assert history_of(post)[0]["by"] == nora.pk


def test_a_reviewer_reads_and_cannot_write(client, bob, post, verified_snapshot):
    client.force_login(bob)
    assert client.get(reverse("records:post", args=[post.pk])).status_code == 200
    writes = [
        reverse("records:post-edit", args=[post.pk]),
        reverse("records:snapshot-add", args=[post.pk]),
        reverse("records:snapshot-edit", args=[verified_snapshot.pk]),
    ]
    for url in writes:
        assert client.get(url).status_code == 403
        assert client.post(url, snapshot_form(caption="changed")).status_code == 403
    assert client.post(reverse("records:snapshot-verify", args=[verified_snapshot.pk])).status_code == 403
    assert "Correct this snapshot" not in client.get(reverse("records:post", args=[post.pk])).content.decode()


def test_another_institution_gets_404_on_every_page(client, charlie, post, verified_snapshot):
    client.force_login(charlie)
    pages = [
        reverse("records:post", args=[post.pk]),
        reverse("records:post-edit", args=[post.pk]),
        reverse("records:snapshot-add", args=[post.pk]),
        reverse("records:snapshot-edit", args=[verified_snapshot.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404
        assert client.post(url, snapshot_form()).status_code == 404
    assert client.post(reverse("records:snapshot-verify", args=[verified_snapshot.pk])).status_code == 404


def test_post_page_queries_do_not_grow_with_snapshots(client, alice, post, django_assert_num_queries):
    client.force_login(alice)

    def add(first_day: int, count: int):
        for day in range(first_day, first_day + count):
            snapshot = PostMetricsFactory(post=post, captured_on=dt.date(2025, 4, day), likes=day)
            # Corrected by Alice: each snapshot gets a history with an author to name.
            edit = reverse("records:snapshot-edit", args=[snapshot.pk])
            client.post(edit, snapshot_form(captured_on=f"2025-04-{day:02}", likes=str(day + 1)))

    add(1, 3)
    client.get(reverse("records:post", args=[post.pk]))
    # session, user, roles (memberships, faculty), post, snapshots, post history, snapshot histories, the
    # authors' names, whether she may change the post (not an admin: no question asked about verifying)
    with django_assert_num_queries(10):
        client.get(reverse("records:post", args=[post.pk]))
    add(10, 6)
    with django_assert_num_queries(10):
        response = client.get(reverse("records:post", args=[post.pk]))
    assert len(response.context["snapshots"]) == 9
    assert all(row["history"][0]["who"] == "alice" for row in response.context["snapshots"])
