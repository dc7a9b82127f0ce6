from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Appointment, Faculty
from portfolio.dossiers import scoring

FACULTY_PER_PAGE = 25


def home(request):
    """What the site is, for visitors; for signed-in users, their roles and the faculty they may see."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "portfolio/home_anonymous.html")

    # Only appointments the user may see: another institution's appointment of a shared person stays hidden.
    current_appointments = (
        Appointment.objects.visible_to(user)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()))
        .select_related("department__institution")
    )
    faculty = Faculty.objects.visible_to(user).prefetch_related(
        Prefetch("appointments", queryset=current_appointments, to_attr="current_appointments")
    )
    page = Paginator(faculty, FACULTY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "access": access_for(user),
        "memberships": list(user.memberships.select_related("institution", "department")),
        "page": page,
        # Evaluated here (with its prefetch) so that the template runs no queries.
        "faculty_list": list(page),
    }
    return render(request, "portfolio/home.html", context)


def methods(request):
    """The definitions behind every number; public, like the home page."""
    context = {
        "default_weights": [(metric, str(weight)) for metric, weight in scoring.DEFAULT_WEIGHTS.items()],
        "default_weights_rationale": scoring.DEFAULT_PROFILE_DESCRIPTION,
    }
    return render(request, "portfolio/methods.html", context)
