"""
Where an audience country is: its UN M49 region and sub-region, and its World Bank income group.

Both tables ship as CSV files in `metrics/data/` (their headers name the sources and editions) and are
read once per process. Country codes are ISO 3166-1 alpha-2, in any case; blank or unrecognised codes
are "Unknown", and recognised codes that a table does not classify (Antarctica has no M49 region;
Venezuela has had no World Bank income group since FY2022) are "Unclassified", so that a roll-up keeps
every count and its shares still sum to 1.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# The edition of `world_bank_income_groups.csv`: shown beside every income-group figure. Refresh each July.
INCOME_CLASSIFICATION = "World Bank FY2027"

UNKNOWN = "Unknown"
UNCLASSIFIED = "Unclassified"

LOW_INCOME = "Low income"
LOWER_MIDDLE_INCOME = "Lower middle income"
UPPER_MIDDLE_INCOME = "Upper middle income"
HIGH_INCOME = "High income"
INCOME_GROUPS = (LOW_INCOME, LOWER_MIDDLE_INCOME, UPPER_MIDDLE_INCOME, HIGH_INCOME)
# "Low- and middle-income countries" in the World Bank's sense: every group but High income.
LOW_AND_MIDDLE_INCOME = frozenset({LOW_INCOME, LOWER_MIDDLE_INCOME, UPPER_MIDDLE_INCOME})

# The M49 regions: Antarctica belongs to none of them.
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")

# Codes that ISO 3166-1 reserves for the United Kingdom and Greece and that some exports use.
ALIASES = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True)
class Geography:
    """One country's place in the world; `code` is the normalised alpha-2 code, or "" when blank."""

    code: str
    region: str
    sub_region: str
    intermediate_region: str  # "" where M49 has none (e.g. Southern Asia, Northern America)
    income_group: str


def normalize_country(code: str | None) -> str:
    """'us ' -> 'US', 'UK' -> 'GB', None or blank -> ''. Does not check that the code exists."""
    code = (code or "").strip().upper()
    return ALIASES.get(code, code)


def country_geography(code: str | None) -> Geography:
    """The regions and income group of a country code (see the module docstring for Unknown / Unclassified)."""
    code = normalize_country(code)
    m49 = _m49_table().get(code)
    if m49 is None:
        return Geography(code, UNKNOWN, UNKNOWN, "", UNKNOWN)
    region, sub_region, intermediate_region = m49
    return Geography(
        code=code,
        region=region or UNCLASSIFIED,
        sub_region=sub_region or UNCLASSIFIED,
        intermediate_region=intermediate_region,
        income_group=_income_table().get(code) or UNCLASSIFIED,
    )


def known_country_codes() -> frozenset[str]:
    """Every code the M49 table lists: ISO 3166-1 alpha-2 plus XK (Kosovo)."""
    return frozenset(_m49_table())


def _read_csv(name: str) -> list[dict[str, str]]:
    # The files open with '#' comment lines that name their source; the csv module has no comments.
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(line for line in file if not line.startswith("#")))


@cache
def _m49_table() -> dict[str, tuple[str, str, str]]:
    return {
        row["iso2"]: (row["region"], row["sub_region"], row["intermediate_region"])
        for row in _read_csv("un_m49_regions.csv")
    }


@cache
def _income_table() -> dict[str, str]:
    table = {row["iso2"]: row["income_group"] for row in _read_csv("world_bank_income_groups.csv")}
    unexpected = set(table.values()) - set(INCOME_GROUPS) - {""}
    if unexpected:
        raise ValueError(f"world_bank_income_groups.csv has unknown income groups: {sorted(unexpected)}")
    return table
