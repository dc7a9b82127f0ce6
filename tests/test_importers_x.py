"""X / Twitter exports: Alice's legacy tweet activity files (en, pt, the 2015 'favorites' era) and the content CSV."""

import io
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from metrics.importers import UnsupportedFile
from metrics.importers import x
from tests.exports import TODAY
from tests.exports import read_export as read


def test_legacy_file_names_the_handle_and_the_export_date():
    facts, _ = read("tweet_activity_metrics_alicerad_20210401_20210501_en.csv")

    assert facts.format == "x"
    assert facts.platform == "twitter"
    assert facts.label == "X tweet activity (legacy)"
    assert facts.handle == "alicerad"
    assert facts.captured_on == date(2021, 5, 1)


def test_legacy_rows_map_onto_the_vocabulary():
    _, rows = read("tweet_activity_metrics_alicerad_20210401_20210501_en.csv")

    assert rows.errors == []
    paper = rows.posts[0]
    assert paper.row == 2
    assert paper.external_id == "1387837361853194240"
    assert paper.url == "https://twitter.com/alicerad/status/1387837361853194240"
    assert paper.published_at == datetime(2021, 4, 29, 18, 0, tzinfo=UTC)
    assert paper.metrics == {
        "impressions": 4240,  # written "4240.0"
        "likes": 51,
        "comments": 4,  # replies
        "shares": 12,  # retweets
        "profile_visits": 9,
        "follows": 2,
        "views": 0,  # media views
        "clicks": 21,  # url clicks
    }


def test_legacy_caption_keeps_its_lines_quotes_and_emoji():
    _, rows = read("tweet_activity_metrics_alicerad_20210401_20210501_en.csv")

    assert rows.posts[0].caption == (
        'New paper on low-dose CT protocols, out today 🎉\nThread below, with the figures, tables and "key points" 👇'
    )
    assert rows.posts[1].caption.startswith("@bobchair")  # replies are posts too


def test_legacy_thousands_separator_is_read_and_promoted_columns_are_ignored():
    facts, rows = read("tweet_activity_metrics_alicerad_20210401_20210501_en.csv")

    assert rows.posts[2].metrics["impressions"] == 1234  # "1,234"
    assert rows.posts[2].metrics["views"] == 310
    assert "promoted impressions" in facts.ignored_columns
    assert "promoted likes" in facts.ignored_columns
    assert {"engagements", "engagement rate", "detail expands"} <= set(facts.ignored_columns)


def test_favorites_era_file_reads_favorites_as_likes():
    facts, rows = read("tweet_activity_metrics_USCTrials_20150901_20151001_en.csv")

    assert facts.handle == "USCTrials"
    assert [post.metrics["likes"] for post in rows.posts] == [1, 5]
    assert rows.posts[0].published_at == datetime(2015, 9, 30, 18, 42, tzinfo=UTC)
    assert "promoted favorites" in facts.ignored_columns


def test_portuguese_headers_are_recognised():
    facts, rows = read("tweet_activity_metrics_alicerad_20220312_20220409_pt.csv")

    assert facts.captured_on == date(2022, 4, 9)
    [post] = rows.posts
    assert post.external_id == "1505000000000000000"
    assert post.published_at == datetime(2022, 3, 18, 22, 15, tzinfo=UTC)
    assert post.metrics == {
        "impressions": 980,
        "likes": 19,  # favoritos
        "comments": 2,  # respostas
        "shares": 3,
        "profile_visits": 4,  # cliques no perfil do usuário:
        "follows": 1,  # seguiram
        "views": 120,  # visualizações da mídia
        "clicks": 1,  # cliques no URL
    }
    assert "impressões promovido(a)(s)" in facts.ignored_columns


def test_content_export_takes_the_date_from_the_file_name_and_the_handle_from_the_links():
    facts, rows = read("account_analytics_content_2026-06-01_2026-07-15.csv")

    assert facts.label == "X account analytics content"
    assert facts.captured_on == date(2026, 7, 15)
    assert facts.handle == "alicerad"
    assert set(facts.ignored_columns) == {
        "Engagements",
        "Shares",
        "Detail Expands",
        "Hashtag Clicks",
        "Permalink Clicks",
    }
    assert rows.errors == []


def test_content_export_recovers_the_time_of_day_from_the_post_id():
    _, rows = read("account_analytics_content_2026-06-01_2026-07-15.csv")

    grand_rounds, reply, _ = rows.posts
    assert grand_rounds.published_at == datetime(2026, 7, 14, 15, 42, 10, tzinfo=UTC)
    # "Fri, Jun 5, 2026" in New York is already June 6 in UTC: the id is within a day, so it wins.
    assert reply.published_at == datetime(2026, 6, 6, 2, 10, tzinfo=UTC)


def test_content_export_maps_reposts_to_shares_and_bookmarks_to_saves():
    _, rows = read("account_analytics_content_2026-06-01_2026-07-15.csv")

    assert rows.posts[0].metrics == {
        "impressions": 5120,
        "likes": 88,
        "comments": 6,
        "shares": 11,  # Reposts, not X's "Shares" (sends)
        "saves": 9,
        "profile_visits": 14,
        "follows": 2,
        "clicks": 7,
    }
    assert (
        rows.posts[2].caption == "Three things I wish I knew as a resident:\n1. ask early\n2. read the priors\n3. sleep"
    )


def test_content_export_without_a_snowflake_id_falls_back_to_the_day_in_the_given_zone():
    header = "Post id,Date,Post text,Post Link,Impressions\n"
    body = header + '20,"Tue, Jul 14, 2026",hello,https://x.com/alicerad/status/20,5\n'
    new_york = timezone(timedelta(hours=-4))
    parsed = x.parse(io.BytesIO(body.encode()), filename="export.csv", today=TODAY, tz=new_york)

    [post] = parsed.collect().posts
    assert post.published_at == datetime(2026, 7, 14, tzinfo=new_york)
    assert parsed.facts.captured_on is None  # a renamed file: the workflow asks for the date


def test_snowflake_time_is_the_documented_formula():
    # ms = (id >> 22) + 1288834974657; the low 22 bits (worker, sequence) do not count.
    assert x.snowflake_time((1_000 << 22) | 5) == datetime.fromtimestamp(1288834975.657, tz=UTC)


def test_overview_export_is_recognised_and_refused_with_a_reason():
    with pytest.raises(UnsupportedFile, match="no per-post numbers and no follower totals"):
        read("account_overview_analytics.csv")
