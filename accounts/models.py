"""
Institutions, departments, faculty and their appointments, roles, the platform
registry, and the social-media accounts that everything else hangs from.

Belonging, which every permission rests on:
- a department belongs to one institution;
- a faculty member belongs to every department where they hold an appointment
  (past or present), and so to those departments' institutions;
- an account belongs to its owner: a faculty member (personal), a department
  (department or program account) or an institution.
"""

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django_countries.fields import CountryField

from accounts.scoping import NOTHING, ScopedQuerySet
from accounts.vocabulary import METRIC_CHOICES, ContentType, Interaction


def _with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def timezone_choices():
    # A callable, so migrations do not depend on the tz database of the machine that wrote them.
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def validate_orcid(value: str) -> None:
    """An ORCID iD is four groups of four digits; the last character is a checksum (ISO 7064 11,2)."""
    if not ORCID_RE.match(value):
        raise ValidationError("Enter an ORCID iD like 0000-0002-1825-0097.")
    digits = value.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise ValidationError("This ORCID iD has a wrong check digit; copy it again from orcid.org.")


class InstitutionQuerySet(ScopedQuerySet):
    def institutions_q(self, ids):
        return Q(pk__in=ids)

    def departments_q(self, ids):
        return Q(pk__in=Department.objects.filter(pk__in=ids).values("institution"))

    def faculty_q(self, faculty_id):
        return Q(pk__in=Appointment.objects.filter(faculty_id=faculty_id).values("department__institution"))


class ConstraintFieldsMixin:
    """
    Django files the message of a functional constraint (one on `Lower("email")`, say) under no
    field; `constraint_fields` names the field people fix, so the message appears beside it in forms
    and under its name in the API.
    """

    constraint_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            messages = error.message_dict
            general = messages.get(NON_FIELD_ERRORS, [])
            for constraint in self._meta.constraints:
                field = self.constraint_fields.get(constraint.name)
                message = str(constraint.get_violation_error_message())
                if field and message in general:
                    general.remove(message)
                    messages.setdefault(field, []).append(message)
            if not general:
                messages.pop(NON_FIELD_ERRORS, None)
            raise ValidationError(messages) from None


class Institution(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    country = CountryField()
    timezone = models.CharField(
        max_length=64,
        choices=timezone_choices,
        default="UTC",
        help_text="Used for the institution's calendar, e.g. the best time to post.",
    )
    shares_aggregates = models.BooleanField(
        "shares aggregates with other institutions",
        default=False,
        help_text=(
            "Let other institutions compare with this one's departments and institution as a whole: totals, "
            "medians and pooled rates of groups of at least five accounts, never an account's own numbers."
        ),
    )

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DepartmentQuerySet(ScopedQuerySet):
    def institutions_q(self, ids):
        return Q(institution__in=ids)

    def departments_q(self, ids):
        return Q(pk__in=ids)

    def faculty_q(self, faculty_id):
        return Q(pk__in=Appointment.objects.filter(faculty_id=faculty_id).values("department"))


class Department(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="department_slug_unique_per_institution"),
            models.UniqueConstraint(fields=["institution", "name"], name="department_name_unique_per_institution"),
        ]

    def __str__(self):
        return f"{self.name}, {self.institution.name}"


class FacultyQuerySet(ScopedQuerySet):
    def institutions_q(self, ids):
        return Q(pk__in=Appointment.objects.filter(department__institution__in=ids).values("faculty"))

    def departments_q(self, ids):
        return Q(pk__in=Appointment.objects.filter(department__in=ids).values("faculty"))

    def faculty_q(self, faculty_id):
        return Q(pk=faculty_id)


class Faculty(ConstraintFieldsMixin, models.Model):
    class Rank(models.TextChoices):
        INSTRUCTOR = "instructor", "Instructor"
        ASSISTANT = "assistant", "Assistant Professor"
        ASSOCIATE = "associate", "Associate Professor"
        PROFESSOR = "professor", "Professor"
        EMERITUS = "emeritus", "Professor Emeritus"
        OTHER = "other", "Other"

    class Track(models.TextChoices):
        CLINICIAN_EDUCATOR = "clinician_educator", "Clinician-educator"
        CLINICAL = "clinical", "Clinical"
        RESEARCH = "research", "Research"
        TENURE = "tenure", "Tenure"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    email = models.EmailField()
    rank = models.CharField(max_length=20, choices=Rank.choices, blank=True)
    track = models.CharField(max_length=30, choices=Track.choices, blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, blank=True, validators=[validate_orcid])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faculty",
        help_text="The faculty member's own login, if they have one.",
    )

    objects = FacultyQuerySet.as_manager()
    constraint_fields = {"faculty_email_unique": "email"}

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "faculty"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="faculty_email_unique",
                violation_error_message="A faculty member with this e-mail address already exists.",
            ),
            models.UniqueConstraint(fields=["orcid"], condition=~Q(orcid=""), name="faculty_orcid_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faculty-profile", args=[self.pk])

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""


class AppointmentQuerySet(ScopedQuerySet):
    def institutions_q(self, ids):
        return Q(department__institution__in=ids)

    def departments_q(self, ids):
        return Q(department__in=ids)

    def faculty_q(self, faculty_id):
        return Q(faculty_id=faculty_id)


class Appointment(models.Model):
    faculty = models.ForeignKey(Faculty, on_delete=models.CASCADE, related_name="appointments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="appointments")
    title = models.CharField(max_length=200, blank=True, help_text="e.g. Section Chief, Neuroradiology")
    primary = models.BooleanField(default=False, help_text="The faculty member's main current appointment.")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["-primary", "department__institution__name", "department__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="appointment_ends_after_it_starts",
                violation_error_message="An appointment cannot end before it starts.",
            ),
            # One open primary appointment per person; ended ones stay as history.
            models.UniqueConstraint(
                fields=["faculty"],
                condition=Q(primary=True, end_date__isnull=True),
                name="one_current_primary_appointment",
                violation_error_message="This person already has a current primary appointment.",
            ),
        ]

    def __str__(self):
        return f"{self.faculty} — {self.department}"


class MembershipQuerySet(ScopedQuerySet):
    def institutions_q(self, ids):
        return Q(institution__in=ids)

    def departments_q(self, ids):
        return Q(department__in=ids)

    def faculty_q(self, faculty_id):
        return NOTHING


class Membership(models.Model):
    """A user's role at an institution, or at one department of it."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Institution admin"
        REVIEWER = "reviewer", "Reviewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Leave blank for a role over the whole institution.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="admin", department__isnull=False),
                name="admin_role_is_institution_wide",
                violation_error_message="An admin role covers a whole institution: leave the department blank.",
            ),
            models.UniqueConstraint(
                fields=["user", "institution"],
                condition=Q(department__isnull=True),
                name="one_institution_role_per_user",
                violation_error_message="This user already has a role at this institution.",
            ),
            models.UniqueConstraint(
                fields=["user", "department"],
                condition=Q(department__isnull=False),
                name="one_department_role_per_user",
                violation_error_message="This user already has a role in this department.",
            ),
        ]

    def __str__(self):
        where = self.department.name if self.department_id else self.institution.name
        return f"{self.user} — {self.get_role_display()}, {where}"

    def clean(self):
        if self.department_id and self.institution_id and self.department.institution_id != self.institution_id:
            raise ValidationError({"department": "This department belongs to another institution."})


class Platform(models.Model):
    """A social-media platform and what it offers; seeded by a data migration, editable in admin."""

    key = models.SlugField(max_length=30, unique=True, help_text="Stable key used by the API, e.g. instagram.")
    name = models.CharField(max_length=60)
    content_types = models.JSONField(default=list, blank=True, help_text="Content types it supports.")
    interactions = models.JSONField(default=list, blank=True, help_text="Interactions it offers.")
    reported_metrics = models.JSONField(default=list, blank=True, help_text="Metrics its analytics report.")
    has_direct_messages = models.BooleanField(default=False)
    has_stories = models.BooleanField(default=False)
    has_viewer_tracking = models.BooleanField(default=False)
    has_hashtags = models.BooleanField(default=False)
    has_crowdsourcing = models.BooleanField(default=False)
    caption_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Characters; blank if none.")
    hashtag_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Per post; blank if none.")
    media_per_post_limit = models.PositiveIntegerField(null=True, blank=True)

    # Every field but the id, in the order people read them: what the admin form edits and the API shows.
    FIELDS = (
        "key",
        "name",
        "content_types",
        "interactions",
        "reported_metrics",
        "has_direct_messages",
        "has_stories",
        "has_viewer_tracking",
        "has_hashtags",
        "has_crowdsourcing",
        "caption_limit",
        "hashtag_limit",
        "media_per_post_limit",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        vocabularies = {
            "content_types": set(ContentType.values),
            "interactions": set(Interaction.values),
            "reported_metrics": {key for key, _ in METRIC_CHOICES},
        }
        errors = {}
        for field, allowed in vocabularies.items():
            value = getattr(self, field)
            if not isinstance(value, list):
                errors[field] = "Expected a list."
                continue
            unknown = sorted(set(value) - allowed)
            if unknown:
                errors[field] = f"Unknown value(s): {', '.join(map(str, unknown))}."
        if errors:
            raise ValidationError(errors)


DUPLICATE_HANDLE = "An account with this handle already exists on this platform."


class SocialAccountQuerySet(ScopedQuerySet):
    faculty_may_change = True

    def institutions_q(self, ids):
        return (
            Q(institution__in=ids)
            | Q(department__institution__in=ids)
            | Q(faculty__in=Faculty.objects.for_institutions(ids).values("pk"))
        )

    def departments_q(self, ids):
        return Q(department__in=ids) | Q(faculty__in=Faculty.objects.for_departments(ids).values("pk"))

    def faculty_q(self, faculty_id):
        return Q(faculty_id=faculty_id)


class SocialAccount(ConstraintFieldsMixin, models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        DEPARTMENT = "department", "Department"
        INSTITUTION = "institution", "Institution"
        PROGRAM = "program", "Program (e.g. a residency)"

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="accounts")
    handle = models.CharField(max_length=100, help_text="The account's name on the platform, without @.")
    url = models.URLField(max_length=500, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSONAL)
    faculty = models.ForeignKey(
        Faculty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accounts",
        help_text="Owner of a personal account.",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accounts",
        help_text="Owner of a department or program account.",
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accounts",
        help_text="Owner of an institution account.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SocialAccountQuerySet.as_manager()
    constraint_fields = {"account_handle_unique_per_platform": "handle"}

    class Meta:
        ordering = ["platform__name", "handle"]
        verbose_name = "social account"
        constraints = [
            models.UniqueConstraint(
                "platform",
                Lower("handle"),
                name="account_handle_unique_per_platform",
                violation_error_message=DUPLICATE_HANDLE,
            ),
            # Exactly one owner, of the type the kind calls for.
            models.CheckConstraint(
                condition=(
                    Q(kind="personal", faculty__isnull=False, department__isnull=True, institution__isnull=True)
                    | Q(
                        kind__in=["department", "program"],
                        faculty__isnull=True,
                        department__isnull=False,
                        institution__isnull=True,
                    )
                    | Q(kind="institution", faculty__isnull=True, department__isnull=True, institution__isnull=False)
                ),
                name="account_owner_matches_kind",
                violation_error_message=(
                    "A personal account needs a faculty owner, a department or program account a department, "
                    "an institution account an institution; and only that one owner."
                ),
            ),
        ]

    def __str__(self):
        return f"@{self.handle} ({self.platform.name})"

    def save(self, *args, **kwargs):
        # People paste handles with the @ they see on screen.
        self.handle = self.handle.strip().lstrip("@")
        super().save(*args, **kwargs)

    @property
    def owner(self):
        return self.faculty or self.department or self.institution

    def time_zone(self) -> zoneinfo.ZoneInfo:
        """The owning institution's time zone (for a personal account: of the primary appointment, else any)."""
        if self.institution_id:
            name = self.institution.timezone
        elif self.department_id:
            name = self.department.institution.timezone
        else:
            appointment = self.faculty.appointments.select_related("department__institution").first()
            name = appointment.department.institution.timezone if appointment else settings.TIME_ZONE
        return zoneinfo.ZoneInfo(name)

    def clean(self):
        self.handle = self.handle.strip().lstrip("@")
        owner_field = {
            self.Kind.PERSONAL: "faculty",
            self.Kind.DEPARTMENT: "department",
            self.Kind.PROGRAM: "department",
            self.Kind.INSTITUTION: "institution",
        }.get(self.kind)
        errors = {}
        kind = self.get_kind_display().lower()
        for field in ("faculty", "department", "institution"):
            has_value = getattr(self, f"{field}_id") is not None
            if field == owner_field and not has_value:
                errors[field] = f"{_with_article(kind).capitalize()} account needs this owner."
            elif field != owner_field and has_value:
                errors[field] = f"Leave this blank for {_with_article(kind)} account."
        if errors:
            raise ValidationError(errors)


class ScopeStamp(models.Model):
    """
    One row whose `value` changes, to a value never used before, with every write that changes who sees what: a
    role, a faculty record's login, an appointment, a department's institution, an account's owner. Database
    triggers change it (`accounts/scope_stamp.py`), so every door does, and the per-process memory of each
    user's roles and visible accounts is keyed by it.
    """

    value = models.BigIntegerField()

    def __str__(self):
        return f"Scope stamp {self.value}"
