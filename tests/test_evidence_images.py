"""
Evidence of highlighted posts: screenshots checked and re-encoded, read for patient identifiers, a freeze
refused until an identifying screenshot is resolved, and the copy a version keeps, with its hashes.
"""

import hashlib
import io
import struct
import zlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from PIL import PngImagePlugin

from metrics.models import Post
from portfolio.dossiers.evidence import attach_evidence
from portfolio.dossiers.evidence_models import HighlightEvidence
from portfolio.dossiers.evidence_models import sha256_json
from portfolio.dossiers.evidence_models import sha256_text
from portfolio.dossiers.freezing import EvidenceRefused
from portfolio.dossiers.freezing import FreezeRefused
from portfolio.dossiers.freezing import freeze
from portfolio.dossiers.models import Highlight
from portfolio.lib.images import ImageRefused
from portfolio.lib.images import clean_image
from portfolio.privacy import measure
from portfolio.privacy.images import MISSING_TESSERACT
from portfolio.privacy.images import metadata_flags
from portfolio.privacy.images import ocr_flags
from portfolio.privacy.images import tesseract_available
from portfolio.privacy.images import text_flags
from portfolio.privacy.models import PrivacyPolicy
from tests.images import exif_with_gps_and_owner
from tests.images import picture_bytes

pytest_plugins = ["tests.dossier_fixtures"]

needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason=MISSING_TESSERACT)
BURNED_IN = ("SMITH^JOHN", "MRN: 00482913", "DOB: 03/14/1961")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


# --- checking and re-encoding ---------------------------------------------------------------------------------------


def test_a_gif_named_png_is_refused_by_its_content():
    buffer = io.BytesIO()
    Image.new("L", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ImageRefused, match="Not a PNG, JPEG or WebP image"):
        clean_image(buffer.getvalue())


def test_text_is_refused_as_not_an_image():
    with pytest.raises(ImageRefused, match="Not a PNG, JPEG or WebP image"):
        clean_image(b"MRN 12345, not a picture")


def test_a_file_over_the_size_cap_is_refused_with_the_cap_named(settings):
    settings.IMAGE_MAX_BYTES = 1_000
    with pytest.raises(ImageRefused, match=r"images up to 0.001 MB are accepted"):
        clean_image(picture_bytes(size=(400, 400)))


def test_a_picture_over_the_dimension_cap_is_refused(settings):
    settings.IMAGE_MAX_SIDE = 300
    with pytest.raises(ImageRefused, match="The image is 320 x 240 pixels; images up to 300 x 300 pixels"):
        clean_image(picture_bytes(size=(320, 240)))


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = png_header_only(60_000, 60_000)
    assert len(bomb) < 200
    with pytest.raises(ImageRefused, match=r"too large|60,000 x 60,000 pixels"):
        clean_image(bomb)


def test_a_polyglot_keeps_only_its_pixels():
    # A valid PNG followed by an HTML page and a ZIP archive: readers of either format would find them.
    payload = b"<html><script>alert(1)</script></html>PK\x03\x04zip-member"
    clean = clean_image(picture_bytes() + payload)
    assert b"<script>" not in clean.content and b"PK\x03\x04" not in clean.content
    assert clean.content.endswith(b"IEND\xaeB`\x82")


def test_a_huge_exif_block_is_bounded_by_the_file_size_and_not_kept(settings):
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # ImageDescription: a JPEG's EXIF segment holds at most 64 KB
    upload = picture_bytes(image_format="JPEG", mode="RGB", exif=exif)
    clean = clean_image(upload)
    assert b"xxxx" not in clean.content
    settings.IMAGE_MAX_BYTES = len(upload) - 1
    with pytest.raises(ImageRefused, match="images up to"):
        metadata_flags(upload)


def test_re_encoding_removes_exif_and_gps():
    upload = picture_bytes(image_format="JPEG", mode="RGB", exif=exif_with_gps_and_owner())
    assert Image.open(io.BytesIO(upload)).getexif().get_ifd(0x8825)

    clean = clean_image(upload)

    stored = Image.open(io.BytesIO(clean.content))
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info
    assert clean.content_type == "image/jpeg"
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert clean.name == f"{clean.sha256}.jpg"


def test_re_encoding_removes_png_text_chunks_and_the_check_says_what_it_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("PatientName", "SMITH^JOHN")
    info.add_text("Software", "PACS export 2.1")
    upload = picture_bytes(pnginfo=info)

    flags = metadata_flags(upload)
    clean = clean_image(upload)

    assert Image.open(io.BytesIO(clean.content)).info.get("PatientName") is None
    assert b"SMITH" not in clean.content
    by_excerpt = {flag.excerpt: flag for flag in flags}
    assert by_excerpt["SMITH^JOHN"].kind == "dicom_tag"
    assert by_excerpt["SMITH^JOHN"].severity == "identifying"
    assert all(flag.removed and not flag.blocks_freezing for flag in flags)


def test_gps_and_the_camera_owner_are_flagged_as_found_and_removed():
    flags = metadata_flags(picture_bytes(image_format="JPEG", mode="RGB", exif=exif_with_gps_and_owner()))
    kinds = {flag.kind: flag for flag in flags}
    assert kinds["gps"].severity == "combination"
    assert "found and removed" in kinds["gps"].reason
    assert kinds["owner"].excerpt == "Dr Alice Example"
    assert kinds["camera"].removed


# --- reading burned-in text -------------------------------------------------------------------------------------------


def test_overlay_text_rules_flag_identifiers_and_pass_teaching_labels():
    flags = text_flags("SMITH^JOHN  045Y M\nMRN: 00482913\nD.0.B. 03/14/1961\nAcc# A2391044\nSt Mary Hospital")
    assert {(flag.kind, flag.severity) for flag in flags} >= {
        ("patient_name", "identifying"),
        ("record_number", "identifying"),
        ("date_of_birth", "identifying"),
        ("institution", "combination"),
    }
    assert text_flags("R   L\nW: 400 L: 40\n5 cm\nT2 FLAIR  Ax\nSegond fracture  ACL") == []


@needs_tesseract
def test_ocr_finds_a_burned_in_mrn_with_its_box():
    text, flags = ocr_flags(picture_bytes(size=(420, 300), lines=BURNED_IN))
    assert "00482913" in text
    record = next(flag for flag in flags if "00482913" in flag.excerpt)
    assert record.severity == "identifying"
    left, top, width, height = record.box
    # The MRN is the second overlay line: 6 px from the left, 23 px from the top.
    assert left < 20 and 15 < top < 40 and width > 50 and height > 5


@needs_tesseract
def test_ocr_of_a_safe_teaching_image_finds_nothing():
    _, flags = ocr_flags(picture_bytes(size=(420, 300), lines=("R", "W: 400 L: 40", "Segond fracture")))
    assert flags == []


# --- attaching, freezing ---------------------------------------------------------------------------------------


def highlight_of(dossier) -> Highlight:
    return dossier.highlight_rows.select_related("post").get()


@needs_tesseract
@pytest.mark.django_db
def test_an_identifying_screenshot_blocks_freezing_until_acknowledged(
    dossier, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evidence = attach_evidence(
            highlight=highlight_of(dossier), user=alice, url="", upload=picture_bytes(size=(420, 300), lines=BURNED_IN)
        )
    evidence.refresh_from_db()
    assert evidence.ocr_flags is not None  # read in the background task, once

    with pytest.raises(EvidenceRefused, match="screenshot may identify a patient") as refused:
        freeze(dossier=dossier, user=alice)
    assert {flag.kind for flag in refused.value.unresolved[0].flags} >= {"record_number", "date_of_birth"}
    assert not dossier.versions.exists()

    evidence.acknowledge(alice)
    assert freeze(dossier=dossier, user=alice).number == 1


@needs_tesseract
@pytest.mark.django_db
def test_replacing_the_screenshot_with_a_clean_one_resolves_it(dossier, alice, django_capture_on_commit_callbacks):
    highlight = highlight_of(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        attach_evidence(highlight=highlight, user=alice, url="", upload=picture_bytes(lines=BURNED_IN))
    with pytest.raises(EvidenceRefused):
        freeze(dossier=dossier, user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        attach_evidence(highlight=highlight, user=alice, url="", upload=picture_bytes(lines=("R", "5 cm")))

    assert freeze(dossier=dossier, user=alice).number == 1


@pytest.mark.django_db
def test_a_screenshot_not_yet_read_is_read_before_freezing(dossier, alice, monkeypatch):
    # No commit in this test: the background task never ran, so freezing reads the picture itself.
    read = []
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: read.append(len(content)) or ("R", []))
    evidence = attach_evidence(highlight=highlight_of(dossier), user=alice, url="", upload=picture_bytes())
    assert evidence.ocr_pending

    freeze(dossier=dossier, user=alice)

    assert len(read) == 1
    evidence.refresh_from_db()
    assert evidence.ocr_flags == [] and not evidence.ocr_pending


@pytest.mark.django_db
def test_the_version_keeps_hashed_copies_that_survive_later_edits(dossier, alice, worked_post, monkeypatch):
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    highlight = highlight_of(dossier)
    first = attach_evidence(
        highlight=highlight,
        user=alice,
        url="https://web.archive.org/web/2025/https://instagram.com/p/worked",
        upload=picture_bytes(lines=("R",)),
    )
    with first.image.open("rb") as file:
        first_picture = file.read()

    version = freeze(dossier=dossier, user=alice)

    kept = version.evidence.get()
    caption = "Segond fracture: the avulsion that predicts an ACL tear #MSKMonday"
    assert kept.caption == caption
    assert kept.caption_sha256 == hashlib.sha256(caption.encode()).hexdigest()
    assert kept.url == "https://web.archive.org/web/2025/https://instagram.com/p/worked"
    assert kept.url_sha256 == sha256_text(kept.url)
    assert kept.metrics["metrics"]["likes"] == 184 and kept.metrics["actions"] == 292
    assert kept.metrics_sha256 == sha256_json(kept.metrics)
    assert bytes(kept.image) == first_picture
    assert kept.image_sha256 == hashlib.sha256(first_picture).hexdigest() == first.image_sha256
    # The thumbnail is inside the frozen document (and so inside its hash and its PDF).
    assert first.thumbnail in version.html

    Post.objects.filter(pk=worked_post.pk).update(caption="Edited later, after the freeze")
    attach_evidence(highlight=highlight, user=alice, url="", upload=picture_bytes(lines=("L",)))
    HighlightEvidence.objects.all().delete()

    kept.refresh_from_db()
    assert kept.caption == caption
    assert bytes(kept.image) == first_picture
    assert hashlib.sha256(bytes(kept.image)).hexdigest() == kept.image_sha256


# --- pages and API ----------------------------------------------------------------------------------------------------


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_the_highlights_tab_takes_a_screenshot_and_shows_what_the_check_found(
    dossier, alice, signed_in, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        "portfolio.dossiers.evidence.ocr_flags",
        lambda content: ("MRN: 00482913", text_flags("MRN: 00482913")),
    )
    highlight = highlight_of(dossier)
    client = signed_in(alice)
    url = reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk])
    prefix = f"e{highlight.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {f"{prefix}-image": upload("shot.png", picture_bytes()), f"{prefix}-url": "web.archive.org/web/2025/x"},
        )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Image check: this screenshot may identify a patient" in page
    assert "“MRN: 00482913”" in page
    assert HighlightEvidence.objects.get().url == "https://web.archive.org/web/2025/x"


@pytest.mark.django_db
def test_the_highlights_tab_refuses_a_file_that_is_not_an_image(dossier, alice, signed_in):
    highlight = highlight_of(dossier)
    prefix = f"e{highlight.pk}"
    response = signed_in(alice).post(
        reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk]),
        {f"{prefix}-image": upload("shot.png", b"%PDF-1.4 not an image")},
        follow=True,
    )
    assert "was not saved: Not a PNG, JPEG or WebP image" in response.content.decode()
    assert not HighlightEvidence.objects.exists()


@pytest.mark.django_db
def test_a_refused_screenshot_is_shown_on_its_field_with_the_link_as_typed(dossier, alice, signed_in):
    highlight = highlight_of(dossier)
    prefix = f"e{highlight.pk}"
    response = signed_in(alice).post(
        reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk]),
        {f"{prefix}-image": upload("shot.png", b"GIF89a not a screenshot"), f"{prefix}-url": "web.archive.org/web/x"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'<p class="field-error" id="id_{prefix}-image_error">Not a PNG, JPEG or WebP image' in page
    assert f'aria-describedby="id_{prefix}-image_error id_{prefix}-image-help" aria-invalid="true">' in page
    assert 'value="web.archive.org/web/x"' in page
    # The browser does not refuse a link without https:// that the site accepts (and completes).
    assert f'id="evidence-{highlight.pk}" enctype="multipart/form-data" novalidate>' in page
    assert not HighlightEvidence.objects.exists()


@pytest.mark.django_db
def test_another_institutions_faculty_cannot_attach_evidence(dossier, charlie, signed_in):
    highlight = highlight_of(dossier)
    response = signed_in(charlie).post(
        reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk]),
        {f"e{highlight.pk}-image": upload("shot.png", picture_bytes())},
    )
    assert response.status_code == 404
    assert not HighlightEvidence.objects.exists()


@pytest.mark.django_db
def test_the_api_takes_a_multipart_screenshot_and_reports_its_flags(dossier, alice, worked_post, monkeypatch):
    from rest_framework.test import APIClient

    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    client = APIClient()
    client.force_authenticate(alice)
    url = f"/api/v1/dossiers/{dossier.pk}/highlights/{worked_post.pk}/evidence/"
    info = PngImagePlugin.PngInfo()
    info.add_text("PatientName", "SMITH^JOHN")

    response = client.post(url, {"image": upload("shot.png", picture_bytes(pnginfo=info))}, format="multipart")

    assert response.status_code == 200, response.content
    assert response.data["flags"][0]["kind"] == "dicom_tag"
    assert response.data["flags"][0]["removed"] is True
    assert response.data["blocks_freezing"] is False
    detail = client.get(f"/api/v1/dossiers/{dossier.pk}/")
    assert detail.data["highlights"][0]["evidence"]["image_sha256"] == response.data["image_sha256"]

    refused = client.post(url, {"image": upload("shot.png", b"GIF89a")}, format="multipart")
    assert refused.status_code == 400
    assert "Not a PNG, JPEG or WebP image" in refused.data["image"][0]


@pytest.mark.django_db
def test_the_versions_page_lists_each_evidence_item_with_its_hash(dossier, alice, signed_in, monkeypatch):
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    attach_evidence(highlight=highlight_of(dossier), user=alice, url="", upload=picture_bytes())
    version = freeze(dossier=dossier, user=alice)
    kept = version.evidence.get()
    client = signed_in(alice)

    page = client.get(reverse("dossiers:versions", args=[dossier.pk])).content.decode()
    image = client.get(reverse("dossiers:version-evidence-image", args=[dossier.pk, 1, 1]))

    for _, sha256 in kept.hashes():
        assert sha256 in page
    assert len(kept.hashes()) == 4
    assert hashlib.sha256(image.content).hexdigest() == kept.image_sha256


# --- the corpus -------------------------------------------------------------------------------------------------------


@needs_tesseract
@pytest.mark.slow
def test_the_image_corpus_meets_its_recall_and_false_alarm_targets():
    out = StringIO()

    call_command("privacy_corpus", "--check", "--section", "images", stdout=out)

    result = measure.images_section()
    assert (result.identifying, result.safe) == (15, 15)
    assert result.recall >= 0.95, result.missed_ids
    assert result.false_alarm_rate <= 0.05, result.false_alarm_ids
    assert "metadata (GPS, camera, text) found and removed in 8 of 30 images" in out.getvalue()


# --- admin ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_institution_admin_uploads_evidence_in_the_admin_and_sees_only_her_institutions_highlights(
    client, nora, charlie, dossier, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    highlight = highlight_of(dossier)
    add = reverse("admin:dossiers_highlightevidence_add")
    client.force_login(nora)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            add,
            {
                "highlight": highlight.pk,
                "url": "https://web.archive.org/web/2025/x",
                "upload": upload(
                    "shot.jpg", picture_bytes(image_format="JPEG", mode="RGB", exif=exif_with_gps_and_owner())
                ),
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = HighlightEvidence.objects.get()
    assert evidence.uploaded_by == nora
    assert {flag["kind"] for flag in evidence.metadata_flags} >= {"gps", "owner"}
    assert evidence.ocr_flags == []
    # Charlie, an admin at another institution, is not offered Alice's highlight.
    client.force_login(charlie)
    refused = client.post(add, {"highlight": highlight.pk, "url": "https://example.org/x"})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


@pytest.mark.django_db
def test_without_tesseract_the_record_names_the_missing_package_and_does_not_block(
    dossier, alice, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("portfolio.privacy.images.shutil.which", lambda name: None)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = attach_evidence(highlight=highlight_of(dossier), user=alice, url="", upload=picture_bytes())

    evidence.refresh_from_db()
    assert "tesseract-ocr" in evidence.ocr_error
    assert not evidence.ocr_pending
    assert [(flag.kind, flag.severity) for flag in evidence.flags()] == [("not_read", "review")]
    assert freeze(dossier=dossier, user=alice).number == 1


@needs_tesseract
@pytest.mark.django_db
def test_where_the_policy_allows_no_patient_images_an_acknowledged_scan_screenshot_still_blocks(
    dossier, alice, northfield, django_capture_on_commit_callbacks
):
    PrivacyPolicy.objects.create(institution=northfield, allows_patient_images=False)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = attach_evidence(
            highlight=highlight_of(dossier), user=alice, url="", upload=picture_bytes(size=(420, 300), lines=BURNED_IN)
        )
    evidence.refresh_from_db()
    evidence.acknowledge(alice)

    with pytest.raises(FreezeRefused) as refused:
        freeze(dossier=dossier, user=alice)

    [breach] = refused.value.breaches
    assert breach.rule == "Northfield University's rule \u201cno patient images\u201d"
    assert "the screenshot of post worked-example shows a patient study's text" in breach.detail
    assert not dossier.versions.exists()


@pytest.mark.django_db
def test_where_the_policy_allows_no_patient_images_a_post_without_a_screenshot_freezes(dossier, alice, northfield):
    PrivacyPolicy.objects.create(institution=northfield, allows_patient_images=False)

    assert freeze(dossier=dossier, user=alice).number == 1


# --- uploads bounded as they stream in, reading bounded in time ---------------------------------------------------


def larger_than_django_keeps_by_default(settings) -> bytes:
    """A screenshot under the image limit but over the limit of a page that declares none (Django's own)."""
    picture = picture_bytes(size=(320, 240), lines=("R",))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(picture) // 2
    assert len(picture) < settings.IMAGE_MAX_BYTES
    return picture


@pytest.mark.django_db
def test_a_screenshot_under_the_image_limit_reaches_the_highlights_tab_whatever_the_other_limits(
    dossier, alice, signed_in, settings, monkeypatch
):
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    highlight = highlight_of(dossier)
    attach_evidence(highlight=highlight, user=alice, url="https://web.archive.org/web/2025/x")
    picture = larger_than_django_keeps_by_default(settings)

    signed_in(alice).post(
        reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk]),
        {f"e{highlight.pk}-image": upload("shot.png", picture), f"e{highlight.pk}-url": "web.archive.org/web/2025/x"},
    )

    assert HighlightEvidence.objects.get().image_sha256 != ""


@pytest.mark.django_db
def test_a_screenshot_over_the_image_limit_is_stopped_as_it_streams_in_and_the_page_says_so(
    dossier, alice, signed_in, settings
):
    highlight = highlight_of(dossier)
    attach_evidence(highlight=highlight, user=alice, url="https://web.archive.org/web/2025/x")
    picture = picture_bytes(size=(320, 240), lines=("R",))
    settings.IMAGE_MAX_BYTES = len(picture) // 2

    response = signed_in(alice).post(
        reverse("dossiers:highlight-evidence", args=[dossier.pk, highlight.pk]),
        {f"e{highlight.pk}-image": upload("shot.png", picture), f"e{highlight.pk}-url": "web.archive.org/web/2025/y"},
        follow=True,
    )

    assert f"was not saved: The file is over {len(picture) // 2:,} bytes" in response.content.decode()
    evidence = HighlightEvidence.objects.get()
    assert (evidence.image_sha256, evidence.url) == ("", "https://web.archive.org/web/2025/x")


@pytest.mark.django_db
def test_the_api_takes_a_screenshot_under_the_image_limit_and_stops_one_over_it(
    dossier, alice, worked_post, settings, monkeypatch
):
    from rest_framework.test import APIClient

    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    client = APIClient()
    client.force_authenticate(alice)
    url = f"/api/v1/dossiers/{dossier.pk}/highlights/{worked_post.pk}/evidence/"
    picture = larger_than_django_keeps_by_default(settings)

    taken = client.post(url, {"image": upload("shot.png", picture)}, format="multipart")
    settings.IMAGE_MAX_BYTES = len(picture) // 2
    stopped = client.post(url, {"image": upload("other.png", picture_bytes(lines=("L",)))}, format="multipart")

    assert taken.status_code == 200, taken.content
    assert stopped.status_code == 400
    assert stopped.data["image"] == [f"The file is over {len(picture) // 2:,} bytes, the largest image accepted."]
    assert HighlightEvidence.objects.get().image_sha256 == taken.data["image_sha256"]


@pytest.mark.django_db
def test_the_admin_takes_a_screenshot_under_the_image_limit_and_stops_one_over_it(
    client, nora, dossier, settings, monkeypatch
):
    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    highlight = highlight_of(dossier)
    add = reverse("admin:dossiers_highlightevidence_add")
    client.force_login(nora)
    picture = larger_than_django_keeps_by_default(settings)
    settings.IMAGE_MAX_BYTES = len(picture) - 1

    stopped = client.post(add, {"highlight": highlight.pk, "url": "", "upload": upload("shot.png", picture)})
    settings.IMAGE_MAX_BYTES = len(picture)
    taken = client.post(add, {"highlight": highlight.pk, "url": "", "upload": upload("shot.png", picture)})

    assert f"The file is over {len(picture) - 1:,} bytes" in stopped.content.decode()
    assert taken.status_code == 302, taken.content.decode()[:2000]
    assert HighlightEvidence.objects.get().image_sha256 != ""


@needs_tesseract
@pytest.mark.django_db
def test_a_reading_that_runs_out_of_time_is_recorded_and_asks_for_a_look(
    dossier, alice, settings, django_capture_on_commit_callbacks
):
    settings.OCR_TIMEOUT_SECONDS = 0.001
    with django_capture_on_commit_callbacks(execute=True):
        evidence = attach_evidence(
            highlight=highlight_of(dossier), user=alice, url="", upload=picture_bytes(lines=BURNED_IN)
        )

    evidence.refresh_from_db()
    assert "not read within 0.001 seconds" in evidence.ocr_error
    assert not evidence.ocr_pending
    assert [(flag.kind, flag.severity) for flag in evidence.flags()] == [("not_read", "review")]


@pytest.mark.django_db
def test_the_highlights_tab_and_versions_page_run_the_same_queries_however_many_screenshots(
    dossier, alice, alice_instagram, signed_in, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import HighlightFactory
    from tests.factories import PostFactory

    monkeypatch.setattr("portfolio.dossiers.evidence.ocr_flags", lambda content: ("", []))
    client = signed_in(alice)
    pages = [reverse("dossiers:highlights", args=[dossier.pk]), reverse("dossiers:versions", args=[dossier.pk])]

    def queries() -> list[int]:
        for highlight in dossier.highlight_rows.filter(evidence__isnull=True):
            evidence = attach_evidence(highlight=highlight, user=alice, url="", upload=picture_bytes())
            evidence.acknowledge(alice)
        freeze(dossier=dossier, user=alice)  # a version keeps a copy of each screenshot
        counts = []
        for page in pages:
            client.get(page)  # reads any picture not read yet, once
            with CaptureQueriesContext(connection) as captured:
                assert client.get(page).status_code == 200
            counts.append(len(captured))
        return counts

    one = queries()
    for index in range(4):
        post = PostFactory(account=alice_instagram, external_id=f"more-{index}")
        HighlightFactory(dossier=dossier, post=post, position=index + 2)

    assert queries() == one
