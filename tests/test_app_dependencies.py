"""
Dependencies point one way: accounts <- metrics <- portfolio apps. accounts knows nothing of metrics (posts,
snapshots, followers) nor of the portfolio apps; metrics knows nothing of the portfolio apps. Read from the
source, so that an import inside a function counts too. Migrations are history, and are left out.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import resolve

from accounts import admin as accounts_admin
from accounts import api as accounts_api
from accounts.models import SocialAccount
from metrics.admin import AccountMetricsInline

ROOT = Path(settings.BASE_DIR)


def modules(app: str) -> list[Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts)


def imported(path: Path) -> set[str]:
    """Every module the file imports by its absolute name (relative imports stay inside its app)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
            # `from portfolio import dossiers` imports an app as well as `import portfolio.dossiers` does.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def of_packages(names: set[str], packages: tuple[str, ...]) -> set[str]:
    return {name for name in names if any(name == package or name.startswith(f"{package}.") for package in packages)}


PORTFOLIO_APPS = tuple(
    f"portfolio.{app}"
    for app in ("dossiers", "comparisons", "demo", "benchmarks", "lib", "privacy", "imports", "records")
)


@pytest.mark.parametrize("path", modules("accounts"), ids=lambda path: str(path.relative_to(ROOT)))
def test_accounts_imports_nothing_of_metrics_or_the_portfolio_apps(path):
    assert of_packages(imported(path), ("metrics", *PORTFOLIO_APPS)) == set()


@pytest.mark.parametrize("path", modules("metrics"), ids=lambda path: str(path.relative_to(ROOT)))
def test_metrics_imports_nothing_of_the_portfolio_apps(path):
    assert of_packages(imported(path), PORTFOLIO_APPS) == set()


def test_the_walk_reads_the_apps_and_sees_their_imports():
    accounts = modules("accounts")

    assert ROOT / "accounts" / "models.py" in accounts
    assert not any("migrations" in path.parts for path in accounts)
    assert "accounts.scoping" in imported(ROOT / "accounts" / "models.py")
    assert of_packages(imported(ROOT / "metrics" / "models.py"), ("accounts",))


# Where metrics adds to what accounts declares: the account admin and the account API resource.


def test_the_account_admin_is_accounts_own_with_the_follower_columns_and_snapshots_of_metrics():
    registered = admin.site._registry[SocialAccount]

    assert isinstance(registered, accounts_admin.SocialAccountAdmin)
    assert AccountMetricsInline in registered.inlines
    assert {"followers_today", "post_count"} <= set(registered.list_display)
    assert not {"followers_today", "post_count"} & set(accounts_admin.SocialAccountAdmin.list_display)


def test_the_account_api_is_accounts_own_with_followers_engagement_and_audience():
    view = resolve("/api/v1/accounts/1/engagement/").func.cls

    assert issubclass(view, accounts_api.SocialAccountViewSet)
    assert resolve("/api/v1/accounts/1/audience/").func.cls is view is resolve("/api/v1/accounts/").func.cls
    assert "followers" in view.serializer_class.Meta.fields
    assert "followers" not in accounts_api.SocialAccountViewSet.serializer_class.Meta.fields
