"""
Peer percentiles for a dossier: where each of its accounts stands among comparable accounts.

Peers of an account are the personal accounts on the same platform whose owners hold an appointment
(past or present) in the dossier owner's primary department, in that department's institution, or, for "all
peers", in any of the dossier owner's institutions or in an institution whose admins opted into sharing
aggregates (`Institution.shares_aggregates`); accounts of any other institution are never peers. The period and
as-of date are the dossier's, so every peer is measured exactly like the account itself, with the same
engagement code. The account counts among its own peers (see `portfolio/lib/percentiles.py`). Faculty see
peers only through these percentiles and the size of each group, never one by one, and a group of fewer than
`MIN_PEERS` computable values has no percentile at all (`percentile_in_group`).

Three queries, whatever the number of peers or posts: the peer accounts with their followers, their
owners' appointments, and one engagement summary per peer account (the dossier's own accounts, already
summarised for the page, are not read again: with thousands of posts they are most of the peers' posts).
"""

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from django.db.models import Q

from accounts.models import Appointment, SocialAccount
from metrics.engagement import EngagementSummary, empty_summary
from metrics.models import Post, with_followers_as_of
from portfolio.lib.percentiles import group_size, percentile_in_group

# What each account is ranked on; the labels are what the page prints.
PERCENTILE_METRICS = {
    "followers": "Followers on the as-of date",
    "posts": "Posts published in the period",
    "rate_by_impressions": "Engagement rate by impressions (pooled)",
    "rate_by_followers": "Engagement rate by followers (mean of per-post rates)",
}
GROUPS = ("department", "institution", "all")


def peer_values(summary, followers: int | None) -> dict[str, float | int | None]:
    """The values an account is ranked on, from its engagement summary and follower count."""
    return {
        "followers": followers,
        "posts": summary.posts,
        "rate_by_impressions": summary.by_impressions.pooled,
        "rate_by_followers": summary.by_followers.mean,
    }


def percentile_rows(
    *,
    accounts: list[dict],
    department_id: int | None,
    institution_id: int | None,
    institution_ids: Collection[int],
    start: date,
    end: date,
    as_of: date,
    summaries: dict[int, EngagementSummary] | None = None,
) -> list[dict]:
    """
    One row per (account, metric): the account's value and its percentile in each peer group, with the
    number of peers whose value is computable. `accounts` are the dossier's account entries (with `id`,
    `platform_key`, `handle` and the `values` of `peer_values`); `institution_ids` are the dossier owner's
    institutions, which with the institutions that share aggregates make up "all peers". A group of fewer than
    `MIN_PEERS` computable values, or a value that is not computable, has a percentile of None. `summaries`
    are engagement summaries already made for some accounts over the same period and as-of date (the dossier's
    own): those accounts' posts are not read again.
    """
    if not accounts:
        return []
    platform_keys = {account["platform_key"] for account in accounts}
    # Every group lies within "all peers": no account of an institution that neither is the owner's nor shares.
    within_all = Q(department__institution__in=institution_ids) | Q(department__institution__shares_aggregates=True)
    peers = SocialAccount.objects.filter(
        kind=SocialAccount.Kind.PERSONAL,
        platform__key__in=platform_keys,
        faculty__in=Appointment.objects.filter(within_all).values("faculty_id"),
    )
    peers = list(with_followers_as_of(peers, as_of).values("pk", "faculty_id", "platform__key", "followers"))
    appointments = Appointment.objects.filter(faculty__in={peer["faculty_id"] for peer in peers}).values_list(
        "faculty_id", "department_id", "department__institution_id", "department__institution__shares_aggregates"
    )
    departments_of, institutions_of = defaultdict(set), defaultdict(set)
    in_all = set()
    for faculty_id, dept_id, inst_id, shares in appointments:
        departments_of[faculty_id].add(dept_id)
        institutions_of[faculty_id].add(inst_id)
        if shares or inst_id in institution_ids:
            in_all.add(faculty_id)
    known = summaries or {}
    summaries = {
        **(
            Post.objects.filter(account__in=[peer["pk"] for peer in peers if peer["pk"] not in known])
            .published_between(start, end)
            .engagement_summaries_by_account(as_of)
        ),
        **known,
    }

    groups = defaultdict(list)  # (platform, group) -> peer values
    for peer in peers:
        values = peer_values(summaries.get(peer["pk"]) or empty_summary(as_of), peer["followers"])
        member_of = {
            "all": peer["faculty_id"] in in_all,
            "department": department_id in departments_of[peer["faculty_id"]],
            "institution": institution_id in institutions_of[peer["faculty_id"]],
        }
        for group in GROUPS:
            if member_of[group]:
                groups[peer["platform__key"], group].append(values)

    rows = []
    for account in accounts:
        for metric, label in PERCENTILE_METRICS.items():
            value = account["values"][metric]
            row = {"account_id": account["id"], "handle": account["handle"], "platform": account["platform"]}
            row.update(metric=metric, label=label, value=value)
            for group in GROUPS:
                peer_list = [values[metric] for values in groups[account["platform_key"], group]]
                row[group] = {"percentile": percentile_in_group(value, peer_list), "peers": group_size(peer_list)}
            rows.append(row)
    return rows
