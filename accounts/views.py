from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Faculty, SocialAccount
from metrics.engagement import empty_summary
from metrics.models import Post, with_followers_as_of, with_post_count


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
