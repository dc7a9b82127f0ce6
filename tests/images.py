"""Pictures made in the tests: PNG/JPEG bytes with or without burned-in text and metadata."""

import io

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def picture_bytes(
    *, size=(320, 240), image_format="PNG", lines: tuple[str, ...] = (), exif=None, pnginfo=None, mode="L"
) -> bytes:
    """A dark radiograph-like picture with `lines` of light overlay text at its top left."""
    image = Image.new(mode, size, 12 if mode == "L" else (12, 12, 12))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=110 if mode == "L" else (110,) * 3
    )
    font = ImageFont.truetype(MONO, 13)
    for index, line in enumerate(lines):
        draw.text((6, 6 + 17 * index), line, fill=235 if mode == "L" else (235,) * 3, font=font)
    buffer = io.BytesIO()
    options = {}
    if exif is not None:
        options["exif"] = exif
    if pnginfo is not None:
        options["pnginfo"] = pnginfo
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def exif_with_gps_and_owner() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x013B] = "Dr Alice Example"  # Artist
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}  # GPS IFD
    return exif
