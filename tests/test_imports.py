"""The import workflow: atomic, idempotent, traceable, and the same for the command, the admin and the API."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError
from django.core.management import call_command
from rest_framework.test import APIClient

from metrics.importers.template import HEADER
from metrics.imports import confirm_preview
from metrics.imports import import_file
from metrics.models import AccountMetrics
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import PostFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

EXPORTS = Path(__file__).parent / "data" / "exports"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def template(*rows: dict) -> ContentFile:
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join(str(row.get(column, "")) for column in HEADER))
    return ContentFile(("\n".join(lines) + "\n").encode(), name="snapshots.csv")


def row(external_id="p1", captured_on="2026-10-01", **values) -> dict:
    return {
        "external_id": external_id,
        "published_at": "2026-09-24T15:30:00",
        "content_type": "image",
        "category": "education",
        "caption": "Case of the week #MSKMonday",
        "captured_on": captured_on,
        **values,
    }


def run(account, upload, *, user=None, **options):
    return import_file(user=user, upload=upload, account=account, today=TODAY, **options)


def test_a_template_creates_posts_and_snapshots_with_their_provenance(alice, alice_instagram):
    batch = run(alice_instagram, template(row("p1", likes=184, impressions=6154), row("p2", likes=0)), user=alice)

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert (batch.posts_created, batch.snapshots_created) == (2, 2)
    snapshot = PostMetrics.objects.get(post__external_id="p1")
    assert (snapshot.likes, snapshot.impressions, snapshot.reach) == (184, 6154, None)
    assert snapshot.source == "import"
    assert snapshot.import_batch == batch
    assert snapshot.source_row == 2  # the header is row 1
    assert batch.uploaded_by == alice
    assert batch.file.read().startswith(b"platform,handle")
    assert len(batch.sha256) == 64
    assert Post.objects.get(external_id="p1").hashtag_list == ["MSKMonday"]


def test_importing_the_same_file_twice_changes_nothing_and_says_so(alice_instagram):
    first = run(alice_instagram, template(row(likes=5)))
    again = run(alice_instagram, template(row(likes=5)))

    assert first.status == ImportBatch.Status.IMPORTED
    assert again.status == ImportBatch.Status.DUPLICATE
    assert f"import #{first.pk}" in again.message
    assert (Post.objects.count(), PostMetrics.objects.count()) == (1, 1)


def test_the_same_numbers_in_another_file_are_counted_as_unchanged(alice_instagram):
    run(alice_instagram, template(row(likes=5)))
    other_bytes = template(row(likes=5), row("p2", captured_on="2026-10-01", likes=1))

    batch = run(alice_instagram, other_bytes)

    assert (batch.posts_created, batch.snapshots_created, batch.rows_unchanged) == (1, 1, 1)


def test_a_later_export_adds_snapshots_without_duplicating_posts(alice_instagram):
    run(alice_instagram, template(row(captured_on="2026-10-01", likes=10)))
    batch = run(alice_instagram, template(row(captured_on="2026-10-08", likes=25)))

    assert (batch.posts_created, batch.snapshots_created) == (0, 1)
    assert Post.objects.count() == 1
    assert list(PostMetrics.objects.order_by("captured_on").values_list("likes", flat=True)) == [10, 25]


def test_a_corrected_export_updates_the_snapshot_and_clears_its_verification(alice_instagram, nora):
    run(alice_instagram, template(row(likes=10)))
    snapshot = PostMetrics.objects.get()
    snapshot.mark_verified(nora)
    snapshot.save()

    batch = run(alice_instagram, template(row(likes=11, comments=2)))

    snapshot.refresh_from_db()
    assert batch.snapshots_updated == 1
    assert (snapshot.likes, snapshot.comments, snapshot.verified_at) == (11, 2, None)
    assert snapshot.import_batch == batch


def test_a_file_with_any_invalid_row_is_refused_whole_with_every_error(alice_instagram):
    batch = run(
        alice_instagram,
        template(row("good", likes=3), row("bad1", likes=-4), row("bad2", published_at="yesterday-ish")),
    )

    assert batch.status == ImportBatch.Status.REFUSED
    assert {(error["row"], error["column"]) for error in batch.errors} >= {(3, "likes"), (4, "published_at")}
    assert all(error["message"] for error in batch.errors)
    assert "nothing was written" in batch.message
    assert (Post.objects.count(), PostMetrics.objects.count()) == (0, 0)
    assert not batch.file


def test_a_dry_run_counts_exactly_and_writes_nothing(alice_instagram):
    PostFactory(account=alice_instagram, external_id="p1")

    batch = run(alice_instagram, template(row("p1", likes=1), row("p2", likes=2)), dry_run=True)

    assert batch.status == ImportBatch.Status.PREVIEW
    assert (batch.posts_created, batch.posts_updated, batch.snapshots_created) == (1, 1, 2)
    assert Post.objects.count() == 1
    assert PostMetrics.objects.count() == 0


def test_confirming_a_preview_imports_the_previewed_file(alice_instagram):
    preview = run(alice_instagram, template(row(likes=1)), dry_run=True)

    imported = confirm_preview(batch=preview, user=None)

    assert imported.status == ImportBatch.Status.IMPORTED
    assert imported.sha256 == preview.sha256
    assert PostMetrics.objects.count() == 1


def test_a_file_for_another_account_is_refused(alice_instagram):
    other = SocialAccountFactory(platform=platform("instagram"), handle="someone_else", faculty=alice_instagram.faculty)

    batch = run(other, template(row(likes=1, platform="instagram", handle="alice_rads")))

    assert batch.status == ImportBatch.Status.REFUSED
    assert "alice_rads" in batch.errors[0]["message"]
    assert PostMetrics.objects.count() == 0


def test_an_export_of_another_platform_is_refused(alice_instagram):
    upload = ContentFile((EXPORTS / "tweet_activity_metrics_alicerad_20210401_20210501_en.csv").read_bytes())
    upload.name = "tweet_activity_metrics_alicerad_20210401_20210501_en.csv"

    batch = run(alice_instagram, upload)

    assert batch.status == ImportBatch.Status.REFUSED
    assert "X (Twitter)" in batch.message or "Instagram account" in batch.message


def test_a_real_x_export_imports_into_the_matching_account(alice):
    account = SocialAccountFactory(platform=platform("twitter"), handle="alicerad", faculty=alice.faculty)
    name = "tweet_activity_metrics_alicerad_20210401_20210501_en.csv"
    upload = ContentFile((EXPORTS / name).read_bytes(), name=name)

    batch = run(account, upload)

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert batch.captured_on == dt.date(2021, 5, 1)  # from the file name
    assert batch.posts_created >= 1
    assert "engagement rate" in [column.lower() for column in batch.ignored_columns]


def test_an_unrecognised_file_is_refused_with_a_clear_message(alice_instagram):
    batch = run(alice_instagram, ContentFile(b"name,colour\nbob,blue\n", name="people.csv"))

    assert batch.status == ImportBatch.Status.REFUSED
    assert "not an export we know" in batch.message


def test_an_empty_file_is_refused(alice_instagram):
    assert "empty" in run(alice_instagram, ContentFile(b"", name="empty.csv")).message


def test_a_file_over_the_size_limit_is_refused_before_reading(alice_instagram, settings):
    settings.IMPORT_MAX_BYTES = 10

    batch = run(alice_instagram, template(row(likes=1)))

    assert batch.status == ImportBatch.Status.REFUSED
    assert "the limit is 10 bytes" in batch.message


def test_a_template_naming_its_accounts_loads_several_for_an_institution(nora, northfield, alice_instagram):
    second = SocialAccountFactory(platform=platform("twitter"), handle="alice_x", faculty=alice_instagram.faculty)

    batch = import_file(
        user=nora,
        upload=template(
            row("a1", platform="instagram", handle="alice_rads", likes=1),
            row("b1", platform="twitter", handle="@alice_x", likes=2),
        ),
        institution=northfield,
        today=TODAY,
    )

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert set(Post.objects.values_list("account__handle", flat=True)) == {"alice_rads", second.handle}


def test_a_template_cannot_load_accounts_of_another_institution(charlie, southbay, alice_instagram):
    batch = import_file(
        user=charlie,
        upload=template(row("a1", platform="instagram", handle="alice_rads", likes=1)),
        institution=southbay,
        today=TODAY,
    )

    assert batch.status == ImportBatch.Status.REFUSED
    assert batch.errors[0]["column"] == "handle"
    assert Post.objects.count() == 0


def test_the_same_snapshot_twice_in_one_file_is_an_error(alice_instagram):
    batch = run(alice_instagram, template(row(likes=1), row(likes=2)))

    assert batch.status == ImportBatch.Status.REFUSED
    assert "Repeats row 2" in batch.errors[0]["message"]


def test_follower_history_becomes_account_snapshots(alice):
    account = SocialAccountFactory(platform=platform("tiktok"), handle="alice.rad", faculty=alice.faculty)
    upload = ContentFile((EXPORTS / "FollowerHistory.csv").read_bytes(), name="FollowerHistory.csv")

    batch = run(account, upload)

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert batch.account_snapshots_created == AccountMetrics.objects.filter(account=account).count() > 0
    assert AccountMetrics.objects.filter(import_batch=batch).exclude(source_row=None).exists()


# --- the command ------------------------------------------------------------------------------


def test_the_command_imports_and_reports(alice_instagram, tmp_path):
    path = tmp_path / "snapshots.csv"
    path.write_bytes(template(row(likes=7)).read())
    out = io.StringIO()

    call_command("import_metrics", str(path), "--account", str(alice_instagram.pk), stdout=out, verbosity=0)

    assert "Imported" in out.getvalue()
    assert PostMetrics.objects.get().likes == 7


def test_the_command_fails_with_the_errors_of_a_refused_file(alice_instagram, tmp_path):
    path = tmp_path / "snapshots.csv"
    path.write_bytes(template(row(likes=-1)).read())
    out = io.StringIO()

    with pytest.raises(CommandError, match="refused"):
        call_command("import_metrics", str(path), "--account", str(alice_instagram.pk), stdout=out, verbosity=0)

    assert "row 2, column likes" in out.getvalue()


def test_the_command_dry_run_writes_nothing(alice_instagram, tmp_path):
    path = tmp_path / "snapshots.csv"
    path.write_bytes(template(row(likes=7)).read())

    call_command("import_metrics", str(path), "--account", str(alice_instagram.pk), "--dry-run", verbosity=0)

    assert PostMetrics.objects.count() == 0


# --- the API ----------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_imports_a_file_and_answers_with_the_batch(alice, alice_instagram):
    response = api(alice).post(
        "/api/v1/imports/", {"file": template(row(likes=3)), "account": alice_instagram.pk}, format="multipart"
    )

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "imported"
    assert (body["posts_created"], body["snapshots_created"], body["errors"]) == (1, 1, [])
    for key in ("id", "format", "posts_updated", "snapshots_updated", "rows_skipped"):
        assert key in body


def test_the_api_answers_400_with_row_column_and_message_for_a_refused_file(alice, alice_instagram):
    response = api(alice).post(
        "/api/v1/imports/", {"file": template(row(likes=-3)), "account": alice_instagram.pk}, format="multipart"
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["row"], error["column"]) == (2, "likes")
    assert "negative" in error["message"].lower()
    assert PostMetrics.objects.count() == 0


def test_the_api_dry_run_previews(alice, alice_instagram):
    response = api(alice).post(
        "/api/v1/imports/",
        {"file": template(row(likes=3)), "account": alice_instagram.pk, "dry_run": "true"},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "preview"
    assert PostMetrics.objects.count() == 0


def test_another_institutions_account_does_not_exist_for_the_api(charlie, alice_instagram):
    response = api(charlie).post(
        "/api/v1/imports/", {"file": template(row(likes=3)), "account": alice_instagram.pk}, format="multipart"
    )

    assert response.status_code == 400
    assert "does not exist" in str(response.json()["account"])


def test_a_reviewer_may_not_import(bob, alice_instagram):
    response = api(bob).post(
        "/api/v1/imports/", {"file": template(row(likes=3)), "account": alice_instagram.pk}, format="multipart"
    )

    assert response.status_code == 403


def test_imports_are_listed_only_where_they_belong(alice, charlie, alice_instagram):
    run(alice_instagram, template(row(likes=1)), user=alice)

    assert api(alice).get("/api/v1/imports/").json()["count"] == 1
    assert api(charlie).get("/api/v1/imports/").json()["count"] == 0


# --- the admin page ---------------------------------------------------------------------------


def test_the_admin_previews_then_confirms_an_upload(client, nora, alice_instagram):
    client.force_login(nora)

    response = client.post(
        "/admin/metrics/importbatch/upload/", {"account": alice_instagram.pk, "file": template(row(likes=9))}
    )
    preview = ImportBatch.objects.get()
    assert response.status_code == 302
    page = client.get(response.url)
    assert b"Confirm the import" in page.content
    assert PostMetrics.objects.count() == 0

    client.post(response.url)

    assert PostMetrics.objects.get().likes == 9
    assert ImportBatch.objects.filter(status="imported", sha256=preview.sha256).exists()


def test_the_admin_upload_offers_only_the_admins_accounts(client, charlie, alice_instagram):
    client.force_login(charlie)

    response = client.post(
        "/admin/metrics/importbatch/upload/", {"account": alice_instagram.pk, "file": template(row(likes=9))}
    )

    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert ImportBatch.objects.count() == 0


def test_an_imported_account_cannot_be_deleted_out_from_under_its_provenance(nora, alice_instagram):
    run(alice_instagram, template(row(likes=1)))

    response = api(nora).delete(f"/api/v1/accounts/{alice_instagram.pk}/")

    assert response.status_code == 409
    assert "imports" in response.json()["detail"]
    assert PostMetrics.objects.count() == 1


def test_the_admin_shows_a_batch_with_its_stored_file_path_not_a_public_link(client, nora, alice_instagram):
    batch = run(alice_instagram, template(row(likes=1)), user=nora)
    client.force_login(nora)

    response = client.get(f"/admin/metrics/importbatch/{batch.pk}/change/")

    assert response.status_code == 200
    assert batch.file.name.encode() in response.content
    assert b'href="/media/' not in response.content


def test_the_imports_changelist_costs_the_same_with_few_or_many_batches(client, nora, alice_instagram):
    client.force_login(nora)

    def changelist_queries(batches: int) -> int:
        for n in range(batches):
            run(alice_instagram, template(row(f"post-{batches}-{n}", likes=n)), user=nora)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/metrics/importbatch/").status_code == 200
        return len(queries)

    # Session, user, roles, Django's permission lookups for the sidebar, counts, the page, the date filter.
    assert changelist_queries(2) == changelist_queries(10) == 12
