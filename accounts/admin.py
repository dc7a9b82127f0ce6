"""
Admin for institutions, people, roles, platforms and accounts.

Every admin here is tenant-scoped through `admin_scoping`: an institution admin
works on their institution's rows only, a superuser on everything. The account
admin's follower columns and snapshots are metrics' (`metrics.admin` registers
a subclass of `SocialAccountAdmin` in its place).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet

from accounts.access import (
    OWN_LOGIN_LOCKED_FIELDS,
    attach_new_login,
    can_manage_login,
    check_new_login_place,
    own_login_refusal,
    turn_on_staff_for_admin_role,
    users_administered_by,
)
from accounts.admin_scoping import (
    ScopedInlineMixin,
    ScopedModelAdmin,
    ScopedRelatedFilter,
    has_admin_access,
)
from accounts.models import Appointment, Department, Faculty, Institution, Membership, Platform, SocialAccount
from accounts.vocabulary import METRIC_CHOICES, ContentType, Interaction

User = get_user_model()

admin.site.site_header = "SoMe Portfolio admin"
admin.site.site_title = "SoMe Portfolio admin"


def count_of(model, fk: str, *, distinct: str = "pk"):
    """A per-row count as a correlated subquery, so the page query needs no GROUP BY."""
    counts = (
        model.objects.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count(distinct, distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counts), 0)


# --- institutions and departments ---------------------------------------------------------------


class DepartmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Department
    fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0
    show_change_link = True


@admin.register(Institution)
class InstitutionAdmin(ScopedModelAdmin):
    list_display = ("name", "slug", "country", "timezone", "shares_aggregates", "department_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DepartmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(department_count=count_of(Department, "institution"))

    @admin.display(description="departments", ordering="department_count")
    def department_count(self, institution):
        return institution.department_count

    # Institution admins look after their own institution; creating or removing one is a superuser's job.
    def has_add_permission(self, request):
        return request.user.is_superuser and has_admin_access(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and has_admin_access(request)


@admin.register(Department)
class DepartmentAdmin(ScopedModelAdmin):
    list_display = ("name", "institution", "slug", "faculty_count")
    list_filter = (("institution", ScopedRelatedFilter),)
    search_fields = ("name", "slug", "institution__name")
    autocomplete_fields = ("institution",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        # The institution is part of a department's name (changelist, autocomplete, filters, choices).
        return (
            super()
            .get_queryset(request)
            .select_related("institution")
            .annotate(faculty_count=count_of(Appointment, "department", distinct="faculty"))
        )

    @admin.display(description="faculty", ordering="faculty_count")
    def faculty_count(self, department):
        return department.faculty_count


# --- faculty and their appointments -------------------------------------------------------------


class AppointmentFormSet(BaseInlineFormSet):
    # Set per request by `AppointmentInline.get_formset`.
    needs_one_in_scope = False

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("department") and not form.cleaned_data.get("DELETE")
        ]
        if self.needs_one_in_scope and not kept:
            raise ValidationError(
                "Give this person at least one appointment in your institution: without one they would "
                "disappear from your view. To record that an appointment ended, set its end date instead."
            )
        # The database would refuse it too, but with an error page instead of a message.
        if sum(1 for data in kept if data.get("primary") and not data.get("end_date")) > 1:
            raise ValidationError("Only one current appointment can be primary.")


class AppointmentInline(ScopedInlineMixin, admin.TabularInline):
    model = Appointment
    formset = AppointmentFormSet
    fields = ("department", "title", "primary", "start_date", "end_date")
    autocomplete_fields = ("department",)
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department__institution")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.needs_one_in_scope = not request.user.is_superuser
        return formset


@admin.register(Faculty)
class FacultyAdmin(ScopedModelAdmin):
    list_display = ("name", "email", "rank", "track", "departments", "user")
    list_select_related = ("user",)
    list_filter = ("rank", "track", ("appointments__department", ScopedRelatedFilter))
    # Not the departments' names: a search would find people through their appointments elsewhere.
    search_fields = ("name", "email", "orcid")
    autocomplete_fields = ("user",)
    inlines = [AppointmentInline]

    def get_queryset(self, request):
        # The departments column lists only the appointments the admin may see, in one query per page.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "appointments",
                    queryset=Appointment.objects.administered_by(request.user).select_related(
                        "department__institution"
                    ),
                    to_attr="visible_appointments",
                )
            )
        )

    @admin.display(description="appointments")
    def departments(self, faculty):
        return "; ".join(
            f"{appointment.department}{' (primary)' if appointment.primary else ''}"
            for appointment in faculty.visible_appointments
        )


@admin.register(Appointment)
class AppointmentAdmin(ScopedModelAdmin):
    list_display = ("faculty", "department", "title", "primary", "start_date", "end_date")
    list_filter = ("primary", ("department", ScopedRelatedFilter))
    search_fields = ("faculty__name", "faculty__email", "title")
    autocomplete_fields = ("faculty", "department")

    def get_queryset(self, request):
        # Both are part of an appointment's name, wherever one shows; the changelist would skip
        # list_select_related once the queryset has a select_related of its own.
        return super().get_queryset(request).select_related("faculty", "department__institution")


# --- roles and logins ---------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(ScopedModelAdmin):
    list_display = ("user", "role", "institution", "department")
    list_select_related = ("user", "institution", "department__institution")
    list_filter = ("role", ("institution", ScopedRelatedFilter), ("department", ScopedRelatedFilter))
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "institution", "department")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if turn_on_staff_for_admin_role(obj):
            self.message_user(
                request, f"{obj.user} can now sign in to the admin: staff status was turned on.", messages.INFO
            )


admin.site.unregister(User)


class NewLoginForm(AdminUserCreationForm):
    """A new login and its place: a faculty record, or a role (`check_new_login_place` says what is allowed)."""

    PLACE_FIELDS = ("faculty", "role", "institution", "department")

    faculty = forms.ModelChoiceField(
        queryset=Faculty.objects.none(), required=False, help_text="A faculty record without a login: theirs."
    )
    role = forms.ChoiceField(choices=[("", "---------"), *Membership.Role.choices], required=False)
    institution = forms.ModelChoiceField(queryset=Institution.objects.none(), required=False)
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, help_text="Only for a department reviewer."
    )
    # Set per request by `ScopedUserAdmin.get_form`.
    created_by = None

    def clean(self):
        cleaned = super().clean()
        try:
            check_new_login_place(self.created_by, **self.place())
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def place(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.PLACE_FIELDS if self.cleaned_data.get(name)}


@admin.register(User)
class ScopedUserAdmin(ScopedModelAdmin, UserAdmin):
    # Only a superuser hands out these: anyone else could make themselves one.
    superuser_only_fields = ("is_superuser", "groups", "user_permissions")
    add_form = NewLoginForm
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (
            "Where this login belongs",
            {
                "fields": NewLoginForm.PLACE_FIELDS,
                "description": "A faculty record without a login, or a role (institution admin or reviewer).",
            },
        ),
    )

    def get_queryset(self, request):
        return users_administered_by(request.user, super().get_queryset(request))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.created_by = request.user
            form.base_fields["faculty"].queryset = Faculty.objects.administered_by(request.user).filter(
                user__isnull=True
            )
            form.base_fields["institution"].queryset = Institution.objects.administered_by(request.user)
            form.base_fields["department"].queryset = Department.objects.administered_by(request.user).select_related(
                "institution"
            )
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # The admin saves inside one transaction: a refusal here leaves no login behind.
            attach_new_login(request.user, obj, **form.place())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.superuser_only_fields]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.pk == request.user.pk:
            return (*readonly, *OWN_LOGIN_LOCKED_FIELDS)
        return readonly

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ("is_staff", "is_active")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_manage_login(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None
            or (can_manage_login(request.user, obj) and own_login_refusal(request.user, obj, deleting=True) is None)
        )


# --- platforms ----------------------------------------------------------------------------------


class VocabularyField(forms.MultipleChoiceField):
    """A JSON list of vocabulary keys edited as checkboxes, stored in the vocabulary's order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, choices, **kwargs):
        super().__init__(choices=choices, required=False, **kwargs)

    def clean(self, value):
        chosen = set(super().clean(value))
        return [key for key, _ in self.choices if key in chosen]


class PlatformForm(forms.ModelForm):
    content_types = VocabularyField(choices=ContentType.choices, help_text="Content types it supports.")
    interactions = VocabularyField(choices=Interaction.choices, help_text="Interactions it offers.")
    reported_metrics = VocabularyField(choices=METRIC_CHOICES, help_text="Metrics its analytics report.")

    class Meta:
        model = Platform
        fields = Platform.FIELDS


@admin.register(Platform)
class PlatformAdmin(ScopedModelAdmin):
    form = PlatformForm
    list_display = (
        "name",
        "key",
        "interaction_list",
        "has_direct_messages",
        "has_stories",
        "has_viewer_tracking",
        "has_hashtags",
        "has_crowdsourcing",
        "caption_limit",
    )
    list_filter = ("has_direct_messages", "has_stories", "has_viewer_tracking", "has_hashtags")
    search_fields = ("name", "key")
    fieldsets = (
        (None, {"fields": ("key", "name")}),
        ("What it offers", {"fields": ("content_types", "interactions", "reported_metrics")}),
        (
            "Features",
            {
                "fields": (
                    "has_direct_messages",
                    "has_stories",
                    "has_viewer_tracking",
                    "has_hashtags",
                    "has_crowdsourcing",
                )
            },
        ),
        ("Limits", {"fields": ("caption_limit", "hashtag_limit", "media_per_post_limit")}),
    )

    @admin.display(description="interactions")
    def interaction_list(self, platform):
        labels = dict(Interaction.choices)
        return ", ".join(str(labels.get(key, key)) for key in platform.interactions)

    # The registry is shared by every institution: everyone reads it, only superusers edit it.
    def has_add_permission(self, request):
        return request.user.is_superuser and has_admin_access(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and has_admin_access(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and has_admin_access(request)


# --- social accounts ----------------------------------------------------------------------------


@admin.register(SocialAccount)
class SocialAccountAdmin(ScopedModelAdmin):
    list_display = ("handle", "platform", "kind", "owner")
    list_filter = (("platform", ScopedRelatedFilter), "kind")
    search_fields = ("handle", "display_name", "faculty__name", "department__name", "institution__name")
    autocomplete_fields = ("platform", "faculty", "department", "institution")
    fieldsets = (
        (None, {"fields": ("platform", "handle", "url", "display_name")}),
        (
            "Owner",
            {
                "fields": ("kind", "faculty", "department", "institution"),
                "description": "Exactly one owner, the one the kind calls for.",
            },
        ),
    )

    def get_queryset(self, request):
        # The platform is part of an account's name; the owner is a column.
        return (
            super()
            .get_queryset(request)
            .select_related("platform", "faculty", "department__institution", "institution")
        )

    @admin.display(description="owner")
    def owner(self, account):
        return account.owner
