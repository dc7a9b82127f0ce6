"""
A large data set for benchmarks, built fast and the same every time.

`build_dataset(posts=..., snapshots_per_post=..., today=..., seed=...)` creates a few institutions with their
departments, faculty (each with a primary appointment), accounts of every kind spread over the platforms,
`posts_per_account` posts per account published over the last year, `snapshots_per_post` snapshots per post on
distinct days from publication up to today, a weekly follower count per account over `follower_weeks`, and two
logins: a superuser and the admin of the first institution.

Speed: rows that later rows point at (people, accounts, posts) go through `bulk_create`, which fills in their
primary keys; snapshots, which nothing points at, go through `insert_rows`: one `executemany` per chunk on
SQLite (13x faster than `bulk_create`, which Django caps at 999 parameters, 58 snapshot rows, per INSERT), COPY
on PostgreSQL. Rows are written account by account, as the importers write them (one export file per account),
one transaction per chunk.

Deterministic: one `random.Random(seed)` makes every choice and every date is relative to `today`, so the same
arguments give the same rows (primary keys and `created_at` aside).
"""

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Appointment, Department, Faculty, Institution, Membership, Platform, SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics.models import AccountMetrics, Post, PostMetrics, Provenance, hashtag_search_text
from metrics.vocabulary import CareerCategory

DEFAULT_SEED = 1
PUBLISHING_DAYS = 365  # posts are published over the last year, up to today
ACCOUNTS_PER_CHUNK = 50  # one transaction and one snapshot `executemany` per chunk
SUPERUSER = "bench-root"
INSTITUTION_ADMIN = "bench-admin"
DEPARTMENT_NAMES = (
    "Radiology",
    "Nuclear Medicine",
    "Radiation Oncology",
    "Neuroradiology",
    "Pediatric Imaging",
    "Biomedical Engineering",
)
COUNTRIES = ("US", "GB", "DE", "CA", "AU")
SENTENCES = (
    "Case of the week: what is your diagnosis? Answer and teaching points tomorrow.",
    "Proud of our residents presenting four abstracts at the annual meeting this week.",
    "New paper out today on low-dose protocols, with open data and code for everyone.",
    "Five pearls for reading the chest radiograph on call, from our fellowship director.",
    "Applications for the research track open next month; come and meet the team.",
)
HASHTAGS = ("radiology", "meded", "FOAMrad", "nuclearmedicine", "neurorad", "mskmonday", "research", "AI")
# A post's counts once they have settled, as a share of its account's followers (impressions) or of its
# impressions (everything else); only the metrics its platform reports are filled in.
SHARE_OF_IMPRESSIONS = {
    "reach": 0.7,
    "views": 0.5,
    "likes": 0.03,
    "dislikes": 0.0005,
    "comments": 0.003,
    "shares": 0.002,
    "saves": 0.002,
    "profile_visits": 0.004,
    "follows": 0.0005,
    "clicks": 0.005,
    "watch_time_seconds": 6.0,
}
# Of every ten accounts of an institution: one institution account, two department accounts, one program
# account, six personal accounts (two per faculty member, on different platforms).
KIND_PATTERN = (
    SocialAccount.Kind.INSTITUTION,
    SocialAccount.Kind.DEPARTMENT,
    SocialAccount.Kind.DEPARTMENT,
    SocialAccount.Kind.PROGRAM,
    *[SocialAccount.Kind.PERSONAL] * 6,
)


@dataclass(frozen=True)
class Dataset:
    superuser: models.Model
    institution: Institution  # the first institution, the one `admin` administers
    admin: models.Model
    sample_account: SocialAccount  # a personal account of `institution` (if it has one) with a full set of posts
    counts: dict[str, int]


def build_dataset(
    *,
    posts: int,
    snapshots_per_post: int,
    posts_per_account: int = 100,
    follower_weeks: int = 53,
    institutions: int = 3,
    departments_per_institution: int = 4,
    today: date,
    seed: int = DEFAULT_SEED,
) -> Dataset:
    """
    Create the data set described above in the current database, which should hold no other data:
    handles, slugs and usernames are fixed, so a second run in the same database fails on their
    unique constraints. `posts` are spread over ceil(posts / posts_per_account) accounts, the last
    of which may have fewer posts.
    """
    if posts < 1 or posts_per_account < 1 or institutions < 1 or departments_per_institution < 1:
        raise ValueError("posts, posts_per_account, institutions and departments must be at least 1.")
    if not 1 <= snapshots_per_post <= PUBLISHING_DAYS:
        raise ValueError(f"snapshots_per_post must be between 1 and {PUBLISHING_DAYS}: one a day at most.")
    if departments_per_institution > len(DEPARTMENT_NAMES):
        raise ValueError(f"At most {len(DEPARTMENT_NAMES)} departments per institution.")
    builder = _Builder(today=today, rng=random.Random(seed), snapshots_per_post=snapshots_per_post)
    with transaction.atomic():
        builder.create_people(institutions=institutions, departments_per_institution=departments_per_institution)
        builder.create_accounts(count=math.ceil(posts / posts_per_account))
    builder.create_posts(total=posts, per_account=posts_per_account)
    builder.create_follower_snapshots(weeks=follower_weeks)
    return builder.dataset()


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """
    Write `rows` (values in the order of `fields`, already adapted for the database) into `model`'s table:
    COPY on PostgreSQL, one `executemany` elsewhere. No `save()`, no signals, no Python-side defaults:
    every NOT NULL column must be in `fields`. Returns the number of rows written.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's executemany sends a statement per row: four times slower than COPY here.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            rows = list(rows)
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
            written = len(rows)
    return written


class _Builder:
    def __init__(self, *, today: date, rng: random.Random, snapshots_per_post: int):
        self.today = today
        self.rng = rng
        self.snapshots_per_post = snapshots_per_post
        self.zone = timezone.get_current_timezone()
        self.created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        self.counts = dict.fromkeys(
            ("institutions", "departments", "faculty", "accounts", "posts", "post snapshots", "follower snapshots"), 0
        )

    def create_people(self, *, institutions: int, departments_per_institution: int) -> None:
        self.institutions = Institution.objects.bulk_create(
            Institution(name=f"Benchmark University {n}", slug=f"bench-{n}", country=COUNTRIES[(n - 1) % 5])
            for n in range(1, institutions + 1)
        )
        self.departments = {
            institution.pk: Department.objects.bulk_create(
                Department(institution=institution, name=name, slug=name.lower().replace(" ", "-"))
                for name in DEPARTMENT_NAMES[:departments_per_institution]
            )
            for institution in self.institutions
        }
        User = get_user_model()
        self.superuser = User(username=SUPERUSER, is_staff=True, is_superuser=True)
        self.admin = User(username=INSTITUTION_ADMIN, is_staff=True)
        for user in (self.superuser, self.admin):
            user.set_unusable_password()  # the benchmark signs in with `force_login`
        User.objects.bulk_create([self.superuser, self.admin])
        Membership.objects.create(user=self.admin, institution=self.institutions[0], role=Membership.Role.ADMIN)
        self.counts["institutions"] = len(self.institutions)
        self.counts["departments"] = sum(len(departments) for departments in self.departments.values())

    def create_accounts(self, *, count: int, one_platform_first: bool = False) -> None:
        """
        `count` accounts over the institutions in turn, each on the next platform of the registry; with
        `one_platform_first`, those of the first institution all on its first platform, so that a comparison
        (which ranks one platform at a time) can take all of them.
        """
        platforms = list(Platform.objects.order_by("key"))
        if not platforms:
            raise RuntimeError("The platform registry is empty: run `migrate` first.")
        faculty, appointments, accounts = [], [], []
        # By position in `self.accounts` (unsaved instances cannot be dict keys).
        self.followers: list[int] = []  # each account's followers today
        self.institution_pks: list[int] = []  # the institution each account belongs to
        personal_seen = {institution.pk: 0 for institution in self.institutions}
        latest_faculty = {}  # institution -> the faculty member who gets its next personal account
        for i in range(count):
            institution = self.institutions[i % len(self.institutions)]
            departments = self.departments[institution.pk]
            position = i // len(self.institutions)  # the account's number within its institution
            kind = KIND_PATTERN[position % len(KIND_PATTERN)]
            owner = {}
            if kind == SocialAccount.Kind.INSTITUTION:
                owner["institution"] = institution
            elif kind in (SocialAccount.Kind.DEPARTMENT, SocialAccount.Kind.PROGRAM):
                owner["department"] = departments[position % len(departments)]
            else:
                if personal_seen[institution.pk] % 2 == 0:
                    person = Faculty(name=f"Faculty {len(faculty) + 1}", email=f"faculty{len(faculty) + 1}@bench.test")
                    faculty.append(person)
                    department = departments[len(faculty) % len(departments)]
                    appointments.append(Appointment(faculty=person, department=department, primary=True))
                    latest_faculty[institution.pk] = person
                personal_seen[institution.pk] += 1
                owner["faculty"] = latest_faculty[institution.pk]
            platform = platforms[
                0 if one_platform_first and institution == self.institutions[0] else i % len(platforms)
            ]
            account = SocialAccount(
                platform=platform,
                handle=f"bench{i:06d}",
                url=f"https://social.example/bench{i:06d}",
                display_name=f"Benchmark account {i}",
                kind=kind,
                **owner,
            )
            accounts.append(account)
            self.institution_pks.append(institution.pk)
            self.followers.append(round(self.rng.lognormvariate(8, 1.2)) + 50)
        Faculty.objects.bulk_create(faculty)
        Appointment.objects.bulk_create(appointments)
        self.accounts = SocialAccount.objects.bulk_create(accounts)
        self.counts["faculty"] = len(faculty)
        self.counts["accounts"] = len(self.accounts)

    def create_posts(self, *, total: int, per_account: int) -> None:
        for start in range(0, len(self.accounts), ACCOUNTS_PER_CHUNK):
            with transaction.atomic():
                plans = []
                for index, account in enumerate(self.accounts[start : start + ACCOUNTS_PER_CHUNK], start=start):
                    count = min(per_account, total - index * per_account)
                    plans.extend(self._plan_post(account, self.followers[index], n) for n in range(count))
                Post.objects.bulk_create([post for post, _ in plans])
                self.counts["posts"] += len(plans)
                self.counts["post snapshots"] += insert_rows(
                    PostMetrics,
                    ["post", "captured_on", "source", "created_at", *METRIC_FIELDS],
                    (row for post, final in plans for row in self._snapshot_rows(post, final)),
                )

    def _plan_post(self, account: SocialAccount, followers: int, n: int) -> tuple[Post, dict[str, float]]:
        rng = self.rng
        # At least `snapshots_per_post` days old, so that each snapshot can have a day of its own.
        day = self.today - timedelta(days=rng.randint(self.snapshots_per_post - 1, PUBLISHING_DAYS - 1))
        caption = f"{rng.choice(SENTENCES)} #{' #'.join(rng.sample(HASHTAGS, 2))}"
        post = Post(
            account=account,
            external_id=f"{account.handle}-{n}",
            url=f"{account.url}/posts/{n}",
            published_at=datetime.combine(day, time(rng.randint(7, 20), rng.randrange(60)), tzinfo=self.zone),
            content_type=rng.choice(account.platform.content_types),
            caption=caption,
            hashtags=hashtag_search_text(caption),
            category=rng.choice(CareerCategory.values),
        )
        impressions = followers * rng.uniform(0.1, 1.5)
        reported = set(account.platform.reported_metrics)
        final = {"impressions": impressions} if "impressions" in reported else {}
        for field, share in SHARE_OF_IMPRESSIONS.items():
            if field in reported:
                final[field] = impressions * share * rng.uniform(0.5, 1.5)
        return post, final

    def _snapshot_rows(self, post: Post, final: dict[str, float]):
        day = timezone.localdate(post.published_at)
        age = (self.today - day).days
        k = self.snapshots_per_post
        adapt_date = connection.ops.adapt_datefield_value
        for i, offset in enumerate(sorted(self.rng.sample(range(age + 1), k))):
            fraction = math.sqrt((i + 1) / k)  # counts grow fast, then level off
            counts = [round(final[field] * fraction) if field in final else None for field in METRIC_FIELDS]
            yield (post.pk, adapt_date(day + timedelta(days=offset)), Provenance.IMPORT, self.created_at, *counts)

    def create_follower_snapshots(self, *, weeks: int) -> None:
        adapt_date = connection.ops.adapt_datefield_value
        days = [adapt_date(self.today - timedelta(weeks=week)) for week in range(weeks - 1, -1, -1)]
        rows = []
        for account, now in zip(self.accounts, self.followers, strict=True):
            start = now * self.rng.uniform(0.6, 0.95)
            following = self.rng.randint(50, 2000)
            for week, day in enumerate(days):
                followers = round(start + (now - start) * week / max(weeks - 1, 1))
                rows.append((account.pk, day, Provenance.IMPORT, self.created_at, followers, following))
        with transaction.atomic():
            self.counts["follower snapshots"] = insert_rows(
                AccountMetrics, ["account", "captured_on", "source", "created_at", "followers", "following"], rows
            )

    def dataset(self) -> Dataset:
        institution = self.institutions[0]
        own = [
            account
            for account, institution_pk in zip(self.accounts, self.institution_pks, strict=True)
            if institution_pk == institution.pk
        ]
        sample = next((account for account in own if account.kind == SocialAccount.Kind.PERSONAL), own[0])
        return Dataset(
            superuser=self.superuser,
            institution=institution,
            admin=self.admin,
            sample_account=sample,
            counts=self.counts,
        )
