"""Print how the image privacy check does on its labelled corpus (`portfolio/privacy/corpus_images.py`)."""

from django.core.management.base import BaseCommand, CommandError

from portfolio.privacy.corpus_images import measure, report
from portfolio.privacy.images import OcrUnavailable


class Command(BaseCommand):
    help = "Recall on identifying screenshots and false alarms on safe ones, for the image privacy check's corpus."

    def handle(self, *args, **options):
        try:
            result = measure()
        except OcrUnavailable as missing:
            raise CommandError(str(missing)) from missing
        for line in report(result):
            self.stdout.write(line)
        if not result.meets_targets:
            raise CommandError("The image check misses its targets.")
