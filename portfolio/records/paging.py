"""
Pages of a list that may hold a great many rows: a bounded page size, and no exact count, which would read
every row of the filtered table on each page. A page reads one row more than it shows to know whether another
follows. Views call `page_of` and templates read `Page`; a keyset (cursor) page can replace the offset here
without either of them changing.
"""

from dataclasses import dataclass

PAGE_SIZE = 50
# Past this page an offset costs more than it helps: narrow the list with its filters instead.
LAST_PAGE = 200


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def page_of(queryset, number: str | None, *, size: int = PAGE_SIZE) -> Page:
    """Page `number` of an ordered queryset (text from the query string: anything but 1 to LAST_PAGE reads as 1)."""
    page = int(number) if number and number.isdigit() and 1 <= int(number) <= LAST_PAGE else 1
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows=rows[:size], number=page, has_next=len(rows) > size and page < LAST_PAGE)
