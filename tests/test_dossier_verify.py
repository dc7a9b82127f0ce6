"""
The public verification page: an uploaded copy is checked byte for byte and by its signature; a typed fingerprint
only says that a version with it exists, never that anyone's copy is unchanged.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db

UNCHANGED = "Unchanged"


def check(client, **fields):
    return client.post("/verify/", fields)


def one_byte_changed(content: bytes, at: int) -> bytes:
    return content[:at] + bytes([content[at] ^ 1]) + content[at + 1 :]


def test_a_typed_content_fingerprint_says_a_version_exists_and_not_that_a_copy_is_unchanged(version, client):
    response = check(client, sha256=version.sha256)

    assert response.status_code == 200
    page = response.content.decode()
    assert "A version with this fingerprint exists: version 1, frozen on" in page
    assert "This does not show that your copy is unaltered" in page
    assert UNCHANGED not in page
    assert "unchanged since" not in page


@pytest.mark.parametrize("which", ["sha256", "pdf_sha256"])
def test_no_typed_hash_ever_yields_unchanged(version, client, which):
    for page in (
        check(client, sha256=getattr(version, which)).content.decode(),
        client.get("/verify/", {"sha256": getattr(version, which)}).content.decode(),
    ):
        assert "A version with this fingerprint exists" in page
        assert UNCHANGED not in page


def test_the_fingerprint_is_accepted_with_capitals_and_spaces_as_people_copy_it(version, client):
    spaced = " ".join(version.sha256[i : i + 8] for i in range(0, 64, 8)).upper()

    assert "A version with this fingerprint exists: version 1" in check(client, sha256=spaced).content.decode()


def test_the_pdf_as_received_is_unchanged_and_its_signature_valid(version, client):
    upload = SimpleUploadedFile("dossier.pdf", bytes(version.pdf), content_type="application/pdf")

    page = check(client, document=upload).content.decode()

    assert "Unchanged: this file is version 1" in page
    assert "Its bytes are exactly those of the PDF stored" in page
    assert "Digital signature: Signed by" in page
    assert "unchanged since it was signed" in page
    assert f"SHA-256 of the file you uploaded: <code>{version.pdf_sha256}</code>" in page
    assert f"/verify/v/{version.public_id}/" in page


def test_the_html_as_downloaded_is_unchanged(version, client):
    upload = SimpleUploadedFile("dossier.html", version.html.encode("utf-8"), content_type="text/html")

    assert "Unchanged: this file is version 1" in check(client, document=upload).content.decode()


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_pdf_with_one_byte_changed_is_not_unchanged_wherever_the_byte_is(version, client, where):
    pdf = bytes(version.pdf)
    tampered = one_byte_changed(pdf, int(len(pdf) * where))

    page = check(client, document=SimpleUploadedFile("dossier.pdf", tampered)).content.decode()

    assert "Not an unaltered frozen version" in page
    assert UNCHANGED not in page


def test_a_pdf_with_one_byte_changed_in_its_text_fails_its_signature(version, client):
    pdf = bytes(version.pdf)
    # Inside the page content WeasyPrint wrote, which the signature covers.
    tampered = one_byte_changed(pdf, len(pdf) // 4)

    page = check(client, document=SimpleUploadedFile("dossier.pdf", tampered)).content.decode()

    assert "Digital signature: " in page
    assert "unchanged since it was signed" not in page


def test_a_pdf_with_bytes_added_after_signing_is_caught_by_the_signature_too(version, client):
    extended = bytes(version.pdf) + b"\n% a note added later\n"

    page = check(client, document=SimpleUploadedFile("dossier.pdf", extended)).content.decode()

    assert "Not an unaltered frozen version" in page
    assert "the file was changed or extended after signing" in page


def test_a_tampered_html_copy_is_not_unchanged(version, client):
    tampered = version.html.replace("292", "929", 1).encode("utf-8")
    assert tampered != version.html.encode("utf-8")

    page = check(client, document=SimpleUploadedFile("dossier.html", tampered)).content.decode()

    assert "Not an unaltered frozen version" in page


def test_a_fingerprint_match_reveals_only_the_number_and_when_it_was_frozen(version, client):
    page = check(client, sha256=version.sha256).content.decode()

    assert version.dossier.faculty.name not in page
    assert version.dossier.title not in page
    assert version.public_id not in page


def test_an_unknown_fingerprint_matches_nothing(version, client):
    assert "No version has this fingerprint" in check(client, sha256="0" * 64).content.decode()


def test_the_page_labels_the_typed_fingerprint_and_the_uploaded_files_hash_apart(version, client):
    typed = check(client, sha256=version.sha256).content.decode()
    uploaded = check(client, document=SimpleUploadedFile("d.pdf", bytes(version.pdf))).content.decode()

    assert "Fingerprint you typed:" in typed and "SHA-256 of the file you uploaded" not in typed
    assert "SHA-256 of the file you uploaded:" in uploaded and "Fingerprint you typed" not in uploaded


def test_the_page_says_what_a_typed_fingerprint_proves_and_links_the_certificates(client, db):
    page = client.get("/verify/").content.decode()

    assert "this proves only that a version" in page
    assert "it never says a copy is unchanged" in page
    assert 'href="/verify/certificates/"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sha256": "abc123"}, "A SHA-256 is 64 characters, each 0-9 or a-f."),
        ({}, "Choose a file or give a fingerprint."),
        ({"sha256": "0" * 64, "document": "file"}, "Give a file or a fingerprint, not both."),
    ],
)
def test_an_invalid_request_is_explained_and_checks_nothing(client, db, fields, message):
    if "document" in fields:
        fields["document"] = SimpleUploadedFile("copy.pdf", b"%PDF-1.7")

    response = check(client, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "No version has this fingerprint" not in response.content.decode()
    assert "Not an unaltered" not in response.content.decode()
