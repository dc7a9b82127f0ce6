"""
The demo data set behind `python manage.py seed_demo`: three institutions with
their departments, faculty and appointments, 55 accounts on 12 platforms,
2,000 posts with snapshots that grow over the months after publication,
weekly follower histories, monthly audience snapshots, and one login per role.
What it says lives in `portfolio.demo.content`; this module turns it into rows.

Deterministic on purpose, so that screenshots and tests can rely on it: one
`random.Random(seed)` makes every choice and every date is relative to
`today`. The same seed and today give the same rows (primary keys, password
salts and `created_at` timestamps aside).

A few rows are deliberately imperfect so that the integrity flags have
something to show: manual entries not yet verified, likes that go down between
two snapshots, impressions typed with two digits missing, and a follower jump
in a week without posts. A few captions carry an age, for the privacy check.
"""

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Appointment, Department, Faculty, Institution, Membership, Platform, SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics, Provenance, hashtag_search_text
from portfolio.demo import content
from portfolio.demo.dossier import build_demo_dossier
from portfolio.dossiers.models import Dossier, DossierVersion
from portfolio.dossiers.signing import generate_credential

DEMO_PASSWORD = "demo-pass-2026"
DEFAULT_SEED = 2026
POST_COUNT = 2000
POSTING_DAYS = 270  # about nine months, ending yesterday
HISTORY_WEEKS = 40  # weekly follower counts, from before the first post up to today
AUDIENCE_MONTHS = 9
SNAPSHOT_DAYS = (1, 7, 30, 90)  # days after publication
UNVERIFIED_SHARE = 0.03  # manual entries an admin has not checked yet
# Platforms whose analytics give the audience by country, age and gender.
AUDIENCE_PLATFORMS = ("instagram", "facebook", "linkedin", "youtube", "tiktok")
DEMO_SLUGS = tuple(spec.slug for spec in content.INSTITUTIONS)
DEMO_USERNAMES = tuple(login.username for login in content.LOGINS)
WORKED_EXAMPLE_EXTERNAL_ID = content.WORKED_EXAMPLE.external_id
TECHNOLOGIST_EXTERNAL_ID = content.TECHNOLOGIST_CALL.external_id


class DemoError(Exception):
    """The demo cannot be built in this database as it stands."""


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    note: str  # where the role applies


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False when the demo was already loaded and nothing changed
    counts: dict[str, int]
    logins: tuple[DemoLogin, ...]
    password: str = DEMO_PASSWORD


def build_demo(*, today: date, seed: int = DEFAULT_SEED, reset: bool = False) -> DemoSummary:
    """
    Load the demo data set, dated up to `today`. When it is already loaded, change
    nothing, unless `reset`: then delete the demo rows and build them again.
    """
    with transaction.atomic():
        if not reset and Institution.objects.filter(slug__in=DEMO_SLUGS).exists():
            return DemoSummary(created=False, counts=demo_counts(), logins=demo_logins())
        # Without `reset` this clears what a half-deleted demo left behind, e.g. its users.
        delete_demo()
        _Builder(today=today, rng=random.Random(seed)).build()
        # Each demo institution signs its frozen dossiers with its own (self-signed) key.
        for institution in Institution.objects.filter(slug__in=DEMO_SLUGS):
            generate_credential(institution=institution)
        build_demo_dossier(today=today)
        return DemoSummary(created=True, counts=demo_counts(), logins=demo_logins())


def delete_demo() -> None:
    """Delete the demo institutions, everything under them, and the demo users; nothing else."""
    institutions = Institution.objects.filter(slug__in=DEMO_SLUGS)
    demo_emails = Q(pk__in=[])
    for spec in content.INSTITUTIONS:
        demo_emails |= Q(email__iendswith=f"@{spec.domain}")
    # Frozen versions protect their dossier: a demo reset is the one place they are let go.
    DossierVersion.objects.filter(dossier__faculty__in=Faculty.objects.filter(demo_emails)).delete()
    Faculty.objects.filter(demo_emails).delete()
    # Departments are protected by appointments, institutions by departments: delete from the bottom up.
    Appointment.objects.filter(department__institution__in=institutions).delete()
    Department.objects.filter(institution__in=institutions).delete()
    institutions.delete()
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()


def demo_counts() -> dict[str, int]:
    ids = list(Institution.objects.filter(slug__in=DEMO_SLUGS).values_list("pk", flat=True))
    accounts = SocialAccount.objects.for_institutions(ids).values("pk")
    return {
        "institutions": len(ids),
        "departments": Department.objects.filter(institution__in=ids).count(),
        "faculty": Faculty.objects.for_institutions(ids).count(),
        "accounts": accounts.count(),
        "posts": Post.objects.filter(account__in=accounts).count(),
        "snapshots": PostMetrics.objects.filter(post__account__in=accounts).count(),
        "follower snapshots": AccountMetrics.objects.filter(account__in=accounts).count(),
        "dossiers": Dossier.objects.filter(faculty__in=Faculty.objects.for_institutions(ids)).count(),
        "audience rows": AudienceSnapshot.objects.filter(account__in=accounts).count(),
    }


def demo_logins() -> tuple[DemoLogin, ...]:
    """The demo logins that exist, each with where its role applies."""
    institution = _institution_spec(content.ADMIN_INSTITUTION).name
    department = _department_name(content.REVIEWER_DEPARTMENT)
    faculty = next(spec.name for spec in content.FACULTY if spec.key == content.FACULTY_LOGIN_OWNER)
    notes = {
        content.SUPERUSER.username: "every institution",
        content.INSTITUTION_ADMIN.username: institution,
        content.DEPARTMENT_REVIEWER.username: f"{department}, {institution}",
        content.FACULTY_MEMBER.username: f"{faculty}, {department}, {institution}",
    }
    existing = set(get_user_model().objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
    return tuple(
        DemoLogin(login.role, login.username, notes[login.username])
        for login in content.LOGINS
        if login.username in existing
    )


def orcid_check_digit(first_fifteen: str) -> str:
    """The ISO 7064 11,2 check character of an ORCID iD's first fifteen digits."""
    total = 0
    for char in first_fifteen:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _institution_spec(slug: str) -> content.InstitutionSpec:
    return next(spec for spec in content.INSTITUTIONS if spec.slug == slug)


def _department_name(key: str) -> str:
    institution, slug = key.split("/")
    return dict(_institution_spec(institution).departments)[slug]


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


def _first_of_month(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class _Account:
    spec: content.AccountSpec
    row: SocialAccount
    platform: Platform
    institution: content.InstitutionSpec
    capture_days: list[date]
    followers: list[int]
    blocked: tuple[date, date] | None  # the week of the follower jump, kept free of posts

    def followers_on(self, day: date) -> int:
        index = bisect.bisect_right(self.capture_days, day) - 1
        return self.followers[max(index, 0)]


@dataclass
class _PostPlan:
    account: _Account
    row: Post
    day: date  # publication day in the site's time zone, which snapshots count from
    final: dict[str, int | None]  # the counts once they have settled
    likes_dip: bool = False
    typo: bool = False


class _Builder:
    def __init__(self, *, today: date, rng: random.Random):
        self.today = today
        self.rng = rng
        self.platforms = Platform.objects.in_bulk(field_name="key")
        missing = {spec.platform for spec in content.ACCOUNTS} - set(self.platforms)
        if missing:
            raise DemoError(f"The platform registry lacks {', '.join(sorted(missing))}: run `migrate` first.")

    def build(self) -> None:
        self._people()
        accounts = self._accounts()
        plans = self._posts(accounts)
        self._post_snapshots(plans)
        self._follower_snapshots(accounts, plans)
        self._audience(accounts)

    # People -----------------------------------------------------------------------------------------------------------

    def _people(self) -> None:
        User = get_user_model()
        # One hash for all four logins: hashing is slow on purpose, and the password is the same.
        password = make_password(DEMO_PASSWORD)
        self.users = {
            login.username: User(
                username=login.username,
                first_name=login.first_name,
                last_name=login.last_name,
                email=login.email,
                password=password,
            )
            for login in content.LOGINS
        }
        self.users[content.SUPERUSER.username].is_superuser = True
        self.users[content.SUPERUSER.username].is_staff = True
        self.users[content.INSTITUTION_ADMIN.username].is_staff = True
        User.objects.bulk_create(self.users.values())

        self.institutions = {
            spec.slug: Institution(name=spec.name, slug=spec.slug, country=spec.country, timezone=spec.timezone)
            for spec in content.INSTITUTIONS
        }
        Institution.objects.bulk_create(self.institutions.values())
        self.departments = {
            f"{spec.slug}/{slug}": Department(institution=self.institutions[spec.slug], name=name, slug=slug)
            for spec in content.INSTITUTIONS
            for slug, name in spec.departments
        }
        Department.objects.bulk_create(self.departments.values())

        orcids: set[str] = set()
        self.faculty = {}
        for spec in content.FACULTY:
            first, last = spec.name.lower().split(" ", 1)
            domain = _institution_spec(content.primary_institution(spec.key)).domain
            self.faculty[spec.key] = Faculty(
                name=spec.name,
                email=f"{first}.{last.replace(' ', '')}@{domain}",
                rank=spec.rank,
                track=spec.track,
                orcid=self._orcid(orcids) if spec.has_orcid else "",
                user=self.users[content.FACULTY_MEMBER.username] if spec.key == content.FACULTY_LOGIN_OWNER else None,
            )
        Faculty.objects.bulk_create(self.faculty.values())
        Appointment.objects.bulk_create(
            Appointment(
                faculty=self.faculty[spec.faculty],
                department=self.departments[spec.department],
                title=spec.title,
                primary=spec.primary,
                start_date=self._academic_year_start(spec.started_years_ago),
                end_date=self._academic_year_start(spec.ended_years_ago) if spec.ended_years_ago else None,
            )
            for spec in content.APPOINTMENTS
        )
        department = self.departments[content.REVIEWER_DEPARTMENT]
        Membership.objects.bulk_create(
            [
                Membership(
                    user=self.users[content.INSTITUTION_ADMIN.username],
                    institution=self.institutions[content.ADMIN_INSTITUTION],
                    role=Membership.Role.ADMIN,
                ),
                Membership(
                    user=self.users[content.DEPARTMENT_REVIEWER.username],
                    institution=department.institution,
                    department=department,
                    role=Membership.Role.REVIEWER,
                ),
            ]
        )

    def _academic_year_start(self, years_ago: int) -> date:
        return date(self.today.year - years_ago, 7, 1)

    def _orcid(self, taken: set[str]) -> str:
        while True:
            digits = f"0000000{self.rng.randint(2, 3)}{self.rng.randrange(10**7):07d}"
            digits += orcid_check_digit(digits)
            orcid = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
            if orcid not in taken:
                taken.add(orcid)
                return orcid

    # Accounts and follower histories ----------------------------------------------------------------------------------

    def _accounts(self) -> list[_Account]:
        capture_days = [self.today - timedelta(weeks=week) for week in range(HISTORY_WEEKS - 1, -1, -1)]
        accounts = []
        for spec in content.ACCOUNTS:
            if spec.kind == SocialAccount.Kind.PERSONAL:
                owner = {"faculty": self.faculty[spec.owner_key]}
                institution = content.primary_institution(spec.owner_key)
            elif spec.kind == SocialAccount.Kind.INSTITUTION:
                owner = {"institution": self.institutions[spec.owner_key]}
                institution = spec.owner_key
            else:
                owner = {"department": self.departments[spec.owner_key]}
                institution = spec.owner_key.split("/")[0]
            row = SocialAccount(
                platform=self.platforms[spec.platform],
                handle=spec.handle,
                url=content.account_url(spec),
                display_name=spec.name,
                kind=spec.kind,
                **owner,
            )
            followers, blocked = self._follower_history(spec, capture_days)
            accounts.append(
                _Account(spec, row, row.platform, _institution_spec(institution), capture_days, followers, blocked)
            )
        SocialAccount.objects.bulk_create([account.row for account in accounts])
        return accounts

    def _follower_history(self, spec: content.AccountSpec, capture_days: list[date]):
        """Weekly counts that grow by `spec.growth` and end exactly at `spec.followers`."""
        start = round(spec.followers / (1 + spec.growth))
        steps = [self.rng.uniform(0.4, 1.6) for _ in capture_days[1:]]
        jump_week = len(capture_days) // 2 if spec.follower_jump else None
        jump = round((spec.followers - start) * 0.55) if jump_week else 0
        organic = spec.followers - start - jump
        followers, done = [start], 0.0
        for week, step in enumerate(steps, start=1):
            done += step
            jumped = jump if jump_week and week >= jump_week else 0
            followers.append(start + round(organic * done / sum(steps)) + jumped)
        blocked = (capture_days[jump_week - 1], capture_days[jump_week]) if jump_week else None
        return followers, blocked

    # Posts ------------------------------------------------------------------------------------------------------------

    def _posts(self, accounts: list[_Account]) -> list[_PostPlan]:
        # Largest remainder, so that the posts add up to exactly POST_COUNT.
        weights = [account.spec.weight for account in accounts]
        shares = [POST_COUNT * weight / sum(weights) for weight in weights]
        allotted = [int(share) for share in shares]
        for i in sorted(range(len(shares)), key=lambda i: (allotted[i] - shares[i], i))[: POST_COUNT - sum(allotted)]:
            allotted[i] += 1

        colleagues: dict[str, list[str]] = {slug: [] for slug in DEMO_SLUGS}
        names = {spec.key: spec.name for spec in content.FACULTY}
        for appointment in content.APPOINTMENTS:
            colleagues[appointment.department.split("/")[0]].append(names[appointment.faculty].split(" ", 1)[1])
        plans = []
        for account, count in zip(accounts, allotted, strict=True):
            specials = self._published_posts(account)
            plans.extend(specials)
            for published_at in self._publication_times(account, count - len(specials)):
                plans.append(self._plan_post(account, published_at, colleagues[account.institution.slug]))
        plans.sort(key=lambda plan: (plan.row.published_at, plan.account.spec.handle, plan.row.external_id))
        self._add_anomalies(plans)
        Post.objects.bulk_create([plan.row for plan in plans], batch_size=500)
        return plans

    def _publication_times(self, account: _Account, count: int) -> list[datetime]:
        zone = ZoneInfo(account.institution.timezone)
        times = []
        while len(times) < count:
            day = self.today - timedelta(days=self.rng.randint(1, POSTING_DAYS))
            if day.weekday() >= 5 and self.rng.random() > 0.35:
                continue  # people post less at weekends
            # Within the working day, so that the local date is the UTC date in all three time zones.
            moment = datetime.combine(day, time(self.rng.randint(7, 17), self.rng.randrange(60)), tzinfo=zone)
            site_day = timezone.localdate(moment)
            if account.blocked and account.blocked[0] < site_day <= account.blocked[1]:
                continue
            times.append(moment)
        return sorted(times)

    def _plan_post(self, account: _Account, published_at: datetime, colleagues: list[str]) -> _PostPlan:
        spec, platform, rng = account.spec, account.platform, self.rng
        category = _weighted(rng, content.CATEGORY_MIX[spec.category_mix])
        mix = {
            key: weight
            for key, weight in content.CONTENT_MIX.get(spec.platform, {}).items()
            if key in platform.content_types and (category == "education" or key not in content.EDUCATION_ONLY_TYPES)
        }
        content_type = _weighted(rng, mix) if mix else (platform.content_types or ["text"])[0]
        caption = content.write_caption(
            rng,
            category=category,
            topic=spec.topic,
            day=published_at.date(),  # the author's weekday, which weekly series follow
            content_type=content_type,
            platform=spec.platform,
            hashtag_limit=platform.hashtag_limit,
            caption_limit=platform.caption_limit,
            allows_hashtags=platform.has_hashtags,
            organisation=spec.kind != SocialAccount.Kind.PERSONAL,
            colleague=rng.choice(colleagues),
        )
        note = ""
        if spec.kind == SocialAccount.Kind.PERSONAL and category in ("education", "research") and rng.random() < 0.03:
            note = rng.choice(content.HIGHLIGHT_NOTES)
        external_id, url = content.post_identity(rng, spec, content_type, published_at)
        row = Post(
            account=account.row,
            external_id=external_id,
            url=url,
            published_at=published_at,
            content_type=content_type,
            caption=caption,
            hashtags=hashtag_search_text(caption),
            category=category,
            highlight_note=note,
        )
        site_day = timezone.localdate(published_at)
        return _PostPlan(account, row, site_day, self._final_counts(account, site_day, content_type, category))

    def _published_posts(self, account: _Account) -> list[_PostPlan]:
        if account.spec.handle != content.NUCMED_INSTAGRAM:
            return []
        reported = set(account.platform.reported_metrics)
        plans = []
        for post in (content.WORKED_EXAMPLE, content.TECHNOLOGIST_CALL):
            day = self.today - timedelta(days=post.days_ago)
            published_at = datetime.combine(day, time(12, 15), tzinfo=ZoneInfo(account.institution.timezone))
            row = Post(
                account=account.row,
                external_id=post.external_id,
                published_at=published_at,
                url=f"https://www.instagram.com/p/{post.external_id}/",
                content_type=post.content_type,
                caption=post.caption,
                hashtags=hashtag_search_text(post.caption),
                category=post.category,
                highlight_note=post.note,
            )
            final = {field: post.counts.get(field) if field in reported else None for field in METRIC_FIELDS}
            plans.append(_PostPlan(account, row, timezone.localdate(published_at), final))
        return plans

    def _final_counts(self, account: _Account, day: date, content_type: str, category: str) -> dict[str, int | None]:
        """A post's counts once they have settled; only what its platform reports, the rest None."""
        rng, shape = self.rng, content.SHAPES.get(account.spec.platform, content.DEFAULT_SHAPE)
        reported = set(account.platform.reported_metrics)
        exposure = account.followers_on(day) * rng.triangular(*shape.exposure)
        exposure *= content.TYPE_REACH.get(content_type, 1.0)
        views = None
        if shape.click_through:
            views = exposure * rng.uniform(*shape.click_through)
        elif shape.views_native:
            views = exposure
        elif content_type in content.VIDEO_TYPES:
            views = exposure * rng.uniform(0.6, 1.3)
        actions = (views if shape.click_through else exposure) * rng.triangular(*shape.rate)
        actions *= content.CATEGORY_RATE.get(category, 1.0)

        counts: dict[str, int | None] = dict.fromkeys(METRIC_FIELDS)
        if "impressions" in reported:
            counts["impressions"] = round(exposure)
        if "reach" in reported:
            counts["reach"] = round((views if shape.views_native else exposure) * rng.uniform(0.62, 0.85))
        if "views" in reported and views is not None:
            counts["views"] = round(views)
        split = {field: weight for field, weight in shape.split.items() if field in reported}
        for field, weight in split.items():
            counts[field] = round(actions * weight / sum(split.values()) * rng.uniform(0.85, 1.15))
        if "watch_time_seconds" in reported and counts["views"] and content_type in content.WATCH_SECONDS:
            counts["watch_time_seconds"] = round(counts["views"] * rng.uniform(*content.WATCH_SECONDS[content_type]))
        return counts

    def _add_anomalies(self, plans: list[_PostPlan]) -> None:
        settled = [plan for plan in plans if plan.day + timedelta(days=SNAPSHOT_DAYS[-1]) <= self.today]
        for plan in [plan for plan in settled if plan.account.spec.handle == content.LIKES_DIP_ACCOUNT][:3]:
            plan.likes_dip = True
        typo = next(plan for plan in settled if plan.account.spec.handle == content.IMPRESSIONS_TYPO_ACCOUNT)
        typo.typo = True
        typo.final["impressions"] //= 100

    # Snapshots --------------------------------------------------------------------------------------------------------

    def _provenance(self, account: _Account, captured_on: date, *, unverified: bool = False) -> dict:
        # Institutional IT sends the institution accounts' numbers through the API; people type in the rest.
        if account.spec.kind == SocialAccount.Kind.INSTITUTION:
            return {"source": Provenance.API}
        verified_on = captured_on + timedelta(days=self.rng.randint(1, 14))
        if unverified or verified_on > self.today or self.rng.random() < UNVERIFIED_SHARE:
            return {"source": Provenance.MANUAL}
        admin = (
            content.INSTITUTION_ADMIN if account.institution.slug == content.ADMIN_INSTITUTION else content.SUPERUSER
        )
        verified_at = datetime.combine(verified_on, time(self.rng.randint(9, 17), self.rng.randrange(60)), tzinfo=UTC)
        return {"source": Provenance.MANUAL, "verified_by": self.users[admin.username], "verified_at": verified_at}

    def _post_snapshots(self, plans: list[_PostPlan]) -> None:
        rows = []
        for plan in plans:
            offsets = [days for days in SNAPSHOT_DAYS if plan.day + timedelta(days=days) <= self.today]
            # Counts accrue fast and then level off: 50-70% on day one, all of it by day 90.
            fractions = [self.rng.uniform(0.5, 0.7)]
            for _ in offsets[1:]:
                fractions.append(fractions[-1] + (1 - fractions[-1]) * self.rng.uniform(0.5, 0.85))
            if len(offsets) == len(SNAPSHOT_DAYS):
                fractions[-1] = 1.0
            for i, (days, fraction) in enumerate(zip(offsets, fractions, strict=True)):
                last = i == len(offsets) - 1
                counts = {
                    field: None if value is None else round(value * fraction) for field, value in plan.final.items()
                }
                if plan.likes_dip and last and counts["likes"] is not None:
                    counts["likes"] = max(rows[-1].likes - self.rng.randint(2, 6), 0)
                captured_on = plan.day + timedelta(days=days)
                provenance = self._provenance(
                    plan.account, captured_on, unverified=last and (plan.likes_dip or plan.typo)
                )
                rows.append(PostMetrics(post=plan.row, captured_on=captured_on, **counts, **provenance))
        PostMetrics.objects.bulk_create(rows, batch_size=500)

    def _follower_snapshots(self, accounts: list[_Account], plans: list[_PostPlan]) -> None:
        post_days: dict[content.AccountSpec, list[date]] = {}
        for plan in plans:
            post_days.setdefault(plan.account.spec, []).append(plan.day)
        rows = []
        for account in accounts:
            days = sorted(post_days.get(account.spec, []))
            following_end = account.spec.following
            following_start = round(following_end * self.rng.uniform(0.9, 0.98))
            last_week = len(account.capture_days) - 1
            for week, (captured_on, followers) in enumerate(zip(account.capture_days, account.followers, strict=True)):
                following = None  # YouTube channels follow no one
                if following_end:
                    following = following_start + round((following_end - following_start) * week / last_week)
                rows.append(
                    AccountMetrics(
                        account=account.row,
                        captured_on=captured_on,
                        followers=followers,
                        following=following,
                        posts_count=account.spec.earlier_posts + bisect.bisect_right(days, captured_on),
                        **self._provenance(account, captured_on),
                    )
                )
        AccountMetrics.objects.bulk_create(rows, batch_size=500)

    def _audience(self, accounts: list[_Account]) -> None:
        months = [_first_of_month(self.today, back) for back in range(AUDIENCE_MONTHS - 1, -1, -1)]
        rows = []
        for account in accounts:
            if account.spec.platform not in AUDIENCE_PLATFORMS:
                continue
            # The published account keeps the published shape; the others vary around it, towards home.
            published = account.spec.handle == content.NUCMED_INSTAGRAM
            countries = dict(content.COUNTRY_SHARES)
            female = content.FEMALE_SHARE
            if not published:
                countries = {code: share * self.rng.uniform(0.8, 1.2) for code, share in countries.items()}
                countries[account.institution.country] += content.HOME_COUNTRY_BOOST
                female = self.rng.uniform(44, 60)
            ages = content.AGE_SHARES_BY_PLATFORM.get(account.spec.platform, content.AGE_SHARES)
            other = content.OTHER_GENDER_SHARE
            genders = {"female": female, "male": 100 - female - other, "other": other}
            # (dimension, shares in percent, how much a month's snapshot wobbles)
            dimensions = (
                (AudienceSnapshot.Dimension.COUNTRY, countries, 0.03),
                (AudienceSnapshot.Dimension.AGE, ages, 0.02),
                (AudienceSnapshot.Dimension.GENDER, genders, 0.01),
            )
            for captured_on in months:
                total = account.followers_on(captured_on)
                provenance = self._provenance(account, captured_on)
                for dimension, shares, noise in dimensions:
                    jittered = {
                        bucket: share * self.rng.uniform(1 - noise, 1 + noise) for bucket, share in shares.items()
                    }
                    for bucket, share in jittered.items():
                        count = round(total * share / sum(jittered.values()))
                        if count:
                            rows.append(
                                AudienceSnapshot(
                                    account=account.row,
                                    captured_on=captured_on,
                                    dimension=dimension,
                                    bucket=bucket,
                                    count=count,
                                    **provenance,
                                )
                            )
        AudienceSnapshot.objects.bulk_create(rows, batch_size=500)
