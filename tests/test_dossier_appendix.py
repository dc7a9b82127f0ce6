"""
What the committee reads at the end of a dossier: integrity flags grouped by post and account, each naming its
post; the privacy check as counts, with no workflow text beside a post; all of it from the stored data alone.
"""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from weasyprint import HTML

from metrics.models import Post
from portfolio.dossiers import exports
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.content import tables
from portfolio.dossiers.flag_groups import MANY_POSTS
from portfolio.dossiers.flag_groups import caption_start
from portfolio.dossiers.flag_groups import group_flags
from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.render import render_dossier_html
from portfolio.dossiers.verification import version_url
from tests.factories import AccountMetricsFactory
from tests.factories import HighlightFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def add_hand_entered_posts(account, count: int, *, first=dt.date(2025, 5, 1)) -> list[Post]:
    """
    Posts whose only flag is their unverified, hand-entered snapshot: their actions and rates spread around the
    fixture's posts, so that no post stands out as a sudden jump.
    """
    posts = []
    for i in range(count):
        post = PostFactory(
            account=account,
            published_at=published(first + dt.timedelta(days=i)),
            caption=f"Case {i} of the spring series: a teaching point on bone scans with a long explanation",
            url=f"https://www.instagram.com/p/case{i}/",
        )
        likes, impressions = 30 + 60 * (i % 6), 1000 + 1000 * (i % 6)
        PostMetricsFactory(
            post=post, captured_on=first + dt.timedelta(days=i + 7), impressions=impressions, likes=likes
        )
        posts.append(post)
    return posts


def integrity_table(data: dict):
    return next(table for table in tables(data) if table.title == "Integrity flags")


def appendix(html: str) -> str:
    """The integrity part of the methods appendix."""
    return html[html.index("<h3>Integrity flags</h3>") : html.index("<h3>This document</h3>")]


def laid_out_text(html: str) -> str:
    """Every piece of text WeasyPrint lays out on the PDF's pages (what `exports.pdf_bytes` writes)."""
    document = HTML(string=html, base_url=exports.BASE_URL, url_fetcher=exports.StaticFilesOnly()).render()
    texts = []
    for page in document.pages:
        texts += [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
    return " ".join(texts)


# Grouping ------------------------------------------------------------------------------------------------------------


def test_caption_start_is_about_sixty_characters_cut_at_a_word():
    caption = "Identify the finding 🔍 Bone scan, diffuse bone pain. Swipe ➡️ for the answer.\n\nAnswer: superscan."
    start = caption_start(caption)
    assert start == "Identify the finding 🔍 Bone scan, diffuse bone pain. Swipe…"
    assert len(start) <= 61
    assert caption_start("Short caption\non two lines") == "Short caption on two lines"
    assert caption_start("") == ""
    assert caption_start("https://example.org/" + "x" * 80) == ("https://example.org/" + "x" * 80)[:60] + "…"


def test_each_flagged_post_gets_one_entry_naming_its_date_account_caption_start_and_link(
    dossier, worked_post, alice_instagram
):
    worked_post.url = "https://www.instagram.com/p/segond/"
    worked_post.save()
    # The worked example carries two flags: its snapshot was typed by hand, and it counts more likes than reach.
    PostMetricsFactory(post=worked_post, captured_on=dt.date(2025, 3, 20), impressions=6154, reach=100, likes=184)

    data = dossier_data(dossier)
    groups = group_flags(data)

    assert groups["kinds"] == []  # no kind concerns many posts
    entries = {entry["post_id"]: entry for entry in groups["posts"]}
    assert len(entries) == len(groups["posts"])  # one entry per post
    worked = entries[worked_post.pk]
    assert (worked["published_on"], worked["handle"], worked["url"]) == (
        "2025-03-03",
        "alice_rads",
        "https://www.instagram.com/p/segond/",
    )
    assert worked["caption_start"] == "Segond fracture: the avulsion that predicts an ACL tear…"
    assert [flag["kind"] for flag in worked["flags"]] == ["likes_exceed_reach", "unverified_manual"]
    assert "184 likes over a reach of 100 accounts" in worked["flags"][0]["detail"]

    section = appendix(render_dossier_html(data))
    assert section.count("Segond fracture: the avulsion that predicts an ACL tear…") == 1
    assert "3 Mar 2025" in section and "@alice_rads" in section
    assert 'href="https://www.instagram.com/p/segond/"' in section


def test_many_flags_of_one_kind_are_said_once_with_the_count_and_a_compact_list(dossier, alice_instagram):
    add_hand_entered_posts(alice_instagram, MANY_POSTS + 2)

    data = dossier_data(dossier)
    groups = group_flags(data)

    # The worked example, the dossier's second post and the new ones: every snapshot was typed by hand.
    [manual] = groups["kinds"]
    assert manual["kind"] == "unverified_manual"
    assert manual["count"] == MANY_POSTS + 4
    assert {post["post_id"] for post in manual["posts"]} == set(
        Post.objects.filter(account=alice_instagram).values_list("pk", flat=True)
    )
    assert all(post["published_on"] and post["handle"] == "alice_rads" for post in manual["posts"])
    assert groups["posts"] == []  # a post flagged only for this kind has no entry of its own

    section = appendix(render_dossier_html(data))
    # One row for the rule: its count, and its posts named compactly by day and account, each linked.
    [row] = re.findall(r'<tr><th scope="row">Entered by hand[^<]*</th>.*?</tr>', section, re.S)
    assert f'<td class="num">{MANY_POSTS + 4}</td>' in row
    assert row.count("@alice_rads") == MANY_POSTS + 4
    assert 'href="https://www.instagram.com/p/case0/"' in row
    assert "Case 0 of the spring series" not in row

    table = integrity_table(data)
    assert [row[0] for row in table.rows] == ["Posts", "Account"]  # and the follower count of the fixture
    assert (
        table.rows[0][6] == f"Entered by hand or sent through the API, not verified by an admin: {MANY_POSTS + 4} posts"
    )
    assert len(table.rows[0][7].splitlines()) == MANY_POSTS + 4


def test_a_post_with_another_flag_keeps_its_entry_when_its_manual_flag_is_collapsed(
    dossier, worked_post, alice_instagram
):
    add_hand_entered_posts(alice_instagram, MANY_POSTS)
    PostMetricsFactory(post=worked_post, captured_on=dt.date(2025, 3, 20), impressions=6154, likes=7000)

    groups = group_flags(dossier_data(dossier))

    assert [entry["post_id"] for entry in groups["posts"]] == [worked_post.pk]
    assert [flag["kind"] for flag in groups["posts"][0]["flags"]] == ["actions_exceed_impressions", "unverified_manual"]
    assert worked_post.pk in {post["post_id"] for post in groups["kinds"][0]["posts"]}


def test_flags_on_an_account_are_grouped_per_account(dossier, alice_instagram):
    for day in (dt.date(2025, 2, 1), dt.date(2025, 6, 1), dt.date(2025, 9, 1)):
        AccountMetricsFactory(account=alice_instagram, captured_on=day, followers=7200)

    data = dossier_data(dossier)
    [account] = group_flags(data)["accounts"]

    assert (account["handle"], account["platform"]) == ("alice_rads", "Instagram")
    [line] = account["lines"]
    # The dossier's own count of 1 Jan 2025 and these three, on one line.
    assert (line["kind"], line["count"]) == ("unverified_manual", 4)
    assert line["details"][1] == "7,200 followers on 2025-02-01, entered by hand"
    table = integrity_table(data)
    assert [row[0] for row in table.rows] == ["Post", "Post", "Account"]
    assert table.rows[-1][6].startswith(
        "Entered by hand or sent through the API, not verified by an admin (4 times): 7,100 followers"
    )


def test_page_pdf_and_tables_show_the_same_entries(dossier, worked_post):
    worked_post.url = "https://www.instagram.com/p/segond/"
    worked_post.save()
    PostMetricsFactory(post=worked_post, captured_on=dt.date(2025, 3, 20), impressions=6154, likes=7000)
    data = dossier_data(dossier)
    html = render_dossier_html(data)

    text = " ".join(laid_out_text(html).split())
    assert "Segond fracture: the avulsion that predicts an ACL tear…" in text
    assert "instagram.com/p/segond" in text
    table = integrity_table(data)
    assert (table.rows[0][0], table.rows[0][3], table.rows[0][4]) == (
        "Post",
        "2025-03-03",
        "Segond fracture: the avulsion that predicts an ACL tear…",
    )


def test_data_frozen_before_flags_named_their_post_still_groups(dossier, worked_post):
    data = json.loads(json.dumps(dossier_data(dossier)))
    for flag in data["methods"]["integrity_flags"]:
        del flag["post"]
    del data["methods"]["privacy_check"]

    groups = group_flags(data)

    assert {entry["post_id"] for entry in groups["posts"]} == {
        flag["post_id"] for flag in data["methods"]["integrity_flags"] if flag["post_id"]
    }
    assert f"Post {worked_post.pk}" in appendix(render_dossier_html(data))
    assert integrity_table(data).rows


def test_a_frozen_version_renders_its_grouped_appendix_from_its_stored_data_alone(
    dossier, worked_post, alice, django_assert_num_queries
):
    version = freeze(dossier=dossier, user=alice)
    frozen = {
        "number": version.number,
        "frozen_at": version.frozen_at.isoformat(),
        "frozen_by": "Alice Adams",
        "verify_url": version_url(version.public_id),
        "signer": version.signing_credential.institution.name,
    }
    data = version.data
    worked_post.caption = "Rewritten after the freeze"
    worked_post.save()

    with django_assert_num_queries(0):
        html = render_dossier_html(data, frozen=frozen)
        table = integrity_table(data)

    assert html == version.html
    assert "Segond fracture: the avulsion that predicts an ACL tear…" in appendix(html)
    assert "Rewritten after the freeze" not in html
    assert table.rows[0][4] == "Segond fracture: the avulsion that predicts an ACL tear…"


def test_the_dossier_page_pins_its_queries_with_many_flagged_posts(
    client, alice, alice_instagram, dossier, django_assert_num_queries
):
    add_hand_entered_posts(alice_instagram, 3)
    client.force_login(alice)
    client.get(f"/dossiers/{dossier.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/dossiers/{dossier.pk}/")
    add_hand_entered_posts(alice_instagram, 30, first=dt.date(2025, 8, 1))
    # Naming each flag's post reads nothing more: the posts come with the period's one read of posts.
    with django_assert_num_queries(len(few)):
        response = client.get(f"/dossiers/{dossier.pk}/")
    assert "35 posts" in response.content.decode()


# Privacy workflow ----------------------------------------------------------------------------------------------------


@pytest.fixture
def acknowledged(dossier, alice_instagram, alice):
    flagged = PostFactory(
        account=alice_instagram,
        published_at=published(dt.date(2025, 5, 2)),
        caption="A 47-year-old after a fall: classic findings.",
    )
    return HighlightFactory(
        dossier=dossier, post=flagged, position=2, privacy_acknowledged_by=alice, privacy_acknowledged_at=timezone.now()
    )


WORKFLOW_WORDS = ("acknowledged by Alice", "Privacy check: possible patient identifiers", "Reviewed and acknowledged")


def test_the_document_prints_no_privacy_workflow_beside_a_post_and_counts_it_in_the_methods(dossier, acknowledged):
    data = dossier_data(dossier)
    html = render_dossier_html(data)

    highlights = html[html.index('id="dossier-highlights"') : html.index('id="dossier-reputation"')]
    assert "A 47-year-old after a fall" in highlights  # the caption itself, as it is
    for words in (*WORKFLOW_WORDS, "<mark", "Not yet fixed"):
        assert words not in highlights
        assert words not in html
    sentence = "2 highlighted captions were checked for patient identifiers; 1 flag acknowledged by the faculty member."
    assert sentence in html
    text = " ".join(laid_out_text(html).split())
    assert sentence in text
    assert not any(words in text for words in WORKFLOW_WORDS)


def test_an_acknowledgement_by_someone_else_and_an_open_flag_are_counted_apart(dossier, acknowledged, nora):
    acknowledged.privacy_acknowledged_by = nora
    acknowledged.save()
    HighlightFactory(
        dossier=dossier, position=3, post=PostFactory(account=acknowledged.post.account, caption="MRN 1234567 today")
    )

    check = dossier_data(dossier)["methods"]["privacy_check"]

    assert check == {
        "captions": 3,
        "flagged_captions": 2,
        "flags": 2,
        "acknowledged_by_faculty": 0,
        "acknowledged_by_others": 1,
        "unresolved": 1,
    }
    assert (
        "3 highlighted captions were checked for patient identifiers; 1 flag acknowledged on the faculty member's "
        "behalf; 1 flag not yet fixed or acknowledged."
    ) in render_dossier_html(dossier_data(dossier)).replace("&#x27;", "'")


def test_the_builder_still_shows_the_flags_and_the_acknowledgement(client, alice, dossier, acknowledged):
    client.force_login(alice)
    content = client.get(f"/dossiers/{dossier.pk}/highlights/").content.decode()
    assert "Privacy flags acknowledged by Alice Adams" in content
