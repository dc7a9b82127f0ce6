"""Countries to UN M49 regions and World Bank income groups (metrics/geography.py and its data files)."""

import csv
import re
from collections import Counter

import pytest
from django_countries import countries

from metrics import geography
from metrics.geography import UNCLASSIFIED
from metrics.geography import UNKNOWN
from metrics.geography import country_geography

LATIN_AMERICA = "Latin America and the Caribbean"
SUB_SAHARAN_AFRICA = "Sub-Saharan Africa"

# The M49 sub-regions and the region each belongs to.
M49_SUB_REGIONS = {
    "Northern Africa": "Africa",
    SUB_SAHARAN_AFRICA: "Africa",
    "Northern America": "Americas",
    LATIN_AMERICA: "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}


@pytest.mark.parametrize(
    "code, region, sub_region, intermediate_region, income_group",
    [
        ("US", "Americas", "Northern America", "", "High income"),
        ("IN", "Asia", "Southern Asia", "", "Lower middle income"),
        ("BR", "Americas", LATIN_AMERICA, "South America", "Upper middle income"),
        ("SA", "Asia", "Western Asia", "", "High income"),
        ("GB", "Europe", "Northern Europe", "", "High income"),
        ("ET", "Africa", SUB_SAHARAN_AFRICA, "Eastern Africa", "Low income"),
        ("MX", "Americas", LATIN_AMERICA, "Central America", "Upper middle income"),
        ("EG", "Africa", "Northern Africa", "", "Lower middle income"),
        ("NG", "Africa", SUB_SAHARAN_AFRICA, "Western Africa", "Lower middle income"),
        ("CN", "Asia", "Eastern Asia", "", "Upper middle income"),
        ("TR", "Asia", "Western Asia", "", "Upper middle income"),
        ("AU", "Oceania", "Australia and New Zealand", "", "High income"),
        ("JE", "Europe", "Northern Europe", "Channel Islands", "High income"),
    ],
)
def test_a_country_has_its_m49_regions_and_income_group(code, region, sub_region, intermediate_region, income_group):
    assert country_geography(code) == geography.Geography(code, region, sub_region, intermediate_region, income_group)


def test_codes_are_accepted_in_any_case_and_with_spaces():
    assert country_geography(" in ") == country_geography("IN")
    assert country_geography("in").code == "IN"


def test_the_reserved_codes_uk_and_el_mean_the_united_kingdom_and_greece():
    assert country_geography("uk") == country_geography("GB")
    assert country_geography("EL").sub_region == "Southern Europe"


@pytest.mark.parametrize("code", ["ZZ", "XX", "USA", "1", "", "  ", None])
def test_an_unknown_or_blank_code_is_unknown_everywhere(code):
    place = country_geography(code)
    assert (place.region, place.sub_region, place.income_group) == (UNKNOWN, UNKNOWN, UNKNOWN)


def test_antarctica_is_a_known_place_that_m49_puts_in_no_region():
    place = country_geography("AQ")
    assert (place.region, place.sub_region, place.income_group) == (UNCLASSIFIED, UNCLASSIFIED, UNCLASSIFIED)


def test_venezuela_has_a_region_but_no_world_bank_income_group():
    place = country_geography("VE")
    assert (place.region, place.intermediate_region, place.income_group) == ("Americas", "South America", UNCLASSIFIED)


def test_a_territory_the_world_bank_does_not_list_is_unclassified_by_income():
    assert country_geography("RE").income_group == UNCLASSIFIED  # Réunion
    assert country_geography("RE").sub_region == SUB_SAHARAN_AFRICA


def test_taiwan_and_kosovo_follow_the_uns_statistical_practice():
    assert country_geography("TW") == geography.Geography("TW", "Asia", "Eastern Asia", "", "High income")
    assert country_geography("XK") == geography.Geography("XK", "Europe", "Southern Europe", "", "Upper middle income")


def test_nauru_is_in_micronesia_as_m49_lists_it():
    # country-converter 1.3.2 puts Nauru in Polynesia; M49 (code 057) does not.
    assert country_geography("NR").sub_region == "Micronesia"


def test_every_country_django_countries_knows_has_an_m49_region_except_antarctica():
    for code in countries:
        place = country_geography(code.code)
        if code.code == "AQ":
            continue
        assert place.region in geography.REGIONS, code.code
        assert M49_SUB_REGIONS[place.sub_region] == place.region, code.code


def test_the_m49_table_uses_exactly_the_m49_sub_regions_and_intermediate_regions():
    places = [country_geography(code) for code in geography.known_country_codes() if code != "AQ"]
    assert {place.sub_region for place in places} == set(M49_SUB_REGIONS)
    intermediate = {(place.sub_region, place.intermediate_region) for place in places if place.intermediate_region}
    assert intermediate == {
        (LATIN_AMERICA, "Caribbean"),
        (LATIN_AMERICA, "Central America"),
        (LATIN_AMERICA, "South America"),
        (SUB_SAHARAN_AFRICA, "Eastern Africa"),
        (SUB_SAHARAN_AFRICA, "Middle Africa"),
        (SUB_SAHARAN_AFRICA, "Southern Africa"),
        (SUB_SAHARAN_AFRICA, "Western Africa"),
        ("Northern Europe", "Channel Islands"),
    }


def income_rows() -> list[dict[str, str]]:
    return geography._read_csv("world_bank_income_groups.csv")


def test_every_economy_of_the_income_table_is_a_known_country():
    codes = [row["iso2"] for row in income_rows()]
    assert len(codes) == len(set(codes))
    assert set(codes) <= geography.known_country_codes()


def test_the_income_table_holds_the_published_number_of_economies_per_group():
    groups = Counter(row["income_group"] for row in income_rows() if row["iso2"] != "JE")  # GG + JE: one economy
    assert groups == {
        "Low income": 25,
        "Lower middle income": 46,
        "Upper middle income": 59,
        "High income": 87,
        "": 1,  # Venezuela, RB
    }


@pytest.mark.parametrize(
    "code, income_group",
    [
        # Moves of FY2027 (1 July 2026).
        ("PH", "Upper middle income"),
        ("VN", "Upper middle income"),
        ("JO", "Upper middle income"),
        ("LK", "Upper middle income"),
        ("FM", "Upper middle income"),
        ("TG", "Lower middle income"),
        # Moves of FY2026 (1 July 2025), unchanged since.
        ("CR", "High income"),
        ("CV", "Upper middle income"),
        ("WS", "Upper middle income"),
        ("NA", "Lower middle income"),
        # Well-known cases.
        ("BD", "Lower middle income"),
        ("PK", "Lower middle income"),
        ("ID", "Upper middle income"),
        ("ZA", "Upper middle income"),
        ("IR", "Upper middle income"),
        ("RU", "High income"),
        ("AF", "Low income"),
    ],
)
def test_income_groups_of_the_current_classification(code, income_group):
    assert country_geography(code).income_group == income_group


def test_the_income_table_header_names_the_edition_the_api_reports():
    fiscal_year = re.search(r"FY(\d{4})", geography.INCOME_CLASSIFICATION).group(1)
    header = (geography.DATA_DIR / "world_bank_income_groups.csv").read_text(encoding="utf-8").split("iso2,")[0]
    assert f"fiscal year {fiscal_year}" in header
    assert f"FY{fiscal_year} edition" in header


def test_the_data_files_are_plain_csv_after_their_comment_lines():
    for name in ("un_m49_regions.csv", "world_bank_income_groups.csv"):
        with (geography.DATA_DIR / name).open(encoding="utf-8") as file:
            lines = [line for line in file if not line.startswith("#")]
        rows = list(csv.reader(lines))
        assert rows[0][0] == "iso2"
        assert {len(row) for row in rows} == {len(rows[0])}, name
