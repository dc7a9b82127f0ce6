from django import forms

from accounts.models import Institution
from metrics.imports import importable_accounts


class AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, account):
        owner = account.faculty.name if account.faculty_id else account.get_kind_display()
        return f"@{account.handle} on {account.platform.name} ({owner})"


class ImportForm(forms.Form):
    """The file and where it goes: one account, or (for an institution's admins) a template naming several."""

    account = AccountChoice(
        queryset=None,
        required=False,
        label="Account",
        empty_label="Choose the account the file came from",
        help_text="The account the platform exported the file for.",
    )
    institution = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Or: a template naming several accounts, for the institution",
        empty_label="None (import into the account above)",
        help_text="Each row of the template names its platform and handle; leave the account blank.",
    )
    file = forms.FileField(
        label="Export file",
        help_text="CSV, XLSX, XLS or ZIP, as the platform exported it, or the site's template CSV.",
    )
    captured_on = forms.DateField(
        required=False,
        label="Export date (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Used only when neither the file's name nor its content gives one. Default: today.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The owner's name and the platform are in every label.
        self.fields["account"].queryset = (
            importable_accounts(user).select_related("platform", "faculty").order_by("handle", "pk").distinct()
        )
        institutions = Institution.objects.administered_by(user)
        if institutions.exists():
            self.fields["institution"].queryset = institutions
        else:
            del self.fields["institution"]  # only an institution's admins import templates naming several accounts

    def clean(self):
        data = super().clean()
        if bool(data.get("account")) == bool(data.get("institution")):
            message = "Choose the account the file came from."
            if "institution" in self.fields:
                message = "Choose an account, or (for a template naming several accounts) an institution: not both."
            self.add_error("account", message)
        return data
