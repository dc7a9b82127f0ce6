"""The integrity flags and the privacy check in words, from the modules that apply them."""

from django.template import Context
from django.template import Template

from metrics import formatting
from portfolio.dossiers import integrity
from portfolio.privacy import measure


def test_the_definitions_name_every_flag_with_its_thresholds_and_what_the_privacy_check_looks_for():
    html = Template("{% load dossier_checks %}{% checks_definitions %}").render(Context())

    assert all(label in html for label in integrity.KINDS.values())
    assert "by more than 2% and by more than 1" in html
    assert "rose by 10% or more and by 100 or more" in html
    assert "Record, accession and phone numbers" in html
    assert "Relative timing" in html or "yesterday" in html
    assert "&quot;47-year-old&quot;" in html


def test_the_definitions_state_the_privacy_checks_measured_recall_and_false_alarms():
    html = Template("{% load dossier_checks %}{% checks_definitions %}").render(Context())
    [captions] = measure.published_figures()

    assert f"recall {formatting.percent(captions.recall)}, false alarms" in html
    assert f"{captions.identifying} identifying and" in html
    assert "Identifying in combination" in html
