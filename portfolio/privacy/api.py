"""`POST /api/v1/privacy-check/`: the check-before-you-post page's check, for other tools. Nothing is stored."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from metrics.plausibility import caption_problem
from portfolio.privacy.drafts import check_draft
from portfolio.privacy.serializers import PrivacyFlagSerializer


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
    image = serializers.ImageField(
        required=False,
        help_text="An image of the post (multipart). Accepted; its own check (text in the image, patient images) "
        "is not part of this answer yet.",
    )

    def validate_caption(self, caption):
        problem = caption_problem(caption)
        if problem:
            raise serializers.ValidationError(problem)
        return caption


class FlagsSerializer(serializers.Serializer):
    flags = PrivacyFlagSerializer(many=True)


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
        return Response({"flags": [flag.as_dict() for flag in flags]})
