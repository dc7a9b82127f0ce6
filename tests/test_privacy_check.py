"""Checking a draft caption before posting: the page, the API, and that nothing of the draft is kept."""

import io
import logging

import pytest
from django.apps import apps
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from portfolio.privacy.images import MISSING_TESSERACT
from portfolio.privacy.images import tesseract_available
from tests.images import exif_with_gps_and_owner
from tests.images import picture_bytes

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api_fixtures"]

DRAFT = "47-year-old man riding on a scooter struck by motor vehicle, embolized yesterday in our IR suite."
PAGE = "/privacy/check/"
API = "/api/v1/privacy-check/"
BURNED_IN = ("SMITH^JOHN", "MRN: 00482913", "DOB: 03/14/1961")
needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason=MISSING_TESSERACT)


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The API's throttle counts in the shared cache: each test starts afresh.
    cache.clear()


def row_counts() -> dict:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_page_shows_each_flag_marked_in_the_caption_with_its_reason_and_a_safer_wording(client, alice):
    client.force_login(alice)

    response = client.post(PAGE, {"caption": DRAFT, "published_at": "2026-03-15T09:00"})

    content = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="privacy-mark privacy-mark--combination"><a href="#flag-1">47-year-old</a>' in content
    assert "An age together with a mechanism of injury, a vehicle and a place" in content
    assert "Saturday 14 March 2026, 1 day before" in content  # "yesterday", dated by the planned publication
    assert "Describe the injury, not the person" in content
    assert "4 things that may identify a patient" in content
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_the_page_says_when_nothing_is_flagged(client, alice):
    client.force_login(alice)

    content = client.post(PAGE, {"caption": "Patient with blunt trauma and a grade 4 splenic laceration."}).content

    assert b"Nothing flagged" in content


def test_an_event_date_without_a_publication_time_is_read_as_posting_now(client, alice):
    client.force_login(alice)

    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    content = client.post(PAGE, {"caption": "Splenic laceration", "event_date": yesterday.isoformat()}).content

    assert b"Posted soon after the event" in content


def test_the_page_needs_a_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_is_linked_from_the_home_page_and_the_navigation(client, alice):
    client.force_login(alice)

    content = client.get("/").content.decode()

    assert content.count(f'href="{PAGE}"') == 2


def test_the_api_answers_the_flags_with_their_fields(alice, api_client):
    response = api_client(alice).post(
        API, {"caption": DRAFT, "published_at": "2026-03-15T09:00:00Z", "event_date": "2026-03-14"}, format="json"
    )

    assert response.status_code == 200
    flags = response.json()["flags"]
    assert set(response.json()) == {"flags", "image_flags"}
    assert all(set(flag) == {"kind", "severity", "reason", "excerpt", "start", "end"} for flag in flags)
    assert [flag["kind"] for flag in flags] == ["recent_post", "age", "circumstance", "timing", "place"]
    assert flags[1] | {"reason": ""} == {
        "kind": "age",
        "severity": "combination",
        "reason": "",
        "excerpt": "47-year-old",
        "start": 0,
        "end": 11,
    }
    assert all(DRAFT[flag["start"] : flag["end"]] == flag["excerpt"] for flag in flags)


@needs_tesseract
def test_the_api_checks_an_image_for_burned_in_identifiers_and_metadata(alice, api_client):
    upload = io.BytesIO(picture_bytes(size=(420, 300), lines=BURNED_IN, exif=exif_with_gps_and_owner()))
    upload.name = "scan.jpg"

    response = api_client(alice).post(API, {"caption": "MRN 1234567", "image": upload}, format="multipart")

    assert response.status_code == 200
    answer = response.json()
    assert [flag["kind"] for flag in answer["flags"]] == ["record_number"]
    read = [flag for flag in answer["image_flags"] if flag["source"] == "ocr"]
    assert any("00482913" in flag["excerpt"] and flag["severity"] == "identifying" for flag in read)
    assert any(flag["source"] == "metadata" and flag["removed"] for flag in answer["image_flags"])


@needs_tesseract
def test_the_api_finds_nothing_in_a_plain_picture(alice, api_client):
    png = io.BytesIO()
    Image.new("RGB", (64, 64)).save(png, format="PNG")
    png.name = "scan.png"
    png.seek(0)

    response = api_client(alice).post(API, {"caption": "Segond fracture", "image": png}, format="multipart")

    assert response.status_code == 200
    assert response.json() == {"flags": [], "image_flags": []}


def test_the_api_refuses_a_file_that_is_not_a_picture_by_its_content(alice, api_client):
    upload = io.BytesIO(b"GIF89a" + b"\0" * 64)
    upload.name = "scan.png"

    response = api_client(alice).post(API, {"caption": "Segond fracture", "image": upload}, format="multipart")

    assert response.status_code == 400
    assert "image" in response.json()


def test_the_api_refuses_a_missing_caption_and_a_bad_date(alice, api_client):
    response = api_client(alice).post(API, {"published_at": "yesterday"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"caption", "published_at"}


@pytest.mark.parametrize("method", ["post", "get"])
def test_the_api_is_for_signed_in_users_only(api_client, method):
    response = getattr(api_client(None), method)(API, {"caption": DRAFT}, format="json")

    assert response.status_code in {401, 403}


def test_the_api_is_throttled(alice, api_client, settings):
    client = api_client(alice)
    limit = 60  # PRIVACY_CHECK_THROTTLE_RATE's default, per minute

    answers = [client.post(API, {"caption": "Grade 3 sprain"}, format="json").status_code for _ in range(limit + 1)]

    assert answers[:limit] == [200] * limit
    assert answers[limit] == 429


def test_nothing_of_a_draft_is_stored_or_logged(client, alice, api_client, caplog):
    client.force_login(alice)
    caplog.set_level(logging.DEBUG)
    before = row_counts()

    client.post(PAGE, {"caption": DRAFT, "event_date": "2026-03-14"})
    api_client(alice).post(API, {"caption": DRAFT, "event_date": "2026-03-14"}, format="json")
    api_client(alice).post(API, {"caption": DRAFT + "x" * 70_000}, format="json")  # refused, and not logged either

    after = row_counts()
    # The throttle's counter lives in the cache table, which is no model; sessions are the sign-in's own.
    assert {label: count for label, count in after.items() if count != before[label]} == {}
    assert "scooter" not in caplog.text
    assert "47-year-old" not in caplog.text


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/privacy-check/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Flags")
