"""
Make the labelled corpus of the image privacy check: 30 synthetic radiology-like screenshots.

    python -m portfolio.privacy.corpus.make_images

writes `images/*.png|jpg` and `images.csv` beside this file, the same bytes every time (a fixed seed). Half
carry burned-in identifiers as PACS viewers print them (a name, a date of birth, a record or accession number,
an institution with a study date) in the corners and fonts of real overlays; half are safe teaching images
with anatomy labels, arrows, L/R markers, scale bars and window/level numbers. Some of both kinds carry EXIF
metadata with a GPS position, which the check reports as found and removed (it never blocks: it is not kept).
No real patient is in here: every name and number is made up.
"""

import csv
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
LABELS = HERE / "images.csv"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = ("DejaVuSansMono.ttf", "DejaVuSans.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSans-Bold.ttf")

NAMES = (
    "DOE^JANE",
    "SMITH^JOHN",
    "Patient: Maria Lopez",
    "Name: OKAFOR, CHIDI",
    "GARCIA^ANA^M",
    "Patient Name: Wei Zhang",
    "KOWALSKI^PIOTR",
    "Pt: Fatima Rahman",
)
IDENTIFIERS = (
    ("MRN: {n7}",),
    ("DOB: {dob}",),
    ("Acc# A{n7}",),
    ("Pat ID: {n8}",),
    ("Accession: {n8}",),
    ("D.O.B. {dob}",),
    ("MRN {n8}",),
)
INSTITUTIONS = (
    "St Mary Hospital",
    "Northfield General Hospital",
    "Lakeside Medical Center",
    "Riverside Imaging Center",
)
SAFE_TEXT = (
    ("W: 400 L: 40",),
    ("WL 40 WW 400",),
    ("Se 3 Im 45",),
    ("Ax T2 FLAIR",),
    ("120 kVp 210 mAs",),
    ("1.5T  TR 4000 TE 90",),
    ("Segond fracture",),
    ("Liver", "Spleen"),
    ("ACL tear",),
    ("Sag PD FS",),
    ("Ax CT C+",),
    ("Pneumothorax",),
)


def radiograph(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A greyscale picture that reads as a scan: dark field, a body outline, brighter structures, noise."""
    width, height = size
    image = Image.new("L", size, rng.randint(0, 18))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.15, height * 0.12, width * 0.85, height * 0.9), fill=rng.randint(70, 100))
    for _ in range(rng.randint(2, 5)):
        x, y = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
        rx, ry = rng.uniform(0.04, 0.14) * width, rng.uniform(0.04, 0.2) * height
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=rng.randint(130, 210))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 3)))
    noise = Image.effect_noise(size, rng.uniform(6, 14))
    return Image.blend(image, noise, 0.08)


def overlay(draw: ImageDraw.ImageDraw, lines: list[str], corner: str, size: tuple[int, int], font, colour: int):
    """Lines of text in one corner, as PACS viewers print them."""
    width, height = size
    step = font.size + 4
    for index, line in enumerate(lines):
        text_width = draw.textlength(line, font=font)
        x = 6 if corner.endswith("left") else width - text_width - 6
        y = 6 + index * step if corner.startswith("top") else height - 6 - (len(lines) - index) * step
        draw.text((x, y), line, fill=colour, font=font)


def safe_marks(draw: ImageDraw.ImageDraw, rng: random.Random, size: tuple[int, int], font, colour: int):
    """L/R markers, an arrow and a scale bar: what teaching images carry."""
    width, height = size
    draw.text((width // 2 - 5, 8), rng.choice(("A", "S")), fill=colour, font=font)
    draw.text((8, height // 2), "R", fill=colour, font=font)
    draw.text((width - 18, height // 2), "L", fill=colour, font=font)
    x, y = rng.randint(width // 3, width // 2), rng.randint(height // 3, height // 2)
    draw.line((x - 40, y - 30, x, y), fill=255, width=3)
    draw.polygon(((x, y), (x - 12, y - 3), (x - 4, y - 12)), fill=255)
    bar = rng.choice((50, 80, 100))
    draw.line((width - bar - 20, height - 40, width - 20, height - 40), fill=colour, width=2)
    draw.text((width - bar - 20, height - 36), rng.choice(("5 cm", "2 cm", "10 mm")), fill=colour, font=font)


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)}
    return exif


def make(rng: random.Random, index: int, identifying: bool) -> tuple[str, bytes, str, bool]:
    size = rng.choice(((512, 512), (640, 480), (600, 600)))
    image = radiograph(rng, size)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS / rng.choice(FONT_FILES)), rng.randint(12, 15))
    colour = rng.randint(200, 255)
    safe_marks(draw, rng, size, font, colour)
    corners = ["top-left", "top-right", "bottom-left", "bottom-right"]
    rng.shuffle(corners)
    texts = list(rng.choice(SAFE_TEXT))
    overlay(draw, texts, corners[0], size, font, colour)
    identifiers = []
    if identifying:
        numbers = {
            "n7": f"{rng.randint(1_000_000, 9_999_999)}",
            "n8": f"{rng.randint(10_000_000, 99_999_999)}",
            "dob": f"{rng.randint(1940, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }
        lines = [rng.choice(NAMES)] if rng.random() < 0.6 else []
        for template in rng.sample(IDENTIFIERS, rng.randint(1, 2)):
            lines.append(template[0].format(**numbers))
        if rng.random() < 0.5:
            lines.append(rng.choice(INSTITUTIONS))
            lines.append(f"Study date {rng.randint(2019, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        overlay(draw, lines, corners[1], size, font, colour)
        identifiers = lines
    with_metadata = index % 4 == 0
    image_format = "JPEG" if index % 3 == 0 else "PNG"
    buffer = io.BytesIO()
    options = {"exif": gps_exif()} if with_metadata else {}
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=92, **options)
    else:
        image.save(buffer, "PNG", **options)
    name = f"{'id' if identifying else 'safe'}-{index:02d}.{'jpg' if image_format == 'JPEG' else 'png'}"
    return name, buffer.getvalue(), " | ".join(identifiers), with_metadata


def main() -> None:
    rng = random.Random(20261206)
    IMAGES.mkdir(exist_ok=True)
    for old in IMAGES.iterdir():
        old.unlink()
    rows = []
    for index in range(30):
        identifying = index % 2 == 0
        name, content, identifiers, with_metadata = make(rng, index, identifying)
        (IMAGES / name).write_bytes(content)
        rows.append(
            {
                "file": name,
                "label": "identifying" if identifying else "safe",
                "burned_in_identifiers": identifiers,
                "gps_metadata": "yes" if with_metadata else "no",
            }
        )
    with LABELS.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"Wrote {len(rows)} images and {LABELS.name}")


if __name__ == "__main__":
    main()
