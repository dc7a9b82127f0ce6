"""
The forms that change a faculty member's records. Every rule is the models' own (`metrics.plausibility` through
the field validators and `clean()`, the unique constraints): these forms only say which fields a person edits.
"""

from django import forms
from django.core.exceptions import ValidationError

from accounts.access import access_for
from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS
from metrics.models import Post, PostMetrics, Provenance
from portfolio.dossiers.forms import DATE_INPUT, faculty_choices


class PostForm(forms.ModelForm):
    """What a person may correct of a post; where and when it was published are the platform's, not theirs."""

    url = forms.URLField(assume_scheme="https", required=False, max_length=500, label="Link to the post")

    class Meta:
        model = Post
        fields = ["caption", "url", "content_type", "category"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 6})}


class SnapshotForm(forms.ModelForm):
    """
    A snapshot typed in by hand, or a correction of one. Either is a reading nobody has checked against the
    platform: its source becomes `manual` and a verification it had is dropped (`SnapshotFields.save`) until an
    admin verifies it again.
    """

    class Meta:
        model = PostMetrics
        fields = ["captured_on", *METRIC_FIELDS]
        widgets = {"captured_on": DATE_INPUT}

    def __init__(self, *args, post: Post, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.post = post
        if self.instance.pk is None:
            self.instance.source = Provenance.MANUAL
        for name in METRIC_FIELDS:
            self.fields[name].widget.attrs["min"] = 0

    def validate_unique(self):
        # The post is not a field of the form, so Django would skip the (post, captured_on) constraint; the
        # instance has its post, so the constraint is checked whole and its message shown on the day.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self.add_error("captured_on", error.messages)

    def save(self, commit=True):
        self.instance.mark_new_reading(Provenance.MANUAL)
        return super().save(commit)


class AccountForm(forms.ModelForm):
    """A personal account: whose it is (an admin picks among their faculty), where, and under which handle."""

    url = forms.URLField(assume_scheme="https", required=False, max_length=500, label="Address of the account")

    class Meta:
        model = SocialAccount
        fields = ["faculty", "platform", "handle", "url", "display_name"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = faculty_choices(user)
        self.fields["faculty"].queryset = choices
        self.fields["faculty"].required = True
        self.fields["faculty"].label = "Faculty member"
        own = access_for(user).faculty_id
        if self.instance.pk is not None:
            # Who owns an account stays as it is: its posts and numbers are that person's evidence.
            del self.fields["faculty"]
        elif own is not None and not choices.exclude(pk=own).exists():
            self.fields["faculty"].initial = own
            self.fields["faculty"].widget = forms.HiddenInput()
        self.instance.kind = SocialAccount.Kind.PERSONAL
