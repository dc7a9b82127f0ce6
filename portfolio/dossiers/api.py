"""
Dossiers through the API, with the permissions of the pages: `dossiers/` (with highlights, accounts and
activities written in the same body; a draft is its reviewers' to read once submitted), `dossiers/{id}/submit/`,
`dossiers/{id}/archive/`, `activities/`, `dossier-versions/` (read only), `dossiers/{id}/freeze/`,
`share-links/` (create, list with their access log, revoke) and the downloads of a dossier and of a version.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_scoping import Conflict, RolePermission, ScopedFilterSet, ScopedModelViewSet, VisibleChoicesFilterSet
from portfolio.dossiers import exports, lifecycle, serializers, sharing
from portfolio.dossiers.evidence_forms import EvidenceForm, evidence_upload_limit, image_help
from portfolio.dossiers.freezing import FreezeRefused, freeze
from portfolio.dossiers.models import (
    Activity,
    Dossier,
    DossierVersion,
    Highlight,
    HighlightEvidence,
    ShareAccess,
    ShareLink,
)
from portfolio.dossiers.signing import SigningUnavailable
from portfolio.dossiers.version_views import ACCESSES_SHOWN, download_response
from portfolio.lib.images import ImageRefused

DOWNLOAD_TYPES = {
    "pdf": exports.PDF_TYPE,
    "csv": exports.ZIP_TYPE,
    "xlsx": exports.XLSX_TYPE,
    "html": exports.HTML_TYPE.split(";")[0],
}


class DownloadNegotiation(DefaultContentNegotiation):
    """A download answers with its file's own type whatever the Accept header; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


def download_schema(formats: tuple[str, ...]):
    return extend_schema(
        parameters=[OpenApiParameter("file_format", str, OpenApiParameter.PATH, enum=list(formats))],
        responses={(200, DOWNLOAD_TYPES[file_format]): OpenApiTypes.BINARY for file_format in formats},
    )


class DossierFilter(ScopedFilterSet):
    class Meta:
        model = Dossier
        fields = ["status"]


class DossierViewSet(ScopedModelViewSet):
    queryset = Dossier.objects.all()
    serializer_class = serializers.DossierSerializer
    filterset_class = DossierFilter
    ordering_fields = ["updated_at", "id", "period_end"]
    ordering = ["-updated_at", "-id"]

    def base_queryset(self):
        highlights = Highlight.objects.select_related("post", "evidence").order_by("position", "pk")
        return self.queryset.prefetch_related(
            "accounts",
            "activities",
            Prefetch("highlight_rows", queryset=highlights),
            # The version ids only: the stored documents are large.
            Prefetch("versions", queryset=DossierVersion.objects.only("pk", "dossier_id", "number")),
        )

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "image": {"type": "string", "format": "binary", "description": image_help()},
                    "url": {"type": "string", "format": "uri"},
                    "acknowledge": {"type": "boolean", "description": "Acknowledge the screenshot's flags."},
                },
            }
        },
        responses={200: serializers.EvidenceSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"highlights/(?P<post_id>[0-9]+)/evidence",
        url_name="highlight-evidence",
        parser_classes=[MultiPartParser, FormParser],
    )
    @evidence_upload_limit
    def highlight_evidence(self, request, pk=None, post_id=None):
        """
        Attach a screenshot of a highlighted post as it appeared and a public link to it (multipart: `image`,
        `url`), checked and re-encoded like an upload on the highlights tab; `acknowledge=true` acknowledges the
        screenshot's flags. The post is the highlight's post id.
        """
        dossier = self.get_object()
        highlight = get_object_or_404(dossier.highlight_rows.select_related("post", "evidence"), post_id=post_id)
        if request.data.get("acknowledge") in ("true", "True", "1", True):
            evidence = get_object_or_404(HighlightEvidence, highlight=highlight)
            evidence.acknowledge(request.user)
            return Response(serializers.EvidenceSerializer(evidence).data)
        # The form of the highlights tab: one set of checks whichever door the picture comes through.
        form = EvidenceForm(request.data, request.FILES, highlight=highlight, prefix=None, request=request)
        if form.is_valid():
            try:
                evidence = form.save(user=request.user)
            except ImageRefused as refused:
                form.add_error("image", str(refused))
        if form.errors:
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        evidence.refresh_from_db()
        return Response(serializers.EvidenceSerializer(evidence).data)

    @extend_schema(
        request=None,
        responses={
            201: serializers.DossierVersionDetailSerializer,
            409: OpenApiResponse(
                serializers.FreezeRefusedSerializer,
                description=(
                    "A highlighted caption has a privacy flag neither fixed nor acknowledged, a highlighted post "
                    "breaks the privacy policy of the faculty member's institution, or no institution can sign the "
                    "version."
                ),
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def freeze(self, request, pk=None):
        """Freeze the dossier as it is now: its next version, never changed afterwards."""
        dossier = self.get_object()
        try:
            version = freeze(dossier=dossier, user=request.user)
        except FreezeRefused as refused:
            flags = [
                {"post": item.highlight.post_id, "flags": [flag.reason for flag in item.flags]}
                for item in refused.unresolved
            ]
            policy = [
                {"post": breach.highlight.post_id, "rule": breach.rule, "detail": breach.detail}
                for breach in refused.breaches
            ]
            return Response(
                {"detail": str(refused), "unresolved": flags, "policy": policy}, status=status.HTTP_409_CONFLICT
            )
        except SigningUnavailable as unsigned:
            return Response({"detail": str(unsigned), "unresolved": [], "policy": []}, status=status.HTTP_409_CONFLICT)
        serializer = serializers.DossierVersionDetailSerializer(version, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        """Only a dossier never frozen (`lifecycle.delete_dossier`); one with versions is a 409, to archive instead."""
        try:
            lifecycle.delete_dossier(dossier=instance)
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages)) from None

    @extend_schema(request=None, responses=serializers.DossierSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft for review: the reviewers of its department and institution read it from now on."""
        return self._move(self.get_object().submit)

    @extend_schema(request=None, responses=serializers.DossierSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Archive a dossier with frozen versions: they stay verifiable, their links open until expiry or revocation."""
        return self._move(self.get_object().archive)

    def _move(self, transition) -> Response:
        try:
            transition()
        except DjangoValidationError as error:
            raise Conflict(" ".join(error.messages)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=self.kwargs["pk"])).data)

    @download_schema(exports.LIVE_FORMATS)
    @action(
        detail=True,
        url_path=r"export/(?P<file_format>pdf|csv|xlsx)",
        url_name="export",
        content_negotiation_class=DownloadNegotiation,
    )
    def export(self, request, pk=None, file_format=None):
        """The live dossier as PDF, a zip of CSV tables, or an XLSX workbook (one sheet per table)."""
        return download_response(exports.live_export(self.get_object(), file_format))


class ActivityFilter(ScopedFilterSet):
    class Meta:
        model = Activity
        fields = ["kind"]


class ActivityViewSet(ScopedModelViewSet):
    queryset = Activity.objects.all()
    serializer_class = serializers.ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["started_on", "id"]
    ordering = ["-started_on", "id"]


class DossierVersionFilter(VisibleChoicesFilterSet):
    class Meta:
        model = DossierVersion
        fields = ["dossier"]


@extend_schema_view(retrieve=extend_schema(responses=serializers.DossierVersionDetailSerializer))
class DossierVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Frozen versions: read only. The list leaves out `data`; one version has it."""

    queryset = DossierVersion.objects.all()
    serializer_class = serializers.DossierVersionSerializer
    permission_classes = [RolePermission]
    filterset_class = DossierVersionFilter
    ordering_fields = ["frozen_at", "number", "id"]
    ordering = ["-frozen_at", "-id"]

    def get_queryset(self):
        queryset = self.queryset.visible_to(self.request.user).select_related("frozen_by", "dossier__faculty")
        if self.action == "list":
            # The list shows none of the stored documents.
            return queryset.defer("html", "data", "pdf")
        return queryset

    def get_serializer_class(self):
        return serializers.DossierVersionDetailSerializer if self.action == "retrieve" else self.serializer_class

    @download_schema(exports.VERSION_FORMATS)
    @action(
        detail=True,
        url_path=r"export/(?P<file_format>pdf|csv|xlsx|html)",
        url_name="export",
        content_negotiation_class=DownloadNegotiation,
    )
    def export(self, request, pk=None, file_format=None):
        """The version as frozen: its PDF or exact HTML, or its tables as CSV (zip) or XLSX, from its stored data."""
        return download_response(exports.version_export(self.get_object(), file_format))


class ShareLinkFilter(VisibleChoicesFilterSet):
    class Meta:
        model = ShareLink
        fields = ["version"]


class ShareLinkViewSet(ScopedModelViewSet):
    """Reviewer links to frozen versions, each with its latest openings; created and revoked, never edited."""

    queryset = ShareLink.objects.all()
    serializer_class = serializers.ShareLinkSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = ShareLinkFilter
    ordering_fields = ["created_at", "expires_at", "id"]
    ordering = ["-created_at", "-id"]

    def base_queryset(self):
        latest = ShareAccess.objects.order_by("-accessed_at")[:ACCESSES_SHOWN]
        return self.queryset.annotate(access_count=Count("accesses")).prefetch_related(
            Prefetch("accesses", queryset=latest, to_attr="latest_accesses")
        )

    @extend_schema(request=None, responses=serializers.ShareLinkSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Close the link for good: from now on it answers 404, like a link that never existed."""
        sharing.revoke_link(link=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)
