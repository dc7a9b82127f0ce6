"""
A faculty member's whole job in the site, in headless Chromium, starting from the home page: import an
analytics export, read its preview, confirm it, correct a caption, build a new dossier, add its two best posts by
rate with the highlight picker, and freeze it. No admin, no API.

Screenshots of each step are written to $BROWSER_SCREENSHOTS when it is set (else to the test's temporary folder).
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Platform
from metrics.models import Post
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.models import DossierVersion
from tests.factories import PASSWORD
from tests.factories import SocialAccountFactory

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# X's content export of 1 June to 15 July 2026 for @alicerad: three posts with their impressions.
EXPORT = Path(__file__).parent / "data" / "exports" / "account_analytics_content_2026-06-01_2026-07-15.csv"
GRAND_ROUNDS = "2077056063370166289"
CORRECTED = "Grand rounds on Tuesday at noon, auditorium B. All welcome"


@pytest.fixture
def alicerad(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return SocialAccountFactory(platform=Platform.objects.get(key="twitter"), handle="alicerad", faculty=alice.faculty)


def test_a_faculty_member_imports_corrects_picks_the_best_posts_and_freezes(live_server, chromium, alicerad, artifacts):
    base = live_server.url
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # Import: the preview first, nothing written; then confirm.
    page.get_by_role("link", name="Import an export file").click()
    page.get_by_label("Account").select_option(value=str(alicerad.pk))
    page.get_by_label("Export file").set_input_files(EXPORT)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    assert page.locator("table.sample-rows tbody tr").count() == 3  # the file's three posts
    assert not Post.objects.exists()
    page.screenshot(path=artifacts / "journey-1-preview.png", full_page=True)
    page.get_by_role("button", name="Import these rows").click()
    page.get_by_text("Imported.").wait_for()
    assert Post.objects.filter(account=alicerad).count() == 3

    # Correct a caption, from the home page's link to her posts.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Open your posts").click()
    page.get_by_role("link", name=re.compile("^Grand rounds today")).first.click()
    page.get_by_role("link", name="Edit caption, link, type and category").click()
    page.get_by_label("Caption", exact=True).fill(CORRECTED)
    page.get_by_role("button", name="Save the post").click()
    page.wait_for_url("**/records/posts/*/")
    assert Post.objects.get(external_id=GRAND_ROUNDS).caption == CORRECTED
    page.screenshot(path=artifacts / "journey-2-post.png", full_page=True)

    # A new dossier for the period of the export.
    page.goto(f"{base}/dossiers/new/")
    page.get_by_label("Title").fill("Promotion to Associate Professor, 2027")
    page.get_by_label("Review period from").fill("2026-06-01")
    page.get_by_label("Review period to").fill("2026-07-31")
    page.get_by_label("Metrics as of").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Create the dossier").click()
    page.wait_for_url(re.compile(r"/dossiers/\d+/edit/$"))
    dossier = Dossier.objects.get()

    # The picker lists the best rate first: highlight the first two rows, in place.
    page.goto(f"{base}/dossiers/{dossier.pk}/highlights/")
    rows = page.locator("#candidate-rows tr")
    rates = [float(text.rstrip("%")) for text in rows.locator("td[data-label='Rate']").all_inner_texts()[:2]]
    best = [int(row_id.removeprefix("post-")) for row_id in rows.evaluate_all("rows => rows.map(row => row.id)")[:2]]
    assert rates == sorted(rates, reverse=True)
    for number, post_pk in enumerate(best, start=1):
        page.locator(f"#post-{post_pk}").get_by_role("button", name=re.compile("^Highlight the post")).click()
        page.locator("a[data-new-highlight]").nth(number - 1).wait_for()
    assert [highlight.post_id for highlight in dossier.highlight_rows.order_by("position")] == best
    # The two best by the site's own rate by impressions, computed here from the stored numbers.
    posts = Post.objects.filter(account=alicerad).with_engagement(timezone.localdate())
    rate = {post.pk: post.engagement.rate_by_impressions for post in posts}
    assert best == sorted(rate, key=lambda pk: rate[pk] or -1, reverse=True)[:2]
    page.screenshot(path=artifacts / "journey-3-highlights.png", full_page=True)

    # Freeze: one action.
    page.goto(f"{base}/dossiers/{dossier.pk}/versions/")
    page.get_by_role("button", name="Freeze as version 1").click()
    page.wait_for_url(re.compile(r"#version-1$"))
    version = DossierVersion.objects.get(dossier=dossier)
    assert [item["post_id"] for item in version.data["highlights"]] == best
    assert CORRECTED in version.html
    page.screenshot(path=artifacts / "journey-4-frozen.png", full_page=True)
