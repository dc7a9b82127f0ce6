"""
The privacy rules that apply to a dossier or a post: the site's defaults, made stricter by the policies of the
institutions concerned (`PrivacyPolicy`). A faculty member with appointments at several institutions answers to
each of them, so their policies combine and the strictest value of each rule wins.

Freezing calls `policy_for_faculty`; the image check calls `policy_for(institution).allows_patient_images`.
"""

from dataclasses import dataclass, field

from accounts.models import Institution
from portfolio.privacy.models import PrivacyPolicy

RULE_NAMES = {
    "allows_patient_images": "no patient images",
    "min_days_after_event": "minimum days between an event and a post",
    "review_flags_need_acknowledgement": "worth-a-look flags must be acknowledged too",
}


@dataclass(frozen=True)
class Policy:
    allows_patient_images: bool = True
    min_days_after_event: int = 0
    review_flags_need_acknowledgement: bool = False
    # Which institution set each rule that is stricter than the default, to name it in a refusal.
    set_by: dict[str, str] = field(default_factory=dict)

    def blocks(self, severity: str) -> bool:
        """Whether a flag of this severity must be fixed or acknowledged before freezing."""
        return severity != "review" or self.review_flags_need_acknowledgement

    def rule(self, name: str) -> str:
        """'Lakeshore University Health's rule "minimum days between an event and a post" (30)'."""
        value = getattr(self, name)
        shown = "" if isinstance(value, bool) else f" ({value})"
        return f"{self.set_by.get(name, 'The site')}'s rule \u201c{RULE_NAMES[name]}\u201d{shown}"


DEFAULT = Policy()


def combine(policies: list[PrivacyPolicy]) -> Policy:
    """The strictest value of each rule among `policies` (the default where none asks for more)."""
    strictest = {"allows_patient_images": True, "min_days_after_event": 0, "review_flags_need_acknowledgement": False}
    set_by = {}
    for policy in sorted(policies, key=lambda policy: policy.institution.name):
        if not policy.allows_patient_images and strictest["allows_patient_images"]:
            strictest["allows_patient_images"] = False
            set_by["allows_patient_images"] = policy.institution.name
        if policy.min_days_after_event > strictest["min_days_after_event"]:
            strictest["min_days_after_event"] = policy.min_days_after_event
            set_by["min_days_after_event"] = policy.institution.name
        if policy.review_flags_need_acknowledgement and not strictest["review_flags_need_acknowledgement"]:
            strictest["review_flags_need_acknowledgement"] = True
            set_by["review_flags_need_acknowledgement"] = policy.institution.name
    return Policy(**strictest, set_by=set_by)


def policy_for(institution: Institution) -> Policy:
    """The rules of one institution: its policy, or the defaults when it has none."""
    return combine(list(PrivacyPolicy.objects.filter(institution=institution).select_related("institution")))


def policy_for_faculty(faculty) -> Policy:
    """The rules for a faculty member's posts and dossiers: every institution where they hold an appointment."""
    return combine(
        list(
            PrivacyPolicy.objects.filter(institution__departments__appointments__faculty=faculty)
            .distinct()
            .select_related("institution")
        )
    )
