from django.http import HttpResponse

from metrics.importers.template import HEADER


def import_template(request):
    """The template CSV, with its header row: for any platform, and for numbers kept by hand."""
    response = HttpResponse(",".join(HEADER) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="some-portfolio-template.csv"'
    return response
