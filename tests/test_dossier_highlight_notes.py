"""
Why a post is highlighted belongs to the dossier's highlight: a note or category written for one dossier never
appears in another, and the post keeps its own classification. Through the builder, the API and the admin.
"""

import datetime as dt

import pytest
from django.urls import reverse

from metrics.models import Post
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.models import Highlight
from portfolio.dossiers.render import render_dossier_html
from tests.factories import DossierFactory
from tests.factories import HighlightFactory

pytest_plugins = ["tests.api_fixtures", "tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

NOTE = "Residents asked for this series after grand rounds."


@pytest.fixture
def next_dossier(alice, alice_instagram, worked_post):
    """Alice's next review, highlighting the same worked example."""
    dossier = DossierFactory(faculty=alice.faculty, title="Promotion to Professor", as_of=dt.date(2026, 7, 1))
    dossier.accounts.add(alice_instagram)
    HighlightFactory(dossier=dossier, post=worked_post, position=1)
    return dossier


def builder_form(highlight: Highlight, **values) -> dict:
    fields = {"position": highlight.position, "category": highlight.category, "note": highlight.note, **values}
    return {f"h{highlight.pk}-{name}": value for name, value in fields.items()}


def test_a_note_written_in_one_dossier_does_not_appear_in_another(client, alice, dossier, next_dossier, worked_post):
    client.force_login(alice)
    highlight = dossier.highlight_rows.get()
    data = builder_form(highlight, category="mentorship", note=NOTE)
    assert client.post(reverse("dossiers:highlights", args=[dossier.pk]), data).status_code == 302

    first = dossier_data(dossier)["highlights"][0]
    assert (first["note"], first["category"], first["category_label"]) == (NOTE, "mentorship", "Mentorship")
    assert NOTE in render_dossier_html(dossier_data(dossier))

    second = dossier_data(next_dossier)["highlights"][0]
    assert (second["note"], second["category"]) == ("", "")
    assert NOTE not in render_dossier_html(dossier_data(next_dossier))
    assert NOTE not in client.get(reverse("dossiers:detail", args=[next_dossier.pk])).content.decode()
    # The post is not changed: its own category stays the faculty member's classification of it.
    assert Post.objects.values_list("category", "highlight_note").get(pk=worked_post.pk) == (
        "education",
        "Most saved case of the year.",
    )


def test_the_highlights_tab_says_which_category_is_which(client, alice, dossier):
    client.force_login(alice)
    content = client.get(reverse("dossiers:highlights", args=[dossier.pk])).content.decode()
    assert "Category in this dossier" in content
    assert "The post's own category: Education." in content
    assert "no other dossier shows them" in content


def test_the_api_writes_and_reads_the_note_and_category_of_each_highlight(
    alice, dossier, next_dossier, worked_post, api_client
):
    client = api_client(alice)
    url = f"/api/v1/dossiers/{dossier.pk}/"
    row = {"post": worked_post.pk, "position": 1, "note": NOTE, "category": "research"}

    response = client.patch(url, {"highlights": [row]})

    assert response.status_code == 200, response.content
    [written] = response.json()["highlights"]
    assert (written["note"], written["category"]) == (NOTE, "research")
    [read] = client.get(url).json()["highlights"]
    assert (read["note"], read["category"]) == (NOTE, "research")
    [other] = client.get(f"/api/v1/dossiers/{next_dossier.pk}/").json()["highlights"]
    assert (other["note"], other["category"]) == ("", "")
    # The posts API keeps the post's own fields as they were.
    post = client.get(f"/api/v1/posts/{worked_post.pk}/").json()
    assert (post["category"], post["highlight_note"]) == ("education", "Most saved case of the year.")


def test_an_api_row_without_note_or_category_keeps_them(alice, dossier, worked_post, api_client):
    Highlight.objects.filter(dossier=dossier).update(note=NOTE, category="research")
    client = api_client(alice)

    response = client.patch(f"/api/v1/dossiers/{dossier.pk}/", {"highlights": [{"post": worked_post.pk}]})

    assert response.status_code == 200, response.content
    assert Highlight.objects.values_list("note", "category").get(dossier=dossier) == (NOTE, "research")


def test_the_api_refuses_an_unknown_category_and_changes_nothing(alice, dossier, worked_post, api_client):
    response = api_client(alice).patch(
        f"/api/v1/dossiers/{dossier.pk}/",
        {"highlights": [{"post": worked_post.pk, "note": NOTE, "category": "fame"}]},
    )

    assert response.status_code == 400
    assert response.json()["highlights"]["0"]["category"] == ['"fame" is not a valid choice.']
    assert Highlight.objects.values_list("note", "category").get(dossier=dossier) == ("", "")


def test_the_admin_inline_edits_the_note_and_category_of_a_highlight(client, nora, dossier):
    client.force_login(nora)
    content = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).content.decode()
    highlight = dossier.highlight_rows.get()
    assert 'name="highlight_rows-0-note"' in content
    assert 'name="highlight_rows-0-category"' in content
    assert f'value="{highlight.pk}"' in content
