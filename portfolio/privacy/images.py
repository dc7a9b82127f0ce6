"""
The image privacy check: likely patient identifiers in a screenshot of a post.

Radiology screenshots often carry the PACS overlay burned into the pixels (a patient's name, date of birth,
record and accession numbers, the hospital), and image files carry metadata (EXIF with GPS and the camera's
owner, PNG text chunks, DICOM tags copied along by export tools). Two checks:

    metadata_flags(data)   what the file carries besides its pixels, read BEFORE re-encoding removes it: each
                           flag says it was found and removed (`removed=True`), so it never blocks anything
    ocr_flags(content)     the burned-in text, read by Tesseract, run through the caption rules
                           (`rules.caption_flags`) and the overlay patterns below, each flag with its box

Each flag has a severity: `identifying` (names a patient on its own: a name, a date of birth, a record or
accession number), `combination` (identifies with other facts: a date, an age, an institution, a place) or
`review` (worth a look). An identifying flag still in the picture blocks freezing until the picture is replaced
or a person acknowledges it. The overlay patterns ask for the labels PACS viewers print ("DOB", "MRN", "Acc#",
"Patient:") so that the teaching labels of a safe image ("L", "R", "W: 400 L: 40", "5 cm", "T2 FLAIR") pass.
"""

import io
import re
import shutil
from dataclasses import asdict, dataclass

from django.conf import settings
from PIL import Image, ImageOps

from portfolio.lib.images import open_image
from portfolio.privacy.rules import caption_flags

IDENTIFYING = "identifying"
COMBINATION = "combination"
REVIEW = "review"
SEVERITIES = (IDENTIFYING, COMBINATION, REVIEW)

# The caption rules' kinds, by what they do alone (the caption check reads them by kind).
CAPTION_SEVERITY = {
    "record_number": IDENTIFYING,
    "name": IDENTIFYING,
    "email": IDENTIFYING,
    "phone": IDENTIFYING,
    "date": COMBINATION,
    "age": COMBINATION,
}
CAPTION_REASONS = {
    "record_number": "A record or accession number in the picture identifies a patient directly.",
    "name": "A name after a title in the picture: a patient's name must not appear.",
    "email": "An e-mail address in the picture.",
    "phone": "A phone number in the picture.",
    "date": "A date in the picture: the day of a scan can identify a patient with other facts.",
    "age": "An age in the picture: with sex, a date or a place it can identify a patient.",
}

MISSING_TESSERACT = (
    "Burned-in text was not read: the OCR program Tesseract is not installed on the server "
    "(install the system package tesseract-ocr)."
)


@dataclass(frozen=True)
class ImageFlag:
    kind: str
    severity: str  # identifying / combination / review
    reason: str  # why it may identify a patient, for the faculty member
    excerpt: str  # the text found (in the picture or in the file's metadata)
    source: str  # "ocr" or "metadata"
    box: tuple[int, int, int, int] | None = None  # left, top, width, height in the picture's pixels (OCR)
    removed: bool = False  # metadata: found in the upload and not kept

    @property
    def label(self) -> str:
        """The reason, under the name the caption flags' pages read."""
        return self.reason

    @property
    def blocks_freezing(self) -> bool:
        return self.severity == IDENTIFYING and not self.removed

    def as_dict(self) -> dict:
        data = asdict(self)
        data["box"] = list(self.box) if self.box else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ImageFlag":
        box = data.get("box")
        return cls(**{**data, "box": tuple(box) if box else None})


class OcrUnavailable(RuntimeError):
    """The burned-in text was not read: Tesseract is not installed, or ran out of time; the message says which."""


def not_read_in_time() -> str:
    return (
        f"Burned-in text was not read within {settings.OCR_TIMEOUT_SECONDS:g} seconds: look at the picture for "
        "patient identifiers yourself, or upload a smaller screenshot."
    )


# --- burned-in overlays ---------------------------------------------------------------------------------------

NAME_WORD = r"[A-Z][A-Za-z'\-]+"
OVERLAY_PATTERNS: tuple[tuple[str, str, str, re.Pattern], ...] = (
    (
        "date_of_birth",
        IDENTIFYING,
        "A date of birth in the overlay identifies a patient.",
        # OCR reads the O of "D.O.B." as a zero as often as not.
        re.compile(r"\b(?:D\.?[O0]\.?B|Date of birth|Birth\s?date|Born)\b\.?\s*[:.]?\s*\S+", re.IGNORECASE),
    ),
    (
        "record_number",
        IDENTIFYING,
        "A record number (MRN, patient ID) in the overlay identifies a patient directly.",
        re.compile(
            r"\b(?:MRN|MR\s?#|PID|Pat(?:ient)?\.?\s?ID|Hosp(?:ital)?\.?\s?(?:No|#)|NHS\s?(?:No)?)\b\.?\s*[:#.]?\s*"
            r"[A-Z]{0,3}\d[\d-]{3,}",
            re.IGNORECASE,
        ),
    ),
    (
        "accession_number",
        IDENTIFYING,
        "An accession number in the overlay identifies the study, and so the patient.",
        re.compile(r"\bAcc(?:ession)?\.?\s?(?:#|No\.?|Num(?:ber)?)?\s*[:.]?\s*[A-Z]{0,4}\d{4,}", re.IGNORECASE),
    ),
    (
        "patient_name",
        IDENTIFYING,
        "A patient name field in the overlay.",
        re.compile(rf"\b(?:Patient(?:\s?Name)?|Pt\.?(?:\s?Name)?|Name)\s*[:.]\s*{NAME_WORD}(?:[ ,^]+{NAME_WORD})*"),
    ),
    (
        "patient_name",
        IDENTIFYING,
        "A name written the DICOM way (FAMILY^GIVEN) in the overlay.",
        # OCR often reads the caret as an asterisk.
        re.compile(r"\b[A-Z][A-Za-z'\-]+[\^*][A-Z][A-Za-z'\-]+\b"),
    ),
    (
        "institution",
        COMBINATION,
        "An institution's name: with a date or a case it narrows down who the patient is.",
        re.compile(
            r"\b(?:(?:St\.?|Saint|[A-Z][a-z]+)\s+){1,4}(?:Hospital|Medical\s+Cent(?:er|re)|Clinic|Infirmary"
            r"|Health\s+System|Imaging\s+Cent(?:er|re)|Radiology\s+Associates)\b"
        ),
    ),
    (
        "age",
        COMBINATION,
        "An age as the overlay prints it (045Y): with sex and a date it can identify a patient.",
        re.compile(r"\b0?\d{2}Y\b"),
    ),
)


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[int, int, int, int]
    start: int  # offsets of the word in the page's text
    end: int


def text_flags(text: str, words: list[Word] = ()) -> list[ImageFlag]:
    """
    Flags for `text` read from a picture: the caption rules (by kind) and the overlay patterns. With `words`
    (the OCR words and where they sit in `text`), each flag carries the box around the words it covers.
    """
    found = []  # (start, end, kind, severity, reason)
    for flag in caption_flags(text):
        severity = CAPTION_SEVERITY.get(flag.kind, REVIEW)
        reason = CAPTION_REASONS.get(flag.kind, "Text in the picture that the caption check flags.")
        found.append((flag.start, flag.end, flag.kind, severity, reason))
    for kind, severity, reason, pattern in OVERLAY_PATTERNS:
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), kind, severity, reason))
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    flags, taken = [], []
    # The most serious reading of a span wins; a span inside one already flagged is not flagged twice.
    for start, end, kind, severity, reason in sorted(found, key=lambda item: (rank[item[3]], item[0], -item[1])):
        if any(start < other_end and end > other_start for other_start, other_end in taken):
            continue
        taken.append((start, end))
        flags.append(
            ImageFlag(
                kind=kind,
                severity=severity,
                reason=reason,
                excerpt=text[start:end].strip(),
                source="ocr",
                box=_box_around([word for word in words if word.start < end and word.end > start]),
            )
        )
    return sorted(flags, key=lambda flag: (flag.box or (0, 0, 0, 0))[1::-1])


def _box_around(words: list[Word]) -> tuple[int, int, int, int] | None:
    if not words:
        return None
    left = min(word.box[0] for word in words)
    top = min(word.box[1] for word in words)
    right = max(word.box[0] + word.box[2] for word in words)
    bottom = max(word.box[1] + word.box[3] for word in words)
    return (left, top, right - left, bottom - top)


# --- OCR ----------------------------------------------------------------------------------------------------------

# Overlay text is small: reading the picture at twice its size finds much more of it.
OCR_SCALE = 2


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def read_text(content: bytes) -> tuple[str, list[Word]]:
    """
    The burned-in text of the picture, line by line, and its words with their boxes (in the picture's own
    pixels). Raises OcrUnavailable when Tesseract is not installed or a reading takes longer than
    OCR_TIMEOUT_SECONDS (each of the two readings has that long; the program is stopped when it runs out).
    """
    import pytesseract  # a Python wrapper around the tesseract program, which it needs on the PATH

    if not tesseract_available():
        raise OcrUnavailable(MISSING_TESSERACT)
    picture = Image.open(io.BytesIO(content)).convert("L")
    picture = picture.resize((picture.width * OCR_SCALE, picture.height * OCR_SCALE), Image.Resampling.LANCZOS)
    lines: dict[int, list[tuple[str, tuple]]] = {}
    # Overlays are light text on dark pictures and captions dark on light: read both ways, and keep a word of
    # the second reading where the first found none.
    for variant in (picture, ImageOps.invert(picture)):
        first_reading = [box for line in lines.values() for _, box in line]
        try:
            data = pytesseract.image_to_data(
                variant,
                config="--psm 11",
                output_type=pytesseract.Output.DICT,
                timeout=settings.OCR_TIMEOUT_SECONDS,
            )
        except pytesseract.TesseractNotFoundError as error:
            raise OcrUnavailable(MISSING_TESSERACT) from error
        except pytesseract.TesseractError:
            raise
        except RuntimeError as error:  # pytesseract's word for a reading it stopped at the timeout
            raise OcrUnavailable(not_read_in_time()) from error
        for index, raw in enumerate(data["text"]):
            word = raw.strip()
            if not word or float(data["conf"][index]) < 0:
                continue
            box = tuple(data[key][index] // OCR_SCALE for key in ("left", "top", "width", "height"))
            if any(_overlap(box, other) for other in first_reading):
                continue
            # Words on one visual line share its top edge, give or take a few pixels.
            lines.setdefault(round(box[1] / 6), []).append((word, box))
    text_parts, words, offset = [], [], 0
    for key in sorted(lines):
        for word, box in sorted(lines[key], key=lambda item: item[1][0]):
            words.append(Word(text=word, box=box, start=offset, end=offset + len(word)))
            text_parts.append(word + " ")
            offset += len(word) + 1
        text_parts[-1] = text_parts[-1][:-1] + "\n"
    return "".join(text_parts), words


def _overlap(one: tuple, other: tuple) -> bool:
    return (
        one[0] < other[0] + other[2]
        and other[0] < one[0] + one[2]
        and one[1] < other[1] + other[3]
        and other[1] < one[1] + one[3]
    )


def ocr_flags(content: bytes) -> tuple[str, list[ImageFlag]]:
    """The picture's burned-in text and its flags. Raises OcrUnavailable when it could not be read (`read_text`)."""
    text, words = read_text(content)
    return text, text_flags(text, words)


# --- metadata -----------------------------------------------------------------------------------------------------

DICOM_TAG_RE = re.compile(
    r"\b(?:Patient(?:'?s)?\s?(?:Name|ID|BirthDate|Birth\s?Date|Sex|Age|Address)|OtherPatientIDs|AccessionNumber"
    r"|InstitutionName|InstitutionAddress|ReferringPhysicianName|StudyDate|\(0010,\s?00[1-4]0\)|\(0008,\s?0050\))\b",
    re.IGNORECASE,
)
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
OWNER_TAGS = {
    0x013B: "Artist",
    0x8298: "Copyright",
    0xA430: "CameraOwnerName",
    0xA431: "BodySerialNumber",
    0x9C9D: "XPAuthor",
}
CAMERA_TAGS = {0x010F: "Make", 0x0110: "Model", 0xA434: "LensModel", 0x0131: "Software"}
TEXT_TAGS = {0x010E: "ImageDescription", 0x9286: "UserComment", 0x9C9C: "XPComment", 0x9C9F: "XPSubject"}
DATE_TAGS = {0x0132: "DateTime", 0x9003: "DateTimeOriginal", 0x9004: "DateTimeDigitized"}


def metadata_flags(data: bytes) -> list[ImageFlag]:
    """
    What the uploaded file carries besides its pixels, found before re-encoding drops all of it: GPS position,
    the camera's owner and serial number, descriptions and comments, PNG text chunks, XMP and DICOM-like tags.
    Every flag has `removed=True`: the stored picture keeps none of it. Raises ImageRefused for a file that
    `portfolio.lib.images` refuses.
    """
    image = open_image(data)
    flags = []
    exif = image.getexif()
    if exif.get_ifd(GPS_IFD) or GPS_IFD in exif:
        flags.append(
            _removed("gps", COMBINATION, "A GPS position (where the picture was taken) was found and removed.", "GPS")
        )
    sub = exif.get_ifd(EXIF_IFD)
    for tag, name in OWNER_TAGS.items():
        if value := _text(exif.get(tag) or sub.get(tag)):
            flags.append(
                _removed("owner", REVIEW, f"The camera's owner or serial ({name}) was found and removed.", value)
            )
    for tag, name in CAMERA_TAGS.items():
        if value := _text(exif.get(tag) or sub.get(tag)):
            flags.append(_removed("camera", REVIEW, f"Camera details ({name}) were found and removed.", value))
    for tag, name in DATE_TAGS.items():
        if value := _text(exif.get(tag) or sub.get(tag)):
            flags.append(
                _removed("date_taken", REVIEW, f"When the picture was taken ({name}) was found and removed.", value)
            )
    texts = [(name, _text(exif.get(tag) or sub.get(tag))) for tag, name in TEXT_TAGS.items()]
    # PNG tEXt/iTXt/zTXt chunks, a JPEG comment and XMP arrive in `info`.
    # Technical entries (dpi, gamma, JFIF version) are numbers and tuples; only text can carry an identifier.
    texts += [
        (str(key), _text(value))
        for key, value in image.info.items()
        if isinstance(value, str | bytes) and key not in ("exif", "icc_profile")
    ]
    for name, value in texts:
        if not value:
            continue
        if DICOM_TAG_RE.search(value) or DICOM_TAG_RE.search(name):
            flags.append(
                _removed("dicom_tag", IDENTIFYING, f"Patient data from the scan ({name}) was found and removed.", value)
            )
        elif any(CAPTION_SEVERITY.get(flag.kind) == IDENTIFYING for flag in caption_flags(value)):
            flags.append(
                _removed("metadata_text", IDENTIFYING, f"An identifier in {name} was found and removed.", value)
            )
        else:
            flags.append(_removed("metadata_text", REVIEW, f"Text in the file ({name}) was found and removed.", value))
    return flags


def _removed(kind: str, severity: str, reason: str, excerpt: str) -> ImageFlag:
    return ImageFlag(
        kind=kind, severity=severity, reason=reason, excerpt=excerpt[:200], source="metadata", removed=True
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        # EXIF UserComment starts with an 8-byte character code; XP* tags are UTF-16.
        for prefix in (b"ASCII\x00\x00\x00", b"UNICODE\x00"):
            if value.startswith(prefix):
                value = value[len(prefix) :]
        encoding = "utf-16-le" if value[1:2] == b"\x00" else "utf-8"
        value = value.decode(encoding, errors="replace")
    return str(value).replace("\x00", "").strip()
