"""YouTube Studio's content table: alone, in its zip, with new and old labels."""

import io
import zipfile
from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from metrics.importers import UnrecognisedFile
from metrics.importers import UnsupportedFile
from metrics.importers import youtube
from tests.exports import TODAY
from tests.exports import read_export as read

ZIP = "Content 2026-09-12_2026-10-01 Northfield Radiology.zip"


def test_total_row_is_skipped_and_counted():
    facts, rows = read("Table data.csv")

    assert facts.format == "youtube"
    assert rows.skipped_rows == 1
    assert [post.external_id for post in rows.posts] == ["dQw4w9WgXcQ", "-abcDEF1234", "_xyzXYZ0987"]
    assert rows.errors == []


def test_video_ids_are_trimmed_and_become_watch_urls():
    _, rows = read("Table data.csv")

    short = rows.posts[1]
    assert short.external_id == "-abcDEF1234"  # written " -abcDEF1234"
    assert short.url == "https://www.youtube.com/watch?v=-abcDEF1234"
    assert short.content_type == "video"


def test_publish_day_is_the_start_of_that_day_in_the_given_zone():
    _, rows = read("Table data.csv", tz=ZoneInfo("Europe/Berlin"))

    assert rows.posts[0].published_at == datetime(2024, 1, 6, tzinfo=ZoneInfo("Europe/Berlin"))
    assert rows.posts[1].published_at.date() == date(2024, 2, 29)


def test_watch_hours_become_seconds_and_thumbnail_impressions_are_impressions():
    facts, rows = read("Table data.csv")

    assert rows.posts[0].metrics == {"views": 4100, "impressions": 60000, "watch_time_seconds": 2880900, "follows": 12}
    assert rows.posts[1].metrics["watch_time_seconds"] == 433194  # 120.3316 h, rounded
    assert "Thumbnail click-through rate (%)" in facts.ignored_columns
    assert "Estimated revenue (USD)" in facts.ignored_columns


def test_negative_net_subscribers_are_not_reported_rather_than_an_error():
    _, rows = read("Table data.csv")

    assert rows.posts[1].metrics["follows"] is None  # Subscribers = -4
    assert rows.posts[2].metrics["follows"] is None  # blank


def test_subscribers_gained_wins_over_net_subscribers():
    facts, rows = read("Table data (subscribers gained).csv")

    [post] = rows.posts
    assert post.metrics == {
        "views": 3000,
        "impressions": 45000,
        "reach": 2100,  # Unique viewers
        "likes": 130,
        "dislikes": 4,
        "shares": 22,
        "comments": 31,  # Comments added
        "watch_time_seconds": 901800,
        "follows": 40,  # Subscribers gained, not the net 35
    }
    assert "Subscribers" in facts.ignored_columns
    assert "Average view duration" in facts.ignored_columns


def test_zip_download_is_read_through_its_table_and_dated_by_its_name():
    facts, rows = read(ZIP)

    assert facts.format == "youtube"
    assert facts.captured_on == date(2026, 10, 1)
    assert len(rows.posts) == 3
    assert rows.skipped_rows == 1


def test_zip_without_a_table_says_what_it_holds():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Totals.csv", "Date,Views\n2025-03-09,52\n")
    with pytest.raises(UnrecognisedFile, match=r"no 'Table data.csv' \(it holds: Totals.csv\)"):
        youtube.parse(io.BytesIO(buffer.getvalue()), filename="Content.zip", today=TODAY)


def test_chart_data_is_recognised_and_refused():
    with pytest.raises(UnsupportedFile, match=r"Upload 'Table data\.csv'"):
        read("Chart data.csv")


def test_fractional_watch_time_is_fine_but_a_fractional_view_count_is_an_error():
    body = "Content,Video title,Video publish time,Duration,Views,Watch time (hours)\n"
    body += 'AbCdEfGhIjK,T,"Mar 3, 2023",60,12.5,0.5\n'
    rows = youtube.parse(io.BytesIO(body.encode()), filename="Table data.csv", today=TODAY).collect()

    assert rows.posts == []
    assert [(e.row, e.column, e.message) for e in rows.errors] == [(2, "Views", "not a whole number: 12.5")]


def test_published_at_is_always_time_zone_aware():
    _, rows = read("Table data.csv")

    assert all(post.published_at.tzinfo is UTC for post in rows.posts)
