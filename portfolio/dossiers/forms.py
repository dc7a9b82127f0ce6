"""
The dossier builder's forms. Choices are always limited to what belongs to the dossier's faculty member,
so a posted id of someone else's account, post or activity fails validation instead of being linked.
"""

from django import forms
from django.db.models import Q

from accounts.access import access_for
from accounts.models import Faculty, SocialAccount
from metrics.models import Post
from metrics.vocabulary import CareerCategory
from portfolio.dossiers.models import HIGHLIGHT_REFUSED, Activity, Dossier, Highlight, ScoringProfile

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The as-of rules (`metrics.plausibility`): not after today is refused by `Dossier.clean`; a day before the
# period's end is allowed and explained here, with its consequence.
AS_OF_HELP = (
    "Every number is the latest snapshot on or before this day, which cannot be after today. A day before the "
    "review period ends is allowed: posts published after it are then listed without metrics."
)


class AsOfExplained:
    """A dossier form whose as-of field says what its date means, and what the saved one means for this dossier."""

    def explain_as_of(self) -> None:
        note = self.instance.as_of_note if self.instance.pk else ""
        self.fields["as_of"].help_text = f"{AS_OF_HELP} {note}" if note else AS_OF_HELP


def faculty_choices(user):
    """Whom `user` may build a dossier for: themselves, and the faculty of institutions they administer."""
    access = access_for(user)
    if access.is_superuser:
        return Faculty.objects.all()
    return Faculty.objects.filter(
        Q(pk__in=Faculty.objects.administered_by(user).values("pk")) | Q(pk=access.faculty_id)
    )


def personal_accounts(faculty):
    return SocialAccount.objects.filter(faculty=faculty, kind=SocialAccount.Kind.PERSONAL).select_related("platform")


def scoring_profiles(faculty):
    """The site's default and the published profiles of the faculty member's institutions."""
    institutions = faculty.appointments.values("department__institution")
    return ScoringProfile.objects.filter(Q(institution=None) | Q(institution__in=institutions)).select_related(
        "institution"
    )


def default_profile(faculty) -> ScoringProfile | None:
    """The profile an institution of the faculty member publishes, else the site's default."""
    profiles = list(scoring_profiles(faculty))
    published = [profile for profile in profiles if profile.institution_id]
    return (published or profiles or [None])[0]


class DossierCreateForm(AsOfExplained, forms.ModelForm):
    faculty = forms.ModelChoiceField(queryset=Faculty.objects.none(), label="Faculty member")

    class Meta:
        model = Dossier
        fields = ["faculty", "title", "period_start", "period_end", "as_of"]
        widgets = {"period_start": DATE_INPUT, "period_end": DATE_INPUT, "as_of": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = faculty_choices(user)
        self.fields["faculty"].queryset = choices
        own = access_for(user).faculty_id
        if own is not None and not choices.exclude(pk=own).exists():
            # A faculty member builds their own dossiers: nothing to choose.
            self.fields["faculty"].initial = own
            self.fields["faculty"].widget = forms.HiddenInput()
        self.explain_as_of()

    def save(self, commit=True):
        """A new dossier covers every personal account of its faculty member, with their institution's weights."""
        self.instance.scoring_profile = default_profile(self.instance.faculty)
        dossier = super().save(commit=commit)
        if commit:
            dossier.accounts.set(personal_accounts(dossier.faculty))
        return dossier


class DuplicateForm(AsOfExplained, forms.ModelForm):
    """The new cycle's title, period and as-of date; everything else is copied (`lifecycle.duplicate_dossier`)."""

    class Meta:
        model = Dossier
        fields = ["title", "period_start", "period_end", "as_of"]
        widgets = {"period_start": DATE_INPUT, "period_end": DATE_INPUT, "as_of": DATE_INPUT}

    def __init__(self, *args, source: Dossier, **kwargs):
        super().__init__(*args, instance=Dossier(faculty=source.faculty), **kwargs)
        self.explain_as_of()


class DossierForm(AsOfExplained, forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["title", "period_start", "period_end", "as_of", "narrative", "scoring_profile", "accounts"]
        widgets = {
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "as_of": DATE_INPUT,
            "narrative": forms.Textarea(attrs={"rows": 10}),
            "accounts": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "narrative": "Your scholarship philosophy: why you use social media, for whom, and what it has changed.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        faculty = self.instance.faculty
        self.fields["accounts"].queryset = personal_accounts(faculty)
        self.fields["scoring_profile"].queryset = scoring_profiles(faculty)
        self.fields["scoring_profile"].empty_label = "No composite score (counts by category only)"
        self.explain_as_of()

    def clean(self):
        cleaned_data = super().clean()
        period_and_accounts = ("period_start", "period_end", "accounts")
        if set(period_and_accounts) & set(self.changed_data) and all(
            name in cleaned_data for name in period_and_accounts
        ):
            # The highlights stay as they are: the new period and accounts must still include them.
            changed = Dossier(
                pk=self.instance.pk,
                faculty_id=self.instance.faculty_id,
                period_start=cleaned_data["period_start"],
                period_end=cleaned_data["period_end"],
            )
            changed.validate_highlights(accounts=cleaned_data["accounts"])
        return cleaned_data


class HighlightForm(forms.ModelForm):
    """
    One highlighted post: its order in this dossier, and why it matters here (the category and note of this
    highlight; the post's own category and note are not touched, so nothing written here reaches another dossier).
    """

    position = forms.IntegerField(min_value=0, max_value=999, label="Order")

    class Meta:
        model = Highlight
        fields = ["position", "category", "note"]
        labels = {"category": "Category in this dossier", "note": "Why highlighted"}
        help_texts = {"category": ""}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, highlight: Highlight, **kwargs):
        super().__init__(*args, instance=highlight, prefix=f"h{highlight.pk}", **kwargs)
        self.fields["category"].choices = [("", "Not set"), *CareerCategory.choices]

    @property
    def highlight(self) -> Highlight:
        return self.instance


class AddHighlightForm(forms.Form):
    post = forms.ModelChoiceField(queryset=Post.objects.none(), error_messages={"invalid_choice": HIGHLIGHT_REFUSED})

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.fields["post"].queryset = dossier.highlightable_posts()

    def save(self) -> Highlight:
        last = self.dossier.highlight_rows.order_by("-position").values_list("position", flat=True).first()
        highlight, _ = Highlight.objects.get_or_create(
            dossier=self.dossier, post=self.cleaned_data["post"], defaults={"position": (last or 0) + 1}
        )
        return highlight


class ActivitySelectionForm(forms.Form):
    activities = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Activities in this dossier",
    )

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, initial={"activities": list(dossier.activities.values_list("pk", flat=True))}, **kwargs)
        self.dossier = dossier
        self.fields["activities"].queryset = Activity.objects.filter(faculty=dossier.faculty)

    def save(self) -> None:
        self.dossier.activities.set(self.cleaned_data["activities"])


class ActivityForm(forms.ModelForm):
    url = forms.URLField(assume_scheme="https", required=False, max_length=500, label="Link")

    class Meta:
        model = Activity
        fields = ["kind", "title", "organisation", "started_on", "ended_on", "url", "description"]
        widgets = {
            "started_on": DATE_INPUT,
            "ended_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"started_on": "From", "ended_on": "To"}
