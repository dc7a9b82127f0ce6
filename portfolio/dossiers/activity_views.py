"""
Activities from within a dossier: evidence that is not a post (peer review, moderation, editorial roles,
invitations, media). An activity belongs to the faculty member and can serve several dossiers; each dossier
chooses which of them it includes. Permissions are the dossier's (see `views.dossier_for`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from portfolio.dossiers.forms import ActivityForm, ActivitySelectionForm
from portfolio.dossiers.models import Activity
from portfolio.dossiers.views import dossier_for


@login_required
def activity_list(request, pk: int):
    """The faculty member's activities, with a checkbox each for this dossier."""
    dossier = dossier_for(request, pk, change=True)
    form = ActivitySelectionForm(request.POST or None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The dossier's activities are saved.")
        return redirect("dossiers:activities", pk=dossier.pk)
    activities = {activity.pk: activity for activity in form.fields["activities"].queryset}
    context = {"dossier": dossier, "form": form, "activities": activities, "tab": "activities"}
    return render(request, "dossiers/activities.html", context)


@login_required
def activity_create(request, pk: int):
    dossier = dossier_for(request, pk, change=True)
    form = ActivityForm(request.POST or None, instance=Activity(faculty=dossier.faculty))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            activity = form.save()
            # Recorded from this dossier, so it belongs in it; the list lets the faculty member take it out.
            dossier.activities.add(activity)
        messages.success(request, f"“{activity.title}” recorded and included in this dossier.")
        return redirect("dossiers:activities", pk=dossier.pk)
    return render(request, "dossiers/activity_form.html", {"dossier": dossier, "form": form, "tab": "activities"})


@login_required
def activity_edit(request, pk: int, activity_pk: int):
    dossier = dossier_for(request, pk, change=True)
    activity = get_object_or_404(Activity.objects.filter(faculty=dossier.faculty), pk=activity_pk)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"“{activity.title}” saved.")
        return redirect("dossiers:activities", pk=dossier.pk)
    context = {"dossier": dossier, "form": form, "activity": activity, "tab": "activities"}
    return render(request, "dossiers/activity_form.html", context)


@login_required
def activity_delete(request, pk: int, activity_pk: int):
    """Asks first: an activity may also appear in the faculty member's other dossiers."""
    dossier = dossier_for(request, pk, change=True)
    activity = get_object_or_404(Activity.objects.filter(faculty=dossier.faculty), pk=activity_pk)
    if request.method == "POST":
        activity.delete()
        messages.success(request, f"“{activity.title}” deleted.")
        return redirect("dossiers:activities", pk=dossier.pk)
    other_dossiers = list(activity.dossiers.exclude(pk=dossier.pk).values_list("title", flat=True))
    context = {"dossier": dossier, "activity": activity, "other_dossiers": other_dossiers, "tab": "activities"}
    return render(request, "dossiers/activity_delete.html", context)
