"""
The bad-input corpus: every broken file gives a message a person can act on, naming the row and
column, or a clear refusal of the whole file. Nothing crashes, and nothing becomes a silent 0.
"""

import io
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from metrics.importers import UnrecognisedFile
from metrics.importers import meta
from metrics.importers import open_export
from metrics.importers import template
from metrics.importers import x
from metrics.importers.common import NOT_TEXT
from tests.exports import read_export

BAD = Path(__file__).parent / "data" / "exports" / "bad"
TODAY = date(2026, 10, 5)
read = partial(read_export, folder=BAD)


def test_empty_file():
    with pytest.raises(UnrecognisedFile, match=r"^The file is empty\.$"):
        read("empty.csv")


@pytest.mark.parametrize("name", ["export_latin1.csv", "tweet_activity_metrics_alicerad_20220312_20220409_pt.csv"])
def test_latin1_file_is_refused_as_not_utf8_even_when_its_name_is_known(name):
    with pytest.raises(UnrecognisedFile) as error:
        read(name)

    assert str(error.value) == NOT_TEXT
    assert "re-save it as CSV UTF-8" in str(error.value)


def test_utf16_without_its_byte_order_mark_is_not_taken_for_text():
    data = "Post id,Date\n".encode("utf-16-le")

    with pytest.raises(UnrecognisedFile, match="not UTF-8 or UTF-16"):
        open_export(io.BytesIO(data), filename="x.csv", today=TODAY)


def test_unknown_csv_is_refused_with_the_list_of_formats():
    with pytest.raises(UnrecognisedFile, match=r"not an export we know\. The formats we read are: X / Twitter posts;"):
        read("unknown.csv")


def test_truncated_export_keeps_the_rows_before_the_cut_and_reports_the_cut_row():
    _, rows = read("Content.csv", today=date(2026, 1, 20))

    assert [post.external_id for post in rows.posts] == ["7590694129833331989"]
    [error] = rows.errors
    assert (error.row, error.column) == (3, "")
    assert "cut off" in error.message


def test_truncated_template_keeps_the_rows_before_the_cut_and_reports_the_cut_row():
    _, rows = read("truncated_template.csv")

    assert [post.external_id for post in rows.posts] == ["t1", "t2"]
    [error] = rows.errors
    assert (error.row, error.column) == (4, "")
    assert "ends inside a quoted field" in error.message


def test_truncated_template_that_ends_with_a_newline_keeps_its_earlier_rows_too():
    rows = template.parse(
        io.BytesIO(b'external_id,caption\nt1,a\nt2,"open\nmore\n'), filename="t.csv", today=TODAY
    ).collect()

    assert [post.external_id for post in rows.posts] == ["t1"]
    assert [error.row for error in rows.errors] == [3]


def test_negative_fractional_and_garbage_counts_name_their_row_and_column():
    facts, rows = read("negative_counts_instagram.csv")

    assert facts.format == "instagram"
    assert [post.external_id for post in rows.posts] == ["18182686576415017"]  # the good row still comes
    assert [error.as_dict() for error in rows.errors] == [
        {"row": 3, "column": "Likes", "message": "negative count: -4"},
        {"row": 3, "column": "Comments", "message": "not a whole number: 12.5"},
        {"row": 3, "column": "Saves", "message": "not a number: 'x'"},
    ]


def test_garbage_dates_name_their_row_and_column():
    _, rows = read("account_analytics_content_2026-06-01_2026-07-15.csv")

    assert len(rows.posts) == 1
    assert [(error.row, error.column) for error in rows.errors] == [(2, "Date"), (3, "Date")]
    assert "'Tue, Jul 44, 2026'" in rows.errors[0].message
    assert "'yesterday'" in rows.errors[1].message


def test_garbage_template_cells_name_their_row_and_column():
    _, rows = read("garbage_template.csv")

    assert [post.external_id for post in rows.posts] == ["a4"]
    assert rows.posts[0].metrics == {"likes": 7, "shares": None}
    assert [(error.row, error.column, error.message) for error in rows.errors] == [
        (2, "published_at", "not an ISO date (YYYY-MM-DD) or date and time: '2026-13-01'"),
        (3, "captured_on", "not an ISO date (YYYY-MM-DD): '01/10/2026'"),
        (4, "likes", "negative count: -2"),
        (4, "shares", "not a whole number: 12.5"),
    ]


def test_formula_like_captions_are_kept_as_text_and_are_not_errors():
    _, rows = read("formula_caption_template.csv")

    assert rows.errors == []
    assert [post.caption for post in rows.posts] == [
        '=HYPERLINK("http://evil.example","click")',
        "+1 for open access",
        "-5 reasons to read the priors",
        "@alicerad great case",
        "  =1+1  ",  # not even trimmed
    ]


def test_a_re_saved_id_in_scientific_notation_is_an_error_not_a_wrong_post():
    body = '"Tweet id","Tweet permalink","time","impressions"\n"1.38784E+18","x","2021-04-29 18:00 +0000","1"\n'
    rows = x.parse(io.BytesIO(body.encode()), filename="tweets.csv", today=TODAY).collect()

    assert rows.posts == []
    assert (rows.errors[0].row, rows.errors[0].column) == (2, "Tweet id")
    assert "1.38784E+18" in rows.errors[0].message


def test_a_file_with_a_header_but_no_rows_gives_no_rows_and_no_errors():
    rows = x.parse(io.BytesIO(b'"Tweet id","Tweet permalink","time"\n'), filename="tweets.csv", today=TODAY).collect()

    assert (rows.posts, rows.errors) == ([], [])


def test_a_format_chosen_by_hand_says_which_required_column_is_missing():
    with pytest.raises(UnrecognisedFile, match="it has no 'Post ID' column"):
        meta.INSTAGRAM_FORMAT.parse(
            io.BytesIO(b'"Account username","Publish time","Post type"\nalicerad,"09/24/2026 15:30","IG image"\n'),
            filename="Sep-01-2026_Sep-30-2026_1.csv",
            today=TODAY,
        )
