"""API representations of institutions, people, roles, platforms and accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from accounts.access import attach_new_login, check_new_login_place, own_login_refusal, users_administered_by
from accounts.api_scoping import ScopedModelSerializer, as_serializer_errors
from accounts.models import Appointment, Department, Faculty, Institution, Membership, Platform, SocialAccount


class LoginField(serializers.PrimaryKeyRelatedField):
    """A user id, among the logins the requesting admin may manage."""

    def get_queryset(self):
        request = self.context.get("request")
        return users_administered_by(request.user) if request else get_user_model().objects.none()


class InstitutionSerializer(ScopedModelSerializer):
    country = CountryField()

    class Meta:
        model = Institution
        fields = ["id", "name", "slug", "country", "timezone", "shares_aggregates"]


class DepartmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "institution", "name", "slug"]


class AdministeredField(serializers.PrimaryKeyRelatedField):
    """An id among the rows the requesting user administers: any other id "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.administered_by(request.user) if request else queryset.none()


PLACE_HELP = "On creation only, write-only: where the new login belongs (required for institution admins). "


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text="Write-only. Checked against the site's password rules.",
    )
    faculty = AdministeredField(
        queryset=Faculty.objects.filter(user__isnull=True),
        write_only=True,
        required=False,
        help_text=PLACE_HELP + "a faculty record without a login, which becomes theirs.",
    )
    role = serializers.ChoiceField(
        choices=Membership.Role.choices,
        write_only=True,
        required=False,
        help_text=PLACE_HELP + "a role at `institution` (and `department`, for a department reviewer).",
    )
    institution = AdministeredField(queryset=Institution.objects.all(), write_only=True, required=False)
    department = AdministeredField(queryset=Department.objects.all(), write_only=True, required=False)

    PLACE_FIELDS = ("faculty", "role", "institution", "department")

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "password",
            "is_active",
            "faculty",
            "role",
            "institution",
            "department",
        ]

    def validate_password(self, value):
        validate_password(value, user=self.instance)
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        request = self.context["request"]
        if self.instance is not None:
            for name in self.PLACE_FIELDS:
                attrs.pop(name, None)
            refusal = own_login_refusal(request.user, self.instance, changes=attrs)
            if refusal:
                raise serializers.ValidationError(refusal)
            return attrs
        try:
            check_new_login_place(request.user, **self.place(attrs))
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_errors(error)) from None
        return attrs

    def place(self, attrs) -> dict:
        return {name: attrs[name] for name in self.PLACE_FIELDS if name in attrs}

    def create(self, validated_data):
        place = self.place(validated_data)
        for name in place:
            validated_data.pop(name)
        password = validated_data.pop("password", None)
        user = get_user_model()(**validated_data)
        # No password given: the person cannot sign in until one is set.
        user.set_password(password) if password else user.set_unusable_password()
        with transaction.atomic():
            user.save()
            attach_new_login(self.context["request"].user, user, **place)
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if password:
            instance.set_password(password)
        instance.save()
        return instance


class MembershipSerializer(ScopedModelSerializer):
    user = LoginField()

    class Meta:
        model = Membership
        fields = ["id", "user", "institution", "department", "role"]


class FacultySerializer(ScopedModelSerializer):
    user = LoginField(required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        write_only=True,
        required=False,
        help_text=(
            "On creation: also give the person a primary appointment in this department. "
            "Required for institution admins, whose faculty belong to their institution through appointments."
        ),
    )

    class Meta:
        model = Faculty
        fields = ["id", "name", "email", "rank", "track", "orcid", "user", "department"]

    def validate(self, attrs):
        department = attrs.pop("department", None)
        attrs = super().validate(attrs)
        if department is not None:
            attrs["department"] = department
        return attrs

    def create(self, validated_data):
        department = validated_data.pop("department", None)
        with transaction.atomic():
            faculty = super().create(validated_data)
            if department is not None:
                Appointment.objects.create(faculty=faculty, department=department, primary=True)
        return faculty

    def update(self, instance, validated_data):
        validated_data.pop("department", None)
        return super().update(instance, validated_data)


class AppointmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Appointment
        fields = ["id", "faculty", "department", "title", "primary", "start_date", "end_date"]


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = Platform.FIELDS


class SocialAccountSerializer(ScopedModelSerializer):
    platform = serializers.SlugRelatedField(slug_field="key", queryset=Platform.objects.all())

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "platform",
            "handle",
            "url",
            "display_name",
            "kind",
            "faculty",
            "department",
            "institution",
        ]

    def validate_handle(self, value):
        # The same normalisation as the model's save(), before the uniqueness check sees it.
        return value.strip().lstrip("@")
