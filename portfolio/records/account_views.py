"""
Accounts kept in the site: a faculty member adds and edits their own personal accounts; an institution admin
those of their institution's faculty. Reviewers read the list and change nothing; another institution's
account is 404. Institution, department and program accounts are listed but changed in the admin, where their
owner is chosen: these pages edit personal accounts only (another kind's edit page is 404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import log_refused_write
from accounts.models import SocialAccount
from metrics.models import with_followers_as_of, with_post_count
from portfolio.dossiers.forms import faculty_choices
from portfolio.records.access import record_for
from portfolio.records.forms import AccountForm
from portfolio.records.paging import page_of

PERSONAL = SocialAccount.objects.filter(kind=SocialAccount.Kind.PERSONAL)


@login_required
def account_list(request):
    today = timezone.localdate()
    accounts = SocialAccount.objects.visible_to(request.user).select_related("platform", "faculty")
    accounts = with_post_count(with_followers_as_of(accounts, today)).order_by("faculty__name", "platform__name", "pk")
    page = page_of(accounts, request.GET.get("page"))
    editable = set(
        PERSONAL.editable_by(request.user).filter(pk__in=[a.pk for a in page.rows]).values_list("pk", flat=True)
    )
    context = {
        "page": page,
        "accounts": [{"account": account, "can_change": account.pk in editable} for account in page.rows],
        "can_add": faculty_choices(request.user).exists(),
        "as_of": today,
    }
    return render(request, "records/accounts.html", context)


@login_required
def account_add(request):
    if not faculty_choices(request.user).exists():
        log_refused_write(request)
        raise PermissionDenied("Only faculty members and institution admins add accounts.")
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account = form.save()
        messages.success(
            request, f"Account {account.handle} added. Import its analytics export, or add posts' numbers by hand."
        )
        return redirect("records:accounts")
    return render(request, "records/account_form.html", {"form": form, "account": None})


@login_required
def account_edit(request, pk: int):
    account = record_for(request, PERSONAL.select_related("platform"), pk, change=True)
    form = AccountForm(request.POST or None, instance=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Account {account.handle} saved.")
        return redirect("records:accounts")
    return render(request, "records/account_form.html", {"form": form, "account": account})
