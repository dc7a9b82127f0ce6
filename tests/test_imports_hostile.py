"""
Hostile files: whatever a file holds, the import answers within seconds with a refusal that names the limit
(a 400 through the API, a form error in the admin, a failing command), writes nothing, keeps nothing, and
costs a bounded amount of memory. The corpus is built here, in memory; the large cases are either built
lazily (a 200 MB line streamed from a generator) or run with the limits scaled down through `settings`, so
that the same code is exercised in a fraction of the time.
"""

import functools
import html
import io
import re
import resource
import struct
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.management import CommandError
from django.core.management import call_command
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY
from django.test.client import MULTIPART_CONTENT
from django.test.client import RequestFactory
from django.test.client import encode_multipart
from django.urls import resolve
from rest_framework.test import APIClient

from metrics.importers import UnrecognisedFile
from metrics.importers import open_export
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.uploads import LimitedUploadHandler
from portfolio.dossiers import verification

EXPORTS = Path(__file__).parent / "data" / "exports"
TODAY = date(2026, 11, 23)
MEMORY_BOUND = 200 * 1024 * 1024  # what any one import may add to a worker's memory, whatever the file


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- the corpus ---------------------------------------------------------------------------------


def zipped(members: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def zip_bomb() -> bytes:
    """The measured attack: a 1 MB zip named like YouTube's export, whose `Table data.csv` unpacks to 1 GiB."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("Table data.csv", "w", force_zip64=True) as member,
    ):
        member.write(b"Content,Video title,Video publish time,Duration,Views\n")
        block = b"0" * (1 << 20)
        for _ in range(1024):
            member.write(block)
    return buffer.getvalue()


def ratio_bomb() -> bytes:
    """Within the size limit, but 20 MB that pack into a few kilobytes."""
    table = b"Content,Video title,Video publish time,Duration,Views\n" + b"," * (20 * 1024 * 1024)
    return zipped({"Table data.csv": table})


def lying_zip() -> bytes:
    """A zip whose directory says its `Table data.csv` is 200 bytes, while it unpacks to 5 MB."""
    table = b"Content,Video title,Video publish time,Duration,Views\n" + b"0" * (5 * 1024 * 1024)
    data = bytearray(zipped({"Table data.csv": table}))
    directory = data.rfind(b"PK\x01\x02")
    struct.pack_into("<L", data, directory + 24, 200)  # the uncompressed size the directory declares
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<L", data, local + 22, 200)
    return bytes(data)


def many_files_zip(count: int) -> bytes:
    return zipped({f"part{i}.csv": b"x" for i in range(count)})


def truncated_zip() -> bytes:
    whole = (EXPORTS / "Content 2026-09-12_2026-10-01 Northfield Radiology.zip").read_bytes()
    return whole[: len(whole) // 2]


def wide_csv(columns: int = 1_000_000) -> bytes:
    """About 10 MB: X's content header, then a million more columns."""
    return ("Post id,Date,Post Link," + ",".join(f"c{i}" for i in range(columns)) + "\n").encode()


def long_line_csv(characters: int) -> bytes:
    return b"Post id,Date,Post Link,Post text\n1,x,y," + b"a" * characters + b"\n"


class LazyLongLine(io.RawIOBase):
    """An X export whose second line is `size` bytes long, made as it is read: never held in memory whole."""

    def __init__(self, size: int):
        self.head = b"Post id,Date,Post Link,Post text\n1,x,y,"
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        total = len(self.head) + self.size
        self.position = {io.SEEK_SET: offset, io.SEEK_CUR: self.position + offset, io.SEEK_END: total + offset}[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        total = len(self.head) + self.size
        count = min(len(buffer), total - self.position)
        if count <= 0:
            return 0
        data = (self.head + b"a" * count)[self.position : self.position + count]
        if self.position >= len(self.head):
            data = b"a" * count
        buffer[:count] = data
        self.position += count
        self.read_bytes += count
        return count


def linkedin_workbook(rows: int = 2) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Metrics"
    sheet = book.create_sheet("All posts")
    sheet.append(["Some description"])
    sheet.append(["Post title", "Post link", "Created date", "Impressions"])
    for n in range(rows):
        sheet.append([f"post {n}", f"https://www.linkedin.com/feed/update/urn:li:activity:{n + 1}", "09/15/2026", n])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(workbook: bytes, name: str, data: bytes) -> bytes:
    """The workbook with one of its parts replaced."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        for info in archive.infolist():
            parts[info.filename] = archive.read(info)
    parts[name] = data
    return zipped(parts)


def entity_bomb_workbook() -> bytes:
    """Billion laughs in the sheet XML: ten levels of ten references each."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    ]
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [' + "".join(entities) + "]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return with_part(linkedin_workbook(), "xl/worksheets/sheet2.xml", sheet.encode())


def big_sheet_workbook(rows: int) -> bytes:
    """A small file whose `All posts` sheet XML is large: `rows` rows of one short cell each."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, rows + 1))
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    return with_part(linkedin_workbook(), "xl/worksheets/sheet2.xml", sheet.encode())


def template_with_caption(length: int) -> bytes:
    return b"external_id,published_at,content_type,caption,likes\np1,2026-09-01,image," + b"a" * length + b",3\n"


# --- the three entry points ---------------------------------------------------------------------


def through_api(user, account, name: str, data: bytes):
    client = APIClient()
    client.force_authenticate(user)
    upload = SimpleUploadedFile(name, data)
    return client.post("/api/v1/imports/", {"file": upload, "account": account.pk}, format="multipart")


def through_admin(client, admin, account, name: str, data: bytes):
    client.force_login(admin)
    return client.post(
        "/admin/metrics/importbatch/upload/", {"account": account.pk, "file": SimpleUploadedFile(name, data)}
    )


def through_command(tmp_path, account, name: str, data: bytes) -> str:
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_metrics", str(path), "--account", str(account.pk), stdout=out, verbosity=0)
    return str(refused.value) + out.getvalue()


def assert_nothing_written_or_kept(media):
    assert not Post.objects.exists()
    assert not PostMetrics.objects.exists()
    assert not ImportBatch.objects.exclude(status=ImportBatch.Status.REFUSED).exists()
    assert not ImportBatch.objects.filter(posts_created__gt=0).exists()
    assert not ImportBatch.objects.exclude(file="").exists()
    assert not Path(media).exists() or not any(path.is_file() for path in Path(media).rglob("*"))


HOSTILE = {
    # name: (file name, bytes builder, settings to scale down, what the refusal must say)
    "zip bomb": ("Content 2026-09-12_2026-10-01 Bomb.zip", zip_bomb, {}, r"unpacks to 1,07\d,\d{3},\d{3} bytes"),
    "ratio bomb": ("Content 2026-09-12_2026-10-01 Ratio.zip", ratio_bomb, {}, "IMPORT_MAX_ZIP_RATIO"),
    "lying zip": ("Content 2026-09-12_2026-10-01 Lies.zip", lying_zip, {}, "cannot be opened: download it again"),
    "many files": ("Content_many.zip", lambda: many_files_zip(1_001), {}, "IMPORT_MAX_ZIP_MEMBERS"),
    "truncated zip": ("Content 2026-09-12_2026-10-01 Cut.zip", truncated_zip, {}, "cannot be opened"),
    "a million columns": ("account_analytics_content_2026-06-01_2026-07-15.csv", wide_csv, {}, "IMPORT_MAX_COLUMNS"),
    "one long line": (
        "account_analytics_content_2026-06-01_2026-07-15.csv",
        lambda: long_line_csv(2_000_000),
        {"IMPORT_MAX_ROW_CHARS": 100_000},
        "Row 2 is longer than 100,000 characters",
    ),
    "a header-only file of one long line": (
        "snapshots.csv",
        lambda: b"external_id,likes," + b"x" * 2_000_000 + b"\n",
        {"IMPORT_MAX_ROW_CHARS": 100_000},
        "Row 1 is longer than 100,000 characters",
    ),
    "entity expansion": ("page_content.xlsx", entity_bomb_workbook, {}, "declares a DOCTYPE or entities"),
    "huge sheet XML": (
        "page_content.xlsx",
        lambda: big_sheet_workbook(40_000),
        {"IMPORT_MAX_WHOLE_BYTES": 1024 * 1024},
        "sheet2.xml' in the zip unpacks to",
    ),
    "huge caption": ("snapshots.csv", lambda: template_with_caption(70_000), {}, "IMPORT_MAX_CAPTION_CHARS"),
    "too many rows": (
        "snapshots.csv",
        lambda: b"external_id,published_at,likes\n" + b"".join(b"p%d,2026-09-01,1\n" % n for n in range(20)),
        {"IMPORT_MAX_ROWS": 10},
        "more than 10 rows",
    ),
    "too many cells": (
        "tweet_activity_metrics_alicerad_20210401_20210501_en.csv",
        lambda: (EXPORTS / "tweet_activity_metrics_alicerad_20210401_20210501_en.csv").read_bytes(),
        {"IMPORT_MAX_CELLS": 50},
        "IMPORT_MAX_CELLS",
    ),
}


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request, settings):
    name, build, scaled, message = HOSTILE[request.param]
    for setting, value in scaled.items():
        setattr(settings, setting, value)
    return name, build(), message


def test_the_api_refuses_each_hostile_file_with_a_400_naming_the_limit(
    hostile, alice, alice_instagram, media, settings
):
    name, data, message = hostile
    # Within the request, whatever the file's size (a worker's refusal is its job's: tests/test_import_tasks.py).
    settings.IMPORT_BACKGROUND_BYTES = settings.IMPORT_MAX_BYTES

    response = through_api(alice, alice_instagram, name, data)

    assert response.status_code == 400
    assert re.search(message, " ".join(error["message"] for error in response.json()["errors"]))
    assert_nothing_written_or_kept(media)


def test_the_admin_refuses_each_hostile_file_on_its_preview(hostile, client, nora, alice_instagram, media):
    name, data, message = hostile

    response = through_admin(client, nora, alice_instagram, name, data)
    page = client.get(response.url)

    assert page.status_code == 200
    assert re.search(message, html.unescape(page.content.decode()))
    assert_nothing_written_or_kept(media)


def test_the_command_refuses_each_hostile_file(hostile, alice_instagram, tmp_path, media):
    name, data, message = hostile

    assert re.search(message, through_command(tmp_path, alice_instagram, name, data))
    assert_nothing_written_or_kept(media)


# --- uploads stopped as they stream in -----------------------------------------------------------


def test_the_api_refuses_an_upload_over_the_limit_before_reading_it(settings, alice, alice_instagram, media):
    settings.IMPORT_MAX_BYTES = 10_000

    response = through_api(alice, alice_instagram, "snapshots.csv", b"x" * 3_000_000)

    assert response.status_code == 400
    assert "the limit is 10,000 bytes (IMPORT_MAX_BYTES)" in response.json()["file"][0]
    assert not ImportBatch.objects.exists()  # the file never arrived: there is no batch to record
    assert_nothing_written_or_kept(media)


def test_the_admin_page_says_why_an_upload_over_the_limit_was_stopped(settings, client, nora, alice_instagram):
    settings.IMPORT_MAX_BYTES = 10_000

    response = through_admin(client, nora, alice_instagram, "snapshots.csv", b"x" * 50_000)

    assert response.status_code == 200
    assert b"the limit is 10,000 bytes (IMPORT_MAX_BYTES)" in response.content
    assert not ImportBatch.objects.exists()


def test_the_verify_page_stops_an_upload_larger_than_any_dossier(monkeypatch, client, db):
    monkeypatch.setattr(verification, "MAX_UPLOAD_BYTES", 1_000)

    response = client.post("/verify/", {"document": SimpleUploadedFile("dossier.pdf", b"%PDF" + b"x" * 5_000)})

    assert response.status_code == 400
    assert b"larger than any dossier the site makes (1,000 bytes)" in response.content


class CountingInput(io.BytesIO):
    """A request body that counts what the parser reads of it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data


def parse_upload(path: str, data: bytes, *, limit: int):
    """An upload of `data` to `path` parsed with the site's handlers, with the view's limit set to `limit`."""
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("big.csv", data)})
    request = RequestFactory().generic("POST", path, body, content_type=MULTIPART_CONTENT)
    request.resolver_match = resolve(path)
    stream = CountingInput(body)
    handlers = [LimitedUploadHandler(request), MemoryFileUploadHandler(request), TemporaryFileUploadHandler(request)]
    kept = handlers[2]
    _, files = MultiPartParser(request.META, stream, handlers).parse()
    return request, files, stream, kept, len(body)


def test_an_api_upload_declaring_a_length_over_the_limit_is_not_read_at_all(settings, db):
    settings.IMPORT_MAX_BYTES = 1_000_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    request, files, stream, _, _ = parse_upload("/api/v1/imports/", b"x" * 5_000_000, limit=1_000_000)

    assert stream.taken == 0
    assert not files
    assert "1,000,000 bytes" in request.upload_refused


def test_a_page_upload_over_the_limit_is_never_kept_past_the_limit(settings, db):
    settings.IMPORT_MAX_BYTES = 1_000_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100

    request, files, _, kept, _ = parse_upload("/admin/metrics/importbatch/upload/", b"x" * 5_000_000, limit=1_000_000)

    assert not files
    assert request.upload_refused
    # The temporary file stopped at the limit and is gone; the rest was read and dropped, not kept.
    assert kept.file.size <= 1_000_000 + 64 * 1024
    assert kept.file.closed


# --- memory ----------------------------------------------------------------------------------------


def peak_of(build_stream, filename: str) -> tuple[int, str]:
    """The peak of Python allocations while `open_export` reads a file, and how it was refused."""
    stream = build_stream()
    tracemalloc.start()
    try:
        with pytest.raises(UnrecognisedFile) as refused:
            parsed = open_export(stream, filename=filename, today=TODAY)
            for chunk in parsed.chunks:
                if chunk.errors:
                    raise UnrecognisedFile(chunk.errors[0].message)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, str(refused.value)


def test_every_hostile_file_costs_less_than_the_memory_bound(capsys):
    """
    The worst cases at full size, at the default limits: each refused file's peak of Python allocations is
    printed (run with -s to see them) and held under 200 MB; the resident memory of the whole run too.
    """
    lazy = LazyLongLine(200 * 1024 * 1024)
    files = {  # built before anything is measured: the test's own copies are not the import's memory
        "zip bomb, 1 GiB in 1 MB": (zip_bomb(), "Content 2026-09-12_2026-10-01 Bomb.zip"),
        "ratio bomb, 20 MB in a few KB": (ratio_bomb(), "Content 2026-09-12_2026-10-01 R.zip"),
        "a million columns, 10 MB": (wide_csv(), "account_analytics_content_x.csv"),
        "entity expansion": (entity_bomb_workbook(), "page_content.xlsx"),
        "sheet XML of 1.2M rows": (big_sheet_workbook(1_200_000), "page_content.xlsx"),
        "caption of 70,000 characters": (template_with_caption(70_000), "snapshots.csv"),
        "row of 190 MB": (template_with_caption(190_000_000), "snapshots.csv"),
    }
    cases = {label: (functools.partial(io.BytesIO, data), name) for label, (data, name) in files.items()}
    cases["one 200 MB line, made as it is read"] = (lambda: io.BufferedReader(lazy), "account_analytics_content_x.csv")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    figures = {label: peak_of(build, name) for label, (build, name) in cases.items()}
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before

    with capsys.disabled():
        print("\npeak Python allocations while refusing each hostile file (bound: 200 MB):")
        for label, (peak, reason) in figures.items():
            print(f"  {label:32} {peak / 1e6:7.1f} MB  {reason[:90]}")
        print(f"  resident memory grown over all of them: {grown / 1e6:.1f} MB")
    assert all(peak < MEMORY_BOUND for peak, _ in figures.values())
    assert grown < MEMORY_BOUND
    # The 200 MB line was refused after about the row limit, not read whole.
    assert lazy.read_bytes < 10 * 1024 * 1024


def test_a_post_id_or_link_longer_than_the_site_stores_is_a_row_error_not_a_failed_import(alice, alice_instagram):
    body = (
        "external_id,url,published_at,content_type,likes\n"
        f"{'9' * 300},,2026-09-01,image,1\n"
        f"p2,https://example.org/{'a' * 600},2026-09-01,image,1\n"
    )

    response = through_api(alice, alice_instagram, "snapshots.csv", body.encode())

    assert response.status_code == 400
    assert [(error["row"], error["column"]) for error in response.json()["errors"]] == [(2, "external_id"), (3, "url")]
    assert "at most 200 are stored" in response.json()["errors"][0]["message"]
    assert not Post.objects.exists()


def test_a_post_id_rounded_by_a_spreadsheet_program_is_a_row_error_naming_the_cause(alice, alice_instagram):
    # Excel re-saving a CSV writes 18182686576415017 as 1.81827E+16: stored, it would name another post.
    body = "external_id,published_at,content_type,likes\n1.81827E+16,2026-09-01,image,1\np2,2026-09-01,image,1\n"

    response = through_api(alice, alice_instagram, "snapshots.csv", body.encode())

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "external_id")
    assert "rounded by a spreadsheet program" in error["message"]
    assert not Post.objects.exists()
