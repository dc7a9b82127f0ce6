"""
`manage.py seed_demo`: the demo data set is big enough to show every page, deterministic, idempotent, and
shaped like the published figures of DESIGN.md.

The data is built once for the module (about two seconds) and removed afterwards; tests that rebuild it do so
inside their own transaction, which is rolled back.
"""

import datetime as dt
import hashlib
import re
from collections import Counter
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import Appointment
from accounts.models import Department
from accounts.models import Faculty
from accounts.models import Institution
from accounts.models import Membership
from accounts.models import Platform
from accounts.models import SocialAccount
from accounts.models import validate_orcid
from accounts.vocabulary import METRIC_FIELDS
from metrics.models import AccountMetrics
from metrics.models import AudienceSnapshot
from metrics.models import Post
from metrics.models import PostMetrics
from metrics.models import Provenance
from metrics.models import hashtag_search_text
from metrics.models import with_followers_as_of
from portfolio.demo import content as demo_content
from portfolio.demo.build import DEMO_PASSWORD
from portfolio.demo.build import DEMO_SLUGS
from portfolio.demo.build import DEMO_USERNAMES
from portfolio.demo.build import TECHNOLOGIST_EXTERNAL_ID
from portfolio.demo.build import WORKED_EXAMPLE_EXTERNAL_ID
from portfolio.demo.build import build_demo
from portfolio.demo.build import delete_demo
from portfolio.demo.build import demo_counts
from tests.factories import InstitutionFactory
from tests.factories import UserFactory

TODAY = dt.date(2026, 3, 2)
LOGIN_LINE = re.compile(r"^\s+(?P<role>.+?)\s+username (?P<username>\S+)\s+password (?P<password>\S+)", re.M)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SERIES_WEEKDAYS = {"mskmonday": 0, "tummytuesday": 1, "neurowednesday": 2, "thoraxthursday": 3, "fridayquizday": 4}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The output of the first `seed_demo`; its data stays for the module's tests."""
    # The same fast hasher as conftest's (function-scoped) fixture, so that the logins check out in the tests.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        out = StringIO()
        call_command("seed_demo", "--today", TODAY.isoformat(), stdout=out)
        yield out.getvalue()
        delete_demo()


@pytest.fixture
def demo(demo_output, db):
    return demo_output


# The values that the seed and today decide: not primary keys, password salts or created_at. Ordering by all of
# them is a total order, since each table's natural key is among them.
# fmt: off
FINGERPRINT_FIELDS = {
    Institution: ("slug", "name", "country", "timezone"),
    Department: ("institution__slug", "slug", "name"),
    Faculty: ("email", "name", "rank", "track", "orcid", "user__username"),
    Appointment: ("faculty__email", "department__institution__slug", "department__slug", "title", "primary",
                  "start_date", "end_date"),
    Membership: ("user__username", "institution__slug", "department__slug", "role"),
    get_user_model(): ("username", "first_name", "last_name", "email", "is_staff", "is_superuser"),
    SocialAccount: ("platform__key", "handle", "url", "display_name", "kind", "faculty__email", "department__slug",
                    "institution__slug"),
    Post: ("account__platform__key", "account__handle", "external_id", "url", "published_at", "content_type",
           "caption", "hashtags", "category", "highlight_note"),
    PostMetrics: ("post__account__platform__key", "post__account__handle", "post__external_id", "captured_on",
                  *METRIC_FIELDS, "source", "verified_by__username", "verified_at"),
    AccountMetrics: ("account__platform__key", "account__handle", "captured_on", "followers", "following",
                     "posts_count", "source", "verified_by__username", "verified_at"),
    AudienceSnapshot: ("account__platform__key", "account__handle", "captured_on", "dimension", "bucket", "count",
                       "source", "verified_by__username", "verified_at"),
}
# fmt: on


def fingerprint() -> str:
    tables = [
        list(model.objects.order_by(*fields).values_list(*fields)) for model, fields in FINGERPRINT_FIELDS.items()
    ]
    return hashlib.sha256(repr(tables).encode()).hexdigest()


def table_sizes() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in FINGERPRINT_FIELDS}


def test_demo_has_the_promised_size(demo):
    demo_institutions = Institution.objects.filter(slug__in=DEMO_SLUGS)
    accounts = SocialAccount.objects.for_institutions(demo_institutions.values("pk"))

    assert demo_institutions.count() >= 3
    assert len(set(demo_institutions.values_list("country", flat=True))) >= 3
    assert Department.objects.filter(institution__in=demo_institutions).count() >= 6
    assert Faculty.objects.for_institutions(demo_institutions.values("pk")).count() >= 20
    assert accounts.count() >= 40
    assert accounts.values("platform").distinct().count() >= 8
    assert Post.objects.filter(account__in=accounts).count() == 2000
    assert set(accounts.values_list("kind", flat=True)) == set(SocialAccount.Kind.values)


def test_some_faculty_hold_current_appointments_at_two_institutions_with_one_primary(demo):
    current = Appointment.objects.filter(end_date__isnull=True)
    institutions_per_person = Counter(
        current.values_list("faculty", "department__institution").distinct().values_list("faculty", flat=True)
    )
    two_institutions = [faculty for faculty, count in institutions_per_person.items() if count >= 2]

    assert len(two_institutions) >= 2
    for faculty in Faculty.objects.all():
        assert current.filter(faculty=faculty, primary=True).count() == 1, faculty


def test_account_owners_match_their_kind(demo):
    kinds = Counter(SocialAccount.objects.values_list("kind", flat=True))

    assert kinds[SocialAccount.Kind.PERSONAL] >= 30
    assert not SocialAccount.objects.filter(kind="personal", faculty__isnull=True).exists()
    assert not SocialAccount.objects.filter(kind__in=["department", "program"], department__isnull=True).exists()
    assert not SocialAccount.objects.filter(kind="institution", institution__isnull=True).exists()


def test_orcids_pass_the_checksum(demo):
    orcids = list(Faculty.objects.exclude(orcid="").values_list("orcid", flat=True))

    assert len(orcids) >= 3
    for orcid in orcids:
        validate_orcid(orcid)


def test_command_ends_with_the_counts(demo):
    counts = demo_counts()
    printed = dict(re.findall(r"^  ([a-z ]+?)\s+([\d,]+)$", demo, re.M))

    assert demo.rstrip().splitlines()[-1].strip().startswith("audience rows")
    assert {label: int(value.replace(",", "")) for label, value in printed.items()} == counts
    assert counts["posts"] == 2000
    assert counts["snapshots"] > 2000
    assert counts["follower snapshots"] >= counts["accounts"] * 36
    assert counts["audience rows"] > 0


def test_demo_logins_authenticate_with_the_printed_password(demo):
    logins = {match["role"]: match for match in LOGIN_LINE.finditer(demo)}

    assert set(logins) == {"superuser", "institution admin", "department reviewer", "faculty member"}
    assert "local demo only" in demo
    for login in logins.values():
        assert login["password"] == DEMO_PASSWORD
        assert authenticate(username=login["username"], password=login["password"]) is not None, login["username"]

    superuser = get_user_model().objects.get(username=logins["superuser"]["username"])
    assert superuser.is_superuser
    admin = get_user_model().objects.get(username=logins["institution admin"]["username"])
    assert admin.is_staff and not admin.is_superuser
    assert admin.memberships.get().role == Membership.Role.ADMIN
    assert admin.memberships.get().department is None
    reviewer = get_user_model().objects.get(username=logins["department reviewer"]["username"])
    assert reviewer.memberships.get().role == Membership.Role.REVIEWER
    assert reviewer.memberships.get().department is not None
    faculty = get_user_model().objects.get(username=logins["faculty member"]["username"]).faculty
    assert faculty.accounts.count() >= 3
    assert Post.objects.filter(account__faculty=faculty).count() >= 200


def test_running_again_changes_nothing(demo, capsys):
    before, sizes = fingerprint(), table_sizes()

    call_command("seed_demo", "--today", (TODAY + dt.timedelta(days=10)).isoformat())

    output = capsys.readouterr().out
    assert "already loaded" in output
    assert "nothing changed" in output
    assert {match["username"] for match in LOGIN_LINE.finditer(output)} == set(DEMO_USERNAMES)
    assert "posts                  2,000" in output
    assert table_sizes() == sizes
    assert fingerprint() == before


def test_the_same_seed_and_today_give_the_same_data(demo):
    before = fingerprint()

    build_demo(today=TODAY, reset=True)

    assert fingerprint() == before


def test_another_seed_gives_other_data(demo):
    before = fingerprint()

    call_command("seed_demo", "--today", TODAY.isoformat(), "--seed", "7", "--reset", stdout=StringIO())

    assert fingerprint() != before
    assert demo_counts()["posts"] == 2000


def test_reset_deletes_only_demo_rows(demo):
    other = InstitutionFactory(name="Riverside Medical School", slug="riverside")
    outsider = UserFactory(username="outsider")

    call_command("seed_demo", "--today", TODAY.isoformat(), "--reset", stdout=StringIO())

    assert Institution.objects.filter(pk=other.pk).exists()
    assert get_user_model().objects.filter(pk=outsider.pk).exists()
    assert Institution.objects.filter(slug__in=DEMO_SLUGS).count() == len(DEMO_SLUGS)


def test_a_bad_today_is_refused(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("seed_demo", "--today", "02/03/2026")


def test_worked_example_gives_292_actions_and_4_7_percent(demo):
    post = Post.objects.with_engagement(TODAY).get(external_id=WORKED_EXAMPLE_EXTERNAL_ID)

    counts = {field: getattr(post, field) for field in ("likes", "comments", "shares", "saves", "profile_visits")}
    assert post.account.platform.key == "instagram"
    assert post.account.faculty.appointments.get(primary=True).department.slug == "nuclear-medicine"
    assert counts == {"likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42}
    assert post.follows == 9
    assert post.impressions == 6154
    assert post.engagement.actions == 292
    assert round(post.engagement.rate_by_impressions * 100, 1) == 4.7
    assert 6500 <= post.followers <= 7100


def test_technologist_call_drew_607_actions_at_13_3_percent(demo):
    post = Post.objects.with_engagement(TODAY).get(external_id=TECHNOLOGIST_EXTERNAL_ID)

    assert post.engagement.actions == 607
    assert round(post.engagement.rate_by_impressions * 100, 1) == 13.3


def test_snapshots_start_on_publication_day_and_report_only_what_the_platform_reports(demo):
    reported = {key: set(metrics) for key, metrics in Platform.objects.values_list("key", "reported_metrics")}
    rows = PostMetrics.objects.values_list(
        "captured_on", "post__published_at", "post__account__platform__key", *METRIC_FIELDS
    )

    for captured_on, published_at, platform, *counts in rows:
        assert captured_on >= timezone.localdate(published_at)
        assert captured_on <= TODAY
        filled = {field for field, value in zip(METRIC_FIELDS, counts, strict=True) if value is not None}
        assert filled <= reported[platform], platform
        assert filled, "a snapshot reports something"


def test_counts_grow_between_snapshots_apart_from_a_few_unlikes(demo):
    series: dict[int, list] = {}
    for post_id, *counts in PostMetrics.objects.order_by("post", "captured_on").values_list("post", *METRIC_FIELDS):
        series.setdefault(post_id, []).append(counts)
    decreases = Counter()
    for snapshots in series.values():
        for earlier, later in pairwise(snapshots):
            for field, before, after in zip(METRIC_FIELDS, earlier, later, strict=True):
                if before is not None and after < before:
                    decreases[field] += 1

    assert max(len(snapshots) for snapshots in series.values()) == 4
    assert decreases == Counter({"likes": 3})


def test_instagram_education_posts_engage_about_5_percent_by_impressions(demo):
    posts = Post.objects.filter(account__platform__key="instagram", category="education")
    summary = posts.engagement_summary(TODAY)

    assert summary.by_impressions.posts >= 100
    assert 0.025 <= summary.by_impressions.mean <= 0.07
    assert 0.025 <= summary.by_impressions.pooled <= 0.07


def test_posts_fit_their_platform(demo):
    categories = Counter()
    for post in Post.objects.select_related("account__platform"):
        platform = post.account.platform
        categories[post.category] += 1
        assert post.content_type in platform.content_types
        assert post.hashtags == hashtag_search_text(post.caption)
        if platform.caption_limit:
            assert len(post.caption) <= platform.caption_limit
        if platform.hashtag_limit:
            assert len(post.hashtag_list) <= platform.hashtag_limit
        if not platform.has_hashtags:
            assert post.hashtag_list == []
        assert TODAY - dt.timedelta(days=280) <= timezone.localdate(post.published_at) < TODAY

    assert categories.most_common(1)[0][0] == "education"
    assert categories["education"] > 1000
    assert set(categories) == {"education", "branding", "research", "mentorship", "promotion", "leadership"}


def test_weekly_series_tags_fall_on_their_weekday(demo):
    primary_zone = dict(
        Appointment.objects.filter(primary=True, end_date__isnull=True).values_list(
            "faculty", "department__institution__timezone"
        )
    )
    used = Counter()
    posts = Post.objects.select_related("account__institution", "account__department__institution")
    for post in posts:
        account = post.account
        if account.faculty_id:
            zone = primary_zone[account.faculty_id]
        else:
            zone = (account.institution or account.department.institution).timezone
        weekday = post.published_at.astimezone(ZoneInfo(zone)).weekday()
        for tag in post.hashtags.split():
            if tag in SERIES_WEEKDAYS:
                used[tag] += 1
                assert weekday == SERIES_WEEKDAYS[tag], (tag, post.caption)

    assert set(used) == set(SERIES_WEEKDAYS)
    assert Post.objects.with_hashtag("RadEd").exists()
    assert Post.objects.with_hashtag("FOAMrad").exists()


def test_follower_histories_grow_towards_the_published_counts(demo):
    instagram = with_followers_as_of(SocialAccount.objects.filter(platform__key="instagram"), TODAY)
    latest = dict(instagram.values_list("handle", "followers"))
    comparison_set = ["nucmed_pearls", "kingsbridge.nucmed", "wgims.nucmed", "fiona.reads.films"]

    assert [latest[handle] for handle in comparison_set] == [7100, 2760, 1070, 1250]
    for account in SocialAccount.objects.all():
        history = list(
            account.follower_snapshots.order_by("captured_on").values_list("captured_on", "followers", "posts_count")
        )
        assert (history[-1][0] - history[0][0]).days >= 270
        assert all(later[1] >= earlier[1] for earlier, later in pairwise(history))
        assert all(later[2] >= earlier[2] for earlier, later in pairwise(history))
        assert history[-1][1] > history[0][1]


def test_audience_has_the_published_shape(demo):
    account = SocialAccount.objects.get(platform__key="instagram", handle=demo_content.NUCMED_INSTAGRAM)
    latest = account.audience_snapshots.order_by("-captured_on").values_list("captured_on", flat=True).first()
    rows = account.audience_snapshots.filter(captured_on=latest)

    def shares(dimension):
        counts = dict(rows.filter(dimension=dimension).values_list("bucket", "count"))
        return {bucket: count / sum(counts.values()) for bucket, count in counts.items()}

    countries = shares("country")
    assert sorted(countries, key=countries.get, reverse=True)[:5] == ["US", "IN", "BR", "SA", "GB"]
    assert shares("age")["25-34"] == pytest.approx(0.566, abs=0.02)
    assert shares("gender")["female"] == pytest.approx(0.515, abs=0.01)
    assert AudienceSnapshot.objects.values("captured_on").distinct().count() >= 6
    assert set(AudienceSnapshot.objects.values_list("dimension", flat=True)) == {"country", "age", "gender"}


def test_most_manual_entries_are_verified_by_a_demo_admin_and_a_few_are_not(demo):
    manual = PostMetrics.objects.filter(source=Provenance.MANUAL)
    verified = manual.filter(verified_at__isnull=False)

    assert verified.count() > 0.8 * manual.count()
    assert manual.filter(verified_at__isnull=True).count() >= 10
    assert set(verified.values_list("verified_by__username", flat=True)) <= set(DEMO_USERNAMES)
    assert not verified.filter(verified_by__isnull=True).exists()


def test_one_account_jumps_in_followers_in_a_week_without_posts(demo):
    jumps = []
    for account in SocialAccount.objects.all():
        history = account.follower_snapshots.order_by("captured_on").values_list("captured_on", "followers")
        for (previous_day, before), (day, after) in pairwise(history):
            if after - before > 0.03 * before:
                in_that_week = account.posts.filter(published_at__date__gt=previous_day, published_at__date__lte=day)
                jumps.append((account.handle, in_that_week.exists()))

    assert ("WesternGhatsIMS", False) in jumps


def test_one_post_has_impressions_typed_short(demo):
    posts = Post.objects.with_engagement(TODAY).filter(account__handle=demo_content.IMPRESSIONS_TYPO_ACCOUNT)
    short = [post for post in posts if post.engagement.actions > post.impressions]

    assert len(short) == 1
    assert not PostMetrics.objects.get(pk=short[0].snapshot_id).is_verified


def test_a_few_captions_give_a_patient_age_for_the_privacy_check(demo):
    ages = Post.objects.filter(caption__regex=r"\d+-year-old").count()

    assert 1 <= ages <= 40


def test_demo_faculty_has_a_dossier_with_highlights_activities_and_a_privacy_flag(demo):
    from portfolio.dossiers.content import dossier_data
    from portfolio.dossiers.models import Dossier

    dossier = Dossier.objects.get(faculty__user__username="demo-faculty")
    data = dossier_data(dossier)
    highlights = {highlight["external_id"]: highlight for highlight in data["highlights"]}
    assert highlights[WORKED_EXAMPLE_EXTERNAL_ID]["actions"] == 292
    assert highlights[TECHNOLOGIST_EXTERNAL_ID]["actions"] == 607
    assert len(data["activities"]) == 3
    assert len(data["impact"]["accounts"]) == 4
    assert any(highlight["privacy_flags"] for highlight in data["highlights"])
    assert data["composite"] is not None
    assert data["audience"]
