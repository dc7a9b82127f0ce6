"""Meta Business Suite exports: Alice's Instagram posts (new and pre-2025), Northfield's Facebook page."""

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from metrics.importers import UnsupportedFile
from tests.exports import read_export as read

INSTAGRAM = "Sep-01-2026_Sep-30-2026_1234567890123456.csv"
INSTAGRAM_2024 = "Mar-01-2024_Mar-31-2024_1234567890123456.csv"
FACEBOOK = "Sep-01-2026_Sep-30-2026_9876543210987654.csv"


def test_instagram_export_with_a_bom_is_recognised_and_names_the_account():
    facts, rows = read(INSTAGRAM)

    assert facts.format == "instagram"
    assert facts.platform == "instagram"
    assert facts.handle == "alicerad"
    assert {(post.platform, post.handle) for post in rows.posts} == {("instagram", "alicerad")}
    assert facts.captured_on is None  # Meta's file names do not say when the export was made
    assert rows.errors == []
    assert len(rows.posts) == 3


def test_instagram_views_are_views_and_lifetime_is_not_a_date():
    facts, rows = read(INSTAGRAM)

    carousel = rows.posts[0]
    assert carousel.external_id == "18182686576415017"
    assert carousel.url == "https://www.instagram.com/p/DAbCdEfGhIj/"
    assert carousel.content_type == "carousel"
    assert carousel.metrics == {
        "views": 6154,
        "reach": 4210,
        "likes": 184,
        "comments": 10,
        "shares": 11,
        "saves": 36,
        "follows": 9,
    }
    assert "Date" in facts.ignored_columns  # always "Lifetime"
    assert {"Account ID", "Account name", "Duration (sec)", "Data comment"} <= set(facts.ignored_columns)


def test_instagram_publish_time_is_local_time_in_the_given_zone():
    _, rows = read(INSTAGRAM, tz=ZoneInfo("America/New_York"))

    assert rows.posts[0].published_at == datetime(2026, 9, 24, 15, 30, tzinfo=ZoneInfo("America/New_York"))
    assert rows.posts[0].published_at.utcoffset() is not None


def test_instagram_publish_time_defaults_to_utc():
    _, rows = read(INSTAGRAM)

    assert rows.posts[1].published_at == datetime(2026, 9, 20, 8, 5, tzinfo=UTC)


def test_instagram_multiline_caption_and_post_types():
    _, rows = read(INSTAGRAM)

    assert rows.posts[0].caption == (
        "Five signs of appendicitis on ultrasound 👇\n\n1. Non-compressible, 2. > 6 mm, 3. ...\n#RadEd #ultrasound"
    )
    assert [post.content_type for post in rows.posts] == ["carousel", "short_video", "image"]


def test_instagram_blank_cells_are_not_reported_while_zeros_are_zero():
    _, rows = read(INSTAGRAM)

    image = rows.posts[2]
    assert image.metrics["views"] is None
    assert image.metrics["reach"] is None
    assert image.metrics["likes"] == 0


def test_older_instagram_export_fills_impressions_not_views():
    _, rows = read(INSTAGRAM_2024)

    [post] = rows.posts
    assert post.metrics["impressions"] == 2310
    assert "views" not in post.metrics


def test_facebook_header_with_a_comma_inside_quotes_is_read():
    facts, rows = read(FACEBOOK)

    assert facts.format == "facebook"
    assert facts.platform == "facebook"
    assert facts.handle == ""  # Page name is a display name, not a handle: the workflow does not check it
    assert "Reactions, Comments and Shares" in facts.ignored_columns
    assert rows.errors == []


def test_facebook_reactions_are_likes_and_total_clicks_are_clicks():
    _, rows = read(FACEBOOK)

    photo = rows.posts[0]
    assert photo.external_id == "122100000000000001"
    assert photo.content_type == "image"
    assert photo.metrics == {"views": 3400, "reach": 2900, "likes": 180, "comments": 20, "shares": 10, "clicks": 95}


def test_facebook_caption_comes_from_title_then_description():
    _, rows = read(FACEBOOK)

    assert rows.posts[0].caption == "Welcome to our new residents, class of 2030! 🎓"  # photo: Title only
    assert rows.posts[1].caption == (
        "MRI safety in 90 seconds\n\nWhy we ask about implants, pacemakers and tattoos.\nShare with your patients!"
    )
    assert rows.posts[1].content_type == "video"


@pytest.mark.parametrize("name", ["Instagram follows.csv", "Views (1).csv"])
def test_daily_page_metric_files_in_utf16_are_recognised_and_refused(name):
    with pytest.raises(UnsupportedFile, match="not a follower total"):
        read(name)
