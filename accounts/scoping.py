"""
The base QuerySet for every model whose rows belong to institutions.

Each model says, with three Q objects, which of its rows belong to a set of
institutions, to a set of departments, and to one faculty member. From those,
`visible_to(user)` (read), `editable_by(user)` (write, through the API and
pages) and `administered_by(user)` (the Django admin) apply the roles of
`access.py`. A model whose rows reviewers see only in some state (a dossier
once submitted) narrows their part with `reviewers_q`.
"""

from django.db import models
from django.db.models import Q

from accounts.access import access_for

NOTHING = Q(pk__in=[])


class ScopedQuerySet(models.QuerySet):
    # Whether a faculty member may change their own rows of this model (their accounts,
    # posts and metrics), or only read them (their appointments, their institution).
    faculty_may_change = False

    def institutions_q(self, ids) -> Q:
        raise NotImplementedError

    def departments_q(self, ids) -> Q:
        raise NotImplementedError

    def faculty_q(self, faculty_id) -> Q:
        raise NotImplementedError

    def reviewers_q(self) -> Q:
        """Which of the rows in a reviewer's scope they may read: all of them, unless a model says otherwise."""
        return Q()

    def for_institutions(self, ids):
        return self.filter(self.institutions_q(ids))

    def for_departments(self, ids):
        return self.filter(self.departments_q(ids))

    def for_faculty(self, faculty_id):
        return self.filter(self.faculty_q(faculty_id))

    def visible_to(self, user):
        """Rows `user` may read, by every role they hold."""
        access = access_for(user)
        if access.is_superuser:
            return self
        q = NOTHING
        if access.admin_institution_ids:
            q |= self.institutions_q(access.admin_institution_ids)
        reviewed = NOTHING
        if access.reviewer_institution_ids:
            reviewed |= self.institutions_q(access.reviewer_institution_ids)
        if access.reviewer_department_ids:
            reviewed |= self.departments_q(access.reviewer_department_ids)
        if reviewed is not NOTHING:
            q |= reviewed & self.reviewers_q()
        if access.faculty_id is not None:
            q |= self.faculty_q(access.faculty_id)
        if q is NOTHING:
            return self.none()
        return self.filter(q)

    def editable_by(self, user):
        """Rows `user` may change: an admin's institutions, and a faculty member's own rows where allowed."""
        access = access_for(user)
        if access.is_superuser:
            return self
        q = NOTHING
        if access.admin_institution_ids:
            q |= self.institutions_q(access.admin_institution_ids)
        if access.faculty_id is not None and self.faculty_may_change:
            q |= self.faculty_q(access.faculty_id)
        if q is NOTHING:
            return self.none()
        return self.filter(q)

    def administered_by(self, user):
        """Rows `user` may change as an institution admin (everything, for a superuser)."""
        access = access_for(user)
        if access.is_superuser:
            return self
        if not access.admin_institution_ids:
            return self.none()
        return self.for_institutions(access.admin_institution_ids)
