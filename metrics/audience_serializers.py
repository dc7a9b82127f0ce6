"""API representation of an account's audience summary (`metrics.audience`)."""

from django.utils import timezone
from rest_framework import serializers


class AudienceQuerySerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False,
        help_text="The summary of the latest audience snapshot captured on or before this day. Default today.",
    )

    def validate(self, attrs):
        attrs.setdefault("on", timezone.localdate())
        return attrs


class BucketShareSerializer(serializers.Serializer):
    bucket = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(
        allow_null=True, help_text="count / total of the snapshot for this list, a fraction; null when the total is 0."
    )


def bucket_list(help_text: str) -> BucketShareSerializer:
    return BucketShareSerializer(many=True, help_text=help_text)


class AudienceDimensionsSerializer(serializers.Serializer):
    age = bucket_list("Age bands as the platform reports them.")
    country = bucket_list('ISO 3166-1 alpha-2 codes, upper case; a blank code is "Unknown".')
    gender = bucket_list("Genders as the platform reports them.")
    city = bucket_list("Cities as the platform reports them.")
    language = bucket_list("Languages as the platform reports them.")


class AudienceSummarySerializer(serializers.Serializer):
    account = serializers.IntegerField()
    on = serializers.DateField(help_text="The day asked for (default today).")
    captured_on = serializers.DateField(
        allow_null=True, help_text="The snapshot summarised: the latest on or before `on`; null when there is none."
    )
    dimensions = AudienceDimensionsSerializer(help_text="Every dimension of that snapshot; a list is empty if absent.")
    regions = bucket_list(
        'The countries rolled up to UN M49 regions (Africa, Americas, Asia, Europe, Oceania); "Unclassified" for '
        'a code M49 places in none (AQ), "Unknown" for blank or unrecognised codes.'
    )
    subregions = bucket_list(
        "The countries rolled up to UN M49 sub-regions (Northern America, Latin America and the Caribbean, "
        "Sub-Saharan Africa, Western Asia, ...)."
    )
    income_groups = bucket_list(
        'The countries rolled up to World Bank income groups; "Unclassified" for a country the World Bank does '
        'not classify (e.g. VE), "Unknown" for blank or unrecognised codes.'
    )
    income_classification = serializers.CharField(help_text="The edition of the income groups, e.g. World Bank FY2027.")
    low_and_middle_income_share = serializers.FloatField(
        allow_null=True,
        help_text="(Low + Lower middle + Upper middle income) / all countries of the snapshot; null without countries.",
    )
