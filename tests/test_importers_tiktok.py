"""TikTok Studio downloads of Alice's account: Content.csv in four languages, FollowerHistory.csv, the zip."""

import io
import zipfile
from datetime import UTC
from datetime import date
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from metrics.importers import UnsupportedFile
from metrics.importers import tiktok
from tests.exports import EXPORTS
from tests.exports import read_export

# TikTok leaves the year out of its dates: these samples are read as exported in January 2026.
read = partial(read_export, today=date(2026, 1, 20))


def test_export_date_and_post_dates_cross_new_year():
    facts, rows = read("Content.csv")

    assert facts.captured_on == date(2026, 1, 5)  # "5 January", exported before today (Jan 20)
    assert [post.published_at.date() for post in rows.posts] == [
        date(2026, 1, 2),
        date(2025, 12, 28),  # "28 December" exported in January: the year before
        date(2025, 9, 4),  # "September 4": month first also works
    ]
    assert all(post.captured_on == date(2026, 1, 5) for post in rows.posts)


def test_publish_time_comes_from_the_video_id_when_it_agrees_with_post_time():
    _, rows = read("Content.csv")

    assert rows.posts[0].published_at == datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
    assert rows.posts[1].published_at == datetime(2025, 12, 28, 17, 5, tzinfo=UTC)


def test_video_link_gives_the_id_and_the_handle():
    facts, rows = read("Content.csv")

    assert facts.format == "tiktok"
    assert facts.handle == "alice.rad"
    assert rows.posts[0].external_id == "7590694129833331989"
    assert rows.posts[0].url.endswith("/video/7590694129833331989")
    assert rows.posts[0].content_type == "short_video"


def test_totals_with_separators_abbreviations_and_undefined():
    _, rows = read("Content.csv")

    assert rows.posts[0].metrics == {"likes": 1204, "comments": 33, "shares": 18, "views": 25100}  # "1,204", "25.1K"
    assert rows.posts[2].metrics["likes"] is None  # "undefined" is not 0
    assert rows.posts[1].metrics["comments"] == 0
    assert rows.posts[2].caption == ""


@pytest.mark.parametrize(
    ("name", "today", "exported", "posted"),
    [
        ("Content_ru.csv", date(2026, 2, 1), date(2026, 1, 18), date(2026, 1, 10)),
        ("Content_ja.csv", date(2026, 10, 1), date(2026, 9, 13), date(2026, 9, 6)),
        ("Content_vi.csv", date(2026, 10, 1), date(2026, 8, 18), date(2026, 8, 10)),
    ],
)
def test_localised_dates(name, today, exported, posted):
    facts, rows = read(name, today=today)

    assert facts.captured_on == exported
    [post] = rows.posts
    assert post.published_at.date() == posted
    assert rows.errors == []


def test_follower_history_gives_account_rows_dated_by_today():
    facts, rows = read("FollowerHistory.csv", today=date(2026, 1, 3))

    assert rows.posts == []
    assert [(row.captured_on, row.followers) for row in rows.account_rows] == [
        (date(2025, 12, 30), 10210),
        (date(2025, 12, 31), 10205),
        (date(2026, 1, 1), 10240),
        (date(2026, 1, 2), None),
    ]
    assert facts.ignored_columns == ("Difference in followers from previous day",)


def test_zip_reads_content_and_follower_history_and_passes_over_the_rest():
    facts, rows = read("Content_alice.rad.zip")

    assert facts.label == "TikTok Studio Content.csv + FollowerHistory.csv"
    assert facts.captured_on == date(2026, 1, 5)
    assert len(rows.posts) == 3
    # Dated from the export date in Content.csv, not from today.
    assert [row.captured_on for row in rows.account_rows][-1] == date(2026, 1, 2)


def test_a_post_without_a_matching_id_time_starts_at_midnight_in_the_given_zone():
    body = (
        '"Time","Video title","Video link","Post time","Total likes","Total comments","Total shares","Total views"\n'
        '"5 January","t","https://www.tiktok.com/@alice.rad/video/1234567890123456789","3 January","1","2","3","4"\n'
    )
    tokyo = ZoneInfo("Asia/Tokyo")
    [post] = (
        tiktok.parse(io.BytesIO(body.encode()), filename="c.csv", today=date(2026, 1, 20), tz=tokyo).collect().posts
    )

    assert post.published_at == datetime(2026, 1, 3, tzinfo=tokyo)


def test_a_title_split_by_an_unescaped_quote_and_comma_is_joined_again():
    body = (
        '"Time","Video title","Video link","Post time","Total likes","Total comments","Total shares","Total views"\n'
        '"8 de setembro","Titulo com, virgula solta"," e mais texto","https://www.tiktok.com/@x/video/7546326258548736007",'
        '"5 de setembro","34","0","0","616"\n'
        '"8 de setembro","Grok "rebel" AI...","https://www.tiktok.com/@x/video/7546326258548736008",'
        '"5 de setembro","1","0","0","9"\n'
    )
    rows = tiktok.parse(io.BytesIO(body.encode()), filename="Content.csv", today=date(2026, 10, 1)).collect()

    assert rows.errors == []
    first, second = rows.posts
    assert first.caption == "Titulo com, virgula solta, e mais texto"
    assert first.metrics["views"] == 616
    assert first.published_at.date() == date(2026, 9, 5)
    assert "rebel" in second.caption
    assert second.metrics["views"] == 9


def test_overview_file_is_recognised_and_refused():
    with pytest.raises(UnsupportedFile, match=r"Upload Content\.csv, FollowerHistory\.csv, or the whole zip"):
        read("Overview.csv")


def test_in_a_zip_a_follower_history_problem_names_its_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Content.csv", (EXPORTS / "Content.csv").read_bytes())
        archive.writestr("FollowerHistory.csv", '"Date","Followers"\n"1 January","-3"\n')
    rows = tiktok.parse(io.BytesIO(buffer.getvalue()), filename="export.zip", today=date(2026, 1, 20)).collect()

    assert len(rows.posts) == 3
    assert [error.as_dict() for error in rows.errors] == [
        {"row": 2, "column": "FollowerHistory.csv: Followers", "message": "negative count: -3"}
    ]
