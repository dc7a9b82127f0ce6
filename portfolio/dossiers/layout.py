"""
How a dossier's PDF fills its pages: the page count, how much of each page is blank, and the text on each.

Measured on the very layout `exports.pdf_bytes` writes (WeasyPrint's boxes, no rasterising): a page's used height
is from the top of its first content box to the bottom of its last, over the page's content area; the header and
footer margin boxes do not count as content. `dossier_layout` prints it for a dossier (`manage.py dossier_layout`),
and the tests hold the demo dossier to its page budget with it.
"""

from dataclasses import dataclass

from weasyprint.formatting_structure import boxes

from portfolio.dossiers.exports import laid_out


@dataclass(frozen=True)
class PageFill:
    number: int
    used: float  # share of the content area's height that holds content, 0 to 1
    text: str  # every word on the page, margin boxes (header, footer) included

    @property
    def blank(self) -> float:
        return 1 - self.used


def page_fills(html: str, *, footer: str, header: str = "") -> list[PageFill]:
    document = laid_out(html, footer=footer, header=header)
    return [_fill(number, page._page_box) for number, page in enumerate(document.pages, start=1)]


def _fill(number: int, page_box) -> PageFill:
    area_top = page_box.content_box_y()
    top, bottom, words = None, None, []
    for box in _descendants(page_box):
        if isinstance(box, boxes.TextBox):
            words.append(box.text)
        if _inside_margin(box):
            continue  # header and footer: reported as text, not counted as the page's content
        if isinstance(box, boxes.LineBox | boxes.ReplacedBox | boxes.TableBox):
            box_top, box_bottom = box.position_y, box.position_y + box.margin_height()
            top = box_top if top is None else min(top, box_top)
            bottom = box_bottom if bottom is None else max(bottom, box_bottom)
    used = 0.0 if top is None else (bottom - max(top, area_top)) / page_box.height
    return PageFill(number=number, used=min(max(used, 0.0), 1.0), text=" ".join(words))


def _descendants(box, margin: bool = False):
    for child in getattr(box, "children", []):
        child_in_margin = margin or isinstance(child, boxes.MarginBox)
        child.dossier_in_margin = child_in_margin
        yield child
        yield from _descendants(child, child_in_margin)


def _inside_margin(box) -> bool:
    return getattr(box, "dossier_in_margin", False)
