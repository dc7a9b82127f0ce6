"""The API's representation of privacy flags, of captions and of images: the dossier's highlights and the draft
check share them."""

from rest_framework import serializers

from portfolio.privacy.rules import Severity


class PrivacyFlagSerializer(serializers.Serializer):
    """One flag of the caption privacy check (`portfolio/privacy/rules.py`)."""

    kind = serializers.CharField(help_text="The rule: age, date, timing, recent_post, place, name, ...")
    severity = serializers.ChoiceField(
        choices=[(severity.value, severity.label) for severity in Severity],
        help_text="identifying: on its own; combination: with other details; review: worth a look.",
    )
    reason = serializers.CharField(help_text="Why the caption may identify a patient, naming the rule.")
    excerpt = serializers.CharField(help_text='The text that tripped the check ("" for the post as a whole).')
    start = serializers.IntegerField(help_text="caption[start:end] is the excerpt.")
    end = serializers.IntegerField()


class ImageFlagSerializer(serializers.Serializer):
    """One flag of the image check (`portfolio/privacy/images.py`): text read in the picture, or its metadata."""

    kind = serializers.CharField()
    severity = serializers.ChoiceField(choices=["identifying", "combination", "review"])
    reason = serializers.CharField()
    excerpt = serializers.CharField(help_text="The text found in the picture or in the file's metadata.")
    source = serializers.ChoiceField(choices=["ocr", "metadata"])
    box = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="[left, top, width, height] in pixels (OCR)."
    )
    removed = serializers.BooleanField(help_text="Metadata found in the upload and not kept.")
