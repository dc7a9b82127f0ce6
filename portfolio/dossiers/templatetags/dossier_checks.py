"""`{% checks_definitions %}`: the integrity flags and the privacy check in words, for /methods/ and dossiers."""

from django import template

from metrics import plausibility
from portfolio.dossiers import integrity
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
        "plausibility": plausibility.rules_in_words(),
    }
