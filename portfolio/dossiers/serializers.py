"""API representations of dossiers, their highlights and activities, frozen versions and reviewer links."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api_scoping import MAX_ID, ScopedModelSerializer
from portfolio.dossiers import sharing
from portfolio.dossiers.exports import LIVE_FORMATS, VERSION_FORMATS
from portfolio.dossiers.forms import personal_accounts, scoring_profiles
from portfolio.dossiers.models import (
    Activity,
    Dossier,
    DossierVersion,
    Highlight,
    HighlightEvidence,
    ScoringProfile,
    ShareAccess,
    ShareLink,
)
from portfolio.dossiers.verification import version_url
from portfolio.privacy.rules import post_flags
from portfolio.privacy.serializers import ImageFlagSerializer, PrivacyFlagSerializer

# Written through the dossier but not columns of it: kept out of the model validation of its fields.
RELATED_FIELDS = ("accounts", "activities", "highlight_rows")


class ActivitySerializer(ScopedModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "faculty", "kind", "title", "organisation", "started_on", "ended_on", "url", "description"]


class EvidenceSerializer(serializers.ModelSerializer):
    """A highlight's screenshot and public link, and what the image check found (written as multipart)."""

    flags = serializers.SerializerMethodField()
    blocks_freezing = serializers.SerializerMethodField()
    ocr_pending = serializers.BooleanField(read_only=True)
    privacy_acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = HighlightEvidence
        fields = [
            "url",
            "image_sha256",
            "content_type",
            "width",
            "height",
            "uploaded_at",
            "ocr_pending",
            "flags",
            "blocks_freezing",
            "privacy_acknowledged",
        ]
        read_only_fields = fields

    @extend_schema_field(ImageFlagSerializer(many=True))
    def get_flags(self, evidence) -> list[dict]:
        return [flag.as_dict() for flag in evidence.flags()]

    def get_blocks_freezing(self, evidence) -> bool:
        return bool(evidence.unresolved_flags())

    def get_privacy_acknowledged(self, evidence) -> bool:
        return evidence.privacy_acknowledged_at is not None


class AcknowledgedField(serializers.BooleanField):
    """Whether someone acknowledged the highlight's privacy flags (stored as who and when)."""

    def get_attribute(self, highlight):
        return highlight.privacy_acknowledged_at is not None


class HighlightSerializer(serializers.ModelSerializer):
    # An id only: the dossier's serializer looks it up among the posts the dossier may highlight, so that every
    # refused post (another institution's, or one that does not exist, included) gets the same answer.
    post = serializers.IntegerField(source="post_id", min_value=1, max_value=MAX_ID)
    privacy_flags = serializers.SerializerMethodField()
    # Read here; written as multipart through `dossiers/{id}/highlights/{post}/evidence/`.
    evidence = serializers.SerializerMethodField()
    privacy_acknowledged = AcknowledgedField(
        default=False,
        help_text="True once a person has checked the flagged caption and found it identifies no one.",
    )

    class Meta:
        model = Highlight
        fields = [
            "post",
            "position",
            "note",
            "category",
            "privacy_flags",
            "privacy_acknowledged",
            "privacy_acknowledged_at",
            "evidence",
        ]
        read_only_fields = ["privacy_acknowledged_at"]
        extra_kwargs = {
            "note": {"help_text": "Why the post is highlighted in this dossier; no other dossier shows it."},
            "category": {
                "help_text": (
                    "Why the post matters in this dossier. The post's own `category` (its classification, which "
                    "comparisons read) is a field of the post and is not changed here."
                )
            },
        }

    @extend_schema_field(EvidenceSerializer(allow_null=True))
    def get_evidence(self, highlight) -> dict | None:
        evidence = getattr(highlight, "evidence", None)
        return None if evidence is None else EvidenceSerializer(evidence).data

    @extend_schema_field(PrivacyFlagSerializer(many=True))
    def get_privacy_flags(self, highlight) -> list[dict]:
        return [flag.as_dict() for flag in post_flags(highlight.post)]


class DossierSerializer(ScopedModelSerializer):
    highlights = HighlightSerializer(
        many=True,
        required=False,
        source="highlight_rows",
        help_text="The highlighted posts in order. Writing the list replaces the dossier's highlights.",
    )
    scoring_profile = serializers.PrimaryKeyRelatedField(
        queryset=ScoringProfile.objects.all(),
        required=False,
        allow_null=True,
        help_text="Null: no composite score, only the counts by category.",
    )
    versions = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()
    as_of_note = serializers.SerializerMethodField(
        help_text=(
            "Null, or what an as_of before period_end means: posts published after as_of have no metrics in the "
            "dossier. Such a day is allowed (the numbers as they stood on it); an as_of after today is a 400."
        )
    )

    class Meta:
        model = Dossier
        fields = [
            "id",
            "faculty",
            "title",
            "period_start",
            "period_end",
            "as_of",
            "as_of_note",
            "narrative",
            "accounts",
            "activities",
            "scoring_profile",
            "highlights",
            "status",
            "submitted_at",
            "versions",
            "downloads",
            "created_by",
            "created_at",
            "updated_at",
        ]
        # The status moves only through `submit/` and `archive/` (`Dossier.submit`, `Dossier.archive`).
        read_only_fields = ["status", "submitted_at", "created_by", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # A dossier stays its faculty member's: its accounts, posts and versions are theirs.
            fields["faculty"].read_only = True
        return fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_versions(self, dossier) -> list[int]:
        """The ids of its frozen versions, newest first (read them at dossier-versions/{id}/)."""
        return [version.pk for version in dossier.versions.all()]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_as_of_note(self, dossier) -> str | None:
        return dossier.as_of_note or None

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_downloads(self, dossier) -> dict[str, str]:
        return {file_format: reverse("dossier-export", args=[dossier.pk, file_format]) for file_format in LIVE_FORMATS}

    def validate(self, attrs):
        related = {name: attrs.pop(name) for name in RELATED_FIELDS if name in attrs}
        attrs = super().validate(attrs)
        faculty = attrs.get("faculty") or getattr(self.instance, "faculty", None)
        errors = {}
        # The same choices the builder's forms offer: the faculty member's personal accounts and the profiles
        # of the default and of their institutions.
        own_accounts = set(personal_accounts(faculty).values_list("pk", flat=True))
        if any(account.pk not in own_accounts for account in related.get("accounts", ())):
            errors["accounts"] = "A dossier covers only its faculty member's own personal accounts."
        if any(activity.faculty_id != faculty.pk for activity in related.get("activities", ())):
            errors["activities"] = "A dossier lists only its faculty member's own activities."
        if "accounts" not in errors:
            try:
                self.check_highlights(faculty, attrs, related)
            except DjangoValidationError as error:
                errors["highlights"] = error.messages
        profile = attrs.get("scoring_profile")
        if profile is not None and not scoring_profiles(faculty).filter(pk=profile.pk).exists():
            errors["scoring_profile"] = "Use the default profile or one of the faculty member's institutions."
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, **related}

    def check_highlights(self, faculty, attrs: dict, related: dict) -> None:
        """
        The highlights the dossier is to have, judged by `Dossier.validate_highlights` against the accounts and
        period this request leaves it with: the new list if the request writes one, else the saved highlights
        when the request changes the period or the accounts.
        """
        rows = related.get("highlight_rows")
        if rows is None and not ({"period_start", "period_end"} & attrs.keys() or "accounts" in related):
            return
        posts = None if rows is None else [row["post_id"] for row in rows]
        current = self.instance or Dossier()
        changed = Dossier(
            pk=current.pk,
            faculty=faculty,
            period_start=attrs.get("period_start", current.period_start),
            period_end=attrs.get("period_end", current.period_end),
        )
        changed.validate_highlights(posts, accounts=related.get("accounts"))
        if posts is not None and len(set(posts)) != len(posts):
            raise DjangoValidationError("A post is highlighted once per dossier.")

    def create(self, validated_data):
        validated_data["created_by"] = self.context["request"].user
        return self._save(Dossier(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    @transaction.atomic
    def _save(self, dossier: Dossier, validated_data: dict) -> Dossier:
        related = {name: validated_data.pop(name) for name in RELATED_FIELDS if name in validated_data}
        for name, value in validated_data.items():
            setattr(dossier, name, value)
        dossier.save()
        if "accounts" in related:
            dossier.accounts.set(related["accounts"])
        if "activities" in related:
            dossier.activities.set(related["activities"])
        if "highlight_rows" in related:
            self._replace_highlights(dossier, related["highlight_rows"])
        return dossier

    def _replace_highlights(self, dossier: Dossier, rows: list[dict]) -> None:
        """
        The new list of highlights; a post that stays keeps its acknowledgement unless it is withdrawn, and its
        note and category unless the row gives them.
        """
        existing = {highlight.post_id: highlight for highlight in dossier.highlight_rows.all()}
        dossier.highlight_rows.exclude(post__in=[row["post_id"] for row in rows]).delete()
        now, user = timezone.now(), self.context["request"].user
        for row in rows:
            highlight = existing.get(row["post_id"]) or Highlight(dossier=dossier, post_id=row["post_id"])
            highlight.position = row.get("position", 0)
            # Left out of a row, the note and category stay as they are: a client that predates them keeps them.
            for field in ("note", "category"):
                if field in row:
                    setattr(highlight, field, row[field])
            # A PATCH may leave `privacy_acknowledged` out (a partial write applies no default): nothing changes then.
            acknowledged = row.get("privacy_acknowledged")
            if acknowledged is False:
                highlight.privacy_acknowledged_at, highlight.privacy_acknowledged_by = None, None
            elif acknowledged and highlight.privacy_acknowledged_at is None:
                highlight.privacy_acknowledged_at, highlight.privacy_acknowledged_by = now, user
            highlight.save()


class UnresolvedHighlightSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    flags = serializers.ListField(child=serializers.CharField(), help_text="Why the caption may identify a patient.")


class PolicyBreachSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    rule = serializers.CharField(help_text="The privacy policy's rule, naming the institution that set it.")
    detail = serializers.CharField()


class FreezeRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    unresolved = UnresolvedHighlightSerializer(many=True)
    policy = PolicyBreachSerializer(many=True, help_text="Highlighted posts the privacy policy refuses.")


class DossierVersionSerializer(serializers.ModelSerializer):
    frozen_by = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField(
        help_text="The public address printed on every page of the version's signed PDF (blank for early versions)."
    )

    class Meta:
        model = DossierVersion
        fields = [
            "id",
            "dossier",
            "number",
            "frozen_at",
            "frozen_by",
            "sha256",
            "pdf_sha256",
            "verification_url",
            "downloads",
        ]
        read_only_fields = fields

    def get_frozen_by(self, version) -> str:
        user = version.frozen_by
        return (user.get_full_name() or user.get_username()) if user else ""

    def get_verification_url(self, version) -> str:
        return version_url(version.public_id) if version.public_id else ""

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_downloads(self, version) -> dict[str, str]:
        return {
            file_format: reverse("dossier-version-export", args=[version.pk, file_format])
            for file_format in VERSION_FORMATS
        }


class DossierVersionDetailSerializer(DossierVersionSerializer):
    data = serializers.JSONField(read_only=True, help_text="Every figure of the version as frozen.")

    class Meta(DossierVersionSerializer.Meta):
        fields = [*DossierVersionSerializer.Meta.fields, "data"]
        read_only_fields = fields


class ShareAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShareAccess
        fields = ["accessed_at", "ip", "user_agent", "opened_by", "by_owner"]
        read_only_fields = fields


class ShareLinkSerializer(ScopedModelSerializer):
    # Without the stored documents: only the version's id is needed to create a link to it.
    version = serializers.PrimaryKeyRelatedField(queryset=DossierVersion.objects.defer("html", "data", "pdf"))
    url = serializers.SerializerMethodField(help_text="The address to give the reviewer; it needs no login.")
    state = serializers.SerializerMethodField()
    access_count = serializers.IntegerField(read_only=True)
    accesses = ShareAccessSerializer(many=True, read_only=True, source="latest_accesses")

    class Meta:
        model = ShareLink
        fields = [
            "id",
            "version",
            "recipient",
            "expires_at",
            "revoked_at",
            "state",
            "url",
            "created_by",
            "created_at",
            "access_count",
            "accesses",
        ]
        read_only_fields = ["revoked_at", "created_by", "created_at"]
        extra_kwargs = {"recipient": {"required": True, "allow_blank": False}}

    def get_url(self, link) -> str:
        path = reverse("share", args=[link.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_state(self, link) -> str:
        """open, expired or revoked."""
        if link.revoked_at is not None:
            return "revoked"
        return "open" if link.is_usable() else "expired"

    def validate_expires_at(self, value):
        try:
            sharing.validate_expiry(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["expires_at"]) from None
        return value

    def create(self, validated_data):
        return sharing.create_link(user=self.context["request"].user, **validated_data)
