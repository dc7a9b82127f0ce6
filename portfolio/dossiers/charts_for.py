"""
The dossier's three charts, drawn from its data (never the database) by the generic SVG charts of
`portfolio.charts`: followers over time per account, engagement per highlighted post, audience by UN M49
region. Each returns a SafeString, or "" when there is nothing worth drawing.
"""

from datetime import date

from portfolio import charts
from portfolio.templatetags.dossier_format import day


def followers_chart(account: dict) -> str:
    history = account["follower_history"]
    if len(history) < 2:
        return ""
    first, last = history[0], history[-1]
    return charts.line_chart(
        title=f"Followers of @{account['handle']} on {account['platform']}",
        description=(
            f"Follower counts recorded from {day(first['date'])} to {day(last['date'])}: "
            f"{charts.count(first['followers'])} to {charts.count(last['followers'])}."
        ),
        series={f"@{account['handle']}": [(date.fromisoformat(p["date"]), p["followers"]) for p in history]},
    )


def highlights_chart(highlights: list[dict]) -> str:
    if not highlights:
        return ""
    return charts.bar_chart(
        title="Engagement rate by impressions of each highlighted post",
        description=(
            "Actions divided by impressions, per highlighted post, in the order of this section; "
            "a post without impressions has no rate."
        ),
        bars=[
            (f"{number}. @{post['handle']}, {day(post['published_on'])}", post["rates"]["by_impressions"])
            for number, post in enumerate(highlights, start=1)
        ],
        value_format=charts.percent,
    )


def regions_chart(entry: dict) -> str:
    if not entry["regions"]:
        return ""
    return charts.bar_chart(
        title=f"Audience of @{entry['handle']} by UN M49 region",
        description=f"Share of the audience in each region, from the snapshot of {day(entry['captured_on'])}.",
        bars=[(row["bucket"], row["share"]) for row in entry["regions"]],
        value_format=charts.percent,
    )
