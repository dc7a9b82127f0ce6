"""
The dossier domain: what a faculty member hands to a promotion committee.

A `Dossier` is a live draft: a review period, an as-of date, the accounts and highlighted posts it covers,
a narrative and the activities that are not posts. Freezing it stores a `DossierVersion`: the complete
rendered content and data, with a SHA-256, never changed afterwards whatever happens to live data or
weights. An external reviewer reads one version through a `ShareLink`; every access is logged.

`ScoringProfile` holds an institution's published weights and `Benchmark` published reference rates,
each with its publisher, report and definition (the interactions it counts and what it divides by).
"""

import datetime
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Faculty, Institution, Platform, SocialAccount
from accounts.scoping import ScopedQuerySet
from accounts.vocabulary import METRIC_FIELDS
from metrics import plausibility
from metrics.engagement import ACTION_FIELDS, DENOMINATORS
from metrics.models import Post
from metrics.vocabulary import CareerCategory
from portfolio.dossiers import scoring
from portfolio.privacy.rules import PrivacyFlag, post_flags


class FacultyOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to a faculty member belong wherever they hold an appointment; they may change them."""

    faculty_path = "faculty"
    faculty_may_change = True

    def institutions_q(self, ids):
        return Q(**{f"{self.faculty_path}__in": Faculty.objects.for_institutions(ids).values("pk")})

    def departments_q(self, ids):
        return Q(**{f"{self.faculty_path}__in": Faculty.objects.for_departments(ids).values("pk")})

    def faculty_q(self, faculty_id):
        return Q(**{f"{self.faculty_path}_id": faculty_id})


class DossierScopedQuerySet(FacultyOwnedQuerySet):
    """
    A dossier and what hangs from it (highlights, versions, reviewer links). A draft is private to its faculty
    member and their institution's admins: reviewers (of a department or institution-wide) read a dossier once it
    has been submitted, archived or not, with its frozen versions. Every page, the API and the admin ask here.
    """

    dossier_path = ""  # from this model to its dossier: "" for a dossier itself, "dossier__" for a version

    def reviewers_q(self):
        return Q(**{f"{self.dossier_path}submitted_at__isnull": False})


class DossierQuerySet(DossierScopedQuerySet):
    def listed(self, *, archived: bool = False):
        """The dossiers a list shows: those in work (draft or submitted) by default, else the archived ones."""
        if archived:
            return self.filter(status=Dossier.Status.ARCHIVED)
        return self.exclude(status=Dossier.Status.ARCHIVED)


class ScoringProfileQuerySet(models.QuerySet):
    def for_institution(self, institution: Institution | None) -> "ScoringProfile | None":
        """The institution's published profile, else the site's default (the one with no institution)."""
        profiles = {
            profile.institution_id: profile for profile in self.filter(Q(institution=institution) | Q(institution=None))
        }
        return profiles.get(getattr(institution, "pk", None)) or profiles.get(None)


class ScoringProfile(models.Model):
    """An institution's published weights for the optional composite score (see `portfolio/dossiers/scoring.py`)."""

    institution = models.OneToOneField(
        Institution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scoring_profile",
        help_text="Blank for the site's documented default, used by institutions that publish none.",
    )
    name = models.CharField(max_length=200)
    description = models.TextField(
        help_text="The published rationale for these weights, shown with every composite score."
    )
    weights = models.JSONField(
        default=scoring.default_weights,
        help_text="Weight per metric: " + ", ".join(scoring.SCORED_METRICS) + ". A metric left out weighs 0.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScoringProfileQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            scoring.validate_weights(self.weights)
        except ValueError as error:
            raise ValidationError({"weights": str(error)}) from error


def validate_numerator(value) -> None:
    """A benchmark's numerator: a non-empty list of distinct interaction fields (`engagement.ACTION_FIELDS`)."""
    if not isinstance(value, list) or not value:
        raise ValidationError("List the interactions the benchmark counts, e.g. likes and comments.")
    unknown = [field for field in value if field not in ACTION_FIELDS]
    if unknown:
        raise ValidationError(
            f"Not an interaction: {', '.join(map(str, unknown))}. Choose from {', '.join(ACTION_FIELDS)}."
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each interaction is listed once.")


class Benchmark(models.Model):
    """
    A published reference rate with its source and its definition: which interactions it counts (`numerator`)
    over what (`denominator`). A dossier sets it beside a rate computed by that same definition, never beside
    one that counts more interactions or divides by something else; a definition the platform's analytics
    cannot match is listed, not compared (`unmatched_reason`).
    """

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="benchmarks")
    industry = models.CharField(max_length=100, help_text="e.g. Higher education, Nonprofits, All industries (median).")
    year = models.PositiveSmallIntegerField(help_text="The year of the report (its data may cover the year before).")
    publisher = models.CharField(max_length=200, help_text="Who published the figure, e.g. Rival IQ.")
    report = models.CharField(max_length=300, help_text="The report's title.")
    numerator = models.JSONField(
        validators=[validate_numerator],
        help_text=f"The interactions the published rate counts, as a list of {', '.join(ACTION_FIELDS)}.",
    )
    denominator = models.CharField(
        max_length=20,
        choices=[(name, f"per {name[:-1] if name.endswith('s') else name}") for name in DENOMINATORS],
        help_text="What the published rate divides by; compare it only with our rate over the same denominator.",
    )
    rate = models.DecimalField(max_digits=7, decimal_places=5, help_text="A fraction: 0.0396 is 3.96%.")
    source_url = models.URLField("URL", blank=True, help_text="Where the report can be read.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["platform__name", "-year", "industry"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "industry", "year", "denominator", "publisher", "report"],
                name="benchmark_unique_per_report",
                violation_error_message=(
                    "This report already gives a rate for this platform, industry, year and denominator."
                ),
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="benchmark_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.platform} {self.industry} {self.year}: {self.rate:.2%} {self.definition} ({self.publisher})"

    @property
    def source(self) -> str:
        """Publisher and report, as the dossier cites them."""
        return f"{self.publisher}, {self.report}"

    @property
    def numerator_label(self) -> str:
        """The counted interactions in words: "likes and comments"."""
        labels = [METRIC_FIELDS[field].lower() for field in self.numerator]
        return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"

    @property
    def definition(self) -> str:
        """The rate in words: "likes and comments per follower"."""
        return f"{self.numerator_label} {self.get_denominator_display()}"

    def unmatched_reason(self) -> str | None:
        """
        Why the faculty member's rate cannot be computed by this benchmark's definition on its platform, or None
        when it can: every counted interaction and the denominator (followers come from the account's follower
        counts, the others from the posts' analytics) must be among what the platform's analytics report.
        """
        reported = set(self.platform.reported_metrics)
        missing = [field for field in self.numerator if field not in reported]
        if self.denominator != "followers" and self.denominator not in reported:
            missing.append(self.denominator)
        if not missing:
            return None
        names = " and ".join(METRIC_FIELDS[field].lower() for field in missing)
        return f"{self.platform.name}'s analytics do not report {names}, which this benchmark counts."

    def counted(self, counts: Mapping[str, int | None]) -> dict[str, int | None]:
        """
        A post's counts as this benchmark counts them: the interactions it does not count left out (as unreported
        fields are), so that `metrics.engagement` computes its rates and pooled rate by this definition.
        """
        return {**counts, **{field: None for field in ACTION_FIELDS if field not in self.numerator}}


class Activity(models.Model):
    """Evidence of standing that is not a post: peer review, moderation, editorial roles, invitations, media."""

    class Kind(models.TextChoices):
        PEER_REVIEW = "peer_review", "Digital peer review"
        MODERATION = "moderation", "Moderation (tweet chat, journal club, online community)"
        EDITORIAL = "editorial", "Editorial role (social media editor, board)"
        INVITATION = "invitation", "Invitation that came from social media"
        MEDIA = "media", "Media appearance"
        OTHER = "other", "Other"

    faculty = models.ForeignKey(Faculty, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    organisation = models.CharField(max_length=300, blank=True, help_text="Journal, society, outlet or host.")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Blank for a single event or an ongoing role.")
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)

    objects = FacultyOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "title"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="activity_ends_after_start",
                violation_error_message="An activity cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


# The one wording of a refused highlight, on the builder's pages, in the API and in the admin.
HIGHLIGHT_REFUSED = (
    "A dossier highlights only its faculty member's posts from the accounts it covers, published in its review period."
)


# The one wording of a refused deletion, on the pages, in the API and in the admin.
DELETE_REFUSED = (
    "A dossier with frozen versions is not deleted: its versions stay verifiable and their reviewer links keep "
    "working. Archive it instead."
)
ARCHIVE_REFUSED = "Only a dossier with a frozen version is archived; a draft without one can be deleted."


class Dossier(models.Model):
    """
    A faculty member's live dossier for one review; freezing it makes a `DossierVersion`.

    Its `status` moves one way: draft (private to the faculty member and their institution's admins) -> submitted
    for review (the department's and institution's reviewers read it and its versions from then on) -> archived
    (out of the lists of work in progress; its versions stay verifiable and their links open until they expire or
    are revoked). A draft with no frozen version may be deleted; one with versions is archived instead.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        ARCHIVED = "archived", "Archived"

    faculty = models.ForeignKey(Faculty, on_delete=models.CASCADE, related_name="dossiers")
    title = models.CharField(max_length=200, help_text="e.g. Promotion to Associate Professor, 2027.")
    period_start = models.DateField("review period from")
    period_end = models.DateField("review period to")
    as_of = models.DateField("metrics as of", help_text="Every number is the latest snapshot on or before this day.")
    narrative = models.TextField("scholarship philosophy", blank=True)
    accounts = models.ManyToManyField(SocialAccount, blank=True, related_name="dossiers")
    highlights = models.ManyToManyField(Post, through="Highlight", blank=True, related_name="dossiers")
    activities = models.ManyToManyField(Activity, blank=True, related_name="dossiers")
    scoring_profile = models.ForeignKey(
        ScoringProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        help_text="Blank: no composite score, only the counts by category.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    # Set once, by `submit`: reviewers read the dossier from then on, archived or not (`DossierScopedQuerySet`).
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="dossier_period_in_order",
                violation_error_message="The review period must end on or after its start.",
            ),
        ]

    def __str__(self):
        return f"{self.faculty.name}: {self.title}"

    def clean(self):
        if problem := plausibility.as_of_problem(self.as_of, self.zone):
            raise ValidationError({"as_of": problem})

    def zone(self):
        """The faculty member's institution's time zone: that of their personal accounts (`SocialAccount`)."""
        if self.faculty_id is None:
            return timezone.get_default_timezone()
        return SocialAccount(kind=SocialAccount.Kind.PERSONAL, faculty=self.faculty).time_zone()

    def may_be_deleted(self) -> bool:
        """Only a dossier that was never frozen: a version must stay verifiable (see `DELETE_REFUSED`)."""
        return not self.versions.exists()

    def submit(self) -> None:
        """Submit a draft for review: its reviewers may read it from now on. Raises ValidationError otherwise."""
        if self.status != self.Status.DRAFT:
            raise ValidationError(f"Only a draft is submitted; this dossier is {self.get_status_display().lower()}.")
        self.status = self.Status.SUBMITTED
        self.submitted_at = timezone.now()
        self.save(update_fields=["status", "submitted_at", "updated_at"])

    def archive(self) -> None:
        """Archive a dossier that has frozen versions (`ARCHIVE_REFUSED` otherwise); archiving twice changes nothing."""
        if self.status == self.Status.ARCHIVED:
            return
        if not self.versions.exists():
            raise ValidationError(ARCHIVE_REFUSED)
        self.status = self.Status.ARCHIVED
        self.save(update_fields=["status", "updated_at"])

    @property
    def as_of_note(self) -> str:
        """What an as-of date before the period's end means for this dossier ("" when it is not before it)."""
        return plausibility.as_of_note(self.as_of, self.period_end)

    def highlightable_posts(self, *, accounts=None):
        """
        The posts this dossier may highlight: posts of its faculty member's personal accounts that the dossier
        covers, published in its review period (first and last day included, days in the site's time zone).
        The builder's pages, the API and the admin all ask this one question.

        `accounts` (accounts or their ids) judges a change before it is saved: the accounts a form or request is
        about to give the dossier, read with the period and faculty member as set on this instance, saved or not.
        Without it, the saved accounts; an unsaved dossier then covers none.
        """
        if accounts is None:
            accounts = self.accounts.values("pk") if self.pk else []
        return Post.objects.filter(
            account__in=accounts,
            account__faculty_id=self.faculty_id,
            account__kind=SocialAccount.Kind.PERSONAL,
        ).published_between(self.period_start, self.period_end)

    def validate_highlights(self, posts=None, *, accounts=None) -> None:
        """
        Raise ValidationError (`HIGHLIGHT_REFUSED`) unless each of `posts` (posts or ids: the highlights the dossier
        is to have) is among `highlightable_posts(accounts=accounts)`. `posts` defaults to the saved highlights,
        to judge a change of period or accounts set on this instance.

        Posts the saved dossier already highlights are named in the message: a change that would leave them
        outside the period or the accounts is refused rather than dropping them from a committee document
        unseen. Any other refused post goes unnamed: it may be another institution's.
        """
        if posts is None:
            posts = self.highlight_rows.values_list("post_id", flat=True) if self.pk else []
        wanted = {getattr(post, "pk", post) for post in posts}
        allowed = set(self.highlightable_posts(accounts=accounts).filter(pk__in=wanted).values_list("pk", flat=True))
        refused = wanted - allowed
        if not refused:
            return
        message = HIGHLIGHT_REFUSED
        if self.pk:
            stranded = self.highlight_rows.filter(post__in=refused).select_related("post__account")
            names = [str(highlight.post) for highlight in stranded.order_by("position", "pk")]
            if names:
                them = "them" if len(names) > 1 else "it"
                message += (
                    f" Outside them: {', '.join(names)}. Remove {them} from the highlights first,"
                    f" or keep a period and accounts that include {them}."
                )
        raise ValidationError(message, code="not_highlightable")

    def highlights_with_unresolved_privacy(self) -> list["Highlight"]:
        """The highlights whose caption still trips the privacy check and that nobody acknowledged."""
        # The account and platform name the post wherever a refusal is explained.
        pending = self.highlight_rows.filter(privacy_acknowledged_at__isnull=True).select_related(
            "post__account__platform"
        )
        return [highlight for highlight in pending if post_flags(highlight.post)]


class HighlightQuerySet(DossierScopedQuerySet):
    faculty_path = "dossier__faculty"
    dossier_path = "dossier__"


class Highlight(models.Model):
    """
    A post the faculty member puts forward in one dossier, with why it matters there: `note` and `category`
    belong to this dossier, so a note written for one review never appears in the next. The post's own
    `category` is the faculty member's classification of the post (comparisons read it); it is left alone.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="highlight_rows")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="highlight_rows")
    position = models.PositiveSmallIntegerField(default=0)
    note = models.TextField("why highlighted", blank=True, max_length=2000)
    category = models.CharField(
        "career category in this dossier",
        max_length=20,
        choices=CareerCategory.choices,
        blank=True,
        help_text="Why the post matters in this dossier; the post keeps its own classification.",
    )
    # The caption privacy check flags likely patient identifiers; freezing waits until each flag is
    # fixed (the caption no longer trips it) or acknowledged here by a person.
    privacy_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    privacy_acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = HighlightQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "post"],
                name="highlight_once_per_dossier",
                violation_error_message="This post is already highlighted in this dossier.",
            ),
        ]

    def __str__(self):
        return f"{self.dossier} #{self.position}: {self.post}"

    def unresolved_privacy_flags(self) -> list[PrivacyFlag]:
        """
        The caption's privacy flags while nobody has acknowledged them: [] once the caption is fixed (it no
        longer trips the check) or a person acknowledged them. Freezing waits for one or the other.
        """
        if self.privacy_acknowledged_at is not None:
            return []
        return post_flags(self.post)


class DossierVersionQuerySet(DossierScopedQuerySet):
    faculty_path = "dossier__faculty"
    dossier_path = "dossier__"


class DossierVersion(models.Model):
    """
    A frozen dossier: the complete rendered content and its data as they were at `frozen_at`.
    Nothing here is recomputed; `sha256` lets anyone check a copy against it.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    frozen_at = models.DateTimeField(default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    html = models.TextField(help_text="The rendered dossier page as frozen.")
    data = models.JSONField(help_text="Every figure of the dossier as frozen, score breakdown included.")
    pinned_values = models.JSONField(
        default=dict,
        blank=True,
        help_text="Which value of each number the version used: for post metrics, follower counts and audience, "
        "[snapshot id, history record id] pairs (`freezing.pinned_values`).",
    )
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    pdf = models.BinaryField(blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, db_index=True)
    # The version's verification address (`/verify/v/<public_id>/`), printed on every page of its PDF: unguessable,
    # unlike the primary key, so that nobody can walk the site's versions. Blank only for versions frozen before it.
    public_id = models.CharField(max_length=43, unique=True, null=True, blank=True, editable=False)
    signing_credential = models.ForeignKey(
        "SigningCredential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        help_text="The institution's key and certificate that signed the PDF (blank: frozen before PDFs were signed).",
    )

    objects = DossierVersionQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "number"],
                name="version_number_unique_per_dossier",
                violation_error_message="This dossier already has a version with this number.",
            ),
        ]

    def __str__(self):
        return f"{self.dossier} v{self.number}"


def new_public_id() -> str:
    return secrets.token_urlsafe(24)


class SigningCredentialQuerySet(models.QuerySet):
    def active_for(self, institution: Institution) -> "SigningCredential | None":
        return self.filter(institution=institution, is_active=True).first()


class SigningCredential(models.Model):
    """
    An institution's key and certificate for signing its frozen dossiers' PDFs (`portfolio/dossiers/signing.py`).

    One is active per institution; a new one retires the old, which stays, with its certificate public, so that the
    versions it signed still verify. The private key is kept encrypted (`encrypted_key`) and never leaves the
    server: no page, form or API shows it.
    """

    class Source(models.TextChoices):
        GENERATED = "generated", "Self-signed, made by the site"
        UPLOADED = "uploaded", "Issued by the institution's certificate authority"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="signing_credentials")
    subject = models.CharField(max_length=300, editable=False, help_text="Who the certificate names.")
    certificate_pem = models.TextField("certificate (PEM)", editable=False)
    fingerprint = models.CharField(
        "certificate SHA-256", max_length=64, unique=True, editable=False, help_text="SHA-256 of the certificate."
    )
    not_before = models.DateTimeField(editable=False)
    not_after = models.DateTimeField(editable=False)
    encrypted_key = models.BinaryField(editable=False)
    source = models.CharField(max_length=20, choices=Source.choices, editable=False)
    is_active = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SigningCredentialQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(is_active=True),
                name="one_active_signing_credential_per_institution",
                violation_error_message="This institution already has an active signing key.",
            ),
        ]

    def __str__(self):
        state = "active" if self.is_active else f"retired {self.retired_at:%Y-%m-%d}" if self.retired_at else "retired"
        return f"{self.subject} ({state}, SHA-256 {self.fingerprint[:12]})"


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(DossierScopedQuerySet):
    faculty_path = "version__dossier__faculty"
    dossier_path = "version__dossier__"

    def usable(self, now=None):
        """Links that open today: neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ShareLink(models.Model):
    """An expiring, revocable, read-only link to one frozen version, for a reviewer without an account."""

    version = models.ForeignKey(DossierVersion, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    recipient = models.CharField(
        max_length=200, blank=True, help_text="Who the link is for, e.g. the external reviewer."
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Link to {self.version} for {self.recipient or 'a reviewer'}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    def last_day(self, zone) -> "datetime.date":
        """
        The last day the link opens, in `zone` (the institution's): `expires_at` is the first moment after it
        (`sharing.end_of_day`), so a link chosen "until 5 January" reads 5 January, not the 6th it closes on.
        """
        return (self.expires_at - datetime.timedelta(microseconds=1)).astimezone(zone).date()


class ShareAccess(models.Model):
    """One opening of a share link: when, from where and, when signed in, by whom."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    accessed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who opened it, when signed in; blank for a reviewer without a login.",
    )
    by_owner = models.BooleanField(
        "by the dossier's faculty member or an admin",
        default=False,
        help_text="Opened by someone who may change the dossier, checking the link: not counted as the reviewer's.",
    )

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name_plural = "share accesses"

    def __str__(self):
        return f"{self.link} opened {self.accessed_at:%Y-%m-%d %H:%M}"


# Evidence of highlighted posts (screenshots, links, and the copies frozen versions keep) has its own module.
from portfolio.dossiers.evidence_models import HighlightEvidence, VersionEvidence  # noqa: E402, F401
