"""
A dossier's data as tables, for the CSV and XLSX downloads: one table per section that holds figures, built
from the `dossier_data` dict only (a frozen version's tables come from its stored data, never the database).

Rates are fractions, as in the data (0.047 is 4.7%); an empty cell is "not reported" or "not computable".
"""

from accounts.vocabulary import METRIC_FIELDS
from portfolio.dossiers.flag_groups import group_flags
from portfolio.lib.spreadsheets import Table

RATE_STATS = ("mean", "min", "max", "pooled")


def tables(data: dict) -> list[Table]:
    """Every data table of the dossier, in the order of its sections."""
    return [
        _impact(data),
        _follower_history(data),
        _categories(data),
        _composite(data),
        _highlights(data),
        _activities(data),
        _audience(data),
        _benchmarks(data),
        _percentiles(data),
        _integrity(data),
    ]


def _impact(data: dict) -> Table:
    rate_headers = [
        f"Rate by {denominator} {stat}" for denominator in ("impressions", "reach", "followers") for stat in RATE_STATS
    ]
    count_headers = [
        f"{label} {denominator}"
        for denominator in ("impressions", "reach", "followers")
        for label in ("Posts with", "Total")
    ]
    rows = []
    for account in data["impact"]["accounts"]:
        rates = {rate["denominator"]: rate for rate in account["rates"]}
        rows.append(
            [
                account["platform"],
                account["handle"],
                account["followers"],
                account["followers_on"],
                account["posts"],
                account["posts_with_metrics"],
                account["actions"],
                account["impressions"],
                account["reach"],
                *[rates[d][stat] for d in ("impressions", "reach", "followers") for stat in RATE_STATS],
                *[
                    value
                    for d in ("impressions", "reach", "followers")
                    for value in (rates[d]["posts"], rates[d]["denominator_total"])
                ],
            ]
        )
    return Table(
        title="General impact",
        headers=[
            "Platform",
            "Handle",
            "Followers",
            "Followers counted on",
            "Posts in period",
            "Posts with metrics",
            "Actions",
            "Impressions",
            "Reach",
            *rate_headers,
            *count_headers,
        ],
        rows=rows,
    )


def _follower_history(data: dict) -> Table:
    rows = [
        [account["platform"], account["handle"], point["date"], point["followers"]]
        for account in data["impact"]["accounts"]
        for point in account["follower_history"]
    ]
    return Table(title="Followers over time", headers=["Platform", "Handle", "Date", "Followers"], rows=rows)


def _categories(data: dict) -> Table:
    rows = [
        [category["category"], metric["label"], metric["count"]]
        for category in data["impact"]["categories"]
        for metric in category["metrics"]
    ]
    return Table(title="Counts by category", headers=["Category", "Metric", "Count"], rows=rows)


def _composite(data: dict) -> Table:
    composite = data["composite"]
    rows = []
    if composite is not None:
        rows = [
            [row["category"], row["metric"], row["count"], row["weight"], row["contribution"]]
            for row in composite["rows"]
        ]
        rows.append(["Composite", composite["profile"]["name"], None, None, composite["total"]])
    return Table(title="Composite score", headers=["Category", "Metric", "Count", "Weight", "Contribution"], rows=rows)


def _highlights(data: dict) -> Table:
    rows = [
        [
            highlight["position"],
            highlight["platform"],
            highlight["handle"],
            highlight["url"],
            highlight["published_on"],
            highlight["content_type"],
            highlight["category_label"],
            highlight["note"],
            highlight["caption"],
            highlight["snapshot_captured_on"],
            *[highlight["metrics"][field] for field in METRIC_FIELDS],
            highlight["actions"],
            highlight["followers"],
            highlight["rates"]["by_impressions"],
            highlight["rates"]["by_reach"],
            highlight["rates"]["by_followers"],
            highlight["provenance"]["source_label"] if highlight["provenance"] else None,
            ("yes" if highlight["provenance"]["verified"] else "no") if highlight["provenance"] else None,
        ]
        for highlight in data["highlights"]
    ]
    return Table(
        title="Highlighted contributions",
        headers=[
            "Position",
            "Platform",
            "Handle",
            "URL",
            "Published",
            "Content type",
            "Career category",
            "Why highlighted",
            "Caption",
            "Metrics as of",
            *METRIC_FIELDS.values(),
            "Actions",
            "Followers on publication day",
            "Rate by impressions",
            "Rate by reach",
            "Rate by followers",
            "Source",
            "Verified by an admin",
        ],
        rows=rows,
    )


def _activities(data: dict) -> Table:
    rows = [
        [
            activity["kind_label"],
            activity["title"],
            activity["organisation"],
            activity["started_on"],
            activity["ended_on"],
            activity["url"],
            activity["description"],
        ]
        for activity in data["activities"]
    ]
    return Table(
        title="Reputation and leadership",
        headers=["Kind", "Title", "Organisation", "From", "To", "URL", "Description"],
        rows=rows,
    )


def _audience(data: dict) -> Table:
    rows = []
    for entry in data["audience"]:
        groups = [(f"{dimension}", buckets) for dimension, buckets in entry["dimensions"].items()]
        groups += [
            ("UN M49 region", entry["regions"]),
            ("UN M49 sub-region", entry["subregions"]),
            (f"Income group ({entry['income_classification']})", entry["income_groups"]),
        ]
        for dimension, buckets in groups:
            for bucket in buckets:
                rows.append(
                    [
                        entry["platform"],
                        entry["handle"],
                        entry["captured_on"],
                        dimension,
                        bucket["bucket"],
                        bucket["count"],
                        bucket["share"],
                    ]
                )
        rows.append(
            [
                entry["platform"],
                entry["handle"],
                entry["captured_on"],
                "Low- and middle-income countries",
                "share",
                None,
                entry["low_and_middle_income_share"],
            ]
        )
    return Table(
        title="Audience",
        headers=["Platform", "Handle", "Captured on", "Dimension", "Bucket", "Count", "Share"],
        rows=rows,
    )


def _benchmarks(data: dict) -> Table:
    # A benchmark that is not compared (its definition cannot be matched) is listed on a row of its own.
    nobody = {"handle": None, "mean": None, "pooled": None, "posts": None}
    rows = [
        [
            benchmark["platform"],
            benchmark["industry"],
            benchmark["year"],
            benchmark["denominator"],
            benchmark["rate"],
            benchmark["source"],
            compared["handle"],
            compared["mean"],
            compared["pooled"],
            compared["posts"],
            benchmark.get("definition"),
            benchmark.get("not_compared_reason"),
        ]
        for benchmark in data["context"]["benchmarks"]
        for compared in benchmark["compared_with"] or ([nobody] if benchmark.get("not_compared_reason") else [])
    ]
    return Table(
        title="Benchmarks",
        headers=[
            "Platform",
            "Industry",
            "Year",
            "Denominator",
            "Published rate",
            "Source",
            "Our account",
            "Our mean rate (same denominator)",
            "Our pooled rate (same denominator)",
            "Posts with a computable rate",
            "Definition (our rates computed by it)",
            "Not compared because",
        ],
        rows=rows,
    )


def _percentiles(data: dict) -> Table:
    groups = ("department", "institution", "all")
    rows = [
        [
            row["platform"],
            row["handle"],
            row["label"],
            row["value"],
            *[value for group in groups for value in (row[group]["percentile"], row[group]["peers"])],
        ]
        for row in data["context"]["percentiles"]
    ]
    return Table(
        title="Peer percentiles",
        headers=[
            "Platform",
            "Handle",
            "Metric",
            "Value",
            *[
                f"{label} {group}"
                for group in ("department", "institution", "all peers")
                for label in ("Percentile,", "Peers,")
            ],
        ],
        rows=rows,
    )


def _integrity(data: dict) -> Table:
    """
    The flags as the appendix groups them (`flag_groups.group_flags`): one row per kind that concerns many posts
    (its posts listed in the last column, one per line), per flagged post and per flagged account, with the
    flags of the row one per line.
    """
    groups = group_flags(data)
    rows = [
        ["Posts", "", "", None, "", "", f"{group['label']}: {group['count']} posts", _posts_list(group["posts"])]
        for group in groups["kinds"]
    ]
    rows += [
        [
            "Post",
            post["platform"],
            post["handle"],
            post["published_on"],
            post["caption_start"],
            post["url"],
            "\n".join(f"{flag['label']}: {flag['detail']}" for flag in post["flags"]),
            "",
        ]
        for post in groups["posts"]
    ]
    rows += [
        [
            "Account",
            account["platform"],
            account["handle"],
            None,
            "",
            account["url"],
            "\n".join(_account_line(line) for line in account["lines"]),
            "",
        ]
        for account in groups["accounts"]
    ]
    return Table(
        title="Integrity flags",
        headers=["Concerns", "Platform", "Handle", "Published", "Caption starts", "URL", "Flags", "Posts"],
        rows=rows,
    )


def _posts_list(posts: list[dict]) -> str:
    """One post a line: '2026-03-10 @handle “Caption start…” https://…' (a post frozen unnamed: 'post 12')."""
    lines = []
    for post in posts:
        when = post["published_on"] or f"post {post['post_id']}"
        lines.append(f"{when} @{post['handle']} “{post['caption_start']}” {post['url']}".rstrip())
    return "\n".join(lines)


def _account_line(line: dict) -> str:
    times = f" ({line['count']} times)" if line["count"] > 1 else ""
    return f"{line['label']}{times}: {'; '.join(line['details'])}"
