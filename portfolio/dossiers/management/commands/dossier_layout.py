"""
`python manage.py dossier_layout DOSSIER [--number N]`: how the dossier's PDF fills its pages, page by page.

The live dossier is laid out as its PDF download would be; a version from its stored document and footer. Each line
gives the page's blank share (of its content area) and its first words; the budget a committee reads in is 12 pages
with no page but the last more than half empty.
"""

from django.core.management.base import BaseCommand, CommandError

from portfolio.dossiers import exports
from portfolio.dossiers.content import dossier_data
from portfolio.dossiers.layout import page_fills
from portfolio.dossiers.models import Dossier
from portfolio.dossiers.render import render_dossier_html
from portfolio.dossiers.verification import version_url

PAGE_BUDGET = 12
MOST_BLANK = 0.5


class Command(BaseCommand):
    help = "Print the page count of a dossier's PDF and the blank share of each page."

    def add_arguments(self, parser):
        parser.add_argument("dossier", type=int, help="The dossier's id.")
        parser.add_argument("--number", type=int, help="A frozen version's number (default: the live draft).")

    def handle(self, *args, dossier: int, number: int | None = None, **options):
        found = Dossier.objects.select_related("faculty").filter(pk=dossier).first()
        if found is None:
            raise CommandError(f"No dossier {dossier}.")
        if number is None:
            html = render_dossier_html(dossier_data(found))
            footer, header = exports.live_footer(as_of=found.as_of.isoformat()), exports.LIVE_HEADER
        else:
            frozen = found.versions.filter(number=number).first()
            if frozen is None:
                raise CommandError(f"Dossier {dossier} has no version {number}.")
            html, header = frozen.html, ""
            address = version_url(frozen.public_id) if frozen.public_id else ""
            footer = exports.version_footer(number=frozen.number, verify_url=address, sha256=frozen.sha256)
        pages = page_fills(html, footer=footer, header=header)
        for page in pages:
            words = " ".join(page.text.split())[:70]
            self.stdout.write(f"page {page.number:>2}: {page.blank:>4.0%} blank  {words}")
        too_blank = [page.number for page in pages[:-1] if page.blank > MOST_BLANK]
        self.stdout.write(
            f"{len(pages)} pages (budget {PAGE_BUDGET}); page 1 {pages[0].blank:.0%} blank; "
            f"pages other than the last more than half blank: {', '.join(map(str, too_blank)) or 'none'}"
        )
