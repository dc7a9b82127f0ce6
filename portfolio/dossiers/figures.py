"""
The dossier's three charts, drawn from its data (never the database) by the site's one SVG chart module,
`portfolio.lib.charts`, with numbers written by `metrics.formatting` as in the tables beside them: followers over
time per account, engagement per highlighted post, audience by UN M49 region. Each returns {"title", "svg"} (the
page prints the title as the figure's caption; the SVG carries it too, for screen readers), or None when there is
nothing worth drawing.
"""

from datetime import date

from metrics.formatting import count, percent
from portfolio.dossiers.templatetags.dossier_format import day
from portfolio.lib import charts


def followers_chart(account: dict) -> dict | None:
    history = account["follower_history"]
    if len(history) < 2:
        return None
    first, last = history[0], history[-1]
    title = f"Followers of @{account['handle']} on {account['platform']}, {day(first['date'])} to {day(last['date'])}"
    svg = charts.line_chart(
        title=title,
        description=(
            f"{len(history)} follower counts, from {count(first['followers'])} to {count(last['followers'])}."
        ),
        series={f"@{account['handle']}": [(date.fromisoformat(p["date"]), p["followers"]) for p in history]},
    )
    return {"title": title, "svg": svg}


def highlights_chart(highlights: list[dict]) -> dict | None:
    if not highlights:
        return None
    title = "Engagement rate by impressions of each highlighted post"
    svg = charts.bar_chart(
        title=title,
        description=(
            "Actions divided by impressions, per highlighted post, in the order of this section; "
            "a post without impressions has no rate."
        ),
        bars=[
            (f"{number}. @{post['handle']}, {day(post['published_on'])}", post["rates"]["by_impressions"])
            for number, post in enumerate(highlights, start=1)
        ],
        value_format=percent,
    )
    return {"title": title, "svg": svg}


def regions_chart(entry: dict) -> dict | None:
    if not entry["regions"]:
        return None
    title = f"Audience of @{entry['handle']} by UN M49 region, {day(entry['captured_on'])}"
    svg = charts.bar_chart(
        title=title,
        description="Share of the audience in each region, of the snapshot's total.",
        bars=[(row["bucket"], row["share"]) for row in entry["regions"]],
        value_format=percent,
    )
    return {"title": title, "svg": svg}
