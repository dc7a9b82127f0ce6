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

from dataclasses import dataclass


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
