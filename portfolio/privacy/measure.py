"""
How well the privacy check does on a labelled corpus: recall on captions that may identify a patient, false
alarms on captions that do not, overall and per rule.

The corpus (`corpus/captions.csv`) holds invented captions in the styles of the platforms faculty post on,
each labelled `identifying` or `safe`, with the kinds of flag an identifying one should raise and, where the
caption's timing matters, the post's publication time and the event's date. An identifying caption is caught
when the check raises any flag on it (the faculty member stops and reads it); a safe caption is a false alarm
when the check raises any flag on it. Per rule, recall counts the identifying captions expecting that kind
which got it, and false alarms the safe captions that got it.

The corpus is read in sections (`SECTIONS`), each scored alike: the captions (`corpus/captions.csv`), and the
screenshots (`corpus/images.csv`, pictures in `corpus/images/`, made by `corpus/make_images.py`), where an image
counts as flagged when the check would block freezing on it (identifying text read in its pixels); metadata is
removed on upload rather than flagged, and is counted in the section's notes.
"""

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from portfolio.privacy.images import metadata_flags, ocr_flags
from portfolio.privacy.rules import caption_flags

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CAPTIONS_CSV = CORPUS_DIR / "captions.csv"
IMAGES_CSV = CORPUS_DIR / "images.csv"
# What the check must reach on the corpus: it must catch nearly every identifying caption, and must not cry
# wolf so often that people stop reading its flags.
RECALL_TARGET = 0.95
FALSE_ALARM_TARGET = 0.05


@dataclass(frozen=True)
class RuleResult:
    kind: str
    expected: int  # identifying items that should raise this kind
    caught: int  # ... and did
    false_alarms: int  # safe items that raised it

    @property
    def recall(self) -> float | None:
        return self.caught / self.expected if self.expected else None


@dataclass
class SectionResult:
    name: str
    identifying: int = 0
    caught: int = 0
    safe: int = 0
    false_alarms: int = 0
    rules: list[RuleResult] = field(default_factory=list)
    missed_ids: list[str] = field(default_factory=list)
    false_alarm_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else the section found, in words

    @property
    def recall(self) -> float:
        return self.caught / self.identifying if self.identifying else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.safe if self.safe else 0.0

    @property
    def meets_targets(self) -> bool:
        return self.recall >= RECALL_TARGET and self.false_alarm_rate <= FALSE_ALARM_TARGET


@dataclass(frozen=True)
class Item:
    """One labelled corpus entry, checked: the kinds it should raise and the kinds it raised."""

    id: str
    identifying: bool
    expected: frozenset[str]
    found: frozenset[str]


def score(name: str, items: list[Item]) -> SectionResult:
    """Recall and false alarms of checked items, overall and per kind of flag."""
    result = SectionResult(name=name)
    kinds = sorted({kind for item in items for kind in item.expected | item.found})
    for item in items:
        if item.identifying:
            result.identifying += 1
            if item.found:
                result.caught += 1
            else:
                result.missed_ids.append(item.id)
        else:
            result.safe += 1
            if item.found:
                result.false_alarms += 1
                result.false_alarm_ids.append(item.id)
    for kind in kinds:
        expecting = [item for item in items if item.identifying and kind in item.expected]
        result.rules.append(
            RuleResult(
                kind=kind,
                expected=len(expecting),
                caught=sum(kind in item.found for item in expecting),
                false_alarms=sum(kind in item.found for item in items if not item.identifying),
            )
        )
    return result


def read_captions(path: Path = CAPTIONS_CSV) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def captions_section(check: Callable = caption_flags, path: Path = CAPTIONS_CSV) -> SectionResult:
    """The caption corpus, run through `check` (the caption check; another one to compare with it)."""
    items = []
    for row in read_captions(path):
        flags = check(
            row["caption"],
            published_at=datetime.fromisoformat(row["published_at"]) if row["published_at"] else None,
            event_date=date.fromisoformat(row["event_date"]) if row["event_date"] else None,
        )
        items.append(
            Item(
                id=row["id"],
                identifying=row["label"] == "identifying",
                expected=frozenset(row["expected_kinds"].split()),
                found=frozenset(flag.kind for flag in flags),
            )
        )
    return score("captions", items)


def images_section(path: Path = IMAGES_CSV) -> SectionResult:
    """The screenshot corpus, through the image check (metadata, then OCR). Raises OcrUnavailable without
    Tesseract."""
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    items, with_metadata = [], 0
    for row in rows:
        content = (path.parent / "images" / row["file"]).read_bytes()
        with_metadata += bool(metadata_flags(content))
        _, flags = ocr_flags(content)
        items.append(
            Item(
                id=row["file"],
                identifying=row["label"] == "identifying",
                expected=frozenset(),
                found=frozenset(flag.kind for flag in flags if flag.blocks_freezing),
            )
        )
    result = score("images", items)
    result.notes.append(f"metadata (GPS, camera, text) found and removed in {with_metadata} of {len(rows)} images")
    return result


# Each section is a function returning a SectionResult; the command runs them all, or those named.
SECTIONS: list[Callable[[], SectionResult]] = [captions_section, images_section]


@functools.cache
def published_figures() -> list[SectionResult]:
    """The captions' result, once per process, for the methods page (the corpus ships with the code). The images
    are left to the command: reading 30 pictures with OCR takes seconds, too long for a page."""
    return [captions_section()]
