from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Appointment, Faculty, SocialAccount
from metrics.engagement import empty_summary
from metrics.jobs import BackgroundJob
from metrics.models import Post, with_followers_as_of, with_post_count
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


@login_required
def faculty_profile(request, pk: int):
    """One person's appointments and personal accounts, with engagement as of today."""
    user = request.user
    # 404 rather than 403: a person of another institution must not be revealed to exist.
    faculty = get_object_or_404(Faculty.objects.visible_to(user), pk=pk)
    today = timezone.localdate()
    appointments = faculty.appointments.visible_to(user).select_related("department__institution")
    accounts = SocialAccount.objects.visible_to(user).filter(faculty=faculty).select_related("platform")
    accounts = list(with_post_count(with_followers_as_of(accounts, today)))
    summaries = Post.objects.filter(account__in=[a.pk for a in accounts]).engagement_summaries_by_account(today)
    for account in accounts:
        account.engagement = summaries.get(account.pk) or empty_summary(today)
    context = {
        "faculty": faculty,
        "is_own_profile": access_for(user).faculty_id == faculty.pk,
        "appointments": list(appointments),
        "accounts": accounts,
        "as_of": today,
    }
    return render(request, "accounts/faculty_profile.html", context)


def methods(request):
    """The definitions behind every number; public, like the home page."""
    context = {
        "default_weights": [(metric, str(weight)) for metric, weight in scoring.DEFAULT_WEIGHTS.items()],
        "default_weights_rationale": scoring.DEFAULT_PROFILE_DESCRIPTION,
    }
    return render(request, "portfolio/methods.html", context)


@login_required
def job_page(request, pk: int):
    """
    Background work the user started (a large import, a freeze, a PDF) while it waits or runs, with its
    progress; once done, its result: an import's batch or a frozen version opens at once, a PDF is a link.
    """
    job = get_object_or_404(BackgroundJob.objects.visible_to(request.user), pk=pk)
    if job.status == BackgroundJob.Status.DONE:
        if job.import_batch_id:
            return redirect("imports:batch", pk=job.import_batch_id)
        if job.result_url and job.kind == BackgroundJob.Kind.FREEZE:
            return redirect(job.result_url)
    return render(request, "portfolio/job.html", {"job": job, "rows_done": job.progress()})
