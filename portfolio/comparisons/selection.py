"""
What a comparison compares: the parameters, parsed and validated once, for the pages and the API alike.

`SelectionSerializer(data=request.GET, context={"user": user})` reads departments and/or institutions (several,
across institutions), a platform, account kinds, the publication period, the as-of date, and the table's search
and sort; `.selection` is then a `Selection`, which every comparison module takes.

Who may choose what (the privacy of peers):
- *home* institutions are those where the user holds a role or an appointment (every institution for a
  superuser). Accounts there are *peers*: their rows are shown when the user may read the account
  (`SocialAccount.objects.visible_to`), otherwise they count only in aggregates and percentiles;
- another institution can be chosen only if its admins opted into sharing aggregates
  (`Institution.shares_aggregates`); its accounts count in roll-ups only, never as rows or in percentiles;
- any other id is refused exactly like an id that does not exist, so a parameter cannot reveal that it does;
- an aggregate over accounts the user may not read individually is shown only when it covers at least
  `MIN_PEERS` of them (the smallest peer group of `portfolio/lib/percentiles.py`), so that one account's
  numbers cannot be read off an "aggregate".
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, reduce
from operator import or_

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Subquery
from django.utils import timezone
from rest_framework import serializers

from accounts.access import Access, access_for
from accounts.api_scoping import MAX_ID
from accounts.models import Department, Institution, Platform, SocialAccount
from portfolio.lib.percentiles import MIN_PEERS

DEFAULT_PERIOD_DAYS = 365
# Dates outside these bounds are typing mistakes (and would overflow date arithmetic at the ends of the calendar).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
MAX_PLACES = 50

# The table's columns that sort, as API keys; "-" in front sorts descending. Not computable sorts last either way.
SORT_KEYS = (
    "handle",
    "platform",
    "followers",
    "growth",
    "posts",
    "posts_per_week",
    "actions",
    "impressions",
    "rate_by_impressions",
    "pooled_rate_by_impressions",
    "rate_by_reach",
    "pooled_rate_by_reach",
    "rate_by_followers",
    "pooled_rate_by_followers",
)
DEFAULT_SORT = "-rate_by_impressions"
DENOMINATOR_CHOICES = (("impressions", "impressions"), ("reach", "reach"), ("followers", "followers"))


def aggregate_is_shown(*, hidden_accounts: int) -> bool:
    """An aggregate covering `hidden_accounts` accounts the viewer may not read one by one: shown or not."""
    return hidden_accounts == 0 or hidden_accounts >= MIN_PEERS


@dataclass(frozen=True)
class Place:
    """A chosen department or institution: a group of accounts, and a row of the roll-ups."""

    kind: str  # "department" or "institution"
    pk: int
    name: str
    institution_name: str
    is_home: bool  # in one of the viewer's institutions: its accounts are peers

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"

    @property
    def label(self) -> str:
        return self.name if self.kind == "institution" else f"{self.name}, {self.institution_name}"

    def accounts_q(self) -> Q:
        """Which accounts belong here: the scoping rule of `SocialAccountQuerySet`, the one definition."""
        accounts = SocialAccount.objects.none()
        return accounts.departments_q([self.pk]) if self.kind == "department" else accounts.institutions_q([self.pk])


@dataclass(frozen=True)
class Choices:
    """The institutions and departments a user may choose, read once per request (two queries)."""

    institutions: list[Institution]
    departments: list[Department]
    home_institution_ids: frozenset[int]

    @classmethod
    def for_user(cls, user) -> "Choices":
        if access_for(user).is_superuser:
            home_q = Q(pk__isnull=False)
        else:
            home_q = Q(pk__in=Institution.objects.visible_to(user).values("pk"))
        institutions = list(
            Institution.objects.filter(home_q | Q(shares_aggregates=True)).annotate(
                is_home=ExpressionWrapper(home_q, output_field=BooleanField())
            )
        )
        departments = list(
            Department.objects.filter(institution__in=[i.pk for i in institutions]).select_related("institution")
        )
        return cls(institutions, departments, frozenset(i.pk for i in institutions if i.is_home))

    def place(self, obj) -> Place:
        if isinstance(obj, Department):
            return Place(
                "department",
                obj.pk,
                obj.name,
                obj.institution.name,
                obj.institution_id in self.home_institution_ids,
            )
        return Place("institution", obj.pk, obj.name, obj.name, obj.pk in self.home_institution_ids)


@dataclass(frozen=True)
class Selection:
    user: object
    access: Access
    places: tuple[Place, ...]
    platform: Platform | None
    kinds: tuple[str, ...]
    start: date
    end: date
    as_of: date
    search: str = ""
    sort: str = DEFAULT_SORT
    hashtag: str = ""
    denominator: str = "impressions"
    chose_places: bool = field(default=True)
    # False when no platform was asked for and `one_platform` chose the most common one.
    chose_platform: bool = field(default=True)

    @property
    def home_places(self) -> tuple[Place, ...]:
        return tuple(place for place in self.places if place.is_home)

    @property
    def weeks(self) -> float:
        return ((self.end - self.start).days + 1) / 7

    @property
    def metrics_until(self) -> date:
        """The last day whose follower count counts for growth: the period's end, or the as-of date if earlier."""
        return min(self.end, self.as_of)

    def accounts(self):
        """The accounts of the chosen places, of the chosen platform and kinds."""
        if not self.places:
            return SocialAccount.objects.none()
        return self.filter_accounts(SocialAccount.objects.filter(reduce(or_, (p.accounts_q() for p in self.places))))

    def filter_accounts(self, accounts):
        """`accounts` narrowed to the chosen platform and kinds."""
        if self.platform is not None:
            accounts = accounts.filter(platform=self.platform)
        if self.kinds:
            accounts = accounts.filter(kind__in=self.kinds)
        return accounts

    @cached_property
    def visible_q(self) -> Q:
        """Accounts whose own rows the user may read."""
        return Q(pk__in=SocialAccount.objects.visible_to(self.user).values("pk"))

    def as_query(self) -> dict:
        """The selection as query parameters (for links to the other comparison pages and the exports)."""
        query = {
            "department": [p.pk for p in self.places if p.kind == "department"] if self.chose_places else [],
            "institution": [p.pk for p in self.places if p.kind == "institution"] if self.chose_places else [],
            "platform": self.platform.key if self.platform else "",
            "kind": list(self.kinds),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
        }
        return {key: value for key, value in query.items() if value not in ("", [])}


def one_platform(selection: Selection) -> Selection:
    """
    The selection narrowed to one platform, the one its ranks and percentiles are within: a rate on X, on
    Instagram and on YouTube counts different things, so accounts are ranked against accounts of their own
    platform only. The chosen platform, else the most common among the chosen places' accounts (most accounts,
    then by name; `chose_platform` False). Unchanged when the places hold no account. One query.
    """
    if selection.platform is not None:
        return selection
    most_common = (
        selection.accounts().order_by().values("platform").annotate(n=Count("pk")).order_by("-n", "platform__name")
    )
    platform = Platform.objects.filter(pk=Subquery(most_common.values("platform")[:1])).first()
    if platform is None:
        return selection
    return replace(selection, platform=platform, chose_platform=False)


class IdListField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=MAX_PLACES, **kwargs)


class SelectionSerializer(serializers.Serializer):
    """The parameters of every comparison page and endpoint. Needs `context={"user": ...}`."""

    department = IdListField(help_text="Department ids (repeat the parameter for several).")
    institution = IdListField(help_text="Institution ids (repeat the parameter for several).")
    platform = serializers.SlugRelatedField(
        slug_field="key", queryset=Platform.objects.all(), required=False, help_text="Platform key, e.g. instagram."
    )
    kind = serializers.MultipleChoiceField(
        choices=SocialAccount.Kind.choices, required=False, help_text="Account kinds (repeat for several); all if none."
    )
    start = serializers.DateField(required=False, help_text="First publication day (inclusive). Default: a year back.")
    end = serializers.DateField(required=False, help_text="Last publication day (inclusive). Default: the as-of day.")
    as_of = serializers.DateField(required=False, help_text="Metrics as of this day (default today).")
    q = serializers.CharField(
        required=False, max_length=100, help_text="Only rows whose handle or owner contains this."
    )
    sort = serializers.ChoiceField(
        choices=[*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)], required=False, help_text="Column; '-' descending."
    )

    @cached_property
    def choices(self) -> Choices:
        """What the user may choose; read on first use (the schema generator builds the serializer without a user)."""
        return Choices.for_user(self.context["user"])

    def validate_start(self, value):
        return _within_bounds(value)

    def validate_end(self, value):
        return _within_bounds(value)

    def validate_as_of(self, value):
        return _within_bounds(value)

    def validate(self, attrs):
        as_of = attrs.get("as_of") or timezone.localdate()
        end = attrs.get("end") or as_of
        start = attrs.get("start") or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"end": "The end of the period is before its start."})
        places = self._places(attrs)
        attrs.update(start=start, end=end, as_of=as_of, places=places)
        return attrs

    def _places(self, attrs) -> tuple[Place, ...]:
        by_id = {
            "department": {d.pk: d for d in self.choices.departments},
            "institution": {i.pk: i for i in self.choices.institutions},
        }
        errors, places = {}, []
        for kind, known in by_id.items():
            for pk in dict.fromkeys(attrs.get(kind, [])):
                if pk in known:
                    places.append(self.choices.place(known[pk]))
                else:
                    # The same answer for an id that does not exist and one the user may not see.
                    errors.setdefault(kind, []).append(f"{pk} is not one of the {kind}s you may compare.")
        if errors:
            raise serializers.ValidationError(errors)
        return tuple(places)

    @property
    def selection(self) -> Selection:
        data = self.validated_data
        user = self.context["user"]
        places, chose = data["places"], True
        if not places:
            places, chose = self._default_places(user), False
        return Selection(
            user=user,
            access=access_for(user),
            places=places,
            platform=data.get("platform"),
            kinds=tuple(sorted(data.get("kind") or ())),
            start=data["start"],
            end=data["end"],
            as_of=data["as_of"],
            search=data.get("q", "").strip(),
            sort=data.get("sort") or DEFAULT_SORT,
            hashtag=data.get("hashtag", ""),
            denominator=data.get("denominator", "impressions"),
            chose_places=chose,
        )

    def _default_places(self, user) -> tuple[Place, ...]:
        """Nothing chosen: the user's own places (their departments, or their institutions)."""
        access = access_for(user)
        if access.is_superuser:
            institution_ids = {i.pk for i in self.choices.institutions if i.is_home}
        else:
            institution_ids = set(access.readable_institution_ids)
        department_ids = set(access.reviewer_department_ids)
        if access.faculty_id is not None:
            faculty_departments = Department.objects.filter(appointments__faculty_id=access.faculty_id)
            department_ids |= set(faculty_departments.values_list("pk", flat=True))
        places = [self.choices.place(i) for i in self.choices.institutions if i.pk in institution_ids]
        places += [
            self.choices.place(d)
            for d in self.choices.departments
            if d.pk in department_ids and d.institution_id not in institution_ids
        ]
        return tuple(places)


class SeriesSelectionSerializer(SelectionSerializer):
    hashtag = serializers.RegexField(
        r"^#?\w{1,100}$", help_text="The hashtag of the series, with or without #, e.g. MSKMonday."
    )

    def validate_hashtag(self, value):
        return value.lstrip("#")


class ContentSelectionSerializer(SelectionSerializer):
    denominator = serializers.ChoiceField(
        choices=DENOMINATOR_CHOICES, required=False, help_text="The rate's denominator (default impressions)."
    )


def _within_bounds(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise serializers.ValidationError(f"Choose a day between {EARLIEST_DAY} and {LATEST_DAY}.")
    return value
