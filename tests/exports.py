"""The sample export files in tests/data/exports, parsed the way the site parses an upload."""

from datetime import date
from pathlib import Path

from metrics.importers import open_export

EXPORTS = Path(__file__).parent / "data" / "exports"
# The day the samples are read on unless a test says otherwise: after every export date they hold.
TODAY = date(2026, 10, 5)


def read_export(name: str, *, folder: Path = EXPORTS, today: date = TODAY, **options):
    """The file's facts and its collected rows, as `open_export` gives them."""
    with (folder / name).open("rb") as stream:
        parsed = open_export(stream, filename=name, today=today, **options)
        return parsed.facts, parsed.collect()
