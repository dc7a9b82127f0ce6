from django import forms

from metrics.plausibility import caption_problem


class DraftForm(forms.Form):
    """A draft caption to check, with when it will be posted and when its event happened (both optional)."""

    caption = forms.CharField(
        label="Draft caption",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paste the caption as you would post it. It is checked and forgotten: nothing is stored.",
    )
    published_at = forms.DateTimeField(
        label="Planned publication (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text='Dates what the caption calls "yesterday" or "last night". Blank: unknown, or now if you give '
        "the event's date.",
    )
    event_date = forms.DateField(
        label="Date of the event the post describes (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The scan, the injury or the visit: a post within days of it can point at the patient.",
    )

    def clean_caption(self):
        caption = self.cleaned_data["caption"]
        problem = caption_problem(caption)
        if problem:
            raise forms.ValidationError(f"This caption cannot be checked: {problem}.")
        return caption
