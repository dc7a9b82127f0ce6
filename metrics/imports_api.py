"""`/api/v1/imports/`: upload an analytics export (multipart), or read past imports."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_scoping import RolePermission
from accounts.models import Institution, SocialAccount
from metrics.importers.limits import UPLOAD_TOO_LARGE
from metrics.imports import ImportRefused, import_file
from metrics.jobs_api import BackgroundJobSerializer
from metrics.models import ImportBatch
from metrics.tasks import start_import
from metrics.uploads import refusal, upload_limit


class ImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "account",
            "institution",
            "format",
            "status",
            "message",
            "file_name",
            "size",
            "sha256",
            "captured_on",
            "created_at",
            "uploaded_by",
            "posts_created",
            "posts_updated",
            "snapshots_created",
            "snapshots_updated",
            "account_snapshots_created",
            "account_snapshots_updated",
            "rows_unchanged",
            "rows_skipped",
            "errors",
            "ignored_columns",
            "sample_rows",
            "captions_flagged",
        ]
        read_only_fields = fields


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The export file as downloaded from the platform, or the template CSV.")
    account = serializers.PrimaryKeyRelatedField(
        queryset=SocialAccount.objects.all(), required=False, help_text="The account the file belongs to."
    )
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(),
        required=False,
        help_text="Instead of `account`: a template whose rows name their accounts, loaded for this institution.",
    )
    captured_on = serializers.DateField(
        required=False, help_text="Export date, when neither the file name nor its content gives one. Default today."
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check and count, write nothing.")

    def get_fields(self):
        fields = super().get_fields()
        user = self.context["request"].user
        fields["account"].queryset = SocialAccount.objects.visible_to(user).select_related("platform")
        fields["institution"].queryset = Institution.objects.visible_to(user)
        return fields

    def validate(self, attrs):
        if ("account" in attrs) == ("institution" in attrs):
            raise serializers.ValidationError({"account": "Give either `account` or `institution`."})
        return attrs


@upload_limit(lambda: settings.IMPORT_MAX_BYTES, UPLOAD_TOO_LARGE)
class ImportBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """
    POST a file to import it (or `dry_run` to preview). The answer is the batch: 201 when it was
    imported or previewed, 200 when the same file was already imported (nothing changed), 400
    when it was refused (every error listed, with row, column and message; nothing written).
    A file larger than IMPORT_BACKGROUND_BYTES goes to a worker: the answer is 202 with the job,
    whose address (also the `Location` header) says how far it is and, once done, which batch it made.
    """

    queryset = ImportBatch.objects.all()
    serializer_class = ImportBatchSerializer
    permission_classes = [RolePermission]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["account", "institution", "status", "format"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportBatchSerializer,
            201: ImportBatchSerializer,
            202: BackgroundJobSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The refused batch (status `refused`, with its errors), or the invalid request fields.",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        data = request.data  # reading the upload is what may stop it
        if reason := refusal(request):
            raise serializers.ValidationError({"file": [reason]})  # stopped as it streamed in: nothing kept
        upload = ImportRequestSerializer(data=data, context={"request": request})
        upload.is_valid(raise_exception=True)
        options = upload.validated_data
        arguments = {
            "user": request.user,
            "upload": options["file"],
            "account": options.get("account"),
            "institution": options.get("institution"),
            "captured_on": options.get("captured_on"),
            "dry_run": options["dry_run"],
        }
        try:
            if options["file"].size > settings.IMPORT_BACKGROUND_BYTES:
                job = start_import(**arguments)
                answer = BackgroundJobSerializer(job, context={"request": request}).data
                return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})
            batch = import_file(**arguments)
        except ImportRefused as refused:
            # An account or institution the user cannot see was "does not exist" (400) above; this one they
            # see but may not import into.
            raise PermissionDenied(str(refused)) from None
        answer = {
            ImportBatch.Status.REFUSED: status.HTTP_400_BAD_REQUEST,
            ImportBatch.Status.DUPLICATE: status.HTTP_200_OK,
        }.get(batch.status, status.HTTP_201_CREATED)
        return Response(ImportBatchSerializer(batch).data, status=answer)
