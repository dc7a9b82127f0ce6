"""`POST /api/v1/privacy-check/`: the check-before-you-post page's check, for other tools. Nothing is stored."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from metrics.plausibility import caption_problem
from portfolio.lib.images import ImageRefused
from portfolio.privacy.drafts import check_draft, check_draft_image
from portfolio.privacy.images import OcrUnavailable
from portfolio.privacy.serializers import ImageFlagSerializer, PrivacyFlagSerializer


class ServiceUnavailable(APIException):
    status_code = 503
    default_code = "service_unavailable"


class DraftSerializer(serializers.Serializer):
    caption = serializers.CharField(trim_whitespace=False, help_text="The draft caption, as it would be posted.")
    published_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Planned publication time: dates \u201cyesterday\u201d and the like. Absent: unknown, or now when "
        "event_date is given.",
    )
    event_date = serializers.DateField(
        required=False, allow_null=True, help_text="The day of the event the post describes (scan, injury, visit)."
    )
    image = serializers.FileField(
        required=False,
        help_text="An image of the post (multipart; PNG, JPEG or WebP): its metadata and the text burned into it "
        "are checked, and it is not kept.",
    )

    def validate_caption(self, caption):
        problem = caption_problem(caption)
        if problem:
            raise serializers.ValidationError(problem)
        return caption


class FlagsSerializer(serializers.Serializer):
    flags = PrivacyFlagSerializer(many=True)
    image_flags = ImageFlagSerializer(many=True, help_text="The image's flags; empty without an image.")


class PrivacyCheckView(APIView):
    """Check a draft caption for words that may identify a patient; the draft is not stored or logged."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "privacy_check"

    @extend_schema(request=DraftSerializer, responses={200: FlagsSerializer}, tags=["privacy"])
    def post(self, request):
        draft = DraftSerializer(data=request.data)
        draft.is_valid(raise_exception=True)
        data = draft.validated_data
        flags = check_draft(data["caption"], published_at=data.get("published_at"), event_date=data.get("event_date"))
        image_flags = []
        if data.get("image") is not None:
            try:
                image_flags = check_draft_image(data["image"])
            except ImageRefused as refused:
                raise serializers.ValidationError({"image": [str(refused)]}) from refused
            except OcrUnavailable as missing:
                raise ServiceUnavailable(str(missing)) from missing
        return Response(
            {"flags": [flag.as_dict() for flag in flags], "image_flags": [flag.as_dict() for flag in image_flags]}
        )
