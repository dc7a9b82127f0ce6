"""
Tenant scoping for the Django admin.

The admin is a data-entry tool for superusers and institution admins only
(staff with an admin `Membership`). Django's model permissions play no part:
the roles of `access.py` decide, so that granting a role is all it takes.

An institution admin sees and changes only what `administered_by(user)` returns,
everywhere a row can surface: changelists, change forms, the choices of every
foreign key (autocomplete results AND the form field's queryset, so a posted id
of another institution's row fails validation), and the sidebar filters (whose
choices would otherwise list other institutions' departments by name).
"""

from django.contrib import admin
from django.db import models

from accounts.access import access_for


def has_admin_access(request) -> bool:
    """Superusers and institution admins; reviewers and faculty never reach the admin."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or access_for(user).is_institution_admin


def visible_rows(admin_site, model, request):
    """The rows of `model` that `request.user` sees in that model's own admin; None if it has none."""
    if not admin_site.is_registered(model):
        return None
    return admin_site.get_model_admin(model).get_queryset(request)


class ScopedChoicesMixin:
    """Foreign-key choices are the rows the user sees in the related model's admin."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = visible_rows(self.admin_site, db_field.related_model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Access by role, rows by `administered_by`, for every model whose QuerySet has it."""

    list_per_page = 50
    # A blank cell reads as "not reported / not computable", never as 0.
    empty_value_display = "—"
    # People paste bare domains; Django 6 will assume https, say so now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "administered_by"):
            queryset = queryset.administered_by(request.user)
        return queryset

    def has_module_permission(self, request):
        return has_admin_access(request)

    def has_view_permission(self, request, obj=None):
        return has_admin_access(request)

    def has_add_permission(self, request):
        return has_admin_access(request)

    def has_change_permission(self, request, obj=None):
        return has_admin_access(request)

    def has_delete_permission(self, request, obj=None):
        # Called with each row a deletion would cascade to: a row outside the
        # user's institutions (say, a shared faculty member's appointment
        # elsewhere) blocks the deletion instead of vanishing with it.
        if not has_admin_access(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()


class ScopedInlineMixin(ScopedChoicesMixin):
    """Inline rows limited like the model's own admin; access follows the parent form's."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "administered_by"):
            queryset = queryset.administered_by(request.user)
        return queryset

    def has_view_permission(self, request, obj=None):
        return has_admin_access(request)

    def has_add_permission(self, request, obj=None):
        return has_admin_access(request)

    def has_change_permission(self, request, obj=None):
        return has_admin_access(request)

    def has_delete_permission(self, request, obj=None):
        return has_admin_access(request)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """
    A sidebar filter on a foreign key that offers only the related rows the user
    may see AND that occur in their rows: never another institution's names.
    """

    def field_choices(self, field, request, model_admin):
        present = model_admin.get_queryset(request).order_by().values(f"{self.field_path}__pk")
        rows = visible_rows(model_admin.admin_site, field.related_model, request)
        if rows is None:
            rows = field.related_model._default_manager.all()
        return [(row.pk, str(row)) for row in rows.filter(pk__in=present)]
