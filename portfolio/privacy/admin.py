from django.contrib import admin

from accounts.admin_scoping import ScopedModelAdmin
from accounts.models import Institution
from metrics.admin import ScopedHistoryAdmin
from portfolio.privacy.models import PrivacyPolicy


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(ScopedHistoryAdmin, ScopedModelAdmin):
    """An institution admin sets their own institution's policy (one per institution), and sees its history."""

    list_display = (
        "institution",
        "allows_patient_images",
        "min_days_after_event",
        "review_flags_need_acknowledgement",
        "updated_at",
    )
    search_fields = ("institution__name",)
    autocomplete_fields = ("institution",)
    history_owner = ("institution_id", Institution)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("institution")
