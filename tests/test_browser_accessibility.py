"""
Every page of the site, and every admin page we customise, checked with axe-core in headless Chromium: no
critical or serious violation, and no page scrolling sideways on a 390 px phone. Each page is opened by the
person who would open it (a faculty member, a reviewer with a link, an institution admin, a superuser in the
admin, someone not signed in).

`PAGES` names every page of the site; `NOT_PAGES` every address that is not one (downloads, form actions).
`test_every_address_of_the_site_is_a_checked_page_or_says_why_not` fails when a new address is in neither, so a
new page cannot skip the check.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files import File
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse
from django.utils import timezone

from metrics.imports import import_file
from metrics.jobs import BackgroundJob
from portfolio.dossiers.models import ShareLink
from tests.accessibility import DESKTOP
from tests.accessibility import PHONE
from tests.accessibility import blocking_violations
from tests.accessibility import sideways_overflow
from tests.accessibility import with_axe
from tests.browser import CHROMIUM
from tests.browser import CHROMIUM_ARGS
from tests.factories import PASSWORD
from tests.factories import ActivityFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import DossierFactory

pytest_plugins = ["tests.browser", "tests.dossier_fixtures"]


# A real Instagram export, previewed for the import pages.
EXPORT = Path(__file__).parent / "data" / "exports" / "Sep-01-2026_Sep-30-2026_1234567890123456.csv"


@dataclass(frozen=True)
class Page:
    name: str  # the URL's name
    who: str | None  # the username that opens it; None: nobody signed in
    path: str


# Addresses that answer something other than a page, and why they are left out.
NOT_PAGES = {
    "compare-export": "a CSV or XLSX download of the comparison",
    "import-template": "the import template, a CSV download",
    "logout": "a form action (POST) that signs out and redirects",
    "dossiers:highlight-add": "a form action (POST) of the highlights page",
    "dossiers:highlight-acknowledge": "a form action (POST) of the highlights page",
    "dossiers:highlight-remove": "a form action (POST) of the highlights page",
    "dossiers:freeze": "a form action (POST) of the versions page",
    "dossiers:create-link": "a form action (POST) of the version page",
    "dossiers:revoke-link": "a form action (POST) of the versions page",
    "dossiers:version-download": "a PDF, HTML or JSON download of a version",
    "dossiers:download": "a PDF, HTML or JSON download of the live dossier",
    "share-download": "a PDF or HTML download through a reviewer's link",
    "records:snapshot-verify": "a form action (POST) of the post page",
    "dossiers:highlight-evidence": "a form action (POST) of the highlights page",
    "dossiers:highlight-evidence-acknowledge": "a form action (POST) of the highlights page",
    "dossiers:version-evidence-image": "the screenshot a version kept, an image",
    "dossiers:job-pdf": "a PDF made by a background job",
    "imports:confirm": "a form action (POST) of an import's preview",
    "imports:download": "the original file of an import",
    "dossiers:submit": "a form action (POST) of the dossier page",
    "verify-original": "a version's original PDF",
    "verify-certificate": "an institution's certificate, a PEM file",
    "dossiers:archive": "a form action (POST) of the dossier page",
}


def site_pages(*, alice, dossier, draft, version, link, activity, account, post, snapshot, batch, job) -> list[Page]:
    """Every page of the site outside the admin and the API, as its users open it."""
    pk = dossier.pk
    return [
        Page("dossiers:delete", "alice", reverse("dossiers:delete", args=[draft.pk])),
        Page("dossiers:duplicate", "alice", reverse("dossiers:duplicate", args=[pk])),
        Page("imports:upload", "alice", reverse("imports:upload")),
        Page("imports:upload", "nora", reverse("imports:upload")),
        Page("imports:batch", "alice", reverse("imports:batch", args=[batch.pk])),
        Page("job", "alice", reverse("job", args=[job.pk])),
        Page("privacy:check", "alice", reverse("privacy:check")),
        Page("records:posts", "alice", reverse("records:posts")),
        Page("records:posts", "nora", reverse("records:posts")),
        Page("records:post", "alice", reverse("records:post", args=[post.pk])),
        Page("records:post-edit", "alice", reverse("records:post-edit", args=[post.pk])),
        Page("records:snapshot-add", "alice", reverse("records:snapshot-add", args=[post.pk])),
        Page("records:snapshot-edit", "alice", reverse("records:snapshot-edit", args=[snapshot.pk])),
        Page("records:accounts", "alice", reverse("records:accounts")),
        Page("records:account-add", "alice", reverse("records:account-add")),
        Page("records:account-edit", "alice", reverse("records:account-edit", args=[account.pk])),
        Page("home", None, reverse("home")),
        Page("home", "alice", reverse("home")),
        Page("methods", None, reverse("methods")),
        Page("login", None, reverse("login")),
        Page("verify", None, reverse("verify")),
        Page("verify-version", None, reverse("verify-version", args=[version.public_id])),
        Page("verify-certificates", None, reverse("verify-certificates")),
        Page("share", None, reverse("share", args=[link.token])),
        Page("compare", "alice", reverse("compare")),
        Page("compare-series", "alice", reverse("compare-series")),
        Page("compare-heatmap", "alice", reverse("compare-heatmap")),
        Page("compare-what-works", "alice", reverse("compare-what-works")),
        Page("faculty-profile", "alice", reverse("faculty-profile", args=[alice.faculty.pk])),
        Page("dossiers:list", "alice", reverse("dossiers:list")),
        Page("dossiers:create", "alice", reverse("dossiers:create")),
        Page("dossiers:detail", "alice", reverse("dossiers:detail", args=[pk])),
        Page("dossiers:edit", "alice", reverse("dossiers:edit", args=[pk])),
        Page("dossiers:highlights", "alice", reverse("dossiers:highlights", args=[pk])),
        Page("dossiers:activities", "alice", reverse("dossiers:activities", args=[pk])),
        Page("dossiers:activity-create", "alice", reverse("dossiers:activity-create", args=[pk])),
        Page("dossiers:activity-edit", "alice", reverse("dossiers:activity-edit", args=[pk, activity.pk])),
        Page("dossiers:activity-delete", "alice", reverse("dossiers:activity-delete", args=[pk, activity.pk])),
        Page("dossiers:versions", "alice", reverse("dossiers:versions", args=[pk])),
        Page("dossiers:version", "alice", reverse("dossiers:version", args=[pk, version.number])),
        Page("dossiers:versions", "bob", reverse("dossiers:versions", args=[pk])),
        Page("dossiers:detail", "nora", reverse("dossiers:detail", args=[pk])),
    ]


# Admin models whose pages are ours: the apps of this project, and the user admin, which we customise.
ADMIN_APPS = ("accounts", "metrics", "dossiers", "privacy", "auth")


def admin_pages() -> list[Page]:
    """The admin's index, and for each of our models its list, its add form and the change form of one object."""
    pages = [
        Page("admin:index", "root", reverse("admin:index")),
        Page("admin:metrics_importbatch_upload", "root", reverse("admin:metrics_importbatch_upload")),
    ]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in ADMIN_APPS:
            continue
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        pages.append(Page(f"{prefix}_changelist", "root", reverse(f"{prefix}_changelist")))
        if model_admin.has_add_permission(_Request()):
            pages.append(Page(f"{prefix}_add", "root", reverse(f"{prefix}_add")))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(Page(f"{prefix}_change", "root", reverse(f"{prefix}_change", args=[first.pk])))
    return pages


class _Request:
    """Enough of a superuser's request for `has_add_permission`, which asks only whether the user may add."""

    class user:  # stands in for request.user
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(permission, obj=None):
            return True


def site_addresses() -> set[str]:
    """The names of every address outside the admin and the API."""

    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and not route.startswith(("admin/", "api/", "^static", "^media")):
                yield f"{namespace}{pattern.name}"

    return set(walk(get_resolver().url_patterns, "", ""))


def test_every_address_of_the_site_is_a_checked_page_or_says_why_not():
    anything = _Any()
    names = ("alice", "dossier", "draft", "version", "link", "activity", "account", "post", "snapshot", "batch", "job")
    checked = {page.name for page in site_pages(**dict.fromkeys(names, anything))}
    addresses = site_addresses()

    assert addresses - checked - NOT_PAGES.keys() == set(), "add the new page to PAGES, or to NOT_PAGES with why"
    assert (checked | NOT_PAGES.keys()) - addresses == set(), "an address that no longer exists"


class _Any:
    """Stands in for a fixture object when only the names of the pages are wanted."""

    pk = number = 1
    token = public_id = "token"
    faculty = property(lambda self: self)


@pytest.fixture
def site(alice, alice_instagram, bob, nora, root, dossier, version, worked_post):
    """Alice's dossier with a frozen version, an activity, an audience snapshot and a reviewer's link."""
    AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2025, 6, 1))
    link = ShareLink.objects.create(
        version=version, recipient="Prof. Ana Silva", expires_at=timezone.now() + dt.timedelta(days=30)
    )
    activity = ActivityFactory(faculty=alice.faculty)
    dossier.submit()  # so that Bob, a reviewer of her department, reads it
    with EXPORT.open("rb") as export:
        batch = import_file(user=alice, upload=File(export, name=EXPORT.name), account=alice_instagram, dry_run=True)
    job = BackgroundJob.objects.create(kind=BackgroundJob.Kind.PDF, created_by=alice, arguments={"dossier": dossier.pk})
    return {
        "alice": alice,
        "dossier": dossier,
        "draft": DossierFactory(faculty=alice.faculty, title="A dossier never frozen"),
        "version": version,
        "link": link,
        "activity": activity,
        "account": alice_instagram,
        "post": worked_post,
        "snapshot": worked_post.snapshots.get(),
        "batch": batch,
        "job": job,
    }


def signed_in_context(browser, live_server, username: str | None):
    context = with_axe(browser.new_context(viewport=DESKTOP))
    if username is not None:
        page = context.new_page()
        page.goto(f"{live_server.url}{reverse('login')}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form [type=submit]")
        page.wait_for_load_state()
        assert reverse("login") not in page.url, f"{username} could not sign in"
        page.close()
    return context


def check(pages: list[Page], browser, live_server) -> list[str]:
    """Each page opened by its user at 1280 px and checked with axe, then at 390 px for sideways scrolling."""
    problems = []
    contexts = {}
    for page_spec in pages:
        if page_spec.who not in contexts:
            contexts[page_spec.who] = signed_in_context(browser, live_server, page_spec.who)
        page = contexts[page_spec.who].new_page()
        response = page.goto(f"{live_server.url}{page_spec.path}")
        where = f"{page_spec.path} ({page_spec.who or 'not signed in'})"
        if response is None or response.status != 200:
            problems.append(f"{where}: answered {response and response.status}")
            page.close()
            continue
        problems.extend(f"{where}: {violation}" for violation in blocking_violations(page))
        page.set_viewport_size(PHONE)
        overflow = sideways_overflow(page)
        if overflow:
            problems.append(f"{where} at 390 px: {overflow}")
        page.close()
    for context in contexts.values():
        context.close()
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_of_the_site_passes_axe_and_fits_a_phone(chromium, live_server, site):
    problems = check(site_pages(**site), chromium, live_server)

    assert problems == [], "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pages_that_answer_errors_pass_axe(chromium, live_server, alice):
    context = signed_in_context(chromium, live_server, "alice")
    page = context.new_page()

    page.goto(f"{live_server.url}/no-such-page/")

    assert page.locator("main").count() == 1
    assert blocking_violations(page) == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_check_sees_a_violation_and_a_page_too_wide_for_a_phone(chromium, live_server):
    page = with_axe(chromium.new_context(viewport=PHONE)).new_page()
    page.goto(f"{live_server.url}{reverse('methods')}")

    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
            '<img src="/static/none.png" width="900" height="10"><input type="text">')"""
    )

    assert {line.split(":")[0] for line in blocking_violations(page)} >= {"critical image-alt", "critical label"}
    assert sideways_overflow(page).startswith("page is ")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admin_pages_we_customise_pass_axe(chromium, live_server, site):
    pages = admin_pages()
    assert len(pages) > 30  # the index, the upload form, and three pages for most of our models
    # axe's contrast checks set inline styles, which the admin's policy refuses and the `chromium` fixture would
    # report; test_browser_policy.py checks these pages' policy without axe, so this browser is not watched.
    browser = chromium.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

    problems = [problem for problem in check(pages, browser, live_server) if "at 390 px" not in problem]
    browser.close()

    assert problems == [], "\n".join(problems)
