"""
What the demo data says: invented institutions, people and accounts, how each
platform's numbers behave, and the captions people post. `portfolio.demo` turns
it into rows.

Every name is made up. E-mail addresses use the reserved `.example` domain so
that nothing can reach a real person. The published figures quoted in DESIGN.md
(the nuclear-medicine worked example, the follower counts of four comparable
Instagram accounts, the audience shape, engagement of 2.7%-6.5% by impressions)
are reproduced; everything else is plausible invention.

The tables are kept out of the formatter (fmt: off) so that they read as tables.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class InstitutionSpec:
    slug: str
    name: str
    country: str
    timezone: str
    domain: str
    departments: tuple[tuple[str, str], ...]  # (slug, name)


# fmt: off
INSTITUTIONS = (
    InstitutionSpec("lakeshore", "Lakeshore University Health", "US", "America/Chicago", "lakeshore.example", (
        ("radiology", "Radiology"), ("nuclear-medicine", "Nuclear Medicine"),
        ("radiation-oncology", "Radiation Oncology"),
    )),
    InstitutionSpec("kingsbridge", "Kingsbridge University Hospitals", "GB", "Europe/London", "kingsbridge.example", (
        ("clinical-radiology", "Clinical Radiology"), ("nuclear-medicine", "Nuclear Medicine"),
    )),
    InstitutionSpec("western-ghats", "Western Ghats Institute of Medical Sciences", "IN", "Asia/Kolkata",
                    "wgims.example", (("radiodiagnosis", "Radiodiagnosis"), ("nuclear-medicine", "Nuclear Medicine"))),
)
# fmt: on


@dataclass(frozen=True)
class FacultySpec:
    key: str
    name: str
    rank: str
    track: str
    has_orcid: bool


@dataclass(frozen=True)
class AppointmentSpec:
    faculty: str
    department: str  # "institution-slug/department-slug"
    title: str
    primary: bool
    started_years_ago: int
    ended_years_ago: int | None = None


# fmt: off
FACULTY = (
    FacultySpec("leila",   "Leila Haddad",     "assistant",  "clinician_educator", True),
    FacultySpec("maya",    "Maya Okafor",      "associate",  "clinician_educator", False),
    FacultySpec("daniel",  "Daniel Reyes",     "assistant",  "clinician_educator", False),
    FacultySpec("priya",   "Priya Raman",      "professor",  "tenure",             True),
    FacultySpec("ethan",   "Ethan Brooks",     "instructor", "clinical",           False),
    FacultySpec("hannah",  "Hannah Lindqvist", "assistant",  "research",           True),
    FacultySpec("samuel",  "Samuel Whitaker",  "associate",  "clinical",           False),
    FacultySpec("marcus",  "Marcus Chen",      "professor",  "tenure",             True),
    FacultySpec("grace",   "Grace Adeyemi",    "instructor", "clinician_educator", False),
    FacultySpec("thomas",  "Thomas Novak",     "associate",  "research",           True),
    FacultySpec("rosa",    "Rosa Delgado",     "assistant",  "clinical",           False),
    FacultySpec("oliver",  "Oliver Pemberton", "professor",  "tenure",             True),
    FacultySpec("amelia",  "Amelia Hart",      "associate",  "clinician_educator", False),
    FacultySpec("rajiv",   "Rajiv Menon",      "assistant",  "clinical",           False),
    FacultySpec("fiona",   "Fiona MacLeod",    "instructor", "clinician_educator", False),
    FacultySpec("yusuf",   "Yusuf Rahman",     "associate",  "research",           True),
    FacultySpec("eleanor", "Eleanor Shaw",     "assistant",  "clinician_educator", False),
    FacultySpec("ananya",  "Ananya Iyer",      "associate",  "clinician_educator", False),
    FacultySpec("vikram",  "Vikram Deshpande", "professor",  "tenure",             True),
    FacultySpec("kavya",   "Kavya Reddy",      "assistant",  "clinical",           False),
    FacultySpec("arjun",   "Arjun Nair",       "instructor", "clinician_educator", False),
    FacultySpec("meera",   "Meera Kulkarni",   "assistant",  "research",           True),
    FacultySpec("farhan",  "Farhan Siddiqui",  "associate",  "clinician_educator", False),
    FacultySpec("sunita",  "Sunita Bhatt",     "emeritus",   "other",              False),
)

# Each person's first row is their current primary appointment. Hannah, Rajiv and Yusuf hold appointments at two
# institutions; Marcus in two departments of one; Priya's primary appointment in India ended when she moved.
APPOINTMENTS = (
    AppointmentSpec("leila",   "lakeshore/nuclear-medicine",     "Director, Nuclear Medicine Education", True, 6),
    AppointmentSpec("maya",    "lakeshore/radiology",            "Section Chief, Musculoskeletal Imaging", True, 9),
    AppointmentSpec("daniel",  "lakeshore/radiology",            "Associate Program Director, Residency", True, 4),
    AppointmentSpec("priya",   "lakeshore/radiology",            "Chair, Department of Radiology", True, 9),
    AppointmentSpec("priya",   "western-ghats/radiodiagnosis",   "Associate Professor", True, 16, 9),
    AppointmentSpec("ethan",   "lakeshore/radiology",            "", True, 2),
    AppointmentSpec("hannah",  "lakeshore/radiology",            "", True, 3),
    AppointmentSpec("hannah",  "kingsbridge/clinical-radiology", "Honorary Senior Lecturer", False, 2),
    AppointmentSpec("samuel",  "lakeshore/radiology",            "", True, 11),
    AppointmentSpec("marcus",  "lakeshore/nuclear-medicine",     "Director, Theranostics Program", True, 14),
    AppointmentSpec("marcus",  "lakeshore/radiology",            "Professor of Radiology (secondary)", False, 10),
    AppointmentSpec("grace",   "lakeshore/nuclear-medicine",     "", True, 1),
    AppointmentSpec("thomas",  "lakeshore/radiation-oncology",   "", True, 7),
    AppointmentSpec("rosa",    "lakeshore/radiation-oncology",   "", True, 3),
    AppointmentSpec("oliver",  "kingsbridge/clinical-radiology", "Clinical Director", True, 15),
    AppointmentSpec("amelia",  "kingsbridge/clinical-radiology", "Training Programme Director", True, 6),
    AppointmentSpec("rajiv",   "kingsbridge/clinical-radiology", "", True, 4),
    AppointmentSpec("rajiv",   "western-ghats/radiodiagnosis",   "Visiting Faculty", False, 2),
    AppointmentSpec("fiona",   "kingsbridge/clinical-radiology", "", True, 1),
    AppointmentSpec("yusuf",   "kingsbridge/nuclear-medicine",   "", True, 8),
    AppointmentSpec("yusuf",   "lakeshore/nuclear-medicine",     "Adjunct Associate Professor", False, 3),
    AppointmentSpec("eleanor", "kingsbridge/nuclear-medicine",   "", True, 3),
    AppointmentSpec("ananya",  "western-ghats/radiodiagnosis",   "Residency Program Coordinator", True, 8),
    AppointmentSpec("vikram",  "western-ghats/radiodiagnosis",   "Head of Department", True, 18),
    AppointmentSpec("kavya",   "western-ghats/radiodiagnosis",   "", True, 3),
    AppointmentSpec("arjun",   "western-ghats/radiodiagnosis",   "", True, 1),
    AppointmentSpec("meera",   "western-ghats/nuclear-medicine", "", True, 4),
    AppointmentSpec("farhan",  "western-ghats/nuclear-medicine", "", True, 7),
    AppointmentSpec("sunita",  "western-ghats/nuclear-medicine", "", True, 30),
)
# fmt: on


def primary_institution(faculty_key: str) -> str:
    """The slug of the institution of a person's current primary appointment."""
    return next(
        a for a in APPOINTMENTS if a.faculty == faculty_key and a.primary and a.ended_years_ago is None
    ).department.split("/")[0]


@dataclass(frozen=True)
class AccountSpec:
    """
    One demo account. `owner` is "kind:key": personal accounts belong to a faculty key, department and program
    accounts to "institution/department", institution accounts to an institution slug. `followers` is the latest
    count; the weekly history grows towards it by `growth` (a fraction). `weight` is the relative posting rate.
    """

    owner: str
    platform: str
    handle: str
    name: str
    followers: int
    growth: float
    weight: float
    topic: str  # msk, abdomen, neuro, chest, nucmed, radonc or general
    following: int = 400  # 0: the platform has no "following" (YouTube channels)
    earlier_posts: int = 150  # posts made before the demo period
    voice: str = ""  # the mix of career categories; by kind when blank
    follower_jump: bool = False  # a jump in a week without posts, for the integrity flags

    @property
    def kind(self) -> str:
        return self.owner.split(":")[0].replace("faculty", "personal")

    @property
    def owner_key(self) -> str:
        return self.owner.split(":")[1]

    @property
    def category_mix(self) -> str:
        """The key of this account's mix of career categories in CATEGORY_MIX."""
        if self.voice:
            return self.voice
        if self.platform == "researchgate":
            return "researcher"
        return "educator" if self.kind == "personal" else self.kind


A = AccountSpec
# The four Instagram accounts of 7,100, 2,760, 1,070 and 1,250 followers are the published comparison set.
NUCMED_INSTAGRAM = "nucmed_pearls"
# fmt: off
ACCOUNTS = (
    A("faculty:leila", "instagram", NUCMED_INSTAGRAM, "Nuclear Medicine Pearls", 7100, 0.09, 3.0, "nucmed", 410, 640),
    A("faculty:leila", "twitter", "LeilaHaddadMD", "Leila Haddad, MD", 3400, 0.12, 3.2, "nucmed", 890, 5200),
    A("faculty:leila", "linkedin", "leila-haddad-md", "Leila Haddad", 2100, 0.15, 1.0, "nucmed", 500, 120),
    A("faculty:leila", "youtube", "NucMedPearls", "Nuclear Medicine Pearls", 1850, 0.25, 0.5, "nucmed", 0, 48),
    A("faculty:maya", "twitter", "MayaOkaforMSK", "Maya Okafor", 5200, 0.10, 2.8, "msk", 1200, 8100),
    A("faculty:maya", "instagram", "msk.with.maya", "MSK with Maya", 4300, 0.12, 2.0, "msk", 380, 310),
    A("faculty:daniel", "twitter", "DanReyesNeuro", "Dan Reyes", 2900, 0.08, 2.4, "neuro", 640, 3600),
    A("faculty:daniel", "tiktok", "neurorad.dan", "Neurorad Dan", 12400, 0.35, 1.5, "neuro", 150, 90),
    A("faculty:priya", "twitter", "PriyaRamanRad", "Priya Raman", 8800, 0.06, 1.5, "chest", 1500, 11000,
      voice="leader"),
    A("faculty:priya", "linkedin", "priya-raman-radiology", "Priya Raman", 6400, 0.09, 1.0, "chest", 700, 260,
      voice="leader"),
    A("faculty:ethan", "reddit", "gut_feeling_rad", "gut_feeling_rad", 1300, 0.10, 0.9, "abdomen", 40, 60),
    A("faculty:hannah", "researchgate", "Hannah-Lindqvist", "Hannah Lindqvist", 640, 0.05, 0.4, "chest", 210, 35),
    A("faculty:hannah", "bluesky", "hlindqvist.bsky.social", "Hannah Lindqvist", 1900, 0.45, 1.5, "chest", 530, 220),
    A("faculty:samuel", "doximity", "samuel-whitaker-md", "Samuel Whitaker, MD", 800, 0.05, 0.5, "general", 150, 25),
    A("faculty:marcus", "linkedin", "marcus-chen-theranostics", "Marcus Chen", 4800, 0.10, 0.8, "nucmed", 900, 180,
      voice="leader"),
    A("faculty:marcus", "researchgate", "Marcus-Chen-3", "Marcus Chen", 1500, 0.04, 0.4, "nucmed", 320, 140),
    A("faculty:grace", "instagram", "petct.grace", "PET/CT with Grace", 1800, 0.20, 1.2, "nucmed", 450, 80),
    A("faculty:grace", "tiktok", "nucmed.grace", "Nuc Med Grace", 5400, 0.40, 1.0, "nucmed", 210, 45),
    A("faculty:thomas", "mastodon", "tnovak@med-mastodon.com", "Thomas Novak", 720, 0.10, 1.0, "radonc", 260, 400),
    A("faculty:rosa", "instagram", "radonc.rosa", "Rad Onc Rosa", 2300, 0.10, 1.0, "radonc", 520, 120),
    A("faculty:oliver", "twitter", "OPembertonRad", "Oliver Pemberton", 4100, 0.05, 1.5, "general", 700, 6400,
      voice="leader"),
    A("faculty:amelia", "instagram", "ameliahart.rad", "Amelia Hart | Radiology teaching", 3600, 0.15, 2.0, "general",
      610, 260),
    A("faculty:amelia", "threads", "ameliahart.rad", "Amelia Hart", 1400, 0.30, 1.2, "general", 300, 70),
    A("faculty:rajiv", "youtube", "RadiologyWithRajiv", "Radiology with Rajiv", 15800, 0.18, 1.0, "general", 0, 210),
    A("faculty:rajiv", "twitter", "RajivMenonRad", "Rajiv Menon", 2600, 0.07, 1.5, "abdomen", 480, 2900),
    A("faculty:fiona", "instagram", "fiona.reads.films", "Fiona reads films", 1250, 0.14, 1.2, "msk", 330, 95),
    A("faculty:yusuf", "researchgate", "Yusuf-Rahman-12", "Yusuf Rahman", 980, 0.05, 0.4, "nucmed", 180, 60),
    A("faculty:yusuf", "mastodon", "yrahman@mastodon.social", "Yusuf Rahman", 430, 0.10, 0.6, "nucmed", 170, 150),
    A("faculty:eleanor", "bluesky", "eleanorshaw.bsky.social", "Eleanor Shaw", 890, 0.50, 1.0, "nucmed", 310, 90),
    A("faculty:ananya", "instagram", "radiology.with.ananya", "Radiology with Ananya", 9600, 0.20, 2.5, "general",
      720, 720),
    A("faculty:ananya", "youtube", "AnanyaIyerRadiology", "Ananya Iyer Radiology", 6200, 0.22, 0.7, "general", 0, 130),
    A("faculty:vikram", "linkedin", "vikram-deshpande-radiology", "Vikram Deshpande", 3900, 0.08, 0.6, "neuro", 650,
      140, voice="leader"),
    A("faculty:kavya", "instagram", "kavya.reddy.rad", "Kavya Reddy", 2100, 0.18, 1.5, "abdomen", 560, 140),
    A("faculty:arjun", "reddit", "arjun_reads_cxr", "arjun_reads_cxr", 600, 0.12, 0.8, "chest", 25, 40),
    A("faculty:arjun", "threads", "arjun.nair.rad", "Arjun Nair", 950, 0.30, 1.0, "chest", 280, 60),
    A("faculty:meera", "researchgate", "Meera-Kulkarni-2", "Meera Kulkarni", 540, 0.06, 0.3, "nucmed", 140, 20),
    A("faculty:farhan", "facebook", "DrFarhanSiddiquiNucMed", "Dr Farhan Siddiqui, Nuclear Medicine", 3300, 0.07, 1.0,
      "nucmed", 90, 380),
    A("program:lakeshore/radiology", "instagram", "lakeshore_radres", "Lakeshore Radiology Residency", 2400, 0.12, 2.0,
      "general", 290, 340),
    A("department:lakeshore/radiology", "twitter", "LakeshoreRad", "Lakeshore Radiology", 6100, 0.05, 2.0, "general",
      820, 4100),
    A("department:lakeshore/radiology", "youtube", "LakeshoreRadiologyLectures", "Lakeshore Radiology Lectures", 3200,
      0.15, 0.5, "general", 0, 160),
    A("department:lakeshore/nuclear-medicine", "twitter", "LakeshoreNucMed", "Lakeshore Nuclear Medicine", 1900, 0.06,
      1.0, "nucmed", 410, 900),
    A("department:lakeshore/radiation-oncology", "facebook", "LakeshoreRadOnc", "Lakeshore Radiation Oncology", 1500,
      0.04, 0.5, "radonc", 60, 300),
    A("department:kingsbridge/clinical-radiology", "twitter", "KingsbridgeRad", "Kingsbridge Radiology", 3500, 0.05,
      1.5, "general", 610, 2500),
    A("department:kingsbridge/clinical-radiology", "linkedin", "kingsbridge-clinical-radiology",
      "Kingsbridge Clinical Radiology", 1800, 0.10, 0.5, "general", 120, 90),
    A("program:kingsbridge/clinical-radiology", "instagram", "kingsbridge_radtraining",
      "Kingsbridge Radiology Training", 1600, 0.12, 1.2, "general", 240, 150),
    A("department:kingsbridge/nuclear-medicine", "instagram", "kingsbridge.nucmed", "Kingsbridge Nuclear Medicine",
      2760, 0.10, 1.2, "nucmed", 350, 280),
    A("program:western-ghats/radiodiagnosis", "instagram", "wgims_radresidents", "WGIMS Radiology Residents", 4200,
      0.25, 2.0, "general", 480, 300),
    A("department:western-ghats/radiodiagnosis", "youtube", "WGIMSRadiodiagnosis", "WGIMS Radiodiagnosis", 2100, 0.30,
      0.5, "general", 0, 55),
    A("department:western-ghats/radiodiagnosis", "facebook", "WGIMSRadiodiagnosis",
      "WGIMS Department of Radiodiagnosis", 2600, 0.08, 0.7, "general", 70, 420),
    A("department:western-ghats/nuclear-medicine", "instagram", "wgims.nucmed", "WGIMS Nuclear Medicine", 1070, 0.12,
      1.0, "nucmed", 260, 110),
    A("institution:lakeshore", "linkedin", "lakeshore-university-health", "Lakeshore University Health", 48000, 0.04,
      1.0, "general", 120, 2300),
    A("institution:lakeshore", "facebook", "LakeshoreUniversityHealth", "Lakeshore University Health", 36000, 0.02, 1.0,
      "general", 80, 5200),
    A("institution:kingsbridge", "twitter", "KingsbridgeUH", "Kingsbridge University Hospitals", 22000, 0.03, 1.5,
      "general", 600, 9800),
    A("institution:kingsbridge", "linkedin", "kingsbridge-university-hospitals", "Kingsbridge University Hospitals",
      15500, 0.05, 0.7, "general", 90, 800),
    A("institution:western-ghats", "facebook", "WesternGhatsIMS", "Western Ghats Institute of Medical Sciences", 12800,
      0.09, 1.0, "general", 60, 1900, follower_jump=True),
)
# fmt: on
# Integrity-flag material: a few of these posts lose likes between snapshots; one has impressions typed short.
LIKES_DIP_ACCOUNT = "MayaOkaforMSK"
IMPRESSIONS_TYPO_ACCOUNT = "LakeshoreRad"


@dataclass(frozen=True)
class LoginSpec:
    role: str
    username: str
    first_name: str
    last_name: str
    email: str


# One demo login per role; these users are demo rows, deleted by `--reset`.
# fmt: off
SUPERUSER = LoginSpec("superuser", "demo-superuser", "Sam", "Superuser", "superuser@lakeshore.example")
INSTITUTION_ADMIN = LoginSpec("institution admin", "demo-admin", "Jordan", "Ellis", "jordan.ellis@lakeshore.example")
DEPARTMENT_REVIEWER = LoginSpec("department reviewer", "demo-reviewer", "Sofia", "Marin",
                                "sofia.marin@lakeshore.example")
FACULTY_MEMBER = LoginSpec("faculty member", "demo-faculty", "Leila", "Haddad", "leila.haddad@lakeshore.example")
# fmt: on
LOGINS = (SUPERUSER, INSTITUTION_ADMIN, DEPARTMENT_REVIEWER, FACULTY_MEMBER)
ADMIN_INSTITUTION = "lakeshore"
REVIEWER_DEPARTMENT = "lakeshore/nuclear-medicine"
FACULTY_LOGIN_OWNER = "leila"


# Platform behaviour ---------------------------------------------------------------------------------------------------

# fmt: off
CATEGORY_MIX = {
    "educator":    {"education": 70, "mentorship": 8, "research": 8, "branding": 5, "promotion": 4, "leadership": 5},
    "researcher":  {"research": 55, "education": 30, "promotion": 8, "mentorship": 4, "leadership": 3},
    "leader":      {"education": 40, "leadership": 25, "mentorship": 12, "research": 10, "promotion": 8, "branding": 5},
    "program":     {"education": 50, "mentorship": 22, "branding": 15, "promotion": 8, "leadership": 5},
    "department":  {"education": 55, "research": 12, "branding": 12, "promotion": 10, "leadership": 6, "mentorship": 5},
    "institution": {"branding": 35, "education": 30, "research": 15, "promotion": 10, "leadership": 10},
}
# Case images and scrolling videos dominate; only types in the platform's registry entry are ever used.
CONTENT_MIX = {
    "instagram":    {"carousel": 35, "image": 30, "short_video": 20, "story": 7, "video": 5, "live": 3},
    "twitter":      {"image": 35, "text": 25, "thread": 15, "video": 10, "link": 10, "poll": 5},
    "facebook":     {"image": 35, "link": 25, "video": 15, "text": 10, "carousel": 10, "live": 5},
    "linkedin":     {"text": 25, "image": 25, "document": 15, "link": 15, "article": 10, "video": 5, "carousel": 5},
    "youtube":      {"video": 60, "short_video": 35, "live": 5},
    "tiktok":       {"short_video": 90, "carousel": 10},
    "reddit":       {"image": 50, "text": 30, "link": 20},
    "researchgate": {"article": 50, "document": 30, "text": 20},
    "doximity":     {"article": 40, "text": 40, "link": 20},
    "threads":      {"text": 50, "image": 40, "carousel": 10},
    "bluesky":      {"image": 45, "text": 40, "link": 10, "thread": 5},
    "mastodon":     {"image": 45, "text": 40, "link": 10, "thread": 5},
}
# fmt: on
EDUCATION_ONLY_TYPES = ("poll", "story", "live")  # the other categories' captions do not fit them


@dataclass(frozen=True)
class Shape:
    """How a platform's numbers relate to each other."""

    exposure: tuple[float, float, float]  # impressions (or views) per follower: triangular(low, high, mode)
    rate: tuple[float, float, float]  # actions per impression (per view where click_through is set)
    split: dict[str, float]  # how actions divide among the action fields
    views_native: bool = False  # views are the platform's reach number
    click_through: tuple[float, float] | None = None  # views per impression (YouTube thumbnails)


# Instagram: engagement by impressions of 2.7%-6.5%, about 5% on average, split like the worked example
# (184 likes, 10 comments, 11 shares, 36 saves, 42 profile visits, 9 follows).
# fmt: off
SHAPES = {
    "instagram": Shape((0.55, 1.25, 0.85), (0.027, 0.065, 0.058), {
        "likes": 0.63, "comments": 0.034, "shares": 0.038, "saves": 0.123, "profile_visits": 0.144, "follows": 0.031}),
    "twitter": Shape((0.3, 2.0, 0.7), (0.008, 0.045, 0.02), {
        "likes": 0.42, "shares": 0.10, "comments": 0.05, "saves": 0.06, "profile_visits": 0.10, "follows": 0.01,
        "clicks": 0.26}),
    "facebook": Shape((0.15, 0.9, 0.35), (0.02, 0.08, 0.04), {
        "likes": 0.55, "comments": 0.12, "shares": 0.10, "clicks": 0.23}),
    "linkedin": Shape((0.6, 3.0, 1.2), (0.01, 0.05, 0.025), {
        "likes": 0.62, "comments": 0.08, "shares": 0.04, "clicks": 0.24, "follows": 0.02}),
    "youtube": Shape((2.0, 12.0, 5.0), (0.03, 0.08, 0.045), {
        "likes": 0.80, "dislikes": 0.01, "comments": 0.08, "shares": 0.06, "follows": 0.05},
        click_through=(0.03, 0.09)),
    "tiktok": Shape((0.5, 8.0, 1.5), (0.03, 0.12, 0.06), {
        "likes": 0.78, "comments": 0.05, "shares": 0.05, "saves": 0.07, "profile_visits": 0.04, "follows": 0.01},
        views_native=True),
    "reddit": Shape((2.0, 20.0, 5.0), (0.01, 0.05, 0.02), {
        "likes": 0.85, "dislikes": 0.06, "comments": 0.07, "shares": 0.02}, views_native=True),
    "researchgate": Shape((0.1, 1.5, 0.4), (0.01, 0.05, 0.02), {"likes": 0.6, "follows": 0.4}, views_native=True),
    "doximity": Shape((0.1, 1.0, 0.3), (0.01, 0.05, 0.02), {"likes": 0.6, "comments": 0.25, "shares": 0.15},
                      views_native=True),
    "threads": Shape((0.3, 2.0, 0.6), (0.02, 0.08, 0.04), {
        "likes": 0.75, "comments": 0.1, "shares": 0.1, "follows": 0.05}, views_native=True),
}
DEFAULT_SHAPE = Shape((0.3, 1.5, 0.6), (0.02, 0.08, 0.04), {"likes": 0.65, "comments": 0.12, "shares": 0.23})
TYPE_REACH = {"short_video": 1.5, "carousel": 1.15, "video": 1.1, "thread": 1.2, "document": 1.1, "story": 0.45,
              "live": 0.3, "link": 0.7, "text": 0.85, "article": 0.8}
# fmt: on
CATEGORY_RATE = {"promotion": 1.5, "mentorship": 1.1, "research": 0.8, "branding": 0.9, "leadership": 0.9}
WATCH_SECONDS = {"short_video": (6, 15), "video": (35, 160), "live": (90, 600), "story": (3, 6)}


@dataclass(frozen=True)
class PublishedPost:
    """A post of the published nuclear-medicine analysis, reproduced with its exact numbers."""

    external_id: str
    days_ago: int
    content_type: str
    category: str
    caption: str
    note: str  # why the faculty member highlights it
    counts: dict[str, int]


# 292 actions on 6,154 impressions (4.7%); and the call to technologists, 607 actions (13.3%).
WORKED_EXAMPLE = PublishedPost(
    "C4nMdPrl292",
    150,
    "carousel",
    "education",
    "Identify the finding 🔍 Bone scan, diffuse bone pain. Swipe ➡️ for the answer.\n\n"
    "Answer: superscan. Intense uniform skeletal uptake with faint or absent kidneys: widespread metastases or "
    "metabolic bone disease. Save this one for your next rotation.\n\n"
    "#NucMed #NuclearMedicine #BoneScan #RadEd #FOAMrad #MedEd #RadiologyEducation",
    "Most-saved teaching case of the year: 36 saves and 9 new followers from one post.",
    {"impressions": 6154, "likes": 184, "comments": 10, "shares": 11, "saves": 36, "profile_visits": 42, "follows": 9},
)
TECHNOLOGIST_CALL = PublishedPost(
    "C2tEchCal607",
    205,
    "image",
    "branding",
    "Who is learning with us? Technologists, drop a 🙋 in the comments! Residents, students, physicists, tell us too. "
    "This page is for everyone who makes nuclear medicine work.\n\n"
    "#NucMed #NuclearMedicine #Technologist #RadTech #MedicalImaging",
    "Showed who the audience is: 607 actions, mostly technologists introducing themselves.",
    {"impressions": 4564, "likes": 380, "comments": 160, "shares": 12, "saves": 5, "profile_visits": 40, "follows": 10},
)


# Audience -------------------------------------------------------------------------------------------------------------

# The published audience of the nuclear-medicine account: top countries US, IN, BR, SA, GB; North America ~30%,
# Asia ~16%, Middle East ~14%, South America ~13%, Europe and the EU ~18%, Africa ~5%, Central America ~3%.
# fmt: off
COUNTRY_SHARES = {
    "US": 26.4, "IN": 9.1, "BR": 7.4, "SA": 6.2, "GB": 5.3, "CA": 4.0, "EG": 2.4, "AE": 2.2, "PK": 2.1, "AR": 2.0,
    "IT": 1.9, "ES": 1.8, "JO": 1.8, "MX": 1.8, "ID": 1.6, "CO": 1.6, "AU": 1.6, "PH": 1.5, "IL": 1.4, "TR": 1.3,
    "NG": 1.3, "DE": 1.3, "RU": 1.2, "FR": 1.0, "PE": 1.0, "IR": 1.0, "ZA": 0.9, "UA": 0.9, "MY": 0.8, "KE": 0.8,
    "CH": 0.8, "NL": 0.7, "NO": 0.6, "GR": 0.6, "CL": 0.6, "GT": 0.5, "NZ": 0.4, "CR": 0.4,
}
AGE_SHARES = {"18-24": 13.2, "25-34": 56.6, "35-44": 21.0, "45-54": 6.0, "55-64": 2.5, "65+": 0.7}
# Other platforms reach other generations: TikTok younger, LinkedIn and Facebook older.
AGE_SHARES_BY_PLATFORM = {
    "tiktok":   {"13-17": 3.0, "18-24": 31.0, "25-34": 45.0, "35-44": 14.0, "45-54": 5.0, "55-64": 1.5, "65+": 0.5},
    "youtube":  {"13-17": 2.0, "18-24": 24.0, "25-34": 44.0, "35-44": 18.0, "45-54": 7.0, "55-64": 3.5, "65+": 1.5},
    "linkedin": {"18-24": 8.0, "25-34": 38.0, "35-44": 30.0, "45-54": 15.0, "55-64": 7.0, "65+": 2.0},
    "facebook": {"18-24": 6.0, "25-34": 30.0, "35-44": 28.0, "45-54": 18.0, "55-64": 12.0, "65+": 6.0},
}
# fmt: on
FEMALE_SHARE = 51.5
OTHER_GENDER_SHARE = 0.5
# Other accounts' audiences lean towards their institution's country.
HOME_COUNTRY_BOOST = 14.0


# Captions -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    finding: str
    modality: str
    clue: str
    point: str
    distractors: tuple[str, str, str]


C = Case
# fmt: off
CASES = {
    "msk": (
        C("Segond fracture", "knee radiograph", "knee pain after a twisting injury on the pitch",
          "A small avulsion off the lateral tibial plateau means an ACL tear until proven otherwise: get the MRI.",
          ("tibial plateau fracture", "Pellegrini-Stieda lesion", "osteochondral defect")),
        C("scaphoid waist fracture", "wrist radiograph", "a fall on the outstretched hand",
          "Up to a fifth are occult on day one: immobilise and re-image, or go straight to MRI.",
          ("Colles fracture", "scapholunate dissociation", "lunate dislocation")),
        C("bucket-handle meniscal tear", "knee MRI", "a locked knee",
          "Look for the double PCL sign and a fragment in the intercondylar notch.",
          ("discoid meniscus", "meniscal cyst", "ACL mucoid degeneration")),
        C("osteoid osteoma", "CT", "night pain that settles with NSAIDs",
          "A lucent nidus under 1.5 cm with dense surrounding sclerosis; CT shows the nidus best.",
          ("Brodie abscess", "stress fracture", "osteoblastoma")),
        C("Lisfranc injury", "foot radiograph", "midfoot pain after a missed step",
          "A fleck sign and widening between the first and second metatarsal bases: ask for weight-bearing views.",
          ("Jones fracture", "navicular stress fracture", "Freiberg infarction")),
        C("posterior shoulder dislocation", "shoulder radiograph", "a first seizure, now unable to rotate the arm",
          "The lightbulb sign and the trough line; the axillary view settles it.",
          ("anterior dislocation", "greater tuberosity fracture", "frozen shoulder")),
        C("slipped capital femoral epiphysis", "pelvis radiograph", "an adolescent with a limp and knee pain",
          "Klein's line misses the epiphysis. Always image both hips: a fifth are bilateral.",
          ("Perthes disease", "transient synovitis", "septic arthritis")),
        C("avascular necrosis of the femoral head", "hip MRI", "hip pain on long-term steroids",
          "The double-line sign on T2 is specific; stage it before the head collapses.",
          ("transient osteoporosis of the hip", "stress fracture", "labral tear")),
    ),
    "abdomen": (
        C("acute appendicitis", "CT", "right lower quadrant pain and fever",
          "An appendix over 6 mm with periappendiceal stranding; look for an appendicolith and free air.",
          ("mesenteric adenitis", "terminal ileitis", "epiploic appendagitis")),
        C("closed-loop small bowel obstruction", "CT", "colicky pain and vomiting after previous surgery",
          "Two transition points and a whirl of the mesentery: call the surgeon now.",
          ("ileus", "internal hernia without ischaemia", "intussusception")),
        C("pneumoperitoneum", "abdominal radiograph", "sudden severe abdominal pain",
          "Rigler's sign: you can see both sides of the bowel wall. An erect chest film helps.",
          ("Chilaiditi sign", "pneumatosis", "subphrenic abscess")),
        C("hepatic haemangioma", "liver MRI", "an incidental liver lesion on ultrasound",
          "Peripheral nodular discontinuous enhancement with centripetal fill-in; bright on T2.",
          ("focal nodular hyperplasia", "hepatocellular carcinoma", "metastasis")),
        C("sigmoid volvulus", "abdominal radiograph", "abdominal distension and no bowel movement for days",
          "The coffee-bean sign pointing to the right upper quadrant.",
          ("caecal volvulus", "pseudo-obstruction", "toxic megacolon")),
        C("emphysematous cholecystitis", "CT", "right upper quadrant pain in diabetes",
          "Gas in the gallbladder wall is a surgical emergency.",
          ("porcelain gallbladder", "adenomyomatosis", "gallstone ileus")),
        C("renal angiomyolipoma", "CT", "an incidental renal mass",
          "Macroscopic fat in a renal mass makes it an angiomyolipoma; big ones bleed.",
          ("renal cell carcinoma", "oncocytoma", "renal cyst")),
        C("acute pancreatitis with necrosis", "CT", "epigastric pain radiating to the back",
          "Scan at 72 hours, not on day one, to see necrosis; grade it with the CT severity index.",
          ("pancreatic adenocarcinoma", "autoimmune pancreatitis", "duodenal perforation")),
    ),
    "neuro": (
        C("acute subdural haematoma", "head CT", "confusion after a fall",
          "Crescentic, crosses sutures but not the falx; check for midline shift.",
          ("extradural haematoma", "subarachnoid haemorrhage", "hygroma")),
        C("acute MCA territory infarct", "head CT", "sudden right-sided weakness",
          "The hyperdense MCA sign and loss of the insular ribbon; score it with ASPECTS.",
          ("glioma", "herpes encephalitis", "postictal change")),
        C("cerebral abscess", "brain MRI", "headache and fever",
          "Restricted diffusion inside a ring-enhancing lesion favours abscess over necrotic tumour.",
          ("glioblastoma", "metastasis", "tumefactive demyelination")),
        C("posterior reversible encephalopathy syndrome", "brain MRI", "seizures with very high blood pressure",
          "Parieto-occipital vasogenic oedema; it usually reverses when the pressure is controlled.",
          ("posterior circulation infarct", "venous sinus thrombosis", "progressive multifocal leukoencephalopathy")),
        C("vestibular schwannoma", "MRI of the internal auditory canals", "unilateral hearing loss",
          "The ice-cream-cone shape, widening the internal auditory canal.",
          ("meningioma", "epidermoid cyst", "facial nerve schwannoma")),
        C("extradural haematoma", "head CT", "a lucid interval after a blow to the head",
          "Biconvex, does not cross sutures; the swirl sign means active bleeding.",
          ("subdural haematoma", "contusion", "depressed fracture only")),
        C("Chiari I malformation", "brain MRI", "occipital headaches on coughing",
          "Pointed tonsils more than 5 mm below the foramen magnum; image the whole spine for a syrinx.",
          ("intracranial hypotension", "tonsillar ectopia within normal limits", "Dandy-Walker malformation")),
        C("colloid cyst", "head CT", "positional headaches",
          "A hyperdense lesion at the foramen of Monro can cause sudden hydrocephalus.",
          ("central neurocytoma", "subependymoma", "choroid plexus papilloma")),
    ),
    "chest": (
        C("tension pneumothorax", "chest radiograph", "sudden breathlessness on the ward",
          "A clinical diagnosis: decompress first. On film, mediastinal shift away from the collapsed lung.",
          ("large bulla", "pleural effusion", "pneumomediastinum")),
        C("pulmonary embolism", "CT pulmonary angiogram", "pleuritic chest pain and tachycardia",
          "The polo-mint sign in cross-section; always check the RV to LV ratio for strain.",
          ("mucus plugging", "pulmonary artery sarcoma", "flow artefact")),
        C("right middle lobe collapse", "chest radiograph", "a cough that will not settle",
          "Loss of the right heart border; in an adult, ask what is blocking the bronchus.",
          ("right lower lobe pneumonia", "pectus excavatum", "pericardial fat pad")),
        C("Pancoast tumour", "chest CT", "shoulder pain and a drooping eyelid",
          "Apical mass invading the chest wall; MRI shows brachial plexus involvement best.",
          ("apical pleural cap", "tuberculosis", "cervical rib")),
        C("type A aortic dissection", "CT aortogram", "tearing chest pain",
          "An intimal flap in the ascending aorta is a surgical emergency.",
          ("intramural haematoma", "motion artefact", "penetrating ulcer")),
        C("sarcoidosis", "chest CT", "breathlessness and tender shins",
          "Perilymphatic nodules with symmetric hilar and mediastinal nodes.",
          ("lymphangitic carcinomatosis", "silicosis", "lymphoma")),
        C("usual interstitial pneumonia pattern", "high-resolution CT", "slowly worsening breathlessness",
          "Basal subpleural honeycombing with traction bronchiectasis.",
          ("non-specific interstitial pneumonia", "chronic hypersensitivity pneumonitis", "asbestosis")),
        C("deep sulcus sign", "supine chest radiograph", "a trauma patient in the resus bay",
          "On a supine film, air rises anteriorly: a deep lucent costophrenic angle means pneumothorax.",
          ("hyperinflation", "skin fold", "diaphragmatic rupture")),
    ),
    "nucmed": (
        C("superscan", "bone scan", "diffuse bone pain",
          "Intense uniform skeletal uptake with faint or absent kidneys: widespread metastases or metabolic bone "
          "disease.", ("normal scan", "Paget disease", "renal osteodystrophy only")),
        C("brown fat uptake", "FDG PET/CT", "staging PET on a cold morning",
          "Symmetric uptake in neck and supraclavicular fat; warm the patient or give propranolol before the scan.",
          ("nodal lymphoma", "muscle uptake", "thymic rebound")),
        C("PSMA-avid nodal recurrence", "PSMA PET/CT", "a rising PSA after prostatectomy",
          "Small pelvic nodes can be PSMA-avid long before CT calls them abnormal.",
          ("ganglion uptake", "ureteric activity", "bone island")),
        C("toxic multinodular goitre", "thyroid scintigraphy", "palpitations and a lumpy neck",
          "Patchy uptake with hot and cold nodules; compare with the diffuse uptake of Graves disease.",
          ("Graves disease", "subacute thyroiditis", "toxic adenoma")),
        C("Meckel diverticulum", "pertechnetate scan", "painless rectal bleeding in a child",
          "Ectopic gastric mucosa lights up in the right lower quadrant with the stomach.",
          ("intussusception", "duplication cyst", "bladder activity")),
        C("reversible inferior wall defect", "myocardial perfusion SPECT", "exertional chest pain",
          "A defect at stress that fills in at rest is ischaemia; check for diaphragmatic attenuation first.",
          ("infarct", "attenuation artefact", "left bundle branch block pattern")),
        C("DOTATATE-avid neuroendocrine tumour", "Ga-68 DOTATATE PET/CT", "flushing and an ileal mass",
          "Somatostatin receptor imaging stages the disease and selects patients for Lu-177 therapy.",
          ("uncinate process physiologic uptake", "splenule", "lymphoma")),
        C("acute cholecystitis", "hepatobiliary scan", "right upper quadrant pain with equivocal ultrasound",
          "No gallbladder filling by 4 hours (or 30 minutes after morphine) means cystic duct obstruction.",
          ("chronic cholecystitis", "biliary leak", "sphincter of Oddi dysfunction")),
    ),
    "radonc": (
        C("brachial plexus as an organ at risk", "planning CT", "an apical lung tumour",
          "Contour it on every slice using the scalene muscles as landmarks; it is easy to miss.",
          ("spinal cord only", "oesophagus only", "no organ at risk")),
        C("hippocampal avoidance", "planning MRI", "whole-brain radiotherapy",
          "Sparing the hippocampi preserves memory; fuse a thin-slice MRI to contour them.",
          ("lens sparing", "cochlear sparing", "pituitary sparing")),
        C("internal target volume", "4D planning CT", "a lower-lobe lung tumour that moves with breathing",
          "Build the ITV from every breathing phase, not just the free-breathing scan.",
          ("fixed PTV margin", "gating not needed", "CTV only")),
        C("rectal spacer in place", "planning MRI", "prostate radiotherapy",
          "A hydrogel spacer pushes the rectum away and lowers rectal dose.",
          ("rectal tumour", "seminal vesicle invasion", "haematoma")),
        C("heart sparing with breath hold", "planning CT", "left breast radiotherapy",
          "Deep-inspiration breath hold moves the heart out of the tangential fields.",
          ("prone positioning only", "no heart dose", "IMRT without breath hold")),
        C("radiation pneumonitis", "chest CT", "a dry cough three months after radiotherapy",
          "Ground glass that respects the treatment field, not anatomy; match it to the dose plan.",
          ("pneumonia", "recurrence", "pulmonary embolism")),
    ),
}
TOPIC_NAMES = {"msk": "musculoskeletal imaging", "abdomen": "abdominal imaging", "neuro": "neuroradiology",
               "chest": "thoracic imaging", "nucmed": "nuclear medicine", "radonc": "radiation oncology"}
RADIOLOGY_TOPICS = ("msk", "abdomen", "neuro", "chest")
# Weekly series: a series tag is only ever used on its own weekday (Monday = 0).
SERIES = {0: ("MSKMonday", "msk"), 1: ("TummyTuesday", "abdomen"), 2: ("NeuroWednesday", "neuro"),
          3: ("ThoraxThursday", "chest"), 4: ("FridayQuizDay", None)}
GENERAL_TAGS = ("RadEd", "FOAMrad", "FOAMed", "Radiology", "MedEd", "RadRes", "ImagingPearls", "MedStudent",
                "MedicalImaging", "Radiologist")
TOPIC_TAGS = {
    "msk": ("MSKRad", "SportsMed", "Orthopedics"),
    "abdomen": ("AbdRad", "BodyImaging", "GIRad"),
    "neuro": ("NeuroRad", "Neuroradiology", "Stroke"),
    "chest": ("ChestRad", "ThoracicImaging", "PulmCC"),
    "nucmed": ("NucMed", "NuclearMedicine", "PETCT", "Theranostics", "MolecularImaging"),
    "radonc": ("RadOnc", "RadiationOncology", "MedPhys"),
}
PLATFORM_TAGS = {
    "tiktok": ("RadTok", "MedTok", "LearnOnTikTok"),
    "instagram": ("RadiologyEducation", "RadiologyResident", "MedicalStudent", "Radiographer"),
    "twitter": ("MedTwitter",),
}
CATEGORY_TAGS = {
    "research": ("JournalClub", "RadResearch", "OpenScience"),
    "mentorship": ("Mentorship", "RadRes", "MedStudent", "WomenInRadiology"),
    "promotion": ("AcademicMedicine", "AcademicRadiology"),
    "leadership": ("Leadership", "AcademicMedicine", "RadLeadership"),
    "branding": ("Radiology", "TeamRadiology", "HealthcareHeroes"),
}
# How many tags people typically add on each platform (never more than the platform allows).
TAG_COUNTS = {"instagram": (5, 10), "tiktok": (3, 5), "linkedin": (3, 4), "youtube": (2, 3), "mastodon": (2, 3),
              "twitter": (1, 2), "bluesky": (1, 2), "facebook": (0, 2), "threads": (1, 1)}
# Conferences by month, with the style of their hashtag.
CONFERENCES = {
    1: (("IRIA", "IRIA{yyyy}"),), 2: (("ECR", "ECR{yyyy}"),), 3: (("ECR", "ECR{yyyy}"),), 4: (("ARRS", "ARRS{yyyy}"),),
    5: (("ISMRM", "ISMRM{yyyy}"), ("ESTRO", "ESTRO{yyyy}")), 6: (("SNMMI", "SNMMI{yy}"), ("UKIO", "UKIO{yyyy}")),
    9: (("ASTRO", "ASTRO{yy}"),), 10: (("EANM", "EANM{yy}"),), 11: (("RSNA", "RSNA{yy}"),), 12: (("RSNA", "RSNA{yy}"),),
}
# fmt: on
PAPERS = (
    "AI triage of intracranial haemorrhage on head CT",
    "abbreviated MRI for liver cancer surveillance",
    "PSMA PET/CT for biochemical recurrence",
    "how radiology residency programs use Instagram",
    "patient-friendly summaries in radiology reports",
    "structured reporting of rectal cancer MRI",
    "dosimetry for Lu-177 PSMA therapy",
    "dual-energy CT for gout",
    "lung cancer screening uptake in underserved communities",
    "ultrasound-first imaging of suspected appendicitis in children",
    "teaching files on social media as open educational resources",
)
TAKEAWAYS = (
    "the effect held across sites, but the confidence intervals are wide",
    "sensitivity was high, specificity less so: read the supplement",
    "a single-centre pilot, promising but not practice-changing yet",
    "clear methods and open data: a good one for residents to dissect",
    "the reference standard matters more than the headline number",
    "patients preferred the plain-language version by a wide margin",
)
MENTORSHIP = (
    "Tip for new residents: dictate the answer to the clinical question in the first line of the impression.",
    "Three things I wish I had known as a first-year resident: look at the old films, read the request, "
    "and ask for help early.",
    "Applying to radiology this cycle? Ask programs how they teach, not only what they teach.",
    "Preparing for the boards? Do cases every day, even ten. Little and often beats cramming.",
    "Medical students: shadow a reading-room session before you decide. Our door is open.",
    "Mentorship is a two-way street: my residents teach me something every week.",
    "Imposter syndrome on call is normal. Call your attending; that is what we are there for.",
    "Writing your first case report? Pick a teaching point, not a zebra.",
    "Office hours this month for students curious about {topic_name}: send a message.",
    "Feedback tip for attendings: one thing that went well, one thing to try next time. Keep it specific.",
)
PROMOTION_PERSONAL = (
    "Honoured to receive this year's departmental teaching award. Thank you to every resident who showed up "
    "for early-morning case conferences.",
    "Delighted to share that our education grant on {topic_name} teaching was funded.",
    "Invited grand rounds next week on social media as scholarship in academic radiology.",
    "Grateful to be asked to join the editorial board of a {topic_name} education journal.",
    "Our teaching collection passed a new milestone this month: thank you for learning with us.",
)
PROMOTION_ORG = (
    "Congratulations to Dr {colleague} on promotion! A well-deserved recognition of years of teaching.",
    "Congratulations to Dr {colleague} on this year's teaching award.",
    "Our residents presented five posters this spring. Proud of every one of them.",
    "Congratulations to Dr {colleague}, newly elected to the board of a national {topic_name} society.",
)
BRANDING_PERSONAL = (
    "Behind the scenes: how a {topic_name} case becomes a teaching post, from anonymised images to caption.",
    "Why I teach {topic_name} on social media: learners everywhere, not only in our reading room.",
    "A year of weekly cases. Which one was your favourite?",
)
BRANDING_ORG = (
    "Meet the team: our {topic_name} section in one photo.",
    "Behind the scenes at our new reading room.",
    "Welcome to our new residents! Say hello in the comments.",
    "Thank you to our technologists and radiographers, the people who make every image.",
)
LEADERSHIP = (
    "Proud to chair our education committee this year. First priority: protected teaching time for residents.",
    "We launched a peer-feedback programme for residents' reports. Early results are encouraging.",
    "Our department's wellness day: no pagers, good food, honest conversations.",
    "Panel on diversity in radiology leadership tomorrow. Bring questions.",
    "Co-led a workshop on curriculum design for social-media teaching in {topic_name}.",
    "Sharing our department's guidance on posting cases safely: anonymise, ask, and never post identifiers.",
)
# A few captions say too much about the patient, so that the privacy check has something to flag.
IDENTIFYING_DETAILS = (
    "A 47-year-old cyclist",
    "A 63-year-old farmer",
    "A 29-year-old marathon runner",
    "A 71-year-old retired teacher",
)

LONG_CAPTION = 1000
VIDEO_TYPES = ("video", "short_video", "live")


def write_caption(
    rng: random.Random,
    *,
    category: str,
    topic: str,
    day: date,
    content_type: str,
    platform: str,
    hashtag_limit: int | None,
    caption_limit: int | None,
    allows_hashtags: bool,
    organisation: bool,
    colleague: str,
) -> str:
    """
    A plausible caption for one post, within the platform's caption and hashtag limits. Its leading tag, if any,
    is a weekly series tag used only on its own weekday, or a conference tag during the conference's month.
    """
    long_form = caption_limit is None or caption_limit >= LONG_CAPTION
    # A general account's other posts get no specialty tags: the topic drawn for them is arbitrary.
    specialty = category == "education" or topic != "general"
    if category == "education":
        topic, lead_tag, body = _education(rng, topic=topic, day=day, content_type=content_type, long_form=long_form)
    else:
        topic = topic if topic in TOPIC_NAMES else rng.choice(RADIOLOGY_TOPICS)
        body, lead_tag = _other(
            rng, category=category, topic=topic, day=day, organisation=organisation, colleague=colleague
        )
    if not allows_hashtags:
        return _fit(body, [], caption_limit)
    low, high = TAG_COUNTS.get(platform, (1, 3))
    wanted = rng.randint(low, high)
    if hashtag_limit is not None:
        wanted = min(wanted, hashtag_limit)
    pool = [
        *(TOPIC_TAGS.get(topic, ()) if specialty else ()),
        *CATEGORY_TAGS.get(category, ()),
        *GENERAL_TAGS,
        *PLATFORM_TAGS.get(platform, ()),
    ]
    tags = [lead_tag] if lead_tag else []
    for tag in rng.sample(pool, len(pool)):
        if len(tags) >= wanted:
            break
        if tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return _fit(body, tags, caption_limit)


def _education(rng, *, topic, day, content_type, long_form):
    weekday = day.weekday()
    series_tag = None
    quiz_day = weekday == 4 and rng.random() < 0.6
    if topic == "general":
        series_topic = SERIES.get(weekday, (None, None))[1]
        topic = series_topic or rng.choice(RADIOLOGY_TOPICS)
    if quiz_day:
        series_tag = "FridayQuizDay" if rng.random() < 0.85 else None
    elif weekday in SERIES and SERIES[weekday][1] == topic and rng.random() < 0.8:
        series_tag = SERIES[weekday][0]
    case = rng.choice(CASES[topic])
    kind = "quiz" if quiz_day or content_type == "poll" else rng.choice(("case", "identify", "answer", "pearl", "quiz"))
    clue = case.clue
    if long_form and kind in ("case", "identify") and rng.random() < 0.03:
        clue = f"{rng.choice(IDENTIFYING_DETAILS)}, {clue}"
    if kind == "case":
        body = f"Case of the week: {case.modality}, {clue}. What is your diagnosis? Answer in the comments."
    elif kind == "identify":
        body = f"Identify the finding 🔍 {case.modality}, {clue}."
    elif kind == "quiz":
        options = [case.finding, *case.distractors]
        rng.shuffle(options)
        letters = " ".join(f"{letter}) {option}" for letter, option in zip("ABCD", options, strict=True))
        body = f"Quiz: {case.modality}, {case.clue}. What is it? {letters}."
    elif kind == "answer":
        body = f"Answer: {case.finding}. {case.point}"
    else:
        body = f"Pearl: {case.finding} on {case.modality}. {case.point}"
    body = _with_format(body, kind, content_type)
    if long_form and kind in ("answer", "pearl"):
        body += f"\n\nDifferential to keep in mind: {', '.join(case.distractors)}."
    if long_form and rng.random() < 0.3:
        body += "\n\nAll images anonymised. Follow for a new case every week."
    return topic, series_tag, body


def _with_format(body, kind, content_type):
    asks = kind in ("case", "identify", "quiz")
    if content_type == "carousel":
        return body + (" Swipe ➡️ for the answer." if asks else " Swipe for the annotated images.")
    if content_type in ("video", "short_video"):
        return "Scroll through the stack with us ▶️ " + body
    if content_type == "live":
        return "Live case review: " + body
    if content_type == "story":
        return body + " Tap to answer." if asks else body
    if content_type == "poll":
        return body + " Vote in the poll."
    if content_type == "thread":
        return "🧵 " + body
    if content_type == "document":
        return body + " Slides attached."
    if content_type in ("article", "link"):
        return body + " Full case write-up at the link."
    return body


def _other(rng, *, category, topic, day, organisation, colleague):
    slots = {"topic_name": TOPIC_NAMES[topic], "colleague": colleague}
    if category == "research":
        conferences = CONFERENCES.get(day.month)
        if conferences and rng.random() < 0.6:
            name, tag = rng.choice(conferences)
            tag = tag.format(yyyy=day.year, yy=f"{day.year % 100:02d}")
            paper = rng.choice(PAPERS)
            if rng.random() < 0.5:
                return f"Live from {name}: a packed session on {paper}. Take-home: {rng.choice(TAKEAWAYS)}.", tag
            return f"Our poster at {name} on {paper}: come by board {rng.randint(1, 240)}!", tag
        if rng.random() < 0.5:
            return (f"Journal club this week: {rng.choice(PAPERS)}. Our verdict: {rng.choice(TAKEAWAYS)}.", None)
        return f"New paper out on {rng.choice(PAPERS)}. Link in profile.", None
    templates = {
        "mentorship": MENTORSHIP,
        "promotion": PROMOTION_ORG if organisation else PROMOTION_PERSONAL,
        "branding": BRANDING_ORG if organisation else BRANDING_PERSONAL,
        "leadership": LEADERSHIP,
    }[category]
    return rng.choice(templates).format(**slots), None


def _fit(body: str, tags: list[str], limit: int | None) -> str:
    """Body and tags within the platform's caption limit: drop trailing tags first, then shorten the body."""
    tags = list(tags)

    def join():
        return f"{body}\n\n{' '.join('#' + tag for tag in tags)}" if tags else body

    while limit is not None and len(join()) > limit and len(tags) > 1:
        tags.pop()
    if limit is not None and len(join()) > limit:
        room = limit - (len(join()) - len(body)) - 1
        body = body[:room].rsplit(" ", 1)[0] + "…"
    return join()


# Notes a faculty member writes when picking a post for the dossier.
HIGHLIGHT_NOTES = (
    "Residents tell me this is their go-to review before call.",
    "Shared by a national society's education account.",
    "Led to an invitation to teach at a regional course.",
    "Now part of the department's teaching file.",
    "Started a discussion with radiologists from six countries.",
)


# Platform ids and URLs ------------------------------------------------------------------------------------------------


def account_url(spec: AccountSpec) -> str:
    handle = spec.handle
    if spec.platform == "mastodon":
        user, instance = handle.split("@")
        return f"https://{instance}/@{user}"
    if spec.platform == "linkedin":
        return f"https://www.linkedin.com/{'in' if spec.kind == 'personal' else 'company'}/{handle}/"
    return {
        "instagram": f"https://www.instagram.com/{handle}/",
        "twitter": f"https://x.com/{handle}",
        "facebook": f"https://www.facebook.com/{handle}",
        "youtube": f"https://www.youtube.com/@{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "reddit": f"https://www.reddit.com/user/{handle}/",
        "researchgate": f"https://www.researchgate.net/profile/{handle}",
        "doximity": f"https://www.doximity.com/pub/{handle}",
        "threads": f"https://www.threads.net/@{handle}",
        "bluesky": f"https://bsky.app/profile/{handle}",
    }.get(spec.platform, "")


SHORTCODE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
BASE36 = "abcdefghijklmnopqrstuvwxyz0123456789"


def _code(rng: random.Random, length: int, alphabet: str = SHORTCODE) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def post_identity(rng: random.Random, spec: AccountSpec, content_type: str, published_at: datetime) -> tuple[str, str]:
    """An external id shaped like the platform's own, and the post's URL."""
    handle, millis = spec.handle, int(published_at.timestamp() * 1000)
    match spec.platform:
        case "instagram":
            code = _code(rng, 11)
            return code, f"https://www.instagram.com/{'reel' if content_type == 'short_video' else 'p'}/{code}/"
        case "twitter":
            # Snowflake ids carry their timestamp, as X's do.
            snowflake = str(((millis - 1288834974657) << 22) | rng.getrandbits(22))
            return snowflake, f"https://x.com/{handle}/status/{snowflake}"
        case "facebook":
            number = str(rng.randrange(10**15, 10**16))
            return number, f"https://www.facebook.com/{handle}/posts/{number}"
        case "linkedin":
            number = str(rng.randrange(7 * 10**18, 8 * 10**18))
            return number, f"https://www.linkedin.com/feed/update/urn:li:activity:{number}/"
        case "youtube":
            code = _code(rng, 11)
            return code, f"https://www.youtube.com/{'shorts/' if content_type == 'short_video' else 'watch?v='}{code}"
        case "tiktok":
            number = str(rng.randrange(7 * 10**18, 8 * 10**18))
            return number, f"https://www.tiktok.com/@{handle}/video/{number}"
        case "reddit":
            code = _code(rng, 7, BASE36)
            return code, f"https://www.reddit.com/r/Radiology/comments/{code}/"
        case "researchgate":
            number = str(rng.randrange(10**8, 10**9))
            return number, f"https://www.researchgate.net/publication/{number}"
        case "threads":
            code = _code(rng, 11)
            return code, f"https://www.threads.net/@{handle}/post/{code}"
        case "bluesky":
            code = _code(rng, 13, "abcdefghijklmnopqrstuvwxyz234567")
            return code, f"https://bsky.app/profile/{handle}/post/{code}"
        case "mastodon":
            user, instance = handle.split("@")
            number = str((millis << 16) | rng.getrandbits(16))
            return number, f"https://{instance}/@{user}/{number}"
        case _:
            return _code(rng, 16, "0123456789abcdef"), ""
