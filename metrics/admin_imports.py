"""
The admin's import page: upload a file, see what it would change, then confirm.

The preview is a real import rolled back (`dry_run`), kept as a batch with its
file, so that confirming imports exactly the file that was previewed.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin_scoping import ScopedModelAdmin
from accounts.models import Institution, SocialAccount
from metrics.importers.limits import UPLOAD_TOO_LARGE
from metrics.imports import ImportRefused, confirm_preview, import_file
from metrics.models import ImportBatch
from metrics.uploads import refusal, upload_limit


class UploadForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=SocialAccount.objects.none(),
        required=False,
        help_text="The account the export came from.",
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        help_text="Instead of an account: a template whose platform and handle columns name the accounts.",
    )
    file = forms.FileField(help_text="The file as the platform exported it, or the template CSV.")
    captured_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The export date, used only when the file name and content do not give one. Default today.",
    )

    def __init__(self, *args, user, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The widget first: setting the queryset afterwards hands the widget its choices.
        self.fields["account"].widget = AutocompleteSelect(ImportBatch._meta.get_field("account"), admin_site)
        self.fields["account"].queryset = SocialAccount.objects.administered_by(user).select_related("platform")
        self.fields["institution"].queryset = Institution.objects.administered_by(user)

    def clean(self):
        data = super().clean()
        if bool(data.get("account")) == bool(data.get("institution")):
            raise forms.ValidationError("Choose an account, or (for a template naming its accounts) an institution.")
        return data


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedModelAdmin):
    list_display = (
        "created_at",
        "file_name",
        "account",
        "format",
        "status",
        "posts_created",
        "snapshots_created",
        "snapshots_updated",
        "rows_unchanged",
        "uploaded_by",
    )
    list_filter = ("status", "format")
    list_select_related = ("account__platform", "uploaded_by")
    search_fields = ("file_name", "sha256", "account__handle")
    date_hierarchy = "created_at"
    change_list_template = "admin/metrics/importbatch/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "file"] + ["stored_file"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    @admin.display(description="stored file")
    def stored_file(self, batch):
        # The path only: uploads hold people's data and are never served from a public media URL.
        return batch.file.name or "—"

    def has_add_permission(self, request):
        return False  # files come in through the upload page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Snapshots point at their batch: the file is the provenance of their numbers.
        return False

    def get_urls(self):
        own = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="metrics_importbatch_upload"),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="metrics_importbatch_preview",
            ),
        ]
        return own + super().get_urls()

    @upload_limit(lambda: settings.IMPORT_MAX_BYTES, UPLOAD_TOO_LARGE)
    def upload_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user, admin_site=self.admin_site)
        if reason := refusal(request):
            form.errors["file"] = form.error_class([reason])  # stopped as it streamed in: nothing kept
        if request.method == "POST" and form.is_valid():
            try:
                batch = import_file(
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    account=form.cleaned_data["account"],
                    institution=form.cleaned_data["institution"],
                    captured_on=form.cleaned_data["captured_on"],
                    dry_run=True,
                )
            except ImportRefused as refused:
                form.add_error(None, str(refused))
            else:
                return redirect("admin:metrics_importbatch_preview", pk=batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import an analytics export",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/metrics/importbatch/upload.html", context)

    def preview_view(self, request, pk):
        batch = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method == "POST" and batch.status == ImportBatch.Status.PREVIEW:
            try:
                imported = confirm_preview(batch=batch, user=request.user)
            except ImportRefused as refused:
                self.message_user(request, f"Not imported: {refused}", messages.ERROR)
                return redirect(reverse("admin:metrics_importbatch_preview", args=[batch.pk]))
            level = messages.ERROR if imported.status == ImportBatch.Status.REFUSED else messages.SUCCESS
            self.message_user(request, f"Import #{imported.pk}: {imported.message}", level)
            return redirect(reverse("admin:metrics_importbatch_change", args=[imported.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview of {batch.file_name}",
            "batch": batch,
        }
        return TemplateResponse(request, "admin/metrics/importbatch/preview.html", context)
