"""An institution's privacy policy: rules stricter than the site's own check, which freezing enforces."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from accounts.models import Appointment, Department, Institution
from accounts.scoping import ScopedQuerySet


class PrivacyPolicyQuerySet(ScopedQuerySet):
    def institutions_q(self, ids):
        return Q(institution__in=ids)

    def departments_q(self, ids):
        return Q(institution__in=Department.objects.filter(pk__in=ids).values("institution"))

    def faculty_q(self, faculty_id):
        return Q(institution__in=Appointment.objects.filter(faculty_id=faculty_id).values("department__institution"))


class PrivacyPolicy(models.Model):
    """
    What an institution asks beyond the site's caption check, for the dossiers of its faculty. Without a policy
    an institution gets the defaults (`policy.DEFAULT`): patient images allowed, no minimum delay beyond the
    check's own flag on posts within `rules.RECENT_DAYS` of their event, worth-a-look flags shown but not
    blocking a freeze.
    """

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="privacy_policy")
    allows_patient_images = models.BooleanField(
        "patient images allowed",
        default=True,
        help_text="Untick to forbid posts with patient images (scans, radiographs, photographs) in dossiers.",
    )
    min_days_after_event = models.PositiveSmallIntegerField(
        "minimum days between an event and a post",
        default=0,
        help_text=(
            'A highlighted post whose caption dates its event ("yesterday", "last Friday") fewer days before its '
            "publication is refused at freezing, acknowledged or not. 0: no minimum."
        ),
    )
    review_flags_need_acknowledgement = models.BooleanField(
        "worth-a-look flags must be acknowledged too",
        default=False,
        help_text="By default only identifying flags (alone or in combination) must be fixed or acknowledged.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PrivacyPolicyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "privacy policy"
        verbose_name_plural = "privacy policies"
        ordering = ["institution__name"]

    def __str__(self):
        return f"Privacy policy of {self.institution.name}"
