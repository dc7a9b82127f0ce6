from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portfolio.privacy.drafts import check_draft, pieces
from portfolio.privacy.forms import DraftForm
from portfolio.privacy.rules import KINDS, SEVERITY_LABELS


@login_required
@never_cache  # the page holds the draft: no copy of it in any cache
def check(request):
    """Paste a draft caption, see what may identify a patient and how to say it more safely. Nothing is stored."""
    form = DraftForm(request.POST or None)
    context = {"form": form, "severities": SEVERITY_LABELS, "kinds": KINDS}
    if request.method == "POST" and form.is_valid():
        caption = form.cleaned_data["caption"]
        flags = check_draft(
            caption, published_at=form.cleaned_data["published_at"], event_date=form.cleaned_data["event_date"]
        )
        context.update(checked=True, flags=flags, pieces=pieces(caption, flags))
    return render(request, "privacy/check.html", context)
