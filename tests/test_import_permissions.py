"""
Who may import what, decided once by the import workflow and obeyed by the API, the admin and the command.

Alice imports into her own Instagram account; Peter is her colleague in nuclear medicine with his own account;
Bob reviews Northfield radiology and imports nothing; Nora administers Northfield and Charlie Southbay; each
imports templates naming several accounts for their own institution only.
"""

import io
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Membership
from metrics.imports import NOT_YOUR_ACCOUNT
from metrics.imports import NOT_YOUR_INSTITUTION
from metrics.imports import ImportRefused
from metrics.imports import confirm_preview
from metrics.imports import import_file
from metrics.management.commands.import_metrics import AS_SUPERUSER
from metrics.management.commands.import_metrics import Command
from metrics.models import ImportBatch
from metrics.models import Post
from metrics.models import PostMetrics
from tests.factories import AppointmentFactory
from tests.factories import FacultyFactory
from tests.factories import MembershipFactory
from tests.factories import SocialAccountFactory
from tests.test_imports import TODAY
from tests.test_imports import row
from tests.test_imports import template

LOGGER = "metrics.imports"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def peter_instagram(peter):
    return SocialAccountFactory(handle="peter_nm", faculty=peter.faculty)


def nothing_written() -> bool:
    return not (ImportBatch.objects.exists() or Post.objects.exists() or PostMetrics.objects.exists())


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_import(user, **fields):
    return api(user).post("/api/v1/imports/", {"file": template(row(likes=3)), **fields}, format="multipart")


def command(*args, user=None):
    out = io.StringIO()
    options = ["--user", user.username] if user is not None else []
    call_command("import_metrics", *map(str, args), *options, stdout=out, verbosity=0)
    return out.getvalue()


@pytest.fixture
def file_on_disk(tmp_path):
    path = tmp_path / "snapshots.csv"
    path.write_bytes(template(row(likes=7)).read())
    return path


# --- the workflow ---------------------------------------------------------------------------------------------------


def test_alice_imports_into_her_own_account(alice, alice_instagram):
    batch = import_file(user=alice, upload=template(row(likes=3)), account=alice_instagram, today=TODAY)

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert batch.uploaded_by == alice


def test_alice_may_not_import_into_a_colleagues_account(alice, peter_instagram):
    with pytest.raises(ImportRefused, match=NOT_YOUR_ACCOUNT):
        import_file(user=alice, upload=template(row(likes=3)), account=peter_instagram, today=TODAY)

    assert nothing_written()


def test_a_reviewer_may_not_import_at_all(bob, northfield, alice_instagram):
    with pytest.raises(ImportRefused, match=NOT_YOUR_ACCOUNT):
        import_file(user=bob, upload=template(row(likes=3)), account=alice_instagram, today=TODAY)
    template_for_northfield = template(row(likes=3, platform="instagram", handle="alice_rads"))
    with pytest.raises(ImportRefused, match=NOT_YOUR_INSTITUTION):
        import_file(user=bob, upload=template_for_northfield, institution=northfield, today=TODAY)

    assert nothing_written()


def test_an_institution_admin_may_not_import_a_template_for_another_institution(nora, southbay, alice_instagram):
    upload = template(row(likes=3, platform="instagram", handle="alice_rads"))

    with pytest.raises(ImportRefused, match=NOT_YOUR_INSTITUTION):
        import_file(user=nora, upload=upload, institution=southbay, today=TODAY)

    assert nothing_written()


def test_faculty_may_not_import_a_template_naming_accounts_even_for_their_institution(alice, northfield):
    upload = template(row(likes=3, platform="instagram", handle="alice_rads"))

    with pytest.raises(ImportRefused, match=NOT_YOUR_INSTITUTION):
        import_file(user=alice, upload=upload, institution=northfield, today=TODAY)

    assert nothing_written()


def test_a_superuser_imports_a_template_for_any_institution(root, southbay_radiology):
    sam = FacultyFactory(name="Sam Smith", email="sam@southbay.example")
    AppointmentFactory(faculty=sam, department=southbay_radiology, primary=True)
    SocialAccountFactory(handle="sam_rads", faculty=sam)

    batch = import_file(
        user=root,
        upload=template(row(likes=3, platform="instagram", handle="sam_rads")),
        institution=southbay_radiology.institution,
        today=TODAY,
    )

    assert batch.status == ImportBatch.Status.IMPORTED, batch.errors
    assert PostMetrics.objects.get().post.account.handle == "sam_rads"


def test_confirming_a_preview_checks_who_confirms(nora, bob, alice_instagram):
    preview = import_file(user=nora, upload=template(row(likes=3)), account=alice_instagram, dry_run=True, today=TODAY)

    with pytest.raises(ImportRefused):
        confirm_preview(batch=preview, user=bob)

    assert list(ImportBatch.objects.values_list("status", flat=True)) == [ImportBatch.Status.PREVIEW]
    assert not PostMetrics.objects.exists()


def test_an_import_names_an_account_or_an_institution(root, northfield, alice_instagram):
    with pytest.raises(ValueError, match="exactly one"):
        import_file(user=root, upload=template(row(likes=3)), account=alice_instagram, institution=northfield)


# --- the API --------------------------------------------------------------------------------------------------------


def test_the_api_does_not_show_alice_a_colleagues_account(alice, peter_instagram):
    response = post_import(alice, account=peter_instagram.pk)

    assert response.status_code == 400
    assert "does not exist" in str(response.json()["account"])
    assert nothing_written()


def test_the_api_refuses_alice_a_colleagues_account_she_reviews_with_403(alice, peter_instagram, northfield_nucmed):
    MembershipFactory(
        user=alice,
        institution=northfield_nucmed.institution,
        department=northfield_nucmed,
        role=Membership.Role.REVIEWER,
    )

    response = post_import(alice, account=peter_instagram.pk)

    assert response.status_code == 403
    assert response.json() == {"detail": NOT_YOUR_ACCOUNT}
    assert nothing_written()


def test_the_api_refuses_a_reviewer_with_403(bob, northfield, alice_instagram):
    assert post_import(bob, account=alice_instagram.pk).status_code == 403
    assert post_import(bob, institution=northfield.pk).status_code == 403
    assert nothing_written()


def test_the_api_refuses_faculty_a_template_for_their_institution_with_403(alice, northfield):
    response = post_import(alice, institution=northfield.pk)

    assert response.status_code == 403
    assert response.json() == {"detail": NOT_YOUR_INSTITUTION}
    assert nothing_written()


def test_the_api_does_not_show_an_admin_another_institution(nora, southbay):
    response = post_import(nora, institution=southbay.pk)

    assert response.status_code == 400
    assert "does not exist" in str(response.json()["institution"])
    assert nothing_written()


# --- the admin ------------------------------------------------------------------------------------------------------

UPLOAD = "/admin/metrics/importbatch/upload/"


@pytest.mark.parametrize("person", ["alice", "bob"])
def test_faculty_and_reviewers_do_not_reach_the_admin_upload(client, person, request, alice_instagram):
    user = request.getfixturevalue(person)
    user.is_staff = True  # even with a staff flag, the roles decide
    user.save()
    client.force_login(user)

    response = client.post(UPLOAD, {"account": alice_instagram.pk, "file": template(row(likes=9))})

    assert response.status_code == 403
    assert nothing_written()


def test_the_admin_upload_does_not_offer_another_institution(client, nora, southbay):
    client.force_login(nora)

    response = client.post(UPLOAD, {"institution": southbay.pk, "file": template(row(likes=9))})

    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert nothing_written()


def test_the_admin_shows_the_workflows_refusal_as_a_form_error(client, nora, northfield, monkeypatch):
    # The form offers only what the workflow allows; were they ever to differ, the workflow decides.
    def refuse(**kwargs):
        raise ImportRefused(NOT_YOUR_INSTITUTION)

    monkeypatch.setattr("metrics.imports.check_may_import", refuse)
    client.force_login(nora)

    response = client.post(UPLOAD, {"institution": northfield.pk, "file": template(row(likes=9))})

    assert response.status_code == 200
    assert NOT_YOUR_INSTITUTION.encode() in response.content.replace(b"&#x27;", b"'")
    assert nothing_written()


def test_the_admin_shows_a_refused_confirmation_as_a_message(client, nora, alice_instagram, monkeypatch):
    preview = import_file(user=nora, upload=template(row(likes=9)), account=alice_instagram, dry_run=True, today=TODAY)

    def refuse(**kwargs):
        raise ImportRefused(NOT_YOUR_ACCOUNT)

    monkeypatch.setattr("metrics.imports.check_may_import", refuse)
    client.force_login(nora)

    response = client.post(f"/admin/metrics/importbatch/{preview.pk}/preview/", follow=True)

    assert f"Not imported: {NOT_YOUR_ACCOUNT}" in [str(message) for message in response.context["messages"]]
    assert list(ImportBatch.objects.values_list("status", flat=True)) == [ImportBatch.Status.PREVIEW]
    assert not PostMetrics.objects.exists()


# --- the command ----------------------------------------------------------------------------------------------------


def test_the_command_without_user_says_it_acts_as_a_superuser(alice_instagram, file_on_disk):
    out = command(file_on_disk, "--account", alice_instagram.pk)

    assert AS_SUPERUSER in out
    assert "Imported" in out
    assert ImportBatch.objects.get().uploaded_by is None


def test_the_command_help_says_what_acting_without_user_means():
    help_text = " ".join(Command().create_parser("manage.py", "import_metrics").format_help().split())

    assert "Without it the import acts as a superuser, with every right" in help_text


def test_the_command_without_user_imports_a_template_for_any_institution(northfield, alice_instagram, tmp_path):
    path = tmp_path / "northfield.csv"
    path.write_bytes(template(row(likes=4, platform="instagram", handle="alice_rads")).read())

    command(path, "--institution", northfield.slug)

    assert PostMetrics.objects.get().post.account == alice_instagram


def test_the_command_with_user_acts_with_their_rights(alice, alice_instagram, file_on_disk):
    out = command(file_on_disk, "--account", alice_instagram.pk, user=alice)

    assert AS_SUPERUSER not in out
    assert ImportBatch.objects.get().uploaded_by == alice
    assert PostMetrics.objects.get().likes == 7


def test_the_command_refuses_alice_a_colleagues_account(alice, peter_instagram, file_on_disk):
    with pytest.raises(CommandError, match=NOT_YOUR_ACCOUNT):
        command(file_on_disk, "--account", peter_instagram.pk, user=alice)

    assert nothing_written()


def test_the_command_refuses_a_reviewer(bob, alice_instagram, file_on_disk):
    with pytest.raises(CommandError, match=NOT_YOUR_ACCOUNT):
        command(file_on_disk, "--account", alice_instagram.pk, user=bob)

    assert nothing_written()


def test_the_command_refuses_an_admin_a_template_for_another_institution(nora, southbay, file_on_disk):
    with pytest.raises(CommandError, match=NOT_YOUR_INSTITUTION):
        command(file_on_disk, "--institution", southbay.slug, user=nora)

    assert nothing_written()


def test_the_command_refuses_an_unknown_user(alice_instagram, file_on_disk):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_metrics", str(file_on_disk), "--account", str(alice_instagram.pk), "--user", "mallory")

    assert nothing_written()


# --- the log --------------------------------------------------------------------------------------------------------


def test_a_refused_permission_is_logged_as_a_warning_without_personal_data(alice, peter_instagram, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER), pytest.raises(ImportRefused):
        import_file(user=alice, upload=template(row(likes=3)), account=peter_instagram, today=TODAY)

    [record] = caplog.records
    assert (record.name, record.levelname) == (LOGGER, "WARNING")
    message = record.getMessage()
    assert message == (
        f"Import refused (permission): batch -, user {alice.pk}, account {peter_instagram.pk}, institution -, "
        "format -, 0 row errors"
    )


def test_a_refused_file_is_logged_with_its_batch_format_and_error_count(alice, alice_instagram, caplog):
    upload = template(row("p1", likes=-1, caption="Dr Alice Adams alice@northfield.example"), row("p2", likes=-2))

    with caplog.at_level(logging.INFO, logger=LOGGER):
        batch = import_file(user=alice, upload=upload, account=alice_instagram, today=TODAY)

    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        f"Import refused (invalid file): batch {batch.pk}, user {alice.pk}, account {alice_instagram.pk}, "
        "institution -, format template, 2 row errors"
    )
    for private in ("Alice", "alice@", "alice_rads", "snapshots.csv"):
        assert private not in record.getMessage()


def test_a_file_refused_before_its_rows_is_logged_too(alice, alice_instagram, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        import_file(user=alice, upload=ContentFile(b"", name="empty.csv"), account=alice_instagram, today=TODAY)

    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert "Import refused (invalid file)" in record.getMessage()


def test_a_completed_import_is_logged_at_info_with_its_counts(nora, northfield, alice_instagram, caplog):
    upload = template(
        row("p1", likes=1, platform="instagram", handle="alice_rads"), row("p2", likes=2, handle="alice_rads")
    )

    with caplog.at_level(logging.INFO, logger=LOGGER):
        batch = import_file(user=nora, upload=upload, institution=northfield, today=TODAY)

    [record] = caplog.records
    assert record.levelname == "INFO"
    assert record.getMessage() == (
        f"Import completed (imported): batch {batch.pk}, user {nora.pk}, account -, institution {northfield.pk}, "
        "format template, posts 2 created 0 updated, snapshots 2 created 0 updated, "
        "follower snapshots 0 created 0 updated, rows 0 unchanged 0 skipped"
    )


def test_the_command_line_is_logged_as_such(alice_instagram, file_on_disk, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        command(file_on_disk, "--account", alice_instagram.pk)

    assert "user - (command line)" in caplog.records[0].getMessage()
