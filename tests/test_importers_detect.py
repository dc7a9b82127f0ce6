"""Matching a file to its format: by header first, by name second, and a clear refusal otherwise."""

import io
from datetime import date
from pathlib import Path

import pytest

from metrics.importers import FORMATS
from metrics.importers import UnrecognisedFile
from metrics.importers import UnsupportedFile
from metrics.importers import detect
from metrics.importers import open_export
from metrics.importers.common import HEAD_SIZE

EXPORTS = Path(__file__).parent / "data" / "exports"


def head(name: str) -> bytes:
    return (EXPORTS / name).read_bytes()[:HEAD_SIZE]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("tweet_activity_metrics_alicerad_20210401_20210501_en.csv", "x"),
        ("tweet_activity_metrics_USCTrials_20150901_20151001_en.csv", "x"),
        ("tweet_activity_metrics_alicerad_20220312_20220409_pt.csv", "x"),
        ("account_analytics_content_2026-06-01_2026-07-15.csv", "x"),
        ("Sep-01-2026_Sep-30-2026_1234567890123456.csv", "instagram"),
        ("Mar-01-2024_Mar-31-2024_1234567890123456.csv", "instagram"),
        ("Sep-01-2026_Sep-30-2026_9876543210987654.csv", "facebook"),
        ("Table data.csv", "youtube"),
        ("Table data (subscribers gained).csv", "youtube"),
        ("Content 2026-09-12_2026-10-01 Northfield Radiology.zip", "youtube"),
        ("northfield-radiology_content_1758326400000.xlsx", "linkedin"),
        ("northfield-radiology_content_1758326400000.xls", "linkedin"),
        ("Content.csv", "tiktok"),
        ("Content_ru.csv", "tiktok"),
        ("FollowerHistory.csv", "tiktok"),
        ("Content_alice.rad.zip", "tiktok"),
        ("template.csv", "template"),
    ],
)
def test_every_sample_is_detected_as_its_format(name, key):
    assert detect(head(name), name).key == key


@pytest.mark.parametrize(
    "name", ["Table data.csv", "Content.csv", "Sep-01-2026_Sep-30-2026_1234567890123456.csv", "template.csv"]
)
def test_the_header_decides_even_when_a_phone_renamed_the_file(name):
    assert detect(head(name), "download (3).csv") is detect(head(name), name)


def test_the_name_decides_when_the_header_is_in_a_language_we_do_not_know():
    japanese = (
        '"ツイートID","ツイートの固定リンク","時間"\n"1","https://twitter.com/a/status/1","2021-01-01 00:00 +0000"\n'
    )
    name = "tweet_activity_metrics_alicerad_20210401_20210501_ja.csv"

    fmt = detect(japanese.encode(), name)

    assert fmt.key == "x"
    with pytest.raises(UnrecognisedFile, match="it has no 'Tweet id' or 'time' column"):
        fmt.parse(io.BytesIO(japanese.encode()), filename=name, today=date(2026, 1, 1))


def test_a_zip_whose_table_is_not_in_the_head_is_still_detected_by_open_export():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("Chart data.csv", "Date,Content,Video title,Video publish time,Duration,Views\n" * 5000)
        archive.writestr("Table data.csv", (EXPORTS / "Table data.csv").read_bytes())
    buffer.seek(0)

    parsed = open_export(buffer, filename="Content 2026-09-12_2026-10-01 Channel.zip", today=date(2026, 10, 5))

    assert parsed.facts.format == "youtube"
    assert len(parsed.collect().posts) == 3


def test_unknown_file_lists_the_formats_we_read():
    with pytest.raises(UnrecognisedFile) as error:
        detect(head("bad/unknown.csv"), "unknown.csv")

    message = str(error.value)
    assert message.startswith("This file is not an export we know.")
    for fmt in FORMATS.values():
        assert fmt.label in message


def test_empty_file_is_said_to_be_empty():
    with pytest.raises(UnrecognisedFile, match=r"^The file is empty\.$"):
        detect(b"", "empty.csv")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("account_overview_analytics.csv", "X's daily account overview"),
        ("Instagram follows.csv", "Meta's daily page-metric files"),
        ("Views (1).csv", "Meta's daily page-metric files"),
        ("Chart data.csv", "'Chart data.csv' or 'Totals.csv'"),
        ("Overview.csv", "TikTok Studio's daily or audience files"),
    ],
)
def test_platform_files_without_posts_are_refused_with_their_reason(name, reason):
    with pytest.raises(UnsupportedFile, match=reason):
        detect(head(name), name)


def test_unsupported_is_a_kind_of_unrecognised_for_callers_that_handle_one_error():
    assert issubclass(UnsupportedFile, UnrecognisedFile)


def test_formats_map_keys_to_formats_with_platforms():
    assert {key: fmt.platform for key, fmt in FORMATS.items()} == {
        "x": "twitter",
        "instagram": "instagram",
        "facebook": "facebook",
        "youtube": "youtube",
        "linkedin": "linkedin",
        "tiktok": "tiktok",
        "template": "",
    }


def test_open_export_works_on_a_stream_that_cannot_seek():
    class OneWay(io.RawIOBase):
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            data = self.inner.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)

    stream = io.BufferedReader(OneWay((EXPORTS / "Content.csv").read_bytes()))
    parsed = open_export(stream, filename="Content.csv", today=date(2026, 1, 20))

    assert len(parsed.collect().posts) == 3
