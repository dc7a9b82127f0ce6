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
from django.core.exceptions import ValidationError
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


def sees_everything(user) -> bool:
    """`access_for(user).is_superuser`, without reading the user's roles (two queries) when that is all one needs."""
    return user is not None and user.is_authenticated and user.is_active and user.is_superuser


def access_for(user) -> Access:
    """
    The roles of `user`, cached on the user object for the rest of the request, and remembered by the process
    until the scope stamp changes (`accounts/scope_stamp.py`). The login's own flags are read from `user`.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_some_access", None)
    if cached is not None:
        return cached

    from accounts.scope_stamp import remembered  # here: the module needs the models, whose QuerySets need this one

    admin_inst, reviewer_inst, reviewer_dept, faculty_id = remembered("roles", user, lambda: _roles(user))
    access = Access(
        is_superuser=user.is_superuser,
        admin_institution_ids=admin_inst,
        reviewer_institution_ids=reviewer_inst,
        reviewer_department_ids=reviewer_dept,
        faculty_id=faculty_id,
    )
    user._some_access = access
    return access


def _roles(user) -> tuple[frozenset[int], frozenset[int], frozenset[int], int | None]:
    """What `Access` holds beyond the login's own flags: (admin institutions, reviewer institutions, reviewer
    departments, faculty record), two queries."""
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
    return frozenset(admin_inst), frozenset(reviewer_inst), frozenset(reviewer_dept), faculty_id


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
    Logins an institution admin may see and pick: people of their institutions (a role there or a faculty record
    with an appointment there). A login that belongs nowhere (no role, no faculty record) is a superuser's alone:
    were it in every institution admin's reach, any of them could set its password and claim it. That is why
    an institution admin gives a new login its place in the same step that creates it (`attach_new_login`).
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
    faculty_logins = Faculty.objects.for_institutions(ids).filter(user__isnull=False).values("user")
    in_institution = Q(pk__in=Membership.objects.filter(institution__in=ids).values("user")) | Q(pk__in=faculty_logins)
    return users.filter(in_institution).filter(is_superuser=False)


NEW_LOGIN_NEEDS_A_PLACE = (
    "Give the new login its place at your institution: a role (role and institution, and a department for a "
    "department reviewer) or a faculty record without a login (faculty). A login that belongs nowhere is "
    "visible to superusers only."
)


def check_new_login_place(user, *, faculty=None, role: str = "", institution=None, department=None) -> None:
    """
    Refuses (ValidationError) the place `user` gives a login they are creating: a faculty record of theirs that has
    no login yet, or a role at one of their institutions (in one of its departments, for a department role).
    A superuser may also give none. Both at once is refused too: one login, one way in.
    """
    from accounts.models import Faculty, Membership

    access = access_for(user)
    if faculty is not None and (role or institution is not None or department is not None):
        raise ValidationError("Give the new login either a faculty record or a role, not both.")
    if faculty is not None:
        if not Faculty.objects.administered_by(user).filter(pk=faculty.pk).exists():
            raise ValidationError({"faculty": "No such faculty record at your institution."})
        if faculty.user_id is not None:
            raise ValidationError({"faculty": "This faculty record already has a login."})
        return
    if not role and institution is None and department is None:
        if access.is_superuser:
            return
        raise ValidationError(NEW_LOGIN_NEEDS_A_PLACE)
    if not role or institution is None:
        raise ValidationError("A role needs both `role` and `institution`.")
    if not access.is_superuser and institution.pk not in access.admin_institution_ids:
        raise ValidationError({"institution": "You may give roles at your own institution only."})
    if department is not None and department.institution_id != institution.pk:
        raise ValidationError({"department": "This department belongs to another institution."})
    Membership(role=role, institution=institution, department=department).full_clean(exclude=["user"])


def attach_new_login(user, login, *, faculty=None, role: str = "", institution=None, department=None) -> None:
    """Gives `login`, just created by `user`, its place (checked by `check_new_login_place`); call inside the
    transaction that created it, so that a refusal leaves no login behind."""
    from accounts.models import Membership

    check_new_login_place(user, faculty=faculty, role=role, institution=institution, department=department)
    if faculty is not None:
        faculty.user = login
        faculty.save(update_fields=["user"])
    elif role:
        membership = Membership.objects.create(user=login, role=role, institution=institution, department=department)
        turn_on_staff_for_admin_role(membership)


def turn_on_staff_for_admin_role(membership) -> bool:
    """Gives an institution admin's login staff status, without which the role would not open the admin.
    True if it was off."""
    from accounts.models import Membership

    login = membership.user
    if membership.role != Membership.Role.ADMIN or login.is_staff:
        return False
    login.is_staff = True
    login.save(update_fields=["is_staff"])
    return True


# What nobody may change on their own login: a superuser who unticks one of them locks themselves out, and the
# site may be left with no superuser at all. Another superuser does it, if it must be done.
OWN_LOGIN_LOCKED_FIELDS = ("is_active", "is_staff", "is_superuser")


def own_login_refusal(user, login, *, deleting: bool = False, changes: dict | None = None) -> str | None:
    """Why `user` may not delete `login` or make these `changes` to it (None if they may): nobody deletes,
    deactivates or demotes their own login."""
    if user.pk is None or login.pk != user.pk:
        return None
    if deleting:
        return "You cannot delete your own login: ask another superuser."
    for name in OWN_LOGIN_LOCKED_FIELDS:
        if name in (changes or {}) and not changes[name] and getattr(login, name):
            return "You cannot deactivate or demote your own login: ask another superuser."
    return None


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
