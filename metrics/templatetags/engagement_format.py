"""
The number formats of `metrics.formatting` as template filters, under the same names, so that a page, a chart
and an admin column print a number the same way. Python code imports `metrics.formatting` itself.
"""

from django import template

from metrics import formatting

register = template.Library()

register.filter("count", formatting.count)
register.filter("percent", formatting.percent)
register.filter("rate_of", formatting.rate_of)
register.filter("whole", formatting.whole)
register.filter("fixed", formatting.fixed)
register.filter("change", formatting.change)
