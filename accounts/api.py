"""API endpoints for institutions, people, roles, platforms and social accounts."""

import django_filters
from django.contrib.auth import get_user_model
from rest_framework import permissions, viewsets
from rest_framework.exceptions import PermissionDenied

from accounts import serializers
from accounts.access import access_for, can_manage_login, own_login_refusal, users_administered_by
from accounts.api_scoping import ScopedFilterSet, ScopedModelViewSet, VisibleChoicesFilterSet
from accounts.models import Appointment, Department, Faculty, Institution, Membership, Platform, SocialAccount


class InstitutionViewSet(ScopedModelViewSet):
    queryset = Institution.objects.all()
    serializer_class = serializers.InstitutionSerializer
    filterset_fields = ["slug", "country"]
    ordering_fields = ["name", "slug"]


class DepartmentFilter(VisibleChoicesFilterSet):
    class Meta:
        model = Department
        fields = ["institution", "slug"]


class DepartmentViewSet(ScopedModelViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = DepartmentFilter
    ordering_fields = ["name", "slug", "institution"]


class InstitutionAdminsOnly(permissions.IsAuthenticated):
    """Logins are provisioned by superusers and institution admins, for their own institution."""

    message = "Only superusers and institution admins manage logins."

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        access = access_for(request.user)
        return access.is_superuser or access.is_institution_admin

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or can_manage_login(request.user, obj)


class UserViewSet(viewsets.ModelViewSet):
    serializer_class = serializers.UserSerializer
    permission_classes = [InstitutionAdminsOnly]
    filterset_fields = ["username", "email", "is_active"]
    ordering_fields = ["username", "id"]

    def get_queryset(self):
        return users_administered_by(self.request.user, get_user_model().objects.order_by("id"))

    def perform_destroy(self, instance):
        refusal = own_login_refusal(self.request.user, instance, deleting=True)
        if refusal:
            raise PermissionDenied(refusal)
        instance.delete()


class MembershipFilter(VisibleChoicesFilterSet):
    class Meta:
        model = Membership
        fields = ["user", "institution", "department", "role"]


class MembershipViewSet(ScopedModelViewSet):
    queryset = Membership.objects.select_related("user")
    serializer_class = serializers.MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["id", "role"]


class FacultyFilter(ScopedFilterSet):
    class Meta:
        model = Faculty
        fields = ["rank", "track", "email", "orcid"]


class FacultyViewSet(ScopedModelViewSet):
    queryset = Faculty.objects.all()
    serializer_class = serializers.FacultySerializer
    filterset_class = FacultyFilter
    ordering_fields = ["name", "id"]

    def perform_create(self, serializer):
        if not access_for(self.request.user).is_superuser and "department" not in serializer.validated_data:
            # Without an appointment the new person would belong to no institution, not even the admin's.
            raise PermissionDenied("Name the department of the new faculty member's appointment (`department`).")
        super().perform_create(serializer)


class AppointmentFilter(ScopedFilterSet):
    class Meta:
        model = Appointment
        fields = ["primary"]


class AppointmentViewSet(ScopedModelViewSet):
    queryset = Appointment.objects.all()
    serializer_class = serializers.AppointmentSerializer
    filterset_class = AppointmentFilter
    ordering_fields = ["id", "start_date"]


class PlatformViewSet(viewsets.ReadOnlyModelViewSet):
    """The platform registry: what each platform offers and what its analytics report."""

    queryset = Platform.objects.all()
    serializer_class = serializers.PlatformSerializer
    lookup_field = "key"
    filterset_fields = ["has_stories", "has_hashtags", "has_direct_messages"]
    ordering_fields = ["name", "key"]


class SocialAccountFilter(ScopedFilterSet):
    platform = django_filters.CharFilter(field_name="platform__key", label="Platform key, e.g. instagram")
    handle = django_filters.CharFilter(field_name="handle", lookup_expr="iexact")

    class Meta:
        model = SocialAccount
        fields = ["kind"]


# The account resource as this app knows it: the API serves `metrics.api.SocialAccountViewSet`, which adds each
# account's followers, its engagement and its audience.
class SocialAccountViewSet(ScopedModelViewSet):
    queryset = SocialAccount.objects.all()
    serializer_class = serializers.SocialAccountSerializer
    filterset_class = SocialAccountFilter
    ordering_fields = ["handle", "id"]

    def base_queryset(self):
        return self.queryset.select_related("platform")
