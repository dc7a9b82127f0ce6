"""Measure the privacy check on its labelled corpus: recall, false alarms, overall and per rule."""

from django.core.management.base import BaseCommand, CommandError

from portfolio.privacy import measure
from portfolio.privacy.images import OcrUnavailable
from portfolio.privacy.measure import FALSE_ALARM_TARGET, RECALL_TARGET, SectionResult


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Run the privacy check on its labelled corpus and print recall on identifying items and the false-alarm "
        f"rate on safe ones, overall and per rule. With --check, exit non-zero when recall < {RECALL_TARGET:.0%} "
        f"or false alarms > {FALSE_ALARM_TARGET:.0%} in any section."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail when a section misses a target")
        parser.add_argument("--verbose-ids", action="store_true", help="list the missed and falsely flagged ids")
        parser.add_argument(
            "--section",
            action="append",
            choices=["captions", "images"],
            help="run only this section (repeatable); the images need Tesseract",
        )

    def handle(self, *args, check=False, verbose_ids=False, section=None, **options):
        sections = [run for run in measure.SECTIONS if not section or run.__name__.removesuffix("_section") in section]
        try:
            results = [run() for run in sections]
        except OcrUnavailable as missing:
            raise CommandError(str(missing)) from missing
        for result in results:
            self._report(result, verbose_ids=verbose_ids)
        failed = [result.name for result in results if not result.meets_targets]
        if check and failed:
            raise CommandError(
                f"Targets missed (recall >= {RECALL_TARGET:.0%}, false alarms <= {FALSE_ALARM_TARGET:.0%}): "
                + ", ".join(failed)
            )

    def _report(self, result: SectionResult, *, verbose_ids: bool):
        write = self.stdout.write
        write(f"{result.name}: {result.identifying} identifying, {result.safe} safe")
        write(
            f"  recall {_percent(result.recall)} ({result.caught}/{result.identifying}; target >= "
            f"{RECALL_TARGET:.0%}), false alarms {_percent(result.false_alarm_rate)} "
            f"({result.false_alarms}/{result.safe}; target <= {FALSE_ALARM_TARGET:.0%})"
        )
        write(f"  {'rule':<16} {'recall':>8} {'caught':>9} {'false alarms':>13}")
        for rule in result.rules:
            write(
                f"  {rule.kind:<16} {_percent(rule.recall):>8} {rule.caught:>4}/{rule.expected:<4} "
                f"{rule.false_alarms:>6}/{result.safe}"
            )
        for note in result.notes:
            write(f"  {note}")
        if verbose_ids:
            write(f"  missed: {' '.join(result.missed_ids) or 'none'}")
            write(f"  false alarms: {' '.join(result.false_alarm_ids) or 'none'}")
