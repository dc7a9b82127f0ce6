"""
Signing frozen dossiers' PDFs, and checking the signature of a copy.

Each institution signs its faculty's frozen versions with its own key (`SigningCredential`): a PAdES signature
(pyHanko) that any PDF reader shows, naming the signer and saying whether the file changed after signing.
A key is either made here, with a self-signed certificate (`create_signing_key INSTITUTION`), or issued by the
institution's certificate authority and uploaded in the admin (`install_credential`).

Private keys are encrypted at rest with a key derived from SECRET_KEY (HKDF-SHA256, then Fernet), in the database
beside their certificate rather than in files: every web process reads the same rows, a database backup alone does
not give the keys away, and nothing extra has to be deployed or backed up. Rotating SECRET_KEY makes the stored
keys unreadable: freezing then says so, and `create_signing_key` (or a new upload) gives the institution a new one;
versions already signed still verify, since checking a signature needs only the public certificate.
"""

import asyncio
import base64
import datetime as dt
import hashlib
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

# pyHanko imports cryptography's DSA type to recognise such keys; we neither make nor accept them, and the warning
# that import raises would otherwise print with every management command.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

from accounts.models import Faculty, Institution
from portfolio.dossiers.models import SigningCredential

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "DossierSignature"
# A self-signed certificate made here lasts long enough to sign for years; the versions it signed verify after.
GENERATED_VALIDITY = dt.timedelta(days=10 * 365)


class SigningUnavailable(Exception):
    """No institution, or its key cannot be read: nothing is frozen unsigned."""


@cache
def _fernet() -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"dossier signing keys").derive(
        settings.SECRET_KEY.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_key(key_der: bytes) -> bytes:
    return _fernet().encrypt(key_der)


def _decrypt_key(credential: SigningCredential) -> bytes:
    try:
        return _fernet().decrypt(bytes(credential.encrypted_key))
    except InvalidToken:
        raise SigningUnavailable(
            f"The signing key of {credential.institution} cannot be read with this SECRET_KEY (was it changed?). "
            f"Give the institution a new one: python manage.py create_signing_key {credential.institution.slug}"
        ) from None


def signing_institution(faculty: Faculty) -> Institution | None:
    """The institution that signs a faculty member's dossiers: that of their primary appointment, else any."""
    appointment = faculty.appointments.select_related("department__institution").first()
    return appointment.department.institution if appointment else None


def generate_credential(*, institution: Institution, user=None) -> SigningCredential:
    """A new key pair and self-signed certificate naming the institution, made its active credential."""
    key = ec.generate_private_key(ec.SECP256R1())
    country = str(getattr(institution.country, "code", institution.country) or "")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{institution.name} (dossier signing)"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution.name),
            *([x509.NameAttribute(NameOID.COUNTRY_NAME, country)] if len(country) == 2 else []),
        ]
    )
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + GENERATED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _activate(
        institution=institution, certificate=certificate, key=key, source=SigningCredential.Source.GENERATED, user=user
    )


def install_credential(
    *, institution: Institution, certificate_pem: str, key_pem: str, password: str = "", user=None
) -> SigningCredential:
    """
    The institution's own certificate and key (PEM, as its certificate authority issued them) as its active
    credential. Raises ValidationError when either does not parse, or the key is not the certificate's.
    """
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ValidationError(
            {"certificate_pem": "This is not a PEM certificate (-----BEGIN CERTIFICATE-----)."}
        ) from None
    try:
        key = serialization.load_pem_private_key(key_pem.strip().encode("ascii"), password=password.encode() or None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise ValidationError(
            {"key_pem": "This is not a PEM private key, or its password is wrong or missing."}
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError({"key_pem": "Use an RSA or elliptic-curve key."})
    if key.public_key().public_bytes(*_SPKI) != certificate.public_key().public_bytes(*_SPKI):
        raise ValidationError({"key_pem": "This key does not belong to the certificate."})
    if certificate.not_valid_after_utc <= timezone.now():
        raise ValidationError({"certificate_pem": "This certificate has expired."})
    return _activate(
        institution=institution, certificate=certificate, key=key, source=SigningCredential.Source.UPLOADED, user=user
    )


_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _subject(certificate: x509.Certificate) -> str:
    """Who the certificate names, as a reader says it: its common name, else the whole distinguished name."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def _activate(*, institution, certificate: x509.Certificate, key, source: str, user) -> SigningCredential:
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certificate_der = certificate.public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(certificate_der).hexdigest()
    if SigningCredential.objects.filter(fingerprint=fingerprint).exists():
        raise ValidationError({"certificate_pem": "This certificate is already installed."})
    with transaction.atomic():
        now = timezone.now()
        # The old one retires but stays: its certificate is what the versions it signed verify against.
        SigningCredential.objects.filter(institution=institution, is_active=True).update(
            is_active=False, retired_at=now
        )
        return SigningCredential.objects.create(
            institution=institution,
            subject=_subject(certificate),
            certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            fingerprint=fingerprint,
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            encrypted_key=encrypt_key(key_der),
            source=source,
            is_active=True,
            created_at=now,
            created_by=user if getattr(user, "pk", None) else None,
        )


def credential_for(institution: Institution | None) -> SigningCredential:
    """
    The institution's active credential. An institution without one gets a self-signed one made now, so that
    freezing stays one action for the faculty member; an admin may replace it with the institution's own at any
    time, and what it signed still verifies. A faculty member with no appointment has no institution to sign.
    """
    if institution is None:
        raise SigningUnavailable(
            "The faculty member holds no appointment, so no institution can sign the version. "
            "An admin adds their appointment first."
        )
    credential = SigningCredential.objects.active_for(institution)
    if credential is None:
        credential = generate_credential(institution=institution)
        logger.info("Institution %s had no signing key: made self-signed credential %s", institution.pk, credential.pk)
    return credential


def _certificate(credential: SigningCredential) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(credential.certificate_pem.encode("ascii")).public_bytes(
            serialization.Encoding.DER
        )
    )


def sign_pdf(pdf: bytes, *, credential: SigningCredential, reason: str) -> bytes:
    """`pdf` with a PAdES signature by `credential`, added as an incremental update (the pages are untouched)."""
    certificate = _certificate(credential)
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(_decrypt_key(credential)),
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=credential.institution.name,
    )
    output = outside_any_event_loop(signers.sign_pdf, IncrementalPdfFileWriter(BytesIO(pdf)), metadata, signer=signer)
    return output.getvalue()


def outside_any_event_loop(function, *args, **kwargs):
    """
    Call one of pyHanko's synchronous functions. They run an event loop of their own (`asyncio.run`), which Python
    refuses inside a running one (an ASGI server, a test that drives a browser): there the call runs on a thread of
    its own. Only pyHanko's work goes there, never the database's, which stays on the caller's connection.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@dataclass(frozen=True)
class SignatureCheck:
    """What a copy's signature says: `valid` only when it is intact, covers the whole file and is ours."""

    signed: bool
    valid: bool
    credential: SigningCredential | None
    message: str


def check_signature(pdf: bytes) -> SignatureCheck:
    """
    Validate the signature of a PDF against the certificates of this site's institutions: intact (the signed bytes
    are unchanged), covering the whole file (nothing added after signing), and made by a certificate the site holds.
    """
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any unreadable file is simply not a signed dossier
        return SignatureCheck(False, False, None, "The file is not a readable PDF.")
    if not signatures:
        return SignatureCheck(False, False, None, "The file carries no digital signature.")
    signature = signatures[-1]
    try:
        signer_der = signature.signer_cert.dump()
    except Exception:
        return SignatureCheck(True, False, None, "The signature is damaged: its certificate cannot be read.")
    credential = (
        SigningCredential.objects.select_related("institution")
        .filter(fingerprint=hashlib.sha256(signer_der).hexdigest())
        .first()
    )
    if credential is None:
        return SignatureCheck(True, False, None, "The file is signed, but not with a certificate of this site.")
    context = ValidationContext(trust_roots=[_certificate(credential)], allow_fetching=False)
    try:
        status = outside_any_event_loop(validate_pdf_signature, signature, context)
    except (SignatureValidationError, ValueError) as error:
        return SignatureCheck(True, False, credential, f"The signature could not be validated: {error}")
    if not (status.intact and status.valid):
        return SignatureCheck(True, False, credential, "The signature does not match the file: it was changed.")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(signatures) != 1:
        return SignatureCheck(
            True, False, credential, "The signature is intact, but the file was changed or extended after signing."
        )
    if not status.trusted:
        return SignatureCheck(True, False, credential, "The signing certificate could not be trusted.")
    return SignatureCheck(True, True, credential, f"Signed by {credential.subject}; unchanged since it was signed.")
