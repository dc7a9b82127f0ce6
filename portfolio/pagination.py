"""
Pagination for the API's lists (a module of its own: DRF imports it while loading views).

`Pagination`: page numbers and an exact count, for lists that stay small (institutions, dossiers, ...).

`KeysetPagination`: for the lists that grow with the data (posts, snapshots, audience rows). A page is the rows
after (or before) the last row of the previous page in the list's order, found by a WHERE on the ordering's
columns, so every page costs what the first does: no OFFSET that reads and skips the rows of the pages before,
and no exact COUNT that reads every row of the list. `count` is exact up to `count_cap` rows; above it is
`count_cap` with `count_exact` false ("more than 10,000"), counted with a LIMIT so it reads at most that many.
`next` and `previous` carry an opaque `cursor` (the position) and every other query parameter, and stay usable
while rows are added (a row lands on the page its place in the order says).

To use it elsewhere (a page of HTML, another list): `keyset_page(queryset, cursor=..., page_size=...)` returns a
`KeysetPage` (rows, cursors of the next and previous pages, capped count) for any queryset ordered by model
fields or annotations; the ordering is made total by adding the primary key when it is missing.
"""

import base64
import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class Pagination(PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `?page_size=` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


class InvalidCursor(ValueError):
    """A cursor this list did not write (edited, or of another ordering)."""


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # exact when `count_exact`, else the cap: there are more
    count_exact: bool


@dataclass(frozen=True)
class Key:
    """One column of the ordering: a field or annotation name, its direction, whether it may be blank."""

    name: str
    descending: bool
    nullable: bool


def _ordering(queryset: QuerySet) -> list[Key]:
    """The queryset's ordering, made total with the primary key."""
    terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    ordering = []
    for term in terms:
        if not isinstance(term, str):
            raise ValueError(f"Keyset pagination orders by names, not expressions: {term!r}.")
        name = term.lstrip("-")
        name = "pk" if name in ("pk", queryset.model._meta.pk.name) else name
        field = _field(queryset, name)
        # An annotation (a subquery) may be blank whatever its output field says.
        nullable = name in queryset.query.annotations or field.null
        ordering.append(Key(name, term.startswith("-"), nullable))
    if not any(key.name == "pk" for key in ordering):
        ordering.append(Key("pk", ordering[0].descending if ordering else False, False))
    return ordering


def _field(queryset: QuerySet, name: str):
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)


def _after(ordering: list[Key], position: list) -> Q:
    """
    The rows after `position` in `ordering` (blanks last in either direction): for (a, b, pk), a past it, or a
    equal and (b, pk) past theirs.
    """
    (key, *rest), (value, *later) = ordering, position
    if value is None:
        # Among the blanks (last): only the rest of the key moves on.
        return Q(**{f"{key.name}__isnull": True}) & _after(rest, later) if rest else Q(pk__in=[])
    past = Q(**{f"{key.name}__lt" if key.descending else f"{key.name}__gt": value})
    if key.nullable:
        past |= Q(**{f"{key.name}__isnull": True})
    return past | (Q(**{key.name: value}) & _after(rest, later)) if rest else past


def _bound(ordering: list[Key], position: list) -> Q:
    """
    A condition `_after` implies, on the first column alone: the one an index on it starts its walk from
    (a database does not read that bound out of the OR of `_after`).
    """
    key, value = ordering[0], position[0]
    if value is None:
        return Q(**{f"{key.name}__isnull": True})
    bound = Q(**{f"{key.name}__lte" if key.descending else f"{key.name}__gte": value})
    return bound | Q(**{f"{key.name}__isnull": True}) if key.nullable else bound


def encode_cursor(direction: str, position: list) -> str:
    """The cursor of the page after (`next`) or before (`previous`) `position`: the ordering's values of a row."""
    text = json.dumps([direction, position], cls=DjangoJSONEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(queryset: QuerySet, ordering: list[Key], cursor: str) -> tuple[str, list]:
    try:
        direction, raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if direction not in ("next", "previous") or len(raw) != len(ordering):
            raise InvalidCursor(cursor)
        position = [
            None if value is None else _field(queryset, key.name).to_python(value)
            for key, value in zip(ordering, raw, strict=True)
        ]
    except InvalidCursor:
        raise
    except Exception as error:  # anything a hand-edited cursor may raise while decoding
        raise InvalidCursor(cursor) from error
    return direction, position


def _sorted(ordering: list[Key], *, reverse: bool) -> list:
    """
    The ORDER BY of `ordering` (reversed: for a previous page). Blanks go last (first, reversed) on every
    database; a column that cannot be blank is left plain, so that PostgreSQL walks its index in either
    direction rather than sorting.
    """
    terms = []
    for key in ordering:
        term = getattr(F(key.name), "desc" if key.descending != reverse else "asc")
        blanks = {"nulls_first": True} if reverse else {"nulls_last": True}
        terms.append(term(**blanks) if key.nullable else term())
    return terms


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """The number of rows, reading at most `cap + 1`: (count, exact), or (cap, False) when there are more."""
    found = queryset.order_by()[: cap + 1].count()
    return (found, True) if found <= cap else (cap, False)


def keyset_page(
    queryset: QuerySet,
    *,
    cursor: str | None,
    page_size: int,
    count_cap: int = COUNT_CAP,
    counted: QuerySet | None = None,
    known_count: tuple[int, bool] | None = None,
) -> KeysetPage:
    """
    One page of `queryset` in its ordering (made total with the pk), after or before the position `cursor`
    names (None: the first page). Two queries at most: the page (with one row more, to know whether another
    page follows), and the capped count. `counted`: the same rows without what the page alone needs
    (annotations a count would compute for every row it counts); `known_count`: the capped count, when the
    caller needed it first (then not counted again). Raises `InvalidCursor` for a cursor it did not write.
    """
    ordering = _ordering(queryset)
    direction, position = ("next", None) if cursor is None else _decode(queryset, ordering, cursor)
    backwards = direction == "previous"
    rows = queryset
    if backwards:
        bound = _bound(_reversed(ordering), position) if position[0] is not None else Q()
        rows = rows.filter(bound, _before(ordering, position))
    elif position is not None:
        rows = rows.filter(_bound(ordering, position), _after(ordering, position))
    rows = list(rows.order_by(*_sorted(ordering, reverse=backwards))[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    if known_count is None:
        known_count = capped_count(queryset if counted is None else counted, count_cap)
    count, exact = known_count
    if not rows:
        return KeysetPage([], None, None, count, exact)
    first, last = _position(rows[0], ordering), _position(rows[-1], ordering)
    has_next = more if not backwards else True
    has_previous = (position is not None) if not backwards else more
    return KeysetPage(
        rows,
        encode_cursor("next", last) if has_next else None,
        encode_cursor("previous", first) if has_previous else None,
        count,
        exact,
    )


def _before(ordering: list[Key], position: list) -> Q:
    """The rows before `position` in `ordering` (blanks last, so every row with a value is before a blank)."""
    (key, *rest), (value, *later) = ordering, position
    if value is None:
        filled = Q(**{f"{key.name}__isnull": False})
        return filled | (Q(**{f"{key.name}__isnull": True}) & _before(rest, later)) if rest else filled
    earlier = Q(**{f"{key.name}__gt" if key.descending else f"{key.name}__lt": value})
    return earlier | (Q(**{key.name: value}) & _before(rest, later)) if rest else earlier


def _reversed(ordering: list[Key]) -> list[Key]:
    # For `_bound` of a previous page: the first column walked the other way, towards the values (not blanks).
    return [Key(key.name, not key.descending, False) for key in ordering]


def _position(row, ordering: list[Key]) -> list:
    return [getattr(row, key.name) for key in ordering]


class KeysetPagination(BasePagination):
    """
    The API's keyset pagination (see the module): `count` (exact up to 10,000), `count_exact`, `next`,
    `previous`, `results`; `?cursor=` from a `next` or `previous` link; `?page_size=` up to 200.
    """

    page_size = 50
    max_page_size = 200
    count_cap = COUNT_CAP

    def paginate_queryset(self, queryset, request, view=None, counted=None, known_count=None):
        """A page of `queryset`; `counted` and `known_count`: see `keyset_page`."""
        self.request = request
        try:
            size = int(request.query_params.get("page_size", self.page_size))
        except ValueError:
            size = self.page_size
        size = max(1, min(size, self.max_page_size))
        try:
            self.page = keyset_page(
                queryset,
                cursor=request.query_params.get("cursor"),
                page_size=size,
                count_cap=self.count_cap,
                counted=counted,
                known_count=known_count,
            )
        except InvalidCursor:
            raise NotFound("Invalid cursor.") from None
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        query["cursor"] = [cursor]
        query.pop("page", None)
        return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.count,
                "count_exact": self.page.count_exact,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": f"Rows in the list, exact up to {COUNT_CAP:,}; above, {COUNT_CAP:,}.",
                },
                "count_exact": {
                    "type": "boolean",
                    "description": f"False when the list holds more than {COUNT_CAP:,} rows.",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "The position of a page, from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page, up to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer"},
            },
        ]
