"""
The import pages for faculty: upload, preview, confirm, history and the original files.

Alice imports into her own Instagram account; Peter, her colleague in nuclear medicine, sees none of her imports;
Bob reviews Northfield radiology and imports nothing; Nora administers Northfield and imports a template naming
several of its accounts; Charlie administers Southbay and must see nothing of Northfield.
"""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform
from tests.test_imports import row
from tests.test_imports import template

UPLOAD = reverse("imports:upload")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def charlie_account(charlie, southbay_radiology):
    faculty = FacultyFactory(name="Sam Southbay", email="sam@southbay.example")
    AppointmentFactory(faculty=faculty, department=southbay_radiology, primary=True)
    return SocialAccountFactory(platform=platform("instagram"), handle="sam_sb", faculty=faculty)


def upload(client, account, file, **fields):
    return client.post(UPLOAD, {"account": account.pk, "file": file, **fields})


def preview_of(client, account, file) -> ImportBatch:
    answer = upload(client, account, file)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return ImportBatch.objects.get(pk=answer.url.rstrip("/").rsplit("/", 1)[-1])


def test_the_home_page_leads_faculty_to_the_import_page(client, alice):
    client.force_login(alice)

    assert UPLOAD in client.get(reverse("home")).content.decode()


def test_the_preview_shows_counts_and_the_first_rows_as_they_will_be_stored(client, alice, alice_instagram):
    client.force_login(alice)
    file = template(row("p1", likes=184, impressions=6154), row("p2", likes=7, caption="Quiz time"))

    batch = preview_of(client, alice_instagram, file)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()

    assert batch.status == ImportBatch.Status.PREVIEW
    assert not Post.objects.exists()  # a preview writes nothing
    assert [sample["external_id"] for sample in batch.sample_rows] == ["p1", "p2"]
    first = batch.sample_rows[0]
    assert (first["account"], first["content_type"], first["category"]) == ("@alice_rads", "image", "education")
    assert first["counts"] == [["impressions", 6154], ["likes", 184]]
    assert first["captured_on"] == "2026-10-01"
    assert "The first 2 rows, as they will be stored" in page
    assert "Case of the week #MSKMonday" in page and "Quiz time" in page
    assert "impressions 6,154, likes 184" in page
    assert "Import these rows" in page


def test_the_preview_counts_captions_with_privacy_flags(client, alice, alice_instagram):
    client.force_login(alice)
    file = template(
        row("p1", caption="A 47-year-old after a fall from a ladder"),
        row("p2", caption="Call Mr. Jones at (555) 123-4567"),
        row("p3", caption="#MSKMonday: Segond fracture"),
    )

    batch = preview_of(client, alice_instagram, file)

    assert batch.captions_flagged == 2
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "Captions with privacy flags" in page


def test_the_preview_lists_every_problem_by_row_and_column(client, alice, alice_instagram):
    client.force_login(alice)
    file = template(row("p1", content_type="hologram"), row("p2", category="fame"))

    batch = preview_of(client, alice_instagram, file)
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()

    assert batch.status == ImportBatch.Status.REFUSED
    assert {(error["row"], error["column"]) for error in batch.errors} == {(2, "content_type"), (3, "category")}
    assert "<td>2</td><td>content_type</td><td>" in page and "hologram" in page
    assert "<td>3</td><td>category</td>" in page
    assert "Import these rows" not in page


def test_confirming_stores_the_rows_and_a_second_confirm_changes_nothing(client, alice, alice_instagram):
    client.force_login(alice)
    batch = preview_of(client, alice_instagram, template(row("p1", likes=184), row("p2", likes=7)))

    first = client.post(reverse("imports:confirm", args=[batch.pk]))
    again = client.post(reverse("imports:confirm", args=[batch.pk]))

    imported, duplicate = ImportBatch.objects.exclude(pk=batch.pk).order_by("pk")
    assert first.url == reverse("imports:batch", args=[imported.pk])
    assert again.url == reverse("imports:batch", args=[duplicate.pk])
    assert (imported.status, duplicate.status) == (ImportBatch.Status.IMPORTED, ImportBatch.Status.DUPLICATE)
    assert Post.objects.count() == 2
    assert PostMetrics.objects.count() == 2
    assert sorted(PostMetrics.objects.values_list("likes", flat=True)) == [7, 184]
    assert Post.history.count() == 0 and PostMetrics.history.count() == 0  # the batch is their creation record
    assert "nothing changed" in client.get(again.url).content.decode()


def test_an_account_of_another_institution_answers_404(client, alice, alice_instagram, charlie_account):
    client.force_login(alice)

    assert client.get(UPLOAD, {"account": charlie_account.pk}).status_code == 404
    assert upload(client, charlie_account, template(row())).status_code == 404
    assert not ImportBatch.objects.exists()


def test_a_colleagues_account_is_not_found_either(client, alice, peter):
    colleague_account = SocialAccountFactory(platform=platform("instagram"), handle="peter_nm", faculty=peter.faculty)
    client.force_login(alice)

    assert client.get(UPLOAD, {"account": colleague_account.pk}).status_code == 404
    assert upload(client, colleague_account, template(row(handle="peter_nm"))).status_code == 404
    assert not ImportBatch.objects.exists()


def test_a_reviewer_cannot_import(client, bob, alice_instagram):
    client.force_login(bob)

    assert client.get(UPLOAD).status_code == 403
    assert upload(client, alice_instagram, template(row())).status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_reviewer_cannot_confirm_a_preview_they_can_read(client, alice, bob, alice_instagram):
    client.force_login(alice)
    batch = preview_of(client, alice_instagram, template(row()))
    client.force_login(bob)

    assert "Import these rows" not in client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert client.post(reverse("imports:confirm", args=[batch.pk])).status_code == 403
    assert not Post.objects.exists()


def test_an_institution_admin_imports_a_template_naming_several_accounts(client, nora, alice_instagram, peter):
    SocialAccountFactory(platform=platform("instagram"), handle="peter_nm", faculty=peter.faculty)
    client.force_login(nora)
    file = template(
        row("p1", platform="instagram", handle="alice_rads"), row("p2", platform="instagram", handle="peter_nm")
    )

    answer = client.post(
        UPLOAD, {"institution": alice_instagram.faculty.appointments.get().department.institution_id, "file": file}
    )
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:confirm", args=[batch.pk]))

    assert answer.url == reverse("imports:batch", args=[batch.pk])
    assert sorted(Post.objects.values_list("account__handle", flat=True)) == ["alice_rads", "peter_nm"]


def test_choosing_neither_an_account_nor_an_institution_is_an_error_next_to_the_field(client, nora):
    client.force_login(nora)

    answer = client.post(UPLOAD, {"file": template(row())})

    assert answer.status_code == 400
    assert 'id="id_account_error"' in answer.content.decode()


def test_the_history_lists_the_file_and_it_downloads_for_those_who_may_see_it(
    client, alice, peter, charlie, nora, alice_instagram
):
    client.force_login(alice)
    batch = preview_of(client, alice_instagram, template(row("p1", likes=184)))
    original = batch.file.open("rb").read()
    download = reverse("imports:download", args=[batch.pk])

    history = client.get(UPLOAD).content.decode()
    assert download in history and "snapshots.csv" in history
    answer = client.get(download)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == original
    assert 'filename="snapshots.csv"' in answer["Content-Disposition"]

    client.force_login(nora)  # Alice's institution's admin
    assert client.get(download).status_code == 200
    for outsider in (peter, charlie):
        client.force_login(outsider)
        assert client.get(download).status_code == 404
        assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
        assert download not in client.get(UPLOAD).content.decode()


def test_the_history_runs_the_same_queries_for_one_import_or_many(client, alice, alice_instagram):
    client.force_login(alice)
    second_account = SocialAccountFactory(platform=platform("twitter"), handle="alice_x", faculty=alice.faculty)
    preview_of(client, alice_instagram, template(row("p1")))

    with CaptureQueriesContext(connection) as one:
        assert client.get(UPLOAD).status_code == 200
    for number in range(2, 12):
        account = second_account if number % 2 else alice_instagram
        handle_row = row(f"p{number}", handle=account.handle, platform=account.platform.key)
        preview_of(client, account, template(handle_row))
    with CaptureQueriesContext(connection) as many:
        assert client.get(UPLOAD).status_code == 200

    assert ImportBatch.objects.count() == 11
    assert len(many) == len(one) == 7, [query["sql"] for query in many]


def test_a_large_file_is_previewed_and_imported_in_the_background(client, settings, alice, alice_instagram):
    settings.IMPORT_BACKGROUND_BYTES = 10  # every file is large; with no broker the task runs here, at once
    client.force_login(alice)

    answer = upload(client, alice_instagram, template(row("p1", likes=184), row("p2", likes=7)))
    job_page = client.get(answer.url)
    preview = ImportBatch.objects.get()
    confirmed = client.post(reverse("imports:confirm", args=[preview.pk]))
    finished = client.get(confirmed.url)

    assert answer.url.startswith("/jobs/")
    assert job_page.url == reverse("imports:batch", args=[preview.pk])  # done: straight to the preview
    assert preview.status == ImportBatch.Status.PREVIEW
    assert confirmed.url.startswith("/jobs/")
    imported = ImportBatch.objects.get(status=ImportBatch.Status.IMPORTED)
    assert finished.url == reverse("imports:batch", args=[imported.pk])
    assert Post.objects.count() == 2


def test_a_file_over_the_limit_is_refused_next_to_the_file_field(client, settings, alice, alice_instagram):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(alice)

    answer = upload(client, alice_instagram, ContentFile(b"x" * 5000, name="big.csv"))

    assert answer.status_code == 400
    assert 'id="id_file_error"' in answer.content.decode()
    assert not ImportBatch.objects.exists()
