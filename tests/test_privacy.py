"""The caption privacy check: likely patient identifiers are flagged, teaching captions are not."""

import pytest

from portfolio.privacy.rules import LABELS
from portfolio.privacy.rules import PrivacyFlag
from portfolio.privacy.rules import caption_flags


def found(caption: str) -> list[tuple[str, str]]:
    return [(flag.kind, flag.excerpt) for flag in caption_flags(caption)]


@pytest.mark.parametrize(
    ("caption", "kind", "excerpt"),
    [
        # Ages
        ("Case of the week: a 47-year-old with knee pain.", "age", "47-year-old"),
        ("47 y/o presenting with chest pain", "age", "47 y/o"),
        ("47yo F, acute flank pain", "age", "47yo"),
        ("A 47 year old man", "age", "47 year old"),
        ("The patient is 47 years old.", "age", "47 years old"),
        ("Patient aged 47, no prior imaging.", "age", "aged 47"),
        ("Age: 62. Smoker.", "age", "Age: 62"),
        ("A 6-month-old infant with bilious vomiting", "age", "6-month-old"),
        ("3-week-old with projectile vomiting #TummyTuesday", "age", "3-week-old"),
        ("45M with sudden headache", "age", "45M"),
        ("32 F presenting after a fall", "age", "32 F"),
        # Dates
        ("CT obtained 3/14/2026 in the emergency department", "date", "3/14/2026"),
        ("Scanned 14/03/2026", "date", "14/03/2026"),
        ("Imaged 3-14-26 after the injury", "date", "3-14-26"),
        ("Admitted 2026-03-14 overnight", "date", "2026-03-14"),
        ("Seen in clinic on March 14 with a limp", "date", "March 14"),
        ("Seen on Mar. 14th, 2026", "date", "Mar. 14th, 2026"),
        ("Injured playing rugby on 14 March 2026", "date", "14 March 2026"),
        ("Presented on the 2nd of March", "date", "2nd of March"),
        ("Study date 14-Mar-2026", "date", "14-Mar-2026"),
        ("Presented on 3/14 with a limp", "date", "3/14"),
        # Record and accession numbers
        ("MRN 12345678, please review", "record_number", "MRN 12345678"),
        ("MRN: 1234567", "record_number", "MRN: 1234567"),
        ("Accession #A1234567 shows the finding", "record_number", "Accession #A1234567"),
        ("accession number 88812345", "record_number", "accession number 88812345"),
        ("Medical record number 4455667", "record_number", "Medical record number 4455667"),
        ("Patient ID 00123456", "record_number", "Patient ID 00123456"),
        ("NHS number 943 476 5919", "record_number", "NHS number 943 476 5919"),
        # Names after titles
        ("Dr. Smith's patient had a Segond fracture", "name", "Dr. Smith"),
        ("Mr. Jones came back for follow-up", "name", "Mr. Jones"),
        ("Mrs. O'Brien, 3 days after surgery", "name", "Mrs. O'Brien"),
        ("Mrs Patel agreed to share her images", "name", "Mrs Patel"),
        ("Ms. Anna Lee consented", "name", "Ms. Anna Lee"),
        ("Thanks to Mr. Jones for letting us share his case", "name", "Mr. Jones"),
        # Phone numbers and e-mail addresses
        ("Questions? (555) 123-4567", "phone", "(555) 123-4567"),
        ("Call 555-123-4567 to book", "phone", "555-123-4567"),
        ("Reach us on +1 555 123 4567", "phone", "+1 555 123 4567"),
        ("London office +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("For referrals call 555-1234", "phone", "555-1234"),
        ("Send cases to jane.doe@hospital.org", "email", "jane.doe@hospital.org"),
    ],
)
def test_likely_identifiers_are_flagged(caption, kind, excerpt):
    assert found(caption) == [(kind, excerpt)]


@pytest.mark.parametrize(
    "caption",
    [
        "#MSKMonday: Segond fracture, ACL tear",
        "T2 FLAIR shows hyperintensity in the mesial temporal lobe.",
        "Grade 3 sprain of the MCL",
        "1.5T MRI vs 3T: what changes?",
        "L4/5 disc extrusion with S1 nerve root compression",
        "C5-C6 and C6-C7 anterior osteophytes",
        "BI-RADS 4, TI-RADS 3, PI-RADS 5, LI-RADS 4",
        "Bosniak 2F cyst, follow up in 6 months",
        "Part 2 of 3: 8/10 residents got it right",
        "A 3 mm nodule, 5 mg/kg dose, 14% of cases",
        "Published in Radiology, March 2026 issue. PMID 31234567, doi:10.1148/radiol.2021203456",
        "Read the paper: https://doi.org/10.1148/radiol.2021203456 and https://x.com/u/status/1234567890123456789",
        "MR angiography and MS lesions on DR and CR",
        "Gestational age 32 weeks; bone age 12 years",
        "A 2-week-old fracture shows callus; a 3-day-old haematoma",
        "Ages 18-24 were 13.2% of our followers; children ages 3 to 5 were excluded",
        "Case courtesy of Dr. Smith",
        "Congratulations to Dr Rahman on promotion!",
        "Don't Miss Lisfranc Injuries",
        "@DrSmith great case!",
        "Stage IV, 24/7 coverage, 10M views, 1/2/3",
        "pH 7.35 on the blood gas",
        "We read 1,200 studies in 2 weeks",
        "",
    ],
)
def test_ordinary_teaching_captions_are_not_flagged(caption):
    assert caption_flags(caption) == []


def test_an_age_with_a_mechanism_of_injury_says_so():
    [flag] = caption_flags("a 47-year-old man after a motorcycle crash")

    assert flag == PrivacyFlag(kind="age", label=LABELS["age_with_mechanism"], excerpt="47-year-old", start=2, end=13)


def test_an_age_alone_gets_the_plain_label():
    [flag] = caption_flags("A 47-year-old with knee pain. The cyclist was fine.")

    assert flag.label == LABELS["age"]  # the mechanism is in another sentence


def test_each_identifier_of_a_caption_is_flagged_in_reading_order_with_offsets_into_the_caption():
    caption = "🦴 #MSKMonday Mrs. Brown, 63-year-old, seen 3/14/2026, MRN 12345678, call (555) 123-4567."

    flags = caption_flags(caption)

    assert [flag.kind for flag in flags] == ["name", "age", "date", "record_number", "phone"]
    assert all(caption[flag.start : flag.end] == flag.excerpt for flag in flags)


def test_a_date_inside_an_identifier_is_flagged_once():
    # The phone number's digits could be read as parts of dates; the longest identifier wins.
    assert found("Tel: 020 7946 0958") == [("phone", "020 7946 0958")]


def test_a_numeric_date_needs_a_real_month_and_day():
    assert found("seen 13/13/2026") == []
    assert found("seen 31/12/2026") == [("date", "31/12/2026")]


def test_an_email_inside_a_link_is_not_checked_but_a_bare_one_is():
    assert found("https://example.org/contact?who=jane@hospital.org") == []
    assert found("jane@hospital.org") == [("email", "jane@hospital.org")]


def test_flags_are_plain_data_for_the_dossier():
    [flag] = caption_flags("MRN 1234567")

    assert flag.as_dict() == {
        "kind": "record_number",
        "label": LABELS["record_number"],
        "excerpt": "MRN 1234567",
        "start": 0,
        "end": 11,
    }
