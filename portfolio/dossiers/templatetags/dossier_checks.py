"""`{% checks_definitions %}`: the integrity flags and the privacy check in words, for /methods/ and dossiers."""

from django import template

from metrics import plausibility
from portfolio.dossiers import integrity
from portfolio.privacy import measure
from portfolio.privacy import rules as privacy

register = template.Library()


@register.inclusion_tag("dossiers/_checks_definitions.html")
def checks_definitions():
    return {
        "integrity_flags": [
            {"kind": kind, "label": label, "explanation": integrity.EXPLANATIONS[kind]}
            for kind, label in integrity.KINDS.items()
        ],
        "privacy_looks_for": privacy.LOOKS_FOR,
        "privacy_not_checked": privacy.NOT_CHECKED,
        "privacy_severities": privacy.SEVERITY_LABELS,
        "privacy_recent_days": privacy.RECENT_DAYS,
        "privacy_measured": measure.published_figures(),
        "privacy_kinds": {kind: title for kind, (title, _) in privacy.KINDS.items()},
        "privacy_targets": {"recall": measure.RECALL_TARGET, "false_alarms": measure.FALSE_ALARM_TARGET},
        "plausibility": plausibility.rules_in_words(),
    }
