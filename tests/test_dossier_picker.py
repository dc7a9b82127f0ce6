"""The highlight picker: each post's numbers as the site defines them, sorting, filters, keeping one's place."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.dossiers.models import ScoringProfile
from tests.factories import DossierFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

AS_OF = dt.date(2026, 7, 1)


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def post_with(account, day: dt.date, *, caption: str = "Case of the week #MSKMonday", category="education", **counts):
    post = PostFactory(account=account, published_at=published(day), caption=caption, category=category)
    if counts:
        PostMetricsFactory(post=post, **counts)
    return post


@pytest.fixture
def alice_x(alice):
    return SocialAccountFactory(platform=platform("twitter"), handle="alice_on_x", faculty=alice.faculty)


@pytest.fixture
def dossier(alice, alice_instagram, alice_x):
    dossier = DossierFactory(
        faculty=alice.faculty, as_of=AS_OF, scoring_profile=ScoringProfile.objects.get(institution=None)
    )
    dossier.accounts.add(alice_instagram, alice_x)
    return dossier


@pytest.fixture
def posts(alice_instagram, alice_x):
    """Four posts whose rates by impressions are 10%, 5%, 2% and not computable (no impressions reported)."""
    return {
        "middle": post_with(alice_instagram, dt.date(2025, 2, 1), impressions=2000, likes=100),
        "best": post_with(alice_x, dt.date(2025, 3, 1), impressions=1000, likes=80, comments=20, category="research"),
        "worst": post_with(alice_instagram, dt.date(2025, 4, 1), impressions=10000, likes=200),
        "unknown": post_with(alice_instagram, dt.date(2025, 5, 1), likes=900),
    }


def highlights_url(dossier, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("dossiers:highlights", args=[dossier.pk]) + (f"?{query}" if query else "")


def row_order(content: str) -> list[int]:
    """The post ids of the picker's rows, top to bottom."""
    return [int(pk) for pk in re.findall(r'<tr id="post-(\d+)"', content)]


def row(content: str, post) -> str:
    return content.split(f'<tr id="post-{post.pk}"')[1].split("</tr>")[0]


def test_the_best_rate_comes_first_and_a_rate_not_computable_last(client, alice, dossier, posts):
    client.force_login(alice)
    content = client.get(highlights_url(dossier)).content.decode()
    assert row_order(content) == [posts[name].pk for name in ("best", "middle", "worst", "unknown")]
    assert "sorted by rate, highest first" in content


def test_each_row_shows_impressions_actions_and_rate_as_the_site_defines_them(client, alice, dossier, posts):
    client.force_login(alice)
    content = client.get(highlights_url(dossier)).content.decode()
    best = row(content, posts["best"])
    assert "1 Mar 2025" in best
    assert "X (Twitter)" in best
    assert "@alice_on_x" in best
    assert ">1,000</td>" in best  # impressions
    assert ">100</td>" in best  # actions: 80 likes + 20 comments
    assert ">10.0%</td>" in best
    unknown = row(content, posts["unknown"])
    assert ">not reported</td>" in unknown
    assert ">not computable</td>" in unknown


def test_a_post_without_metrics_as_of_the_dossier_date_says_so(client, alice, dossier, alice_instagram):
    post_with(alice_instagram, dt.date(2025, 6, 1))
    client.force_login(alice)
    content = client.get(highlights_url(dossier)).content.decode()
    assert "no metrics" in content


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("impressions", ["best", "middle", "worst", "unknown"]),
        ("-impressions", ["worst", "middle", "best", "unknown"]),
        ("-actions", ["unknown", "worst", "best", "middle"]),
        ("rate", ["worst", "middle", "best", "unknown"]),
        ("published", ["middle", "best", "worst", "unknown"]),
        ("-published", ["unknown", "worst", "best", "middle"]),
    ],
)
def test_sorting_by_each_number(client, alice, dossier, posts, sort, expected):
    client.force_login(alice)
    content = client.get(highlights_url(dossier, sort=sort)).content.decode()
    assert row_order(content) == [posts[name].pk for name in expected]


def test_sorting_by_platform_puts_instagram_before_x(client, alice, dossier, posts):
    client.force_login(alice)
    order = row_order(client.get(highlights_url(dossier, sort="platform")).content.decode())
    assert order[-1] == posts["best"].pk


def test_an_unknown_sort_falls_back_to_the_best_rate(client, alice, dossier, posts):
    client.force_login(alice)
    content = client.get(highlights_url(dossier, sort="password")).content.decode()
    assert row_order(content)[0] == posts["best"].pk


def test_filters_by_platform_account_and_category(client, alice, dossier, posts, alice_x, alice_instagram):
    client.force_login(alice)
    by_platform = client.get(highlights_url(dossier, platform=platform("twitter").pk)).content.decode()
    assert row_order(by_platform) == [posts["best"].pk]
    by_account = client.get(highlights_url(dossier, account=alice_instagram.pk)).content.decode()
    assert set(row_order(by_account)) == {posts[name].pk for name in ("middle", "worst", "unknown")}
    by_category = client.get(highlights_url(dossier, category="research")).content.decode()
    assert row_order(by_category) == [posts["best"].pk]


def test_an_account_of_someone_else_filters_to_nothing(client, alice, dossier, posts, dana):
    other = SocialAccountFactory(faculty=dana)
    post_with(other, dt.date(2025, 3, 1), impressions=10, likes=9)
    client.force_login(alice)
    content = client.get(highlights_url(dossier, account=other.pk)).content.decode()
    assert row_order(content) == []


def test_the_privacy_flag_is_shown_before_the_post_is_highlighted(client, alice, dossier, alice_instagram):
    flagged = post_with(alice_instagram, dt.date(2025, 3, 3), caption="A 47-year-old after a motorcycle crash.")
    client.force_login(alice)
    flagged_row = row(client.get(highlights_url(dossier)).content.decode(), flagged)
    assert "Privacy check:" in flagged_row
    assert "47-year-old" in flagged_row
    assert "Highlight<span" in flagged_row


def test_a_highlighted_post_keeps_its_row_marked_as_highlighted(client, alice, dossier, posts):
    highlight = HighlightFactory(dossier=dossier, post=posts["middle"])
    client.force_login(alice)
    content = client.get(highlights_url(dossier)).content.decode()
    assert row_order(content)[1] == posts["middle"].pk
    assert f"#highlight-{highlight.pk}" in row(content, posts["middle"])
    assert "Highlight<span" not in row(content, posts["middle"])


def test_adding_without_javascript_comes_back_to_the_same_page_sort_filter_and_row(client, alice, dossier, posts):
    client.force_login(alice)
    response = client.post(
        reverse("dossiers:highlight-add", args=[dossier.pk]),
        {"post": posts["worst"].pk, "sort": "impressions", "platform": platform("instagram").pk, "page": "1"},
    )
    assert response.status_code == 302
    assert response.url == (
        f"{highlights_url(dossier)}?sort=impressions&platform={platform('instagram').pk}&page=1#post-{posts['worst'].pk}"
    )
    assert dossier.highlight_rows.filter(post=posts["worst"]).exists()


def test_adding_from_the_script_answers_with_the_row_now_highlighted(client, alice, dossier, posts):
    client.force_login(alice)
    response = client.post(
        reverse("dossiers:highlight-add", args=[dossier.pk]),
        {"post": posts["best"].pk, "sort": "-rate"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    highlight = dossier.highlight_rows.get(post=posts["best"])
    assert content.strip().startswith(f'<tr id="post-{posts["best"].pk}"')
    assert "data-new-highlight" in content
    assert f"#highlight-{highlight.pk}" in content
    assert ">10.0%</td>" in content


def test_the_script_is_told_when_a_post_cannot_be_highlighted(client, alice, dossier, dana):
    other = post_with(SocialAccountFactory(faculty=dana), dt.date(2025, 3, 1))
    client.force_login(alice)
    response = client.post(
        reverse("dossiers:highlight-add", args=[dossier.pk]), {"post": other.pk}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert not dossier.highlight_rows.exists()


def test_a_skip_link_leads_to_the_first_highlight_button(client, alice, dossier, posts):
    client.force_login(alice)
    content = client.get(highlights_url(dossier)).content.decode()
    body = content.split("<body>")[1]
    # The second link of the page skips to the rows; the first focusable element after the target is a button.
    links = re.findall(r'<a class="skip-link" href="#([\w-]+)"', body)
    assert links == ["main", "candidate-rows"]
    after_target = body.split('id="candidate-rows"')[1]
    first_focusable = re.search(r"<(a|button|input(?! type=\"hidden\")|select|textarea)\b", after_target)
    assert first_focusable.group(1) == "button"


def test_the_picker_is_paginated_and_keeps_the_sort_in_its_links(client, alice, dossier, alice_instagram):
    for day in range(25):
        post_with(alice_instagram, dt.date(2025, 1, 1) + dt.timedelta(days=day), impressions=1000, likes=day)
    client.force_login(alice)
    content = client.get(highlights_url(dossier, sort="-impressions")).content.decode()
    assert len(row_order(content)) == 20
    assert "?sort=-impressions&amp;page=2#candidates" in content
    second = client.get(highlights_url(dossier, sort="-impressions", page=2)).content.decode()
    assert len(row_order(second)) == 5


def test_the_picker_does_not_query_per_row(client, alice, dossier, alice_instagram, django_assert_num_queries):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(highlights_url(dossier)).status_code == 200
        return len(queries)

    client.force_login(alice)
    for day in range(3):
        post_with(alice_instagram, dt.date(2025, 1, 1) + dt.timedelta(days=day), impressions=100, likes=day)
    few = page_queries()
    for day in range(40):
        post_with(alice_instagram, dt.date(2025, 3, 1) + dt.timedelta(days=day), impressions=100, likes=day)
    assert page_queries() == few
    instagram = platform("instagram").pk
    with django_assert_num_queries(few):
        client.get(highlights_url(dossier, sort="platform", platform=instagram))


def test_a_refused_freeze_names_the_post_and_links_to_its_acknowledge_button(client, alice, dossier, alice_instagram):
    flagged = post_with(
        alice_instagram, dt.date(2025, 3, 3), caption="Seen on 3/14/2025: a classic Segond fracture", impressions=5
    )
    highlight = HighlightFactory(dossier=dossier, post=flagged)
    client.force_login(alice)
    response = client.post(reverse("dossiers:freeze", args=[dossier.pk]))
    assert response.status_code == 409
    content = response.content.decode()
    assert "3 Mar 2025, Instagram @alice_rads: “Seen on 3/14/2025: a classic Segond fracture”" in content
    anchor = f"acknowledge-button-{highlight.pk}"
    assert f'{highlights_url(dossier)}#{anchor}"' in content
    assert flagged.external_id not in content
    assert f'id="{anchor}"' in client.get(highlights_url(dossier)).content.decode()
