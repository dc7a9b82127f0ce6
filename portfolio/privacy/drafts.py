"""
Checking a draft before it is posted (`/privacy/check/` and `POST /api/v1/privacy-check/`): the caption check,
with the planned publication time, and the caption cut into pieces so that a page can mark each flagged one.

Nothing of a draft is kept: no model holds it, no log line quotes it, and the page answers `no-store`.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from portfolio.lib.images import check_file_size, clean_image
from portfolio.privacy.images import ImageFlag, metadata_flags, ocr_flags
from portfolio.privacy.rules import PrivacyFlag, caption_flags


def check_draft(caption: str, *, published_at: datetime | None = None, event_date: date | None = None):
    """
    The flags of a draft caption. A draft with an event date but no planned publication time is read as posted
    now: the question is whether it is too soon to post it.
    """
    if event_date is not None and published_at is None:
        published_at = timezone.now()
    return caption_flags(caption, published_at=published_at, event_date=event_date)


def check_draft_image(upload) -> list[ImageFlag]:
    """
    The flags of a draft's picture: its metadata (which a post would carry unless stripped), then the text burned
    into its pixels. The same checks as an evidence screenshot's, size first; nothing is kept. Raises ImageRefused
    for a file that is not a picture within the limits, and OcrUnavailable without Tesseract.
    """
    check_file_size(upload.size)
    data = upload.read()
    found = metadata_flags(data)
    _, read = ocr_flags(clean_image(data).content)
    return found + read


@dataclass(frozen=True)
class Piece:
    text: str
    flag: PrivacyFlag | None  # the flag this piece of the caption tripped, None for plain text
    number: int | None = None  # the flag's number in the list beside the caption


def pieces(caption: str, flags: list[PrivacyFlag]) -> list[Piece]:
    """The caption in reading order, flagged excerpts apart (flags do not overlap; a flag on the post has none)."""
    result, position = [], 0
    for number, flag in enumerate(flags, start=1):
        if flag.start == flag.end:
            continue
        if flag.start > position:
            result.append(Piece(caption[position : flag.start], None))
        result.append(Piece(flag.excerpt, flag, number))
        position = flag.end
    if position < len(caption):
        result.append(Piece(caption[position:], None))
    return result
