"""The public verification page: a hash or a copy of a dossier, checked against the frozen versions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def check(client, **fields):
    return client.post("/verify/", fields)


def test_the_hash_of_a_frozen_version_matches_it(version, client):
    response = check(client, sha256=version.sha256)

    assert response.status_code == 200
    page = response.content.decode()
    assert "It matches: version 1, frozen on" in page
    assert "This is the HTML of a frozen dossier" in page


def test_the_hash_is_accepted_with_capitals_and_spaces_as_people_copy_it(version, client):
    spaced = " ".join(version.sha256[i : i + 8] for i in range(0, 64, 8)).upper()

    assert "It matches: version 1" in check(client, sha256=spaced).content.decode()


def test_the_hash_can_come_in_the_address(version, client):
    response = client.get("/verify/", {"sha256": version.pdf_sha256})

    assert "It matches: version 1" in response.content.decode()
    assert "This is the PDF of a frozen dossier" in response.content.decode()


def test_the_pdf_as_received_matches_its_version(version, client):
    upload = SimpleUploadedFile("dossier.pdf", bytes(version.pdf), content_type="application/pdf")

    page = check(client, document=upload).content.decode()

    assert "It matches: version 1" in page
    assert "This is the PDF" in page


def test_the_html_as_downloaded_matches_its_version(version, client):
    upload = SimpleUploadedFile("dossier.html", version.html.encode("utf-8"), content_type="text/html")

    assert "This is the HTML of a frozen dossier" in check(client, document=upload).content.decode()


def test_a_tampered_copy_matches_nothing(version, client):
    pdf = bytes(version.pdf)
    # One bit changed in the middle of the file.
    tampered_pdf = pdf[:500] + bytes([pdf[500] ^ 1]) + pdf[501:]
    tampered_html = version.html.replace("292", "929", 1).encode("utf-8")
    assert tampered_html != version.html.encode("utf-8")

    for name, content in (("dossier.pdf", tampered_pdf), ("dossier.html", tampered_html)):
        page = check(client, document=SimpleUploadedFile(name, content)).content.decode()
        assert "No match" in page
        assert "It matches" not in page


def test_a_match_reveals_only_the_number_and_when_it_was_frozen(version, client):
    page = check(client, sha256=version.sha256).content.decode()

    assert version.dossier.faculty.name not in page
    assert version.dossier.title not in page


def test_an_unknown_hash_matches_nothing(version, client):
    assert "No match" in check(client, sha256="0" * 64).content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sha256": "abc123"}, "A SHA-256 is 64 characters, each 0-9 or a-f."),
        ({}, "Give a SHA-256 or choose a file."),
        ({"sha256": "0" * 64, "document": "file"}, "Give a SHA-256 or a file, not both."),
    ],
)
def test_an_invalid_request_is_explained_and_checks_nothing(client, db, fields, message):
    if "document" in fields:
        fields["document"] = SimpleUploadedFile("copy.pdf", b"%PDF-1.7")

    response = check(client, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "No match" not in response.content.decode()
