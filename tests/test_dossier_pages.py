"""The dossier builder pages and the live dossier page: who may do what, forms that keep their input, queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.dossiers.models import Activity
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import ScoringProfile
from tests.factories import AccountMetricsFactory
from tests.factories import ActivityFactory
from tests.factories import DossierFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

AS_OF = dt.date(2026, 7, 1)


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def add_posts(account, count: int, *, first: dt.date = dt.date(2025, 1, 6)) -> list:
    posts = []
    for i in range(count):
        post = PostFactory(account=account, published_at=published(first + dt.timedelta(days=i)))
        PostMetricsFactory(post=post, impressions=1000 + i, reach=800, likes=40 + i, comments=3)
        posts.append(post)
    return posts


@pytest.fixture
def dossier(alice, alice_instagram):
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2024, 12, 1), followers=2000)
    dossier = DossierFactory(
        faculty=alice.faculty,
        title="Promotion to Associate Professor",
        as_of=AS_OF,
        scoring_profile=ScoringProfile.objects.get(institution=None),
    )
    dossier.accounts.add(alice_instagram)
    post = add_posts(alice_instagram, 1)[0]
    HighlightFactory(dossier=dossier, post=post, position=1)
    return dossier


def url(name: str, dossier, *args) -> str:
    return reverse(f"dossiers:{name}", args=[dossier.pk, *args])


# Reading -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "nora", "bob", "root"])
def test_people_of_the_dossier_read_it(client, request, dossier, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url("detail", dossier))
    assert response.status_code == 200
    assert b"Promotion to Associate Professor" in response.content
    assert b"General impact" in response.content


def test_another_institutions_admin_gets_404_everywhere(client, charlie, dossier):
    client.force_login(charlie)
    highlight = dossier.highlight_rows.get()
    for address in (
        url("detail", dossier),
        url("edit", dossier),
        url("highlights", dossier),
        url("activities", dossier),
    ):
        assert client.get(address).status_code == 404
    assert client.post(url("highlight-remove", dossier, highlight.pk)).status_code == 404
    assert dossier.highlight_rows.exists()


def test_a_colleague_of_the_same_department_gets_404(client, dossier, northfield_radiology):
    from tests.factories import AppointmentFactory
    from tests.factories import FacultyFactory
    from tests.factories import UserFactory

    erin = UserFactory(username="erin")
    AppointmentFactory(faculty=FacultyFactory(user=erin), department=northfield_radiology)
    client.force_login(erin)
    assert client.get(url("detail", dossier)).status_code == 404


def test_reviewer_reads_but_may_not_change(client, bob, dossier):
    client.force_login(bob)
    assert client.get(url("detail", dossier)).status_code == 200
    assert b"Period, accounts and narrative" not in client.get(url("detail", dossier)).content
    assert client.get(url("edit", dossier)).status_code == 403
    response = client.post(url("edit", dossier), {"title": "Changed by a reviewer"})
    assert response.status_code == 403
    assert client.post(url("highlight-remove", dossier, dossier.highlight_rows.get().pk)).status_code == 403
    dossier.refresh_from_db()
    assert dossier.title == "Promotion to Associate Professor"
    assert client.get(reverse("dossiers:create")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, dossier):
    response = client.get(url("detail", dossier))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_dossier_page_query_count_does_not_grow_with_posts(client, alice, alice_instagram, dossier):
    client.force_login(alice)
    add_posts(alice_instagram, 3, first=dt.date(2025, 3, 1))
    client.get(url("detail", dossier))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("detail", dossier)).status_code == 200
    add_posts(alice_instagram, 60, first=dt.date(2025, 5, 1))
    second = SocialAccountFactory(platform=platform("twitter"), faculty=alice.faculty)
    add_posts(second, 20)
    dossier.accounts.add(second)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("detail", dossier))
    assert f"@{second.handle}".encode() in response.content
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_dossier_list_pins_its_queries(client, nora, alice, dana, django_assert_num_queries):
    for i in range(4):
        DossierFactory(faculty=alice.faculty, title=f"Dossier {i}")
        DossierFactory(faculty=dana, title=f"Dana {i}")
    client.force_login(nora)
    with django_assert_num_queries(6):
        response = client.get(reverse("dossiers:list"))
    assert response.content.count(b"Dossier ") >= 4
    assert b"Dana 3" in response.content


def test_list_shows_only_what_one_may_read(client, charlie, dossier):
    client.force_login(charlie)
    assert b"Promotion to Associate Professor" not in client.get(reverse("dossiers:list")).content


def test_a_script_caption_is_shown_as_text(client, alice, dossier):
    post = dossier.highlights.get()
    post.caption = '<script>document.title="owned"</script>'
    post.save()
    client.force_login(alice)
    for address in (url("detail", dossier), url("highlights", dossier)):
        content = client.get(address).content.decode()
        assert '<script>document.title="owned"</script>' not in content
        assert "&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;" in content


# Creating and editing ------------------------------------------------------------------------------------------------


def test_alice_creates_her_own_dossier_with_all_her_accounts(client, alice, alice_instagram):
    client.force_login(alice)
    response = client.post(
        reverse("dossiers:create"),
        {
            "faculty": alice.faculty.pk,
            "title": "Promotion 2027",
            "period_start": "2024-07-01",
            "period_end": "2026-06-30",
            "as_of": "2026-07-01",
        },
    )
    dossier = Dossier.objects.get(title="Promotion 2027")
    assert response.status_code == 302
    assert response["Location"] == url("edit", dossier)
    assert dossier.faculty == alice.faculty
    assert dossier.created_by == alice
    assert list(dossier.accounts.all()) == [alice_instagram]
    assert dossier.scoring_profile == ScoringProfile.objects.get(institution=None)


def test_faculty_cannot_create_a_dossier_for_someone_else(client, alice, dana):
    client.force_login(alice)
    response = client.post(
        reverse("dossiers:create"),
        {
            "faculty": dana.pk,
            "title": "Not mine",
            "period_start": "2024-07-01",
            "period_end": "2026-06-30",
            "as_of": "2026-07-01",
        },
    )
    assert response.status_code == 200
    assert not Dossier.objects.filter(title="Not mine").exists()


def test_nora_creates_a_dossier_for_a_faculty_member_of_her_institution(client, nora, alice):
    client.force_login(nora)
    response = client.post(
        reverse("dossiers:create"),
        {
            "faculty": alice.faculty.pk,
            "title": "Prepared by the admin",
            "period_start": "2024-07-01",
            "period_end": "2026-06-30",
            "as_of": "2026-07-01",
        },
    )
    assert response.status_code == 302
    assert Dossier.objects.get(title="Prepared by the admin").faculty == alice.faculty


def test_create_form_keeps_the_input_when_the_period_is_backwards(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("dossiers:create"),
        {
            "faculty": alice.faculty.pk,
            "title": "Kept title",
            "period_start": "2026-07-01",
            "period_end": "2024-07-01",
            "as_of": "2026-07-01",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "The review period must end on or after its start." in content
    assert 'value="Kept title"' in content
    assert 'value="2026-07-01"' in content
    assert not Dossier.objects.exists()


def test_nora_edits_alices_dossier(client, nora, dossier, alice_instagram):
    client.force_login(nora)
    response = client.post(
        url("edit", dossier),
        {
            "title": "Edited by Nora",
            "period_start": "2024-01-01",
            "period_end": "2026-06-30",
            "as_of": "2026-07-01",
            "narrative": "Teaching on four continents.",
            "scoring_profile": "",
            "accounts": [alice_instagram.pk],
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.title, dossier.narrative, dossier.scoring_profile) == (
        "Edited by Nora",
        "Teaching on four continents.",
        None,
    )


def test_edit_form_keeps_the_narrative_on_error(client, alice, dossier, dana):
    client.force_login(alice)
    someone_elses = SocialAccountFactory(faculty=dana)
    narrative = "A long narrative that must survive a mistake elsewhere in the form."
    response = client.post(
        url("edit", dossier),
        {
            "title": "",
            "period_start": "2024-01-01",
            "period_end": "2026-06-30",
            "as_of": "2026-07-01",
            "narrative": narrative,
            "accounts": [someone_elses.pk],
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert narrative in content
    assert "Nothing was saved" in content
    assert not dossier.accounts.filter(pk=someone_elses.pk).exists()


# Highlights ----------------------------------------------------------------------------------------------------------


def test_highlighting_a_post_and_saving_its_note_and_category(client, alice, alice_instagram, dossier):
    client.force_login(alice)
    post = add_posts(alice_instagram, 1, first=dt.date(2025, 9, 1))[0]
    assert client.post(url("highlight-add", dossier), {"post": post.pk}).status_code == 302
    highlight = dossier.highlight_rows.get(post=post)
    assert highlight.position == 2
    data = {}
    for row in dossier.highlight_rows.all():
        data |= {f"h{row.pk}-position": row.position, f"h{row.pk}-category": "", f"h{row.pk}-note": ""}
    data |= {
        f"h{highlight.pk}-position": 0,
        f"h{highlight.pk}-category": "mentorship",
        f"h{highlight.pk}-note": "Residents asked for this series.",
    }
    assert client.post(url("highlights", dossier), data).status_code == 302
    post.refresh_from_db()
    highlight.refresh_from_db()
    assert (highlight.category, highlight.note, highlight.position) == (
        "mentorship",
        "Residents asked for this series.",
        0,
    )
    # The post keeps its own classification; the note is the highlight's alone.
    assert (post.category, post.highlight_note) == ("education", "")


def test_highlight_form_keeps_the_note_when_the_order_is_invalid(client, alice, dossier):
    client.force_login(alice)
    highlight = dossier.highlight_rows.get()
    data = {
        f"h{highlight.pk}-position": "-3",
        f"h{highlight.pk}-category": "education",
        f"h{highlight.pk}-note": "A note worth keeping",
    }
    response = client.post(url("highlights", dossier), data)
    assert response.status_code == 200
    assert "A note worth keeping" in response.content.decode()
    highlight.refresh_from_db()
    assert highlight.note == ""


def test_a_post_of_someone_else_cannot_be_highlighted(client, alice, dossier, dana):
    client.force_login(alice)
    other = add_posts(SocialAccountFactory(faculty=dana), 1)[0]
    client.post(url("highlight-add", dossier), {"post": other.pk})
    assert not dossier.highlight_rows.filter(post=other).exists()


def test_privacy_flags_are_shown_beside_the_caption_and_can_be_acknowledged(client, alice, dossier):
    post = dossier.highlights.get()
    post.caption = "A 47-year-old after a motorcycle crash: classic findings."
    post.save()
    client.force_login(alice)
    content = client.get(url("highlights", dossier)).content.decode()
    assert "Privacy check: this caption may identify a patient" in content
    assert "47-year-old" in content
    highlight = dossier.highlight_rows.get()
    assert client.post(url("highlight-acknowledge", dossier, highlight.pk)).status_code == 302
    highlight.refresh_from_db()
    assert highlight.privacy_acknowledged_by == alice
    assert highlight.privacy_acknowledged_at is not None
    assert "Privacy flags acknowledged by Alice Adams" in client.get(url("highlights", dossier)).content.decode()


def test_highlights_page_pins_its_queries(client, alice, alice_instagram, dossier, django_assert_num_queries):
    for post in add_posts(alice_instagram, 5, first=dt.date(2025, 6, 1)):
        HighlightFactory(dossier=dossier, post=post)
    add_posts(alice_instagram, 30, first=dt.date(2025, 8, 1))
    client.force_login(alice)
    with django_assert_num_queries(9):
        response = client.get(url("highlights", dossier))
    assert response.status_code == 200
    older = response.context["page"].next_cursor
    with django_assert_num_queries(9):
        second = client.get(url("highlights", dossier), {"cursor": older})
    assert second.status_code == 200


def test_the_candidate_posts_page_by_cursor_newest_first(client, alice, alice_instagram, dossier):
    posts = add_posts(alice_instagram, 45, first=dt.date(2025, 6, 1))
    client.force_login(alice)

    pages, params = [], {}
    while True:
        response = client.get(url("highlights", dossier), params)
        page = response.context["page"]
        pages.append(page)
        if page.next_cursor is None:
            break
        params = {"cursor": page.next_cursor}

    shown = [(post.published_at, post.pk) for page in pages for post in page.rows]
    assert shown == sorted(shown, reverse=True)
    assert {post.pk for post in posts} <= {pk for _, pk in shown}
    assert len(shown) == len(set(shown)) == pages[0].count
    assert "Older posts" in client.get(url("highlights", dossier)).content.decode()
    back = client.get(url("highlights", dossier), {"cursor": pages[1].previous_cursor}).context["page"]
    assert [post.pk for post in back.rows] == [post.pk for post in pages[0].rows]


# Activities ----------------------------------------------------------------------------------------------------------


def test_recording_an_activity_puts_it_in_the_dossier(client, alice, dossier):
    client.force_login(alice)
    response = client.post(
        url("activity-create", dossier),
        {
            "kind": "peer_review",
            "title": "Reviewer, #RadEd tweetorials",
            "organisation": "A journal",
            "started_on": "2025-02-01",
            "ended_on": "",
            "url": "journal.example/reviewers",
            "description": "",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Reviewer, #RadEd tweetorials")
    assert activity.faculty == alice.faculty
    assert activity.url == "https://journal.example/reviewers"
    assert list(dossier.activities.all()) == [activity]


def test_activity_form_keeps_the_input_when_it_ends_before_it_starts(client, alice, dossier):
    client.force_login(alice)
    response = client.post(
        url("activity-create", dossier),
        {
            "kind": "moderation",
            "title": "Moderator, journal club",
            "organisation": "",
            "started_on": "2025-02-01",
            "ended_on": "2024-01-01",
            "url": "",
            "description": "Monthly chats",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "An activity cannot end before it starts." in content
    assert 'value="Moderator, journal club"' in content
    assert "Monthly chats" in content
    assert not Activity.objects.exists()


def test_choosing_and_deleting_activities(client, alice, dossier):
    kept = ActivityFactory(faculty=alice.faculty, title="Kept")
    dropped = ActivityFactory(faculty=alice.faculty, title="Dropped")
    dossier.activities.add(dropped)
    client.force_login(alice)
    assert client.post(url("activities", dossier), {"activities": [kept.pk]}).status_code == 302
    assert list(dossier.activities.all()) == [kept]
    assert client.get(url("activity-delete", dossier, dropped.pk)).status_code == 200
    assert client.post(url("activity-delete", dossier, dropped.pk)).status_code == 302
    assert not Activity.objects.filter(pk=dropped.pk).exists()


def test_an_activity_of_someone_else_cannot_be_edited_through_a_dossier(client, alice, dossier, dana):
    theirs = ActivityFactory(faculty=dana)
    client.force_login(alice)
    assert client.get(url("activity-edit", dossier, theirs.pk)).status_code == 404
    client.post(url("activities", dossier), {"activities": [theirs.pk]})
    assert not dossier.activities.exists()


def test_methods_page_states_the_dossier_definitions(client):
    content = client.get(reverse("methods")).content.decode()
    assert "<title>How the numbers are computed · SoMe Portfolio</title>" in content
    sections = ("Counts by category", "Composite score", "Percentiles among peers", "Integrity flags", "privacy check")
    for words in sections:
        assert words in content
    assert "profile_visits" in content and "0.001" in content
