"""
Audience summaries: an account's latest audience snapshot as shares, with its countries rolled up to
UN M49 regions and sub-regions and to World Bank income groups (see `metrics.geography`).

A share is count / total of that snapshot and dimension; a dimension whose total is 0 has shares of
None (not computable), never 0. Every list is sorted by count, largest first, then by bucket.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from accounts.models import SocialAccount
from metrics import geography
from metrics.models import AudienceSnapshot

DIMENSIONS = tuple(AudienceSnapshot.Dimension.values)


def audience_summary(*, account: SocialAccount, on: date) -> dict:
    """
    The summary of the account's latest audience snapshot captured on or before `on`: every dimension of
    that one day. Without such a snapshot, `captured_on` is None and every list is empty. One query.
    """
    # order_by() drops the model's default ordering, which the summary does not need.
    rows = (
        AudienceSnapshot.objects.as_of(on, accounts=[account.pk])
        .order_by()
        .values("captured_on", "dimension", "bucket", "count")
    )
    return summarize(rows)


def summarize(rows: Iterable[Mapping]) -> dict:
    """
    The summary of one snapshot's rows (dicts with captured_on, dimension, bucket, count).

    Country buckets are normalised ('us' -> 'US'); blank buckets of any dimension count as "Unknown".
    Raises ValueError when the rows come from more than one capture date.
    """
    days = set()
    counts = {dimension: Counter() for dimension in DIMENSIONS}
    for row in rows:
        days.add(row["captured_on"])
        bucket = row["bucket"].strip()
        if row["dimension"] == AudienceSnapshot.Dimension.COUNTRY:
            bucket = geography.normalize_country(bucket)
        counts.setdefault(row["dimension"], Counter())[bucket or geography.UNKNOWN] += row["count"]
    if len(days) > 1:
        raise ValueError(f"An audience summary covers one snapshot, not {len(days)} capture dates.")

    countries = counts[AudienceSnapshot.Dimension.COUNTRY]
    regions, subregions, income_groups = Counter(), Counter(), Counter()
    for code, count in countries.items():
        place = geography.country_geography("" if code == geography.UNKNOWN else code)
        regions[place.region] += count
        subregions[place.sub_region] += count
        income_groups[place.income_group] += count

    country_total = sum(countries.values())
    low_and_middle = sum(count for group, count in income_groups.items() if group in geography.LOW_AND_MIDDLE_INCOME)
    return {
        "captured_on": days.pop() if days else None,
        "dimensions": {dimension: shares(bucket_counts) for dimension, bucket_counts in counts.items()},
        "regions": shares(regions),
        "subregions": shares(subregions),
        "income_groups": shares(income_groups),
        "income_classification": geography.INCOME_CLASSIFICATION,
        "low_and_middle_income_share": low_and_middle / country_total if country_total else None,
    }


def shares(counts: Mapping[str, int]) -> list[dict]:
    """[{bucket, count, share}], largest count first, then by bucket; shares are None when the total is 0."""
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"bucket": bucket, "count": count, "share": count / total if total else None} for bucket, count in ordered]
