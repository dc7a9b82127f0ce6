"""
LinkedIn page content exports for Northfield Radiology, as .xlsx (made with openpyxl) and as a real
BIFF .xls (the same workbook converted by LibreOffice, read with xlrd).
"""

import io
from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from metrics.importers import UnrecognisedFile
from metrics.importers import UnsupportedFile
from metrics.importers import linkedin
from tests.exports import TODAY
from tests.exports import read_export as read

WORKBOOKS = ["northfield-radiology_content_1758326400000.xlsx", "northfield-radiology_content_1758326400000.xls"]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_all_posts_sheet_is_read_below_its_description_row(name):
    facts, rows = read(name)

    assert facts.format == "linkedin"
    assert facts.platform == "linkedin"
    assert rows.errors == []
    assert [post.row for post in rows.posts] == [3, 4, 5]  # row 1 is the description, row 2 the header


@pytest.mark.parametrize("name", WORKBOOKS)
def test_activity_urn_is_the_external_id_and_the_link_the_url(name):
    _, rows = read(name)

    hiring = rows.posts[0]
    assert hiring.external_id == "7371234567890123456"
    assert hiring.url == "https://www.linkedin.com/feed/update/urn:li:activity:7371234567890123456"
    assert rows.posts[2].external_id == "7360000000000000001"  # a ugcPost urn when there is no activity urn


@pytest.mark.parametrize("name", WORKBOOKS)
def test_created_date_as_text_or_as_a_date_cell(name):
    _, rows = read(name, tz=ZoneInfo("America/Chicago"))

    assert rows.posts[0].published_at == datetime(2026, 9, 15, tzinfo=ZoneInfo("America/Chicago"))  # text cell
    assert rows.posts[1].published_at == datetime(2026, 9, 2, tzinfo=ZoneInfo("America/Chicago"))  # date cell


@pytest.mark.parametrize("name", WORKBOOKS)
def test_metrics_reposts_are_shares_and_blank_video_views_are_not_reported(name):
    _, rows = read(name)

    hiring, video, _ = rows.posts
    assert hiring.metrics == {
        "impressions": 5210,
        "views": None,
        "clicks": 320,
        "likes": 120,
        "comments": 14,
        "shares": 9,
        "follows": 6,
    }
    assert video.metrics["views"] == 7400
    assert video.content_type == "video"
    assert hiring.content_type == ""


@pytest.mark.parametrize("name", WORKBOOKS)
def test_rates_post_type_and_campaign_columns_are_ignored(name):
    facts, _ = read(name)

    assert set(facts.ignored_columns) == {
        "Post type",
        "Campaign name",
        "Posted by",
        "Campaign start date",
        "Campaign end date",
        "Audience",
        "Off-site views",
        "Click through rate (CTR)",
        "Engagement rate",
    }


@pytest.mark.parametrize("name", WORKBOOKS)
def test_multiline_post_title_is_the_caption(name):
    _, rows = read(name)

    assert rows.posts[0].caption == (
        "We are hiring two interventional radiology fellows.\nApply by October 1, details at the link 👇"
    )


def workbook(*rows, sheet="All posts") -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.title = "Metrics"
    posts = book.create_sheet(sheet)
    for row in rows:
        posts.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_bad_cells_name_the_spreadsheet_row_and_column():
    stream = workbook(
        ["Some description"],
        ["Post title", "Post link", "Created date", "Impressions", "Likes"],
        ["ok", "https://www.linkedin.com/feed/update/urn:li:activity:7371234567890123456", "09/15/2026", 10, 1],
        ["bad", "https://www.linkedin.com/company/northfield", "31/12/2026", -3, 1.5],
    )
    rows = linkedin.parse(stream, filename="page_content.xlsx", today=TODAY).collect()

    assert [post.external_id for post in rows.posts] == ["7371234567890123456"]
    assert [(e.row, e.column) for e in rows.errors] == [
        (4, "Post link"),
        (4, "Created date"),
        (4, "Impressions"),
        (4, "Likes"),
    ]
    assert "31/12/2026" in rows.errors[1].message
    assert rows.errors[2].message == "negative count: -3"
    assert rows.errors[3].message == "not a whole number: 1.5"


def test_a_sheet_without_the_description_row_still_finds_its_header():
    stream = workbook(
        ["Post title", "Post link", "Created date", "Impressions"],
        ["ok", "https://www.linkedin.com/feed/update/urn:li:activity:1", datetime(2026, 9, 1), 10],
    )
    [post] = linkedin.parse(stream, filename="x.xlsx", today=TODAY).collect().posts

    assert post.published_at == datetime(2026, 9, 1, tzinfo=UTC)


def test_followers_workbook_is_refused_with_its_sheet_names():
    with pytest.raises(UnrecognisedFile, match=r"no 'All posts' sheet .*'New followers', 'Location'"):
        read("northfield-radiology_followers_1758326400000.xlsx")


def test_personal_creator_export_is_recognised_and_refused():
    with pytest.raises(UnsupportedFile, match="personal creator analytics"):
        read("Content_2026-08-25_2026-09-23_AliceRadiology.xlsx")


def test_a_csv_renamed_to_xls_is_not_taken_for_a_workbook():
    with pytest.raises(UnrecognisedFile, match="not an Excel workbook"):
        linkedin.parse(io.BytesIO(b"Post title,Post link\n"), filename="content.xls", today=TODAY)
