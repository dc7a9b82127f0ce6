"""
How well the image privacy check does on its labelled corpus (`corpus/images.csv`, made by
`corpus/make_images.py`): recall on the images that carry burned-in identifiers, false alarms on the safe
ones. An image counts as flagged when the check would block freezing (`ImageFlag.blocks_freezing`): an
identifying text in its pixels. Metadata is reported as found and removed and flags nothing here.

The targets: recall of at least 95% and false alarms on at most 5% of safe images.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.privacy.images import metadata_flags, ocr_flags

CORPUS = Path(__file__).resolve().parent / "corpus"
RECALL_TARGET = 0.95
FALSE_ALARM_TARGET = 0.05


@dataclass
class ImageCorpusResult:
    identifying: int = 0
    safe: int = 0
    caught: int = 0
    false_alarms: int = 0
    metadata_found: int = 0  # images whose metadata (GPS, camera) the check reported as removed
    missed: list[str] = field(default_factory=list)
    alarmed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.identifying if self.identifying else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.safe if self.safe else 0.0

    @property
    def meets_targets(self) -> bool:
        return self.recall >= RECALL_TARGET and self.false_alarm_rate <= FALSE_ALARM_TARGET


def measure(corpus: Path = CORPUS) -> ImageCorpusResult:
    """Run the image check (metadata, then OCR) on every labelled image. Raises OcrUnavailable without Tesseract."""
    result = ImageCorpusResult()
    with (corpus / "images.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        content = (corpus / "images" / row["file"]).read_bytes()
        if metadata_flags(content):
            result.metadata_found += 1
        _, flags = ocr_flags(content)
        flagged = any(flag.blocks_freezing for flag in flags)
        if row["label"] == "identifying":
            result.identifying += 1
            result.caught += flagged
            if not flagged:
                result.missed.append(row["file"])
        else:
            result.safe += 1
            result.false_alarms += flagged
            if flagged:
                result.alarmed.append(row["file"])
    return result


def report(result: ImageCorpusResult) -> list[str]:
    """The figures as lines of text, for the command."""
    lines = [
        f"Images: {result.identifying} with burned-in identifiers, {result.safe} safe.",
        f"Recall on identifying images: {result.caught}/{result.identifying} = {result.recall:.0%}"
        f" (target at least {RECALL_TARGET:.0%}).",
        f"False alarms on safe images: {result.false_alarms}/{result.safe} = {result.false_alarm_rate:.0%}"
        f" (target at most {FALSE_ALARM_TARGET:.0%}).",
        f"Metadata found and removed (GPS, camera): {result.metadata_found} images.",
    ]
    if result.missed:
        lines.append("Missed: " + ", ".join(result.missed))
    if result.alarmed:
        lines.append("False alarms: " + ", ".join(result.alarmed))
    return lines
