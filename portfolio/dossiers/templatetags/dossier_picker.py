"""The highlight picker's links: sort, page and the hidden fields that bring the reader back to their place."""

from django import template
from django.utils.http import urlencode

from portfolio.dossiers.picker import SORTS, Filters

register = template.Library()


@register.filter
def sort_link(filters: Filters, key: str) -> str:
    return filters.sort_link(key)


@register.filter
def aria_sort(filters: Filters, key: str) -> str | None:
    return filters.aria_sort(key)


@register.filter
def sort_label(filters: Filters) -> str:
    """'rate, highest first' for the table's caption."""
    key = filters.sort.lstrip("-")
    if key in ("published", "platform", "caption"):
        order = "newest first" if key == "published" and filters.sort.startswith("-") else None
        order = order or (
            "oldest first" if key == "published" else "Z to A" if filters.sort.startswith("-") else "A to Z"
        )
    else:
        order = "highest first" if filters.sort.startswith("-") else "lowest first"
    return f"{SORTS[key][0].lower()}, {order}"


@register.filter
def page_link(filters: Filters, number: int) -> str:
    return urlencode(filters.as_query(page=number))


@register.filter
def place(filters: Filters, page_number: int) -> list[tuple[str, str]]:
    """The hidden fields of an add form: the sort, filters and page to come back to."""
    return list(filters.as_query(page=page_number).items())


@register.filter
def flag_kind(kind: str) -> str:
    """A privacy flag's kind in words: 'record_number' -> 'record number'."""
    return kind.replace("_", " ")
