"""
One rule for what a dossier may highlight, whichever door the highlight comes through: the builder's page,
the API and the admin accept the same posts (those of the dossier's accounts published in its review period)
and refuse the others with the same words, writing nothing.
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portfolio.dossiers.models import HIGHLIGHT_REFUSED
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import Highlight
from tests.factories import AppointmentFactory
from tests.factories import DossierFactory
from tests.factories import FacultyFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db

PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def published(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def alice_x(alice):
    """Alice's second personal account, which her dossier does not cover."""
    return SocialAccountFactory(platform=platform("twitter"), handle="alice_x", faculty=alice.faculty)


@pytest.fixture
def sam(southbay_radiology):
    """A radiologist at Southbay only: nothing of his is Northfield's."""
    faculty = FacultyFactory(name="Sam Shaw", email="sam@southbay.example")
    AppointmentFactory(faculty=faculty, department=southbay_radiology, primary=True)
    return faculty


@pytest.fixture
def posts(alice_instagram, alice_x, dana, sam):
    return {
        "in the period": PostFactory(
            account=alice_instagram, external_id="in-period", published_at=published(2025, 5, 2)
        ),
        "on its first day": PostFactory(
            account=alice_instagram, external_id="first-day", published_at=published(2025, 1, 1, 0)
        ),
        "on its last day": PostFactory(
            account=alice_instagram, external_id="last-day", published_at=published(2025, 12, 31, 23)
        ),
        "before the period": PostFactory(
            account=alice_instagram, external_id="before", published_at=published(2024, 12, 31, 23)
        ),
        "after the period": PostFactory(
            account=alice_instagram, external_id="after", published_at=published(2026, 1, 1, 0)
        ),
        "of an account the dossier does not cover": PostFactory(
            account=alice_x, external_id="uncovered", published_at=published(2025, 5, 2)
        ),
        "of another faculty member": PostFactory(
            account=SocialAccountFactory(platform=platform("twitter"), handle="dana_rads", faculty=dana),
            external_id="danas",
            published_at=published(2025, 5, 2),
        ),
        "of another institution": PostFactory(
            account=SocialAccountFactory(platform=platform("instagram"), handle="sam_southbay", faculty=sam),
            external_id="sams",
            published_at=published(2025, 5, 2),
        ),
    }


ACCEPTED = ["in the period", "on its first day", "on its last day"]
REFUSED = [
    "before the period",
    "after the period",
    "of an account the dossier does not cover",
    "of another faculty member",
    "of another institution",
]


@pytest.fixture
def new_dossier(alice, alice_instagram):
    """`new_dossier()`: a dossier of Alice's covering her Instagram account over 2025, nothing highlighted yet."""

    def make() -> Dossier:
        dossier = DossierFactory(faculty=alice.faculty, period_start=PERIOD[0], period_end=PERIOD[1])
        dossier.accounts.add(alice_instagram)
        return dossier

    return make


def highlight_on_the_page(client, dossier, post) -> str:
    """Add `post` through the highlights page; the message the page shows."""
    response = client.post(reverse("dossiers:highlight-add", args=[dossier.pk]), {"post": post.pk})
    assert response.status_code == 302
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def highlight_through_the_api(api, dossier, post):
    return api.patch(f"/api/v1/dossiers/{dossier.pk}/", {"highlights": [{"post": post.pk}]})


@pytest.mark.parametrize("kind", ACCEPTED)
def test_page_and_api_accept_a_post_of_a_covered_account_published_in_the_period(
    client, alice, api_client, new_dossier, posts, kind
):
    post = posts[kind]
    client.force_login(alice)
    on_the_page, through_the_api = new_dossier(), new_dossier()

    message = highlight_on_the_page(client, on_the_page, post)
    response = highlight_through_the_api(api_client(alice), through_the_api, post)

    assert message == "Post highlighted. Say why it matters under “In this dossier”."
    assert response.status_code == 200, response.content
    assert [row["post"] for row in response.json()["highlights"]] == [post.pk]
    assert list(on_the_page.highlights.all()) == list(through_the_api.highlights.all()) == [post]


@pytest.mark.parametrize("kind", REFUSED)
def test_page_and_api_refuse_every_other_post_with_the_same_message(
    client, alice, api_client, new_dossier, posts, kind
):
    dossier = new_dossier()
    HighlightFactory(dossier=dossier, post=posts["in the period"], position=1)
    client.force_login(alice)

    message = highlight_on_the_page(client, dossier, posts[kind])
    response = highlight_through_the_api(api_client(alice), dossier, posts[kind])

    assert message == HIGHLIGHT_REFUSED
    assert response.status_code == 400
    assert response.json() == {"highlights": [HIGHLIGHT_REFUSED]}
    assert list(dossier.highlights.all()) == [posts["in the period"]]


def test_an_institution_admin_is_refused_a_colleagues_post_as_the_faculty_member_is(
    client, nora, api_client, new_dossier, posts
):
    dossier = new_dossier()
    client.force_login(nora)

    message = highlight_on_the_page(client, dossier, posts["of another faculty member"])
    response = highlight_through_the_api(api_client(nora), dossier, posts["of another faculty member"])

    assert message == HIGHLIGHT_REFUSED
    assert response.json() == {"highlights": [HIGHLIGHT_REFUSED]}
    assert not dossier.highlights.exists()


def test_another_institutions_post_is_refused_exactly_as_a_post_that_does_not_exist(
    alice, api_client, new_dossier, posts
):
    dossier = new_dossier()
    api = api_client(alice)

    theirs = api.patch(
        f"/api/v1/dossiers/{dossier.pk}/", {"highlights": [{"post": posts["of another institution"].pk}]}
    )
    missing = api.patch(f"/api/v1/dossiers/{dossier.pk}/", {"highlights": [{"post": 987654}]})

    assert theirs.status_code == missing.status_code == 400
    assert theirs.json() == missing.json() == {"highlights": [HIGHLIGHT_REFUSED]}


def test_a_new_dossier_with_a_highlight_outside_its_period_is_not_created(alice, alice_instagram, api_client, posts):
    body = {
        "faculty": alice.faculty.pk,
        "title": "Promotion to Professor",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "as_of": "2026-01-15",
        "accounts": [alice_instagram.pk],
        "highlights": [{"post": posts["in the period"].pk}, {"post": posts["after the period"].pk}],
    }

    response = api_client(alice).post("/api/v1/dossiers/", body)

    assert response.status_code == 400
    assert response.json() == {"highlights": [HIGHLIGHT_REFUSED]}
    assert not Dossier.objects.exists()


def test_highlights_are_judged_against_the_period_written_in_the_same_body(alice, api_client, new_dossier, posts):
    dossier = new_dossier()
    api = api_client(alice)
    url = f"/api/v1/dossiers/{dossier.pk}/"

    widened = api.patch(url, {"period_end": "2026-06-30", "highlights": [{"post": posts["after the period"].pk}]})
    narrowed = api.patch(url, {"period_end": "2025-06-30", "highlights": [{"post": posts["on its last day"].pk}]})

    assert widened.status_code == 200, widened.content
    assert narrowed.status_code == 400
    assert narrowed.json() == {"highlights": [HIGHLIGHT_REFUSED]}
    dossier.refresh_from_db()
    assert dossier.period_end == dt.date(2026, 6, 30)
    assert list(dossier.highlights.all()) == [posts["after the period"]]


# A change of period or accounts that would leave highlights outside: refused, naming them, nothing written.

STRANDED = (
    f"{HIGHLIGHT_REFUSED} Outside them: alice_rads last-day. Remove it from the highlights first,"
    " or keep a period and accounts that include it."
)


@pytest.fixture
def highlighted(new_dossier, posts):
    dossier = new_dossier()
    HighlightFactory(dossier=dossier, post=posts["in the period"], position=1)
    HighlightFactory(dossier=dossier, post=posts["on its last day"], position=2)
    return dossier


def test_shortening_the_period_through_the_api_is_refused_naming_the_highlights_it_would_leave_out(
    alice, api_client, highlighted
):
    response = api_client(alice).patch(f"/api/v1/dossiers/{highlighted.pk}/", {"period_end": "2025-06-30"})

    assert response.status_code == 400
    assert response.json() == {"highlights": [STRANDED]}
    highlighted.refresh_from_db()
    assert highlighted.period_end == PERIOD[1]
    assert highlighted.highlights.count() == 2


def test_shortening_the_period_on_the_page_is_refused_with_the_same_message(
    client, alice, alice_instagram, highlighted
):
    client.force_login(alice)
    form = {
        "title": highlighted.title,
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "as_of": "2026-01-15",
        "narrative": "",
        "scoring_profile": "",
        "accounts": [alice_instagram.pk],
    }

    response = client.post(reverse("dossiers:edit", args=[highlighted.pk]), form)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [STRANDED]
    highlighted.refresh_from_db()
    assert highlighted.period_end == PERIOD[1]


def test_dropping_the_account_of_highlighted_posts_is_refused_naming_them(alice, alice_x, api_client, highlighted):
    response = api_client(alice).patch(f"/api/v1/dossiers/{highlighted.pk}/", {"accounts": [alice_x.pk]})

    assert response.status_code == 400
    [message] = response.json()["highlights"]
    assert message.startswith(HIGHLIGHT_REFUSED)
    assert "Outside them: alice_rads in-period, alice_rads last-day. Remove them from the highlights first" in message
    assert list(highlighted.accounts.values_list("handle", flat=True)) == ["alice_rads"]


def test_a_change_that_keeps_every_highlight_inside_is_saved(alice, api_client, highlighted):
    response = api_client(alice).patch(
        f"/api/v1/dossiers/{highlighted.pk}/", {"period_start": "2025-03-01", "title": "Promotion, 2026"}
    )

    assert response.status_code == 200, response.content
    highlighted.refresh_from_db()
    assert (highlighted.period_start, highlighted.title) == (dt.date(2025, 3, 1), "Promotion, 2026")


def test_removing_the_stranded_highlight_in_the_same_body_lets_the_period_shrink(alice, api_client, highlighted, posts):
    response = api_client(alice).patch(
        f"/api/v1/dossiers/{highlighted.pk}/",
        {"period_end": "2025-06-30", "highlights": [{"post": posts["in the period"].pk}]},
    )

    assert response.status_code == 200, response.content
    assert list(highlighted.highlights.all()) == [posts["in the period"]]


# The admin's highlight inline follows the same rule.


def admin_change_form(dossier, accounts, *, period_end="2025-12-31", highlights=(), new=()) -> dict:
    """The admin's change form of `dossier` as posted: its saved highlights kept, `new` posts added."""
    rows = [*highlights, *new]
    form = {
        "faculty": dossier.faculty_id,
        "title": dossier.title,
        "period_start": "2025-01-01",
        "period_end": period_end,
        "as_of": "2026-01-15",
        "narrative": "",
        "accounts": [account.pk for account in accounts],
        "scoring_profile": "",
        "highlight_rows-TOTAL_FORMS": str(len(rows)),
        "highlight_rows-INITIAL_FORMS": str(len(highlights)),
        "highlight_rows-MIN_NUM_FORMS": "0",
        "highlight_rows-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        highlight = row if isinstance(row, Highlight) else None
        post = highlight.post if highlight else row
        form |= {
            f"highlight_rows-{index}-id": highlight.pk if highlight else "",
            f"highlight_rows-{index}-dossier": dossier.pk,
            f"highlight_rows-{index}-position": index,
            f"highlight_rows-{index}-post": post.pk,
        }
    return form


def admin_change(dossier) -> str:
    return reverse("admin:dossiers_dossier_change", args=[dossier.pk])


@pytest.mark.parametrize(("kind", "accepted"), [("in the period", True), ("after the period", False)])
def test_the_admins_highlight_inline_follows_the_rule(
    client, nora, alice_instagram, new_dossier, posts, kind, accepted
):
    dossier = new_dossier()
    client.force_login(nora)

    response = client.post(admin_change(dossier), admin_change_form(dossier, [alice_instagram], new=[posts[kind]]))

    if accepted:
        assert response.status_code == 302
        assert list(dossier.highlights.all()) == [posts[kind]]
    else:
        assert response.status_code == 200
        assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [HIGHLIGHT_REFUSED]
        assert not dossier.highlights.exists()


def test_the_admin_refuses_a_shorter_period_that_would_leave_a_highlight_outside(
    client, nora, alice_instagram, highlighted
):
    client.force_login(nora)
    rows = list(highlighted.highlight_rows.select_related("post"))

    response = client.post(
        admin_change(highlighted),
        admin_change_form(highlighted, [alice_instagram], period_end="2025-06-30", highlights=rows),
    )

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [STRANDED]
    highlighted.refresh_from_db()
    assert highlighted.period_end == PERIOD[1]
