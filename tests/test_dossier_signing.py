"""
Signed frozen versions: each institution signs with its own key; the signature validates against its public
certificate with pyHanko alone; a changed copy fails every check; the private key is never shown anywhere.
"""

import base64
import datetime as dt
from io import BytesIO
from io import StringIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.core.management import call_command
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portfolio.dossiers import exports
from portfolio.dossiers import signing
from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.layout import page_fills
from portfolio.dossiers.models import DossierVersion
from portfolio.dossiers.models import SigningCredential
from tests.factories import DossierFactory

pytest_plugins = ["tests.dossier_fixtures"]
pytestmark = pytest.mark.django_db


def validated_with(pdf: bytes, certificate_pem: str):
    """pyHanko's own verdict, with `certificate_pem` as the only trust root (as a reader offline would)."""
    der = x509.load_pem_x509_certificate(certificate_pem.encode()).public_bytes(serialization.Encoding.DER)
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)
    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(signature, context)


def private_key_texts(credential: SigningCredential) -> list[str]:
    """Every form the private key could take on a page: PEM body lines, base64 of the DER, and the stored token."""
    key_der = signing._decrypt_key(credential)
    pem = (
        serialization.load_der_private_key(key_der, password=None)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    body = [line for line in pem.splitlines() if "-----" not in line]
    return [*body, base64.b64encode(key_der).decode()[:40], bytes(credential.encrypted_key).decode()[:40]]


def write(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- the signature -------------------------------------------------------------------------------------------


def test_a_frozen_versions_pdf_signature_validates_against_its_institutions_certificate(version, alice):
    credential = version.signing_credential
    assert credential.institution == alice.faculty.appointments.get().department.institution

    status = validated_with(bytes(version.pdf), credential.certificate_pem)

    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.signing_cert.dump() == x509.load_pem_x509_certificate(
        credential.certificate_pem.encode()
    ).public_bytes(serialization.Encoding.DER)


def test_the_signature_does_not_validate_against_another_institutions_certificate(version, southbay):
    other = signing.generate_credential(institution=southbay)

    status = validated_with(bytes(version.pdf), other.certificate_pem)

    assert not status.trusted


def test_a_faculty_member_in_two_institutions_is_signed_for_by_the_primary_one_only(dana, northfield, southbay, alice):
    northfield_key = signing.generate_credential(institution=northfield)
    # Southbay's key is the newest on the site: it must still not sign a Northfield faculty member's dossier.
    southbay_key = signing.generate_credential(institution=southbay)
    dossier = DossierFactory(faculty=dana)

    version = freeze(dossier=dossier, user=alice)

    assert version.signing_credential == northfield_key
    assert validated_with(bytes(version.pdf), northfield_key.certificate_pem).bottom_line
    assert not validated_with(bytes(version.pdf), southbay_key.certificate_pem).trusted


def test_an_institution_without_a_key_gets_a_self_signed_one_at_its_first_freeze(dossier, alice, northfield):
    assert not SigningCredential.objects.exists()

    version = freeze(dossier=dossier, user=alice)

    credential = SigningCredential.objects.get()
    assert credential.institution == northfield
    assert credential.source == SigningCredential.Source.GENERATED
    assert version.signing_credential == credential


def test_a_new_key_retires_the_old_one_and_what_it_signed_still_verifies(version, alice, client, tmp_path):
    old = version.signing_credential

    call_command("create_signing_key", old.institution.slug, stdout=StringIO())
    newer = freeze(dossier=version.dossier, user=alice)

    old.refresh_from_db()
    assert not old.is_active and old.retired_at is not None
    assert newer.signing_credential.is_active and newer.signing_credential != old
    assert validated_with(bytes(version.pdf), old.certificate_pem).bottom_line
    call_command("verify_dossier", write(tmp_path, "v1.pdf", bytes(version.pdf)), stdout=StringIO())
    page = client.get("/verify/certificates/").content.decode()
    assert "current" in page and "retired" in page
    assert f"/verify/certificates/{old.fingerprint}.pem" in page


def test_a_key_unreadable_with_the_current_secret_key_stops_the_freeze_and_stores_nothing(
    version, alice, client, settings
):
    settings.SECRET_KEY = "another-secret-key-0123456789-0123456789-0123456789"
    signing._fernet.cache_clear()
    try:
        client.force_login(alice)
        response = client.post(f"/dossiers/{version.dossier.pk}/freeze/")
    finally:
        signing._fernet.cache_clear()

    assert response.status_code == 409
    assert "cannot be read with this SECRET_KEY" in response.content.decode()
    assert DossierVersion.objects.count() == 1


def test_the_live_draft_pdf_is_never_signed_and_says_draft_on_every_page(dossier, alice, client):
    client.force_login(alice)

    pdf = client.get(f"/dossiers/{dossier.pk}/download/pdf/").content

    assert signing.check_signature(pdf).signed is False
    assert PdfFileReader(BytesIO(pdf)).embedded_signatures == []
    assert b"/Sig" not in pdf


# --- checking a copy, offline and online ------------------------------------------------------------------------


def test_verify_dossier_passes_the_original_and_fails_a_copy_with_one_byte_changed(version, tmp_path):
    original = write(tmp_path, "original.pdf", bytes(version.pdf))
    pdf = bytes(version.pdf)
    middle = len(pdf) // 2
    tampered = write(tmp_path, "tampered.pdf", pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :])

    out = StringIO()
    call_command("verify_dossier", original, stdout=out)
    assert "VERIFIED: unchanged PDF of version 1" in out.getvalue()
    assert "unchanged since it was signed" in out.getvalue()

    with pytest.raises(CommandError, match="NOT VERIFIED"):
        call_command("verify_dossier", tampered, stdout=StringIO())


def test_verify_dossier_fails_the_live_draft_and_any_other_file(dossier, alice, client, tmp_path):
    client.force_login(alice)
    draft = write(tmp_path, "draft.pdf", client.get(f"/dossiers/{dossier.pk}/download/pdf/").content)

    out = StringIO()
    with pytest.raises(CommandError, match="NOT VERIFIED"):
        call_command("verify_dossier", draft, stdout=out)
    assert "no digital signature" in out.getvalue()
    with pytest.raises(CommandError, match="is not a file"):
        call_command("verify_dossier", tmp_path / "missing.pdf")


def test_the_upload_check_fails_a_copy_with_one_byte_changed(version, client):
    pdf = bytes(version.pdf)
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :]

    page = client.post("/verify/", {"document": SimpleUploadedFile("copy.pdf", tampered)}).content.decode()

    assert "Not an unaltered frozen version" in page
    assert "Unchanged" not in page


# --- the verification address ------------------------------------------------------------------------------------


def test_every_page_of_a_frozen_pdf_prints_the_versions_absolute_address_and_page_one_its_qr_code(version, settings):
    address = f"{settings.SITE_URL}/verify/v/{version.public_id}/"
    footer = exports.version_footer(number=1, verify_url=address, sha256=version.sha256)
    pages = page_fills(version.html, footer=footer)

    assert all(address in page.text for page in pages)
    assert all(version.sha256 in page.text for page in pages)
    assert "Content fingerprint (SHA-256 of the version's HTML, not of this file)" in pages[0].text
    assert 'class="dossier-verify__qr"' in version.html
    assert "<svg" in version.html.split('class="dossier-verify__qr"')[1][:200]


def test_the_address_is_unguessable_and_not_the_primary_key(version, client):
    assert len(version.public_id) >= 32
    assert str(version.pk) != version.public_id

    assert client.get(f"/verify/v/{version.pk}/").status_code == 404
    assert client.get("/verify/v/" + "A" * 32 + "/").status_code == 404


def test_the_address_shows_the_versions_record_and_gives_the_original_pdf(version, client, alice):
    page = client.get(f"/verify/v/{version.public_id}/").content.decode()

    for shown in (
        "Alice Adams",
        version.dossier.title,
        "Frozen dossier: version 1",
        version.pdf_sha256,
        version.sha256,
        version.signing_credential.subject,
        "SHA-256 of the original PDF file",
        "Content fingerprint (SHA-256 of the version\N{RIGHT SINGLE QUOTATION MARK}s HTML, printed on each page)",
    ):
        assert shown in page
    download = client.get(f"/verify/v/{version.public_id}/original.pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == bytes(version.pdf)


def test_the_certificates_are_public_as_pem(version, client):
    credential = version.signing_credential

    response = client.get(f"/verify/certificates/{credential.fingerprint}.pem")

    assert response.status_code == 200
    assert response.content.decode() == credential.certificate_pem
    assert client.get("/verify/certificates/").status_code == 200


def test_the_home_page_and_the_site_footer_link_to_the_verification_page(alice, client):
    client.force_login(alice)

    page = client.get("/").content.decode()

    assert page.count('href="/verify/"') >= 2


# --- the private key -------------------------------------------------------------------------------------------


def test_the_private_key_is_stored_encrypted(version):
    credential = version.signing_credential
    key_der = signing._decrypt_key(credential)

    assert key_der not in bytes(credential.encrypted_key)
    assert base64.b64encode(key_der) not in bytes(credential.encrypted_key)


def test_the_private_key_appears_in_no_page_api_answer_or_admin_form(version, alice, nora, root, client, signed_in):
    credential = version.signing_credential
    secrets_ = private_key_texts(credential)
    dossier = version.dossier
    public = [
        "/verify/",
        "/verify/certificates/",
        f"/verify/certificates/{credential.fingerprint}.pem",
        f"/verify/v/{version.public_id}/",
    ]
    faculty = [
        f"/dossiers/{dossier.pk}/versions/",
        f"/dossiers/{dossier.pk}/versions/1/",
        "/api/v1/dossier-versions/",
        f"/api/v1/dossier-versions/{version.pk}/",
        f"/api/v1/dossiers/{dossier.pk}/",
    ]
    admin = [
        "/admin/dossiers/signingcredential/",
        f"/admin/dossiers/signingcredential/{credential.pk}/change/",
        "/admin/dossiers/signingcredential/add/",
        f"/admin/dossiers/dossierversion/{version.pk}/change/",
    ]
    pages = [(signed_in(None), public), (signed_in(alice), faculty), (signed_in(nora), admin), (signed_in(root), admin)]
    for viewer, addresses in pages:
        for address in addresses:
            response = viewer.get(address)
            assert response.status_code == 200, address
            body = response.content.decode()
            assert not any(secret in body for secret in secrets_), address
    # The admin's record shows the public certificate, so the page was the right one.
    assert credential.fingerprint in signed_in(nora).get(admin[1]).content.decode()


def test_an_admin_installs_the_institutions_own_certificate_and_key(nora, northfield, alice, dossier, signed_in):
    certificate_pem, key_pem = ca_issued_certificate("Northfield Health dossiers")

    response = upload_in_admin(
        signed_in(nora), institution=northfield, certificate_pem=certificate_pem, key_pem=key_pem
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    credential = SigningCredential.objects.get(institution=northfield, is_active=True)
    assert credential.source == SigningCredential.Source.UPLOADED
    assert "Northfield Health dossiers" in credential.subject
    version = freeze(dossier=dossier, user=alice)
    assert version.signing_credential == credential
    assert validated_with(bytes(version.pdf), credential.certificate_pem).bottom_line


def test_a_key_that_is_not_the_certificates_is_refused_and_not_shown_again(nora, northfield, signed_in):
    certificate_pem, _ = ca_issued_certificate("Northfield Health dossiers")
    _, other_key_pem = ca_issued_certificate("Someone else")

    response = upload_in_admin(
        signed_in(nora), institution=northfield, certificate_pem=certificate_pem, key_pem=other_key_pem
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "This key does not belong to the certificate." in body
    assert not any(line in body for line in other_key_pem.decode().splitlines() if "-----" not in line)
    assert not SigningCredential.objects.exists()


def test_an_admin_cannot_install_a_key_for_another_institution(charlie, northfield, signed_in):
    certificate_pem, key_pem = ca_issued_certificate("Not Southbay's to give")

    response = upload_in_admin(
        signed_in(charlie), institution=northfield, certificate_pem=certificate_pem, key_pem=key_pem
    )

    assert response.status_code == 200
    assert not SigningCredential.objects.exists()


def test_an_admin_sees_only_their_institutions_credentials(nora, northfield, southbay, signed_in):
    signing.generate_credential(institution=northfield)
    theirs = signing.generate_credential(institution=southbay)

    listing = signed_in(nora).get("/admin/dossiers/signingcredential/").content.decode()

    assert "Northfield" in listing
    assert theirs.subject not in listing
    assert signed_in(nora).get(f"/admin/dossiers/signingcredential/{theirs.pk}/change/").status_code == 302


def test_create_signing_key_refuses_an_unknown_institution(db):
    with pytest.raises(CommandError, match="No institution with the slug 'nowhere'"):
        call_command("create_signing_key", "nowhere")


# --- helpers ---------------------------------------------------------------------------------------------------


def upload_in_admin(client, *, institution, certificate_pem: bytes, key_pem: bytes):
    """The admin's add form, filled in as an admin installing their institution's certificate and key."""
    return client.post(
        "/admin/dossiers/signingcredential/add/",
        {
            "institution": institution.pk,
            "certificate_file": SimpleUploadedFile("cert.pem", certificate_pem),
            "key_file": SimpleUploadedFile("key.pem", key_pem),
        },
    )


def ca_issued_certificate(common_name: str) -> tuple[bytes, bytes]:
    """A certificate and key as an institution's certificate authority would issue them (PEM)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test University CA")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem
