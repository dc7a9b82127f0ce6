"""
Admin for the dossier domain.

- Scoring profiles: an institution admin edits only their institution's published weights; the site's
  default (no institution) is read-only to them, and only a superuser changes it.
- Benchmarks are published figures: everyone in the admin reads them, only a superuser edits them.
- Activities and dossiers (with their highlights inline) follow the faculty member, like every other row.
- Frozen versions and the share-link log are records: read-only, so that the admin cannot alter what
  a reviewer was shown or who opened it.
- Signing credentials: an admin installs the institution's own certificate and key (PEM files from its
  certificate authority) or has the site make a self-signed one. Rows are never edited or deleted (old ones
  verify what they signed), and the private key is write-only: no form or list ever shows it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet

from accounts.access import access_for
from accounts.admin_scoping import ScopedInlineMixin, ScopedModelAdmin, has_admin_access, visible_rows
from accounts.vocabulary import METRIC_FIELDS
from metrics.engagement import ACTION_FIELDS
from portfolio.dossiers.evidence import attach_evidence
from portfolio.dossiers.evidence_forms import evidence_upload_limit, image_help, read_checked_upload
from portfolio.dossiers.models import (
    Activity,
    Benchmark,
    Dossier,
    DossierVersion,
    Highlight,
    HighlightEvidence,
    ScoringProfile,
    ShareAccess,
    ShareLink,
    SigningCredential,
)
from portfolio.dossiers.signing import generate_credential, install_credential


class ReadOnlyAdmin(ScopedModelAdmin):
    """Visible to admins within their scope; nobody adds, changes or deletes here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoringProfile)
class ScoringProfileAdmin(ScopedModelAdmin):
    list_display = ("name", "institution", "updated_at")
    search_fields = ("name", "institution__name")
    autocomplete_fields = ("institution",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("institution")
        access = access_for(request.user)
        if access.is_superuser:
            return queryset
        # Their own institution's profile, and the default they fall back on (read-only, below).
        return queryset.filter(Q(institution__in=access.admin_institution_ids) | Q(institution=None))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "institution" in form.base_fields:
            # Only a superuser publishes the site's default (a profile with no institution).
            form.base_fields["institution"].required = True
        return form

    def has_change_permission(self, request, obj=None):
        if not has_admin_access(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return obj.institution_id in access_for(request.user).admin_institution_ids

    def has_delete_permission(self, request, obj=None):
        # A profile in use by a dossier is protected by the database; the default is the superuser's.
        return self.has_change_permission(request, obj)


@admin.register(Benchmark)
class BenchmarkAdmin(ScopedModelAdmin):
    list_display = ("platform", "industry", "year", "publisher", "report", "definition", "rate")
    list_filter = ("platform", "year", "publisher", "denominator")
    search_fields = ("industry", "publisher", "report")
    fields = (
        "platform",
        "industry",
        "year",
        "publisher",
        "report",
        "source_url",
        "numerator",
        "denominator",
        "rate",
        "note",
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "numerator":
            # The interactions as boxes to tick; stored as the list `Benchmark.numerator` validates.
            return forms.MultipleChoiceField(
                choices=[(field, METRIC_FIELDS[field]) for field in ACTION_FIELDS],
                widget=forms.CheckboxSelectMultiple,
                label="Numerator",
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Definition")
    def definition(self, obj: Benchmark) -> str:
        return obj.definition

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Activity)
class ActivityAdmin(ScopedModelAdmin):
    list_display = ("title", "faculty", "kind", "started_on", "ended_on")
    list_filter = ("kind",)
    search_fields = ("title", "organisation", "faculty__name")
    autocomplete_fields = ("faculty",)
    date_hierarchy = "started_on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("faculty")


class HighlightInlineFormSet(BaseInlineFormSet):
    """The dossier's highlights as they are to be saved, judged by the one rule (`Dossier.validate_highlights`)."""

    def clean(self):
        super().clean()
        # Set by `DossierAdmin.save_form` once the dossier's own form is valid; without it nothing is saved anyway.
        accounts = getattr(self.instance, "accounts_to_save", None)
        if accounts is None or any(self.errors):
            return
        posts = [
            form.cleaned_data["post"]
            for form in self.forms
            if form.cleaned_data.get("post") is not None and not self._should_delete_form(form)
        ]
        self.instance.validate_highlights(posts, accounts=accounts)


class HighlightInline(ScopedInlineMixin, admin.TabularInline):
    model = Highlight
    formset = HighlightInlineFormSet
    extra = 0
    fields = ("position", "post", "category", "note", "privacy_acknowledged_by", "privacy_acknowledged_at")
    readonly_fields = ("privacy_acknowledged_by", "privacy_acknowledged_at")
    autocomplete_fields = ("post",)


@admin.register(Dossier)
class DossierAdmin(ScopedModelAdmin):
    list_display = ("title", "faculty", "status", "period_start", "period_end", "as_of", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "faculty__name")
    autocomplete_fields = ("faculty", "scoring_profile")
    filter_horizontal = ("accounts", "activities")
    readonly_fields = ("status", "submitted_at", "created_by", "created_at", "updated_at")
    inlines = (HighlightInline,)
    actions = ("submit_for_review", "archive")

    def has_delete_permission(self, request, obj=None):
        # A frozen version stays verifiable: its dossier is archived, never deleted (`DELETE_REFUSED`).
        if obj is not None and not obj.may_be_deleted():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Submit the selected drafts for review")
    def submit_for_review(self, request, queryset):
        self._move(request, queryset, Dossier.submit)

    @admin.action(description="Archive the selected dossiers (those with frozen versions)")
    def archive(self, request, queryset):
        self._move(request, queryset, Dossier.archive)

    def _move(self, request, queryset, transition) -> None:
        for dossier in queryset:
            try:
                transition(dossier)
            except ValidationError as error:
                self.message_user(request, f"{dossier}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"{dossier}: {dossier.get_status_display().lower()}.", messages.SUCCESS)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("faculty")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # The accounts and activities offered are those the admin sees in their own admin pages.
        queryset = visible_rows(self.admin_site, db_field.related_model, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        dossier = super().save_form(request, form, change)
        # The highlight inline is validated after this form, before anything is saved: it judges its posts against
        # the accounts chosen here, with the period and faculty member already set on `dossier`.
        dossier.accounts_to_save = form.cleaned_data["accounts"]
        return dossier

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DossierVersion)
class DossierVersionAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "number", "frozen_at", "frozen_by", "sha256")
    search_fields = ("dossier__title", "dossier__faculty__name", "sha256")
    exclude = ("html", "data")
    readonly_fields = (
        "dossier",
        "number",
        "frozen_at",
        "frozen_by",
        "sha256",
        "pdf_sha256",
        "public_id",
        "signing_credential",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("dossier__faculty", "frozen_by", "signing_credential")
            .defer("html", "data", "pdf", "signing_credential__encrypted_key")
        )


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnlyAdmin):
    list_display = ("version", "recipient", "created_at", "expires_at", "revoked_at")
    search_fields = ("recipient", "version__dossier__title")
    exclude = ("token",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version__dossier__faculty")


@admin.register(ShareAccess)
class ShareAccessAdmin(ReadOnlyAdmin):
    list_display = ("link", "accessed_at", "ip", "user_agent")
    date_hierarchy = "accessed_at"

    def get_queryset(self, request):
        # ShareAccess has no scoping of its own: it belongs where its link does.
        links = visible_rows(self.admin_site, ShareLink, request)
        return ShareAccess.objects.filter(link__in=links.values("pk")).select_related("link__version__dossier__faculty")


class HighlightEvidenceForm(forms.ModelForm):
    """The screenshot goes through `evidence.attach_evidence`, as on the highlights tab and in the API."""

    upload = forms.FileField(label="Screenshot", required=False, help_text=image_help())
    url = forms.URLField(label="Public link", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = HighlightEvidence
        fields = ("highlight", "url")

    request = None  # set by the admin (`get_form`), whose form classes are made per request

    def clean_upload(self):
        return read_checked_upload(self.cleaned_data.get("upload"), request=self.request)


@admin.register(HighlightEvidence)
class HighlightEvidenceAdmin(ScopedModelAdmin):
    form = HighlightEvidenceForm
    list_display = ("highlight", "image_sha256", "uploaded_at", "ocr_read_at", "privacy_acknowledged_at")
    search_fields = ("highlight__dossier__title", "highlight__post__external_id", "image_sha256")
    readonly_fields = (
        "image_sha256",
        "content_type",
        "width",
        "height",
        "metadata_flags",
        "ocr_text",
        "ocr_flags",
        "ocr_error",
        "uploaded_by",
        "uploaded_at",
        "privacy_acknowledged_by",
        "privacy_acknowledged_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("highlight__dossier__faculty", "highlight__post")

    @evidence_upload_limit
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @evidence_upload_limit
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "highlight":
            # Highlights have no admin of their own: they are offered as their dossiers are.
            kwargs["queryset"] = Highlight.objects.administered_by(request.user).select_related("dossier", "post")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        evidence = attach_evidence(
            highlight=obj.highlight, user=request.user, url=obj.url, upload=form.cleaned_data.get("upload")
        )
        # The admin's log and redirect name the row the workflow saved.
        obj.pk = evidence.pk
        obj.refresh_from_db()


class SigningCredentialForm(forms.ModelForm):
    """Install the institution's own certificate and key, or leave both out for a new self-signed one."""

    # Files, not text areas: a form sent back with an error never writes the key into the page again.
    certificate_file = forms.FileField(
        required=False,
        label="Certificate (PEM file)",
        help_text="As issued by the institution's certificate authority. Leave both files out to have the site make "
        "a self-signed certificate instead.",
    )
    key_file = forms.FileField(
        required=False,
        label="Private key (PEM file)",
        help_text="Stored encrypted; never shown again, here or anywhere.",
    )
    key_password = forms.CharField(
        required=False,
        label="Key password",
        widget=forms.PasswordInput(render_value=False),
        help_text="Only if the key file is encrypted.",
    )

    class Meta:
        model = SigningCredential
        fields = ["institution"]

    def clean(self):
        cleaned = super().clean()
        certificate, key = cleaned.get("certificate_file"), cleaned.get("key_file")
        if bool(certificate) != bool(key):
            raise ValidationError("Give both the certificate and its key, or neither (for a self-signed one).")
        if "institution" not in cleaned:
            return cleaned
        try:
            if certificate:
                self.instance = install_credential(
                    institution=cleaned["institution"],
                    certificate_pem=certificate.read().decode("ascii", errors="replace"),
                    key_pem=key.read().decode("ascii", errors="replace"),
                    password=cleaned.get("key_password") or "",
                    user=self.user,
                )
            else:
                self.instance = generate_credential(institution=cleaned["institution"], user=self.user)
        except ValidationError as error:
            # Errors name the model's fields; here they belong to the files.
            messages = error.message_dict
            for name, field in (("certificate_pem", "certificate_file"), ("key_pem", "key_file")):
                for message in messages.get(name, []):
                    self.add_error(field, message)
        return cleaned


@admin.register(SigningCredential)
class SigningCredentialAdmin(ScopedModelAdmin):
    form = SigningCredentialForm
    list_display = ("institution", "subject", "source", "is_active", "not_after", "created_at", "retired_at")
    list_filter = ("is_active", "source")
    # Never the encrypted key: it is not shown anywhere, even encrypted.
    readonly_fields = (
        "institution",
        "subject",
        "source",
        "is_active",
        "fingerprint",
        "not_before",
        "not_after",
        "certificate_pem",
        "created_at",
        "created_by",
        "retired_at",
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("institution", "created_by").defer("encrypted_key")
        access = access_for(request.user)
        return queryset if access.is_superuser else queryset.filter(institution__in=access.admin_institution_ids)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_fields(self, request, obj=None):
        if obj:
            return self.readonly_fields
        return ("institution", "certificate_file", "key_file", "key_password")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        if obj is None and "institution" in form.base_fields:
            access = access_for(request.user)
            if not access.is_superuser:
                field = form.base_fields["institution"]
                field.queryset = field.queryset.filter(pk__in=access.admin_institution_ids)
        return form

    def save_model(self, request, obj, form, change):
        # The form's clean() made and saved the credential (it retires the old one in the same transaction).
        pass

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
