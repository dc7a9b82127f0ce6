"""The project's own template CSV: any platform, one row per post snapshot, read in chunks."""

import csv
import io
import tracemalloc
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accounts.vocabulary import METRIC_FIELDS
from metrics.importers import open_export
from metrics.importers import template
from metrics.plausibility import COUNT_REASON

EXPORTS = Path(__file__).parent / "data" / "exports"
TODAY = date(2026, 10, 5)


def parse(text: str, **options):
    return template.parse(io.BytesIO(text.encode()), filename="template.csv", today=TODAY, **options)


def test_header_lists_the_text_columns_then_the_twelve_metrics():
    assert template.HEADER[:9] == [
        "platform",
        "handle",
        "external_id",
        "url",
        "published_at",
        "content_type",
        "category",
        "caption",
        "captured_on",
    ]
    assert template.HEADER[9:] == list(METRIC_FIELDS)


def test_sample_file_rows_carry_platform_handle_category_and_snapshot_date():
    with (EXPORTS / "template.csv").open("rb") as stream:
        parsed = open_export(stream, filename="template.csv", today=TODAY)
        rows = parsed.collect()

    assert parsed.facts.format == "template"
    assert parsed.facts.platform == ""
    assert parsed.facts.ignored_columns == ("notes",)
    assert rows.errors == []
    carousel, reddit, video = rows.posts
    assert (carousel.platform, carousel.handle, carousel.category) == ("instagram", "alicerad", "education")
    assert carousel.published_at == datetime(2026, 9, 24, 15, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert carousel.captured_on == date(2026, 10, 1)
    assert carousel.caption == "Five signs of appendicitis, on ultrasound 👇\n#RadEd"
    assert carousel.metrics["profile_visits"] == 42
    assert carousel.metrics["views"] is None
    assert reddit.handle == "u/alice_rad"
    assert reddit.captured_on is None  # falls back to the date given for the whole import
    assert reddit.metrics["dislikes"] == 4
    assert video.platform == ""  # the import names the account
    assert video.metrics["likes"] == 0
    assert video.metrics["watch_time_seconds"] == 2880900


def test_date_only_published_at_is_midnight_in_the_given_zone():
    rows = parse("external_id,published_at\np1,2026-03-01\n", tz=ZoneInfo("Europe/Lisbon")).collect()

    assert rows.posts[0].published_at == datetime(2026, 3, 1, tzinfo=ZoneInfo("Europe/Lisbon"))


def test_headers_match_in_any_case_with_spaces_and_labels():
    rows = parse("External ID,Published at,Profile visits,Watch time (seconds)\np1,2026-03-01T10:00Z,3,90\n").collect()

    [post] = rows.posts
    assert post.published_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert post.metrics["profile_visits"] == 3
    assert post.metrics["watch_time_seconds"] == 90


def test_unknown_content_type_and_category_are_errors_naming_the_column():
    rows = parse("external_id,content_type,category\np1,reel,teaching\np2,short_video,education\n").collect()

    assert [post.external_id for post in rows.posts] == ["p2"]
    assert [(e.row, e.column) for e in rows.errors] == [(2, "content_type"), (2, "category")]
    assert "short_video" in rows.errors[0].message  # lists the keys it takes


def test_rows_are_numbered_as_a_spreadsheet_shows_them_even_after_a_multiline_caption():
    text = 'external_id,caption,likes\np1,"line one\nline two",1\np2,x,-1\n'
    rows = parse(text).collect()

    assert rows.errors[0].row == 3
    assert rows.errors[0].column == "likes"


def test_chunks_hold_at_most_the_chunk_size():
    lines = ["external_id,likes"] + [f"p{i},{i}" for i in range(25)]
    chunks = list(parse("\n".join(lines) + "\n", chunk_rows=10).chunks)

    assert [chunk.post_count for chunk in chunks] == [10, 10, 5]
    assert chunks[2].all_posts()[-1].row == 26


def test_a_row_with_too_many_cells_is_an_error_and_the_next_rows_keep_their_numbers():
    rows = parse("external_id,likes\np1,1\np2,2,3\np3,3\n", chunk_rows=2).collect()

    assert [(post.external_id, post.row) for post in rows.posts] == [("p1", 2), ("p3", 4)]
    assert [(e.row, e.column) for e in rows.errors] == [(3, "")]
    assert "expected 2 fields, saw 3" in rows.errors[0].message


@pytest.mark.slow
def test_streaming_a_large_file_keeps_memory_far_below_its_size(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["platform", "external_id", "published_at", "caption", "likes", "views"])
        for i in range(200_000):
            caption = f"Post {i}: five signs of appendicitis on ultrasound, with a comma and an emoji 🩻 #RadEd"
            writer.writerow(["instagram", f"1800000000{i:08d}", "2026-09-01", caption, i % 997, i % 7919])
    size = path.stat().st_size

    posts = errors = 0
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            for chunk in template.parse(stream, filename="big.csv", today=TODAY).chunks:
                posts += chunk.post_count
                errors += len(chunk.errors)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert posts == 200_000
    assert errors == 0
    assert size > 20_000_000
    assert peak < size / 4


def test_a_bad_cell_repeated_on_many_rows_is_reported_on_each_of_them_in_every_chunk():
    lines = ["external_id,published_at,captured_on,likes"] + [f"p1,2026-02-30,2026-10-0{day},1" for day in range(1, 6)]

    rows = parse("\n".join(lines) + "\n", chunk_rows=2).collect()

    assert rows.posts == []
    assert [(e.row, e.column) for e in rows.errors] == [(number, "published_at") for number in range(2, 7)]
    assert len({e.message for e in rows.errors}) == 1


def test_counts_written_loosely_read_as_every_export_reads_them():
    rows = parse("external_id,likes,comments,shares,saves,views\np1, 5 ,1.2K,-,,0012\n").collect()

    assert rows.errors == []
    assert rows.posts[0].metrics == {"likes": 5, "comments": 1200, "shares": None, "saves": None, "views": 12}


def test_bad_counts_are_errors_naming_their_columns():
    rows = parse("external_id,likes,comments,shares\np1,-3,4.5,²\n").collect()

    assert [(e.column, e.message) for e in rows.errors] == [
        ("likes", "negative count: -3"),
        ("comments", "not a whole number: 4.5"),
        ("shares", "not a number: '²'"),
    ]


def test_a_count_too_large_for_the_database_is_a_row_error_not_a_failed_import():
    rows = parse("external_id,likes,comments\np1,100000000000000000000,3\n").collect()

    assert [(e.row, e.column, e.message) for e in rows.errors] == [
        (2, "likes", f"too large to be a count: 100000000000000000000 is {COUNT_REASON}")
    ]


def test_columns_the_file_leaves_out_read_as_blank():
    [post] = parse("external_id,likes\np1,3\n").collect().posts

    assert (post.platform, post.handle, post.url, post.caption, post.content_type, post.category) == ("",) * 6
    assert (post.published_at, post.captured_on, post.metrics) == (None, None, {"likes": 3})
