"""
Uploaded images, checked and re-encoded before anything keeps them.

`clean_image(data)` accepts PNG, JPEG and WebP only, recognised by their content (never by the file's name or
the browser's word), refuses files over `IMAGE_MAX_BYTES` and pictures over `IMAGE_MAX_SIDE` pixels a side
(read from the header, before any pixel is decoded: a few kilobytes can unpack into gigabytes), and returns the
pixels alone, re-encoded: a new picture with no EXIF, GPS, ICC profile, text chunk or comment, so nothing that
travelled with the file is stored. Its name is the SHA-256 of the re-encoded bytes.

`ImageRefused` carries a message written for the person who uploaded the file.
"""

import base64
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> what we call it in messages. WebP is re-encoded as PNG: PDF renderers read PNG everywhere.
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}
OUTPUT = {
    "PNG": ("PNG", "png", "image/png"),
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "WEBP": ("PNG", "png", "image/png"),
}
JPEG_QUALITY = 90


class ImageRefused(ValueError):
    """The file is not an image we keep; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # the re-encoded picture: pixels only
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str

    @property
    def name(self) -> str:
        """A content-hash file name: the same picture uploaded twice is one file."""
        return f"{self.sha256}.{self.extension}"


def max_bytes() -> int:
    return settings.IMAGE_MAX_BYTES


def max_side() -> int:
    return settings.IMAGE_MAX_SIDE


def check_file_size(size: int) -> None:
    """Raises ImageRefused for a file over the limit: forms call it before reading an upload into memory."""
    if size > max_bytes():
        raise ImageRefused(
            f"The file is {size / 1_000_000:.1f} MB; images up to {max_bytes() / 1_000_000:g} MB are accepted."
        )


def open_image(data: bytes) -> Image.Image:
    """
    The picture in `data`, opened but not yet decoded, once its type, file size and dimensions are acceptable.
    Raises ImageRefused otherwise. Callers that read metadata (the privacy check) open files through here too.
    """
    check_file_size(len(data))
    if not data:
        raise ImageRefused("The file is empty.")
    try:
        # `formats` makes Pillow try these decoders only: a GIF, TIFF or SVG renamed .png is refused here.
        image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except UnidentifiedImageError as error:
        raise ImageRefused("Not a PNG, JPEG or WebP image: upload a screenshot in one of these formats.") from error
    except Image.DecompressionBombError as error:
        raise ImageRefused(_too_large_message(None)) from error
    width, height = image.size
    # The header's dimensions, checked before decoding: the decompression-bomb guard.
    if width > max_side() or height > max_side():
        raise ImageRefused(_too_large_message((width, height)))
    return image


def clean_image(data: bytes) -> CleanImage:
    """`data` checked (`open_image`) and re-encoded as a new picture that carries no metadata."""
    image = open_image(data)
    source_format = image.format
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses; a warning here is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            # A phone's screenshot may be stored sideways with an orientation tag: turn the pixels, since the tag goes.
            image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ImageRefused("The image is damaged or incomplete and cannot be read.") from error
    output_format, extension, content_type = OUTPUT[source_format]
    pixels = _pixels_only(image, output_format)
    buffer = io.BytesIO()
    if output_format == "JPEG":
        pixels.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        pixels.save(buffer, "PNG", optimize=True)
    content = buffer.getvalue()
    return CleanImage(
        content=content,
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _pixels_only(image: Image.Image, output_format: str) -> Image.Image:
    """A new picture from the pixel values alone: its `info` (EXIF, ICC, text chunks, comments) starts empty."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if output_format == "JPEG" or not has_alpha:
        mode = "L" if image.mode in ("1", "L", "I", "I;16", "F") else "RGB"
    else:
        mode = "RGBA"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def thumbnail_data_uri(content: bytes, *, side: int = 360) -> str:
    """
    A small JPEG of the picture as a data: URI, for documents that must stand alone (a frozen dossier's HTML
    and its PDF carry their thumbnails inside them).
    """
    image = Image.open(io.BytesIO(content))
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=80, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _too_large_message(size: tuple[int, int] | None) -> str:
    limit = f"{max_side():,} x {max_side():,} pixels"
    if size is None:
        return f"The image is too large to open safely; images up to {limit} are accepted."
    return f"The image is {size[0]:,} x {size[1]:,} pixels; images up to {limit} are accepted."
