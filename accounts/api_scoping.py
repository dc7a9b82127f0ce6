"""
Tenant rules for the REST API, shared by every endpoint.

- Reads: a viewset's queryset is `visible_to(user)`, so another institution's
  object is simply not found (404), on read and on write alike.
- Writes: the saved object must be in `editable_by(user)` (checked after the
  save, inside the transaction, so the rule covers moving an object as well as
  creating one); otherwise 403 and nothing is written. Each refused write is
  logged (user id, method, view, object id) by the API's exception handler,
  `portfolio.errors.api_exception_handler`, for every API view alike.
- Related objects named in a request body are looked up among the objects the
  user may see: an id of another institution's object is "does not exist".
- Model validation (`full_clean`: field validators, `clean()`, constraints)
  runs for every write, so a rule stated on a model holds in the API too.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.fields import get_error_detail

from accounts.access import access_for
from accounts.models import Department, Faculty, Institution

READ_ONLY_ROLE = "Your role allows reading this, not changing it."
# Ids are positive 64-bit integers; a larger number is invalid input (400), never a database error.
MAX_ID = 2**63 - 1


def may_write_at_all(user, model) -> bool:
    """Whether `user` holds any role that changes rows of `model` (before looking at a row)."""
    access = access_for(user)
    if access.is_superuser or access.is_institution_admin:
        return True
    return access.faculty_id is not None and model.objects.none().faculty_may_change


class RolePermission(permissions.IsAuthenticated):
    """Signed in to read; a writing role to write; the object itself in `editable_by` to change it."""

    message = READ_ONLY_ROLE

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.lookup_url_kwarg in view.kwargs or view.lookup_field in view.kwargs:
            # A change to one object: look it up first, so that an object the user cannot see
            # answers 404 whatever their role; has_object_permission then says 403 or yes.
            return True
        return may_write_at_all(request.user, view.get_queryset().model)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A model's rows as the user may see them; writes checked against `editable_by`."""

    permission_classes = [RolePermission]

    def base_queryset(self):
        """The model's queryset with what the serializer needs (select_related, annotations)."""
        return self.queryset.all()

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        self.save_in_scope(serializer)

    def perform_update(self, serializer):
        self.save_in_scope(serializer)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as error:
            used_by = getattr(error, "protected_objects", None) or error.restricted_objects
            names = sorted({str(obj._meta.verbose_name_plural) for obj in used_by})
            raise Conflict(f"Still used by {', '.join(names)}: delete or move those first.") from None

    def save_in_scope(self, serializer) -> None:
        user = self.request.user
        with transaction.atomic():
            instance = serializer.save()
            if not type(instance).objects.editable_by(user).filter(pk=instance.pk).exists():
                # Raised inside the atomic block: the row just saved is rolled back.
                raise PermissionDenied("You may not create or move this object there.")
        # Answer with the object as the list shows it (annotations included).
        serializer.instance = self.get_queryset().get(pk=instance.pk)


class Conflict(APIException):
    status_code = 409
    default_detail = "This object is still in use."
    default_code = "conflict"


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related choices limited to what the user sees; model validation on every write."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or request.method in permissions.SAFE_METHODS:
            # Related choices matter to writes only (validating an id; the browsable API's forms, which it
            # builds as a POST or PUT): a read shows the ids it has, and scoping would cost a queryset apiece.
            return fields
        for field in fields.values():
            target = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            queryset = getattr(target, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                target.queryset = queryset.visible_to(request.user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self.instance if self.instance is not None else model()
        # Validate a copy so that a refused write leaves the instance as it was.
        candidate = model(**{f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields})
        candidate._state.adding = instance._state.adding
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=self.model_validation_exclude())
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_errors(error)) from None
        return attrs

    def model_validation_exclude(self) -> list[str]:
        """Model fields the serializer does not write are not this request's problem."""
        return []


def as_serializer_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): get_error_detail(DjangoValidationError(messages))
            for field, messages in error.error_dict.items()
        }
    return get_error_detail(error)


class VisibleChoicesFilterSet(django_filters.FilterSet):
    """
    Filters naming a related object accept only objects the user may see: another institution's
    id is refused exactly as an unknown id is, so a filter cannot tell that it exists.
    """

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is None:
            return
        for filter_ in self.filters.values():
            queryset = getattr(filter_, "queryset", None)
            if isinstance(filter_, django_filters.ModelChoiceFilter) and hasattr(queryset, "visible_to"):
                filter_.queryset = queryset.visible_to(request.user)


@extend_schema_field(OpenApiTypes.INT)
class BelongsToFilter(django_filters.ModelChoiceFilter):
    """An id of an institution, department or faculty member whose rows are wanted (the method says how)."""


class ScopedFilterSet(VisibleChoicesFilterSet):
    """The `institution`, `department` and `faculty` filters, meaning "belongs to", for every scoped model."""

    institution = BelongsToFilter(
        queryset=Institution.objects.all(), method="filter_institution", label="Belongs to institution (id)"
    )
    department = BelongsToFilter(
        queryset=Department.objects.all(), method="filter_department", label="Belongs to department (id)"
    )
    faculty = BelongsToFilter(
        queryset=Faculty.objects.all(), method="filter_faculty", label="Belongs to faculty member (id)"
    )

    def filter_institution(self, queryset, name, value):
        return queryset.for_institutions([value.pk])

    def filter_department(self, queryset, name, value):
        return queryset.for_departments([value.pk])

    def filter_faculty(self, queryset, name, value):
        return queryset.for_faculty(value.pk)
