"""
What the browser is told: a strict Content-Security-Policy and a Permissions-Policy on every page, and under
/api/ errors in JSON only (404 and 500 included).

The pages are found by walking the site from its home page (and the admin from its index), following every
link, as Alice (faculty), Bob (reviewer), Nora (institution admin), root and an anonymous visitor see it.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portfolio.dossiers.frozen_document import CONTENT_SECURITY_POLICY as FROZEN_POLICY
from portfolio.lib.charts import bar_chart
from portfolio.middleware import PERMISSIONS_POLICY

pytest_plugins = ["tests.dossier_fixtures"]

# Pages that change something on a GET, or that would sign the walker out, are not followed.
NOT_FOLLOWED = ("/accounts/logout/", "/admin/logout/")
MAX_PAGES = 80


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def walk(client: Client, start: str) -> dict[str, object]:
    """Every page reachable from `start` by same-site links (at most MAX_PAGES): path -> response."""
    seen, queue = {}, [start]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response
        if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.links:
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(NOT_FOLLOWED):
                continue
            queue.append(href)
    return seen


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob", "nora", "root"])
def test_every_page_has_a_strict_content_security_policy(request, who, dossier, version, bob, nora, root):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    pages = walk(client, reverse("home")) | (walk(client, reverse("admin:index")) if who in {"nora", "root"} else {})

    assert len(pages) > 3
    for path, response in pages.items():
        policy = response.get("Content-Security-Policy")
        assert policy, path
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, path
        if policy == FROZEN_POLICY:
            # A frozen version's stored document, with its stylesheet inlined, and its own stricter policy.
            continue
        assert "'unsafe-inline'" not in policy, path
        assert "'unsafe-eval'" not in policy, path
        assert directives(policy)["default-src"] == ["'self'"], path
        assert directives(policy)["frame-ancestors"] == ["'none'"], path


def test_a_frozen_version_keeps_its_own_policy(alice, dossier, version):
    client = Client()
    client.force_login(alice)

    response = client.get(reverse("dossiers:version", args=[dossier.pk, version.number]))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == FROZEN_POLICY


def test_the_chart_style_the_policy_allows_is_the_one_charts_carry():
    svg = bar_chart(title="Posts", description="Posts per platform.", bars=[("Instagram", 3), ("X", None)])

    # The only style attribute of a chart, on its <svg> tag: the policy allows exactly that one, by its hash.
    assert re.findall(r'(?<![-\w])style="([^"]*)"', svg) == [settings.CHART_SVG_STYLE]


def test_the_api_docs_page_runs_its_set_up_script_by_nonce(client, db):
    response = client.get("/api/v1/docs/")
    nonce = re.search(r"'nonce-([^']+)'", directives(response["Content-Security-Policy"])["script-src"][-1])[1]

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(f'nonce="{nonce}"') == 4
    assert "<script>" not in html and "<style>" not in html


def test_the_schema_and_its_docs_are_public(client, db):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_an_api_response_carries_the_permissions_policy(client, db):
    response = client.get("/api/v1/")

    assert response.status_code in {401, 403}
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in PERMISSIONS_POLICY and "geolocation=()" in PERMISSIONS_POLICY


# Errors under /api/ are JSON.


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nothing-here", "/api/v1/accounts/999999/"])
def test_an_unknown_api_address_answers_json_404(alice, path):
    client = Client()
    client.force_login(alice)

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_an_unknown_page_outside_the_api_answers_the_sites_404_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "Not found" in response.content.decode()


@pytest.mark.urls("tests.urls_crash")
def test_a_crash_under_the_api_answers_json_500(client, db):
    client.raise_request_exception = False

    response = client.get("/api/v1/crash/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "Traceback" not in response.content.decode()


@pytest.mark.urls("tests.urls_crash")
def test_a_crash_elsewhere_answers_an_html_500(client, db):
    client.raise_request_exception = False

    response = client.get("/crash/")

    assert response.status_code == 500
    assert "text/html" in response["Content-Type"]


def test_a_refused_write_of_a_view_outside_the_shared_viewset_is_logged(alice, caplog):
    client = Client()
    client.force_login(alice)

    response = client.post("/api/v1/users/", {"username": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert f"Change refused: user {alice.pk}, POST user-list" in caplog.text
