"""
Who may see what: the roles of one user, read once per request.

Every QuerySet's `visible_to(user)` and `administered_by(user)` start from here,
so the permission table of the design lives in one place:

- a superuser reads and changes everything;
- an institution admin reads and changes everything of their institutions;
- a reviewer reads everything of their departments (or, with an
  institution-wide membership, of their institution) and changes nothing;
- a faculty member reads and changes their own data.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    is_superuser: bool = False
    admin_institution_ids: frozenset[int] = frozenset()
    reviewer_institution_ids: frozenset[int] = frozenset()
    reviewer_department_ids: frozenset[int] = frozenset()
    faculty_id: int | None = None

    @property
    def readable_institution_ids(self) -> frozenset[int]:
        """Institutions whose data is readable in full (admins and institution-wide reviewers)."""
        return self.admin_institution_ids | self.reviewer_institution_ids

    @property
    def is_institution_admin(self) -> bool:
        return bool(self.admin_institution_ids)


NO_ACCESS = Access()


def access_for(user) -> Access:
    """The roles of `user`, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_some_access", None)
    if cached is not None:
        return cached

    from accounts.models import Faculty, Membership

    admin_inst, reviewer_inst, reviewer_dept = set(), set(), set()
    for role, institution_id, department_id in Membership.objects.filter(user=user).values_list(
        "role", "institution_id", "department_id"
    ):
        if role == Membership.Role.ADMIN:
            admin_inst.add(institution_id)
        elif department_id is None:
            reviewer_inst.add(institution_id)
        else:
            reviewer_dept.add(department_id)
    faculty_id = Faculty.objects.filter(user=user).values_list("pk", flat=True).first()
    access = Access(
        is_superuser=user.is_superuser,
        admin_institution_ids=frozenset(admin_inst),
        reviewer_institution_ids=frozenset(reviewer_inst),
        reviewer_department_ids=frozenset(reviewer_dept),
        faculty_id=faculty_id,
    )
    user._some_access = access
    return access


def log_refused_write(request, *, object_id=None) -> None:
    """
    One WARNING line for a change that the user's role does not allow (a 403, on a write or on the page of a
    form that would write): the user's id, the method, the view's name and the object's id when there is one.
    Ids only: no names, addresses or request content. Another institution's data answers 404 and is not logged
    as a refusal: that answer reveals nothing and is routine, and logging it would only flood the log.
    """
    match = getattr(request, "resolver_match", None)
    logger.warning(
        "Change refused: user %s, %s %s, object %s",
        getattr(request.user, "pk", None),
        request.method,
        match.view_name if match else "(unresolved)",
        object_id if object_id is not None else "-",
    )


def users_administered_by(user, users=None):
    """
    Logins an institution admin may see and pick: people of their institutions
    (a role there or a faculty record with an appointment there), plus logins
    that belong nowhere yet, so that a freshly created user can be given a role.
    Superusers are never in an institution admin's reach.
    """
    from accounts.models import Faculty, Membership

    users = get_user_model().objects.all() if users is None else users
    access = access_for(user)
    if access.is_superuser:
        return users
    if not access.admin_institution_ids:
        return users.none()
    ids = access.admin_institution_ids
    # `user__isnull=False`: a NULL inside NOT IN (...) would make the whole test unknown.
    faculty_logins = Faculty.objects.filter(user__isnull=False).values("user")
    in_institution = Q(pk__in=Membership.objects.filter(institution__in=ids).values("user")) | Q(
        pk__in=faculty_logins.filter(pk__in=Faculty.objects.for_institutions(ids).values("pk"))
    )
    unattached = ~Q(pk__in=Membership.objects.values("user")) & ~Q(pk__in=faculty_logins)
    return users.filter(in_institution | unattached).filter(is_superuser=False)


def can_manage_login(user, login) -> bool:
    """
    Whether `user` may change or delete `login` (already known to be in their reach).
    A login with a role at another institution, or with Django permissions that
    only a superuser can grant, stays read-only: whoever sets its password gets
    what it can reach.
    """
    from accounts.models import Membership

    access = access_for(user)
    if access.is_superuser:
        return True
    if login.is_superuser:
        return False
    if Membership.objects.filter(user=login).exclude(institution__in=access.admin_institution_ids).exists():
        return False
    return not (login.groups.exists() or login.user_permissions.exists())
