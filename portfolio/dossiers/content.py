"""
Every figure of a dossier, in one JSON-serialisable dict: what the page, the PDF, the CSV/XLSX tables and
a frozen version are all made from. Nothing downstream queries the database or recomputes a number.

`dossier_data(dossier)` runs a constant number of queries, whatever the number of posts, snapshots or peers:
the posts of the period are read once (each with its latest snapshot as of the dossier's date and its
account's followers on its publication day) and summarised by `metrics.engagement`, the same code behind
every other engagement figure of the site.

Conventions: dates are ISO strings ("2026-07-01"), exact decimals (weights, benchmark rates, the composite)
are strings, rates are fractions as floats (0.047 is 4.7%) or None when not computable, counts are ints or
None when not reported.

The shape (keys of the top-level dict):

    schema        3; bumped when the shape changes, so old frozen data can still be read (2: flags name their
                  post, highlights carry their own note and category, methods count the privacy check; 3: a
                  privacy flag carries its severity and reason, which replaces its label, and the post's
                  publication time dates its "yesterday")
    dossier       {id, title, period_start, period_end, as_of}
    faculty       {id, name, rank, track, orcid, appointments: [{department, institution, primary}]}
    philosophy    the narrative, plain text
    impact        {accounts: [ACCOUNT], categories: [{category, metrics: [{metric, label, count}]}]}
                  ACCOUNT = {id, platform, platform_key, handle, url, followers, followers_on, posts,
                             posts_with_metrics, actions, impressions, reach,
                             rates: [{denominator, posts, actions, denominator_total, mean, min, max, pooled}],
                             follower_history: [{date, followers}]}
    composite     None (no scoring profile chosen) or {profile: {name, description, institution},
                  total, rows: [{category, metric, count, weight, contribution}]}
    highlights    [{position, post_id, account_id, platform, handle, url, external_id, published_on,
                    content_type, category, category_label, note, caption, snapshot_captured_on,
                    (category and note are the highlight's, written for this dossier; never the post's)
                    metrics: {field: count}, actions, rates: {by_impressions, by_reach, by_followers},
                    followers, provenance: {source, source_label, verified, file_name},
                    privacy_flags: [{kind, severity, reason, excerpt, start, end}],
                    privacy_acknowledged: None or {by, by_faculty, at},
                    evidence: None or {url, image_sha256, thumbnail (a data: URI), width, height}}]
    activities    [{id, kind, kind_label, title, organisation, started_on, ended_on, url, description}]
    audience      [{account_id, platform, handle, captured_on, dimensions: {dimension: [{bucket, count, share}]},
                    regions, subregions, income_groups, income_classification, low_and_middle_income_share}]
    context       {benchmarks: [{platform, platform_key, industry, year, publisher, report, numerator,
                                 denominator, definition, rate, source, source_url, note,
                                 not_compared_reason (None when compared),
                                 compared_with: [{account_id, handle, mean, pooled, posts, interactions,
                                                  denominator_total}]}],
                  (our rates by the benchmark's own definition: only the interactions it counts)
                   percentiles: [{account_id, handle, platform, metric, label, value,
                                  department|institution|all: {percentile, peers}}],
                   peer_groups: {department, institution}, min_peers}
                  (a percentile is None when its group has fewer than `min_peers` computable values)
    methods       {as_of, integrity_flags: [{kind, label, detail, account_id, post_id, captured_on,
                                     post: None (a flag on an account) or {published_on, caption_start, url}}],
                   privacy_check: {captions, flagged_captions, flags, acknowledged_by_faculty,
                                   acknowledged_by_others, unresolved},
                   provenance: {rows: [{numbers, source, source_label, total, verified, unverified}],
                                files: [{batch_id, file_name, sha256, imported_at, snapshots}]},
                   weights: {metric: weight} or None}
"""

from collections import defaultdict
from dataclasses import asdict
from datetime import date

from django.db.models.functions import Left

from accounts.models import SocialAccount
from accounts.vocabulary import METRIC_FIELDS, ContentType
from metrics import audience as audience_summaries
from metrics import engagement
from metrics.models import AccountMetrics, AudienceSnapshot, Post, PostMetrics, Provenance, with_followers_as_of
from metrics.vocabulary import CareerCategory
from portfolio.dossiers import flag_groups, integrity, scoring
from portfolio.dossiers.evidence import evidence_entry
from portfolio.dossiers.models import Benchmark, Dossier
from portfolio.dossiers.peers import peer_values, percentile_rows
from portfolio.dossiers.tables import tables
from portfolio.lib.percentiles import MIN_PEERS
from portfolio.privacy import rules as privacy

SCHEMA = 3

__all__ = ["dossier_data", "tables"]


def dossier_data(dossier: Dossier) -> dict:
    """Every figure of the dossier's seven sections (see the module docstring for the shape)."""
    start, end, as_of = dossier.period_start, dossier.period_end, dossier.as_of
    faculty = dossier.faculty
    appointments = list(faculty.appointments.select_related("department__institution").order_by("-primary", "pk"))
    primary = appointments[0].department if appointments else None

    accounts = list(with_followers_as_of(dossier.accounts.select_related("platform"), as_of))
    account_ids = [account.pk for account in accounts]
    # One read of the period's posts feeds the per-account summaries and the category counts.
    post_rows = list(
        Post.objects.filter(account__in=account_ids)
        .published_between(start, end)
        .with_engagement(as_of)
        # The day, link and caption start name the post of an integrity flag (`_flags`): every flagged post is one
        # of these, so naming them costs no query.
        .annotate(caption_head=Left("caption", 4 * flag_groups.CAPTION_START))
        .values("pk", "account_id", *METRIC_FIELDS, "followers", "snapshot_id", "published_on", "url", "caption_head")
    )
    summaries = engagement.summarize_by(post_rows, key="account_id", as_of=as_of)
    history = _follower_history(account_ids, start=start, as_of=as_of)

    impact_accounts = []
    for account in accounts:
        summary = summaries.get(account.pk) or engagement.empty_summary(as_of)
        entry = _account_entry(account, summary)
        entry["follower_history"] = history.get(account.pk, [])
        impact_accounts.append(entry)

    counts = _metric_totals(post_rows, followers=[account.followers for account in accounts])
    profile = dossier.scoring_profile
    highlights = _highlights(dossier, as_of=as_of)
    return {
        "schema": SCHEMA,
        "dossier": {
            "id": dossier.pk,
            "title": dossier.title,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "as_of": as_of.isoformat(),
        },
        "faculty": {
            "id": faculty.pk,
            "name": faculty.name,
            "rank": faculty.get_rank_display(),
            "track": faculty.get_track_display(),
            "orcid": faculty.orcid,
            "appointments": [
                {
                    "department": appointment.department.name,
                    "institution": appointment.department.institution.name,
                    "primary": appointment.primary,
                }
                for appointment in appointments
            ],
        },
        "philosophy": dossier.narrative,
        "impact": {
            "accounts": [_without_values(entry) for entry in impact_accounts],
            "categories": _categories(counts),
        },
        "composite": _composite(profile, counts),
        "highlights": highlights,
        "activities": _activities(dossier),
        "audience": _audience(accounts, as_of=as_of),
        "context": {
            "benchmarks": _benchmarks(impact_accounts, post_rows, as_of=as_of),
            "percentiles": percentile_rows(
                accounts=impact_accounts,
                department_id=primary.pk if primary else None,
                institution_id=primary.institution_id if primary else None,
                institution_ids={appointment.department.institution_id for appointment in appointments},
                start=start,
                end=end,
                as_of=as_of,
                summaries={
                    account_id: summaries.get(account_id) or engagement.empty_summary(as_of)
                    for account_id in account_ids
                },
            ),
            "peer_groups": {
                "department": primary.name if primary else None,
                "institution": primary.institution.name if primary else None,
            },
            # The rule the percentiles were computed with, so that a frozen version says it too.
            "min_peers": MIN_PEERS,
        },
        "methods": {
            "as_of": as_of.isoformat(),
            "integrity_flags": _flags(
                integrity.integrity_flags(account_ids=account_ids, start=start, end=end, as_of=as_of), post_rows
            ),
            "privacy_check": _privacy_check(highlights),
            "provenance": integrity.provenance_summary(
                account_ids=account_ids, start=start, end=end, as_of=as_of
            ).as_dict(),
            "weights": dict(profile.weights) if profile else None,
        },
    }


def _account_entry(account: SocialAccount, summary: engagement.EngagementSummary) -> dict:
    return {
        "id": account.pk,
        "platform": account.platform.name,
        "platform_key": account.platform.key,
        "handle": account.handle,
        "url": account.url,
        "followers": account.followers,
        "followers_on": _iso(account.followers_on),
        "posts": summary.posts,
        "posts_with_metrics": summary.posts_with_metrics,
        "actions": summary.actions,
        "impressions": summary.impressions,
        "reach": summary.reach,
        "rates": [asdict(rate) for rate in summary.rates],
        # What the account is ranked on among its peers; dropped from the stored entry (the rates say it).
        "values": peer_values(summary, account.followers),
    }


def _without_values(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "values"}


def _follower_history(account_ids: list[int], *, start: date, as_of: date) -> dict[int, list[dict]]:
    """Follower counts of the review period up to the as-of date, oldest first, one list per account."""
    rows = (
        AccountMetrics.objects.filter(account__in=account_ids)
        .followers_between(start, as_of)
        .order_by("account_id", "captured_on")
        .values_list("account_id", "captured_on", "followers")
    )
    history = defaultdict(list)
    for account_id, captured_on, followers in rows:
        history[account_id].append({"date": captured_on.isoformat(), "followers": followers})
    return dict(history)


def _metric_totals(post_rows: list[dict], *, followers: list[int | None]) -> dict[str, int | None]:
    """
    Each scored metric summed over the period's posts (metrics as of the dossier's date); followers summed
    over the accounts. A metric no post reported stays None (not reported), never 0.
    """
    totals: dict[str, int | None] = {}
    for metric in scoring.SCORED_METRICS:
        values = followers if metric == "followers" else [row[metric] for row in post_rows]
        reported = [value for value in values if value is not None]
        totals[metric] = sum(reported) if reported else None
    return totals


def _categories(counts: dict[str, int | None]) -> list[dict]:
    labels = {**METRIC_FIELDS, "followers": "Followers"}
    return [
        {
            "category": category,
            "metrics": [
                {"metric": metric, "label": labels[metric], "count": count} for metric, count in metrics.items()
            ],
        }
        for category, metrics in scoring.category_counts(counts).items()
    ]


def _composite(profile, counts: dict[str, int | None]) -> dict | None:
    if profile is None:
        return None
    result = scoring.composite(counts, profile.weights)
    return {
        "profile": {
            "name": profile.name,
            "description": profile.description,
            "institution": profile.institution.name if profile.institution_id else None,
        },
        **result.as_dict(),
    }


def _highlights(dossier: Dossier, *, as_of: date) -> list[dict]:
    highlights = list(
        dossier.highlight_rows.select_related("privacy_acknowledged_by", "evidence").order_by("position", "pk")
    )
    posts = (
        Post.objects.filter(pk__in=[highlight.post_id for highlight in highlights])
        .select_related("account__platform")
        .with_engagement(as_of)
        .in_bulk()
    )
    snapshots = PostMetrics.objects.filter(
        pk__in=[post.snapshot_id for post in posts.values() if post.snapshot_id]
    ).values("pk", "source", "verified_at", "import_batch__file_name")
    provenance = {row["pk"]: row for row in snapshots}
    categories = dict(CareerCategory.choices)
    content_types = dict(ContentType.choices)
    sources = dict(Provenance.choices)

    entries = []
    for highlight in highlights:
        post = posts[highlight.post_id]
        post_engagement = post.engagement
        snapshot = provenance.get(post.snapshot_id)
        acknowledged_by = highlight.privacy_acknowledged_by
        entries.append(
            {
                "position": highlight.position,
                "post_id": post.pk,
                "account_id": post.account_id,
                "platform": post.account.platform.name,
                "handle": post.account.handle,
                "url": post.url,
                "external_id": post.external_id,
                "published_on": post.published_on.isoformat(),
                "content_type": content_types.get(post.content_type, post.content_type),
                "category": highlight.category,
                "category_label": categories.get(highlight.category, ""),
                "note": highlight.note,
                "caption": post.caption,
                "snapshot_captured_on": _iso(post.snapshot_captured_on),
                "metrics": {field: getattr(post, field) for field in METRIC_FIELDS},
                "actions": post_engagement.actions,
                "rates": {
                    "by_impressions": post_engagement.rate_by_impressions,
                    "by_reach": post_engagement.rate_by_reach,
                    "by_followers": post_engagement.rate_by_followers,
                },
                "followers": post.followers,
                "provenance": None
                if snapshot is None
                else {
                    "source": snapshot["source"],
                    "source_label": sources.get(snapshot["source"], snapshot["source"]),
                    "verified": snapshot["verified_at"] is not None,
                    "file_name": snapshot["import_batch__file_name"] or "",
                },
                "privacy_flags": [flag.as_dict() for flag in privacy.post_flags(post)],
                # The screenshot (as a thumbnail inside the document) and public link the faculty member attached.
                "evidence": evidence_entry(highlight),
                "privacy_acknowledged": None
                if highlight.privacy_acknowledged_at is None
                else {
                    "by": _person(acknowledged_by),
                    "by_faculty": acknowledged_by is not None and acknowledged_by.pk == dossier.faculty.user_id,
                    "at": highlight.privacy_acknowledged_at.isoformat(),
                },
            }
        )
    return entries


def _flags(flags: list[integrity.IntegrityFlag], post_rows: list[dict]) -> list[dict]:
    """The flags as data, each naming its post (its day, link and first words) when it is about one."""
    posts = {row["pk"]: row for row in post_rows}
    entries = []
    for flag in flags:
        post = posts.get(flag.post_id)
        named = None
        if post is not None:
            named = {
                "published_on": post["published_on"].isoformat(),
                "caption_start": flag_groups.caption_start(post["caption_head"]),
                "url": post["url"],
            }
        entries.append({**_jsonable(asdict(flag)), "post": named})
    return entries


def _privacy_check(highlights: list[dict]) -> dict:
    """
    What the caption privacy check found among the highlights, as counts: the committee's document states
    these in its methods appendix and prints no flag or acknowledgement beside a post.
    """
    flagged = [highlight for highlight in highlights if highlight["privacy_flags"]]
    acknowledged = [highlight for highlight in flagged if highlight["privacy_acknowledged"]]
    by_faculty = [highlight for highlight in acknowledged if highlight["privacy_acknowledged"]["by_faculty"]]
    return {
        "captions": len(highlights),
        "flagged_captions": len(flagged),
        "flags": sum(len(highlight["privacy_flags"]) for highlight in flagged),
        "acknowledged_by_faculty": sum(len(highlight["privacy_flags"]) for highlight in by_faculty),
        "acknowledged_by_others": sum(
            len(highlight["privacy_flags"]) for highlight in acknowledged if highlight not in by_faculty
        ),
        "unresolved": sum(len(highlight["privacy_flags"]) for highlight in flagged if highlight not in acknowledged),
    }


def _person(user) -> str:
    if user is None:
        return "a former user"
    return user.get_full_name() or user.get_username()


def _activities(dossier: Dossier) -> list[dict]:
    return [
        {
            "id": activity.pk,
            "kind": activity.kind,
            "kind_label": activity.get_kind_display(),
            "title": activity.title,
            "organisation": activity.organisation,
            "started_on": activity.started_on.isoformat(),
            "ended_on": _iso(activity.ended_on),
            "url": activity.url,
            "description": activity.description,
        }
        for activity in dossier.activities.order_by("-started_on", "title")
    ]


def _audience(accounts: list[SocialAccount], *, as_of: date) -> list[dict]:
    """Each account's latest audience snapshot on or before the as-of date, summarised; one query for all."""
    rows = defaultdict(list)
    for row in (
        AudienceSnapshot.objects.as_of(as_of, accounts=[account.pk for account in accounts])
        .order_by()
        .values("account_id", "captured_on", "dimension", "bucket", "count")
    ):
        rows[row["account_id"]].append(row)
    entries = []
    for account in accounts:
        if account.pk not in rows:
            continue
        summary = audience_summaries.summarize(rows[account.pk])
        entries.append(
            {
                "account_id": account.pk,
                "platform": account.platform.name,
                "handle": account.handle,
                **_jsonable(summary),
            }
        )
    return entries


def _benchmarks(accounts: list[dict], post_rows: list[dict], *, as_of: date) -> list[dict]:
    """
    Published rates for the dossier's platforms. Each is set beside the faculty member's rate computed by the
    benchmark's own definition (only the interactions it counts, over its denominator; the mean of per-post
    rates and the pooled rate, by the same engagement code as every other rate), or, when the platform's
    analytics cannot match that definition, listed with the reason and compared with nothing.
    """
    by_platform = defaultdict(list)
    for account in accounts:
        by_platform[account["platform_key"]].append(account)
    # Benchmarks that count the same interactions share one set of summaries.
    summaries: dict[frozenset, dict] = {}
    entries = []
    for benchmark in Benchmark.objects.filter(platform__key__in=by_platform).select_related("platform"):
        reason = benchmark.unmatched_reason()
        compared = []
        if reason is None:
            counted = frozenset(benchmark.numerator)
            if counted not in summaries:
                rows = [benchmark.counted(row) for row in post_rows]
                summaries[counted] = engagement.summarize_by(rows, key="account_id", as_of=as_of)
            for account in by_platform[benchmark.platform.key]:
                summary = summaries[counted].get(account["id"]) or engagement.empty_summary(as_of)
                rate = next(rate for rate in summary.rates if rate.denominator == benchmark.denominator)
                compared.append(
                    {
                        "account_id": account["id"],
                        "handle": account["handle"],
                        "mean": rate.mean,
                        "pooled": rate.pooled,
                        "posts": rate.posts,
                        "interactions": rate.actions,
                        "denominator_total": rate.denominator_total,
                    }
                )
        entries.append(
            {
                "platform": benchmark.platform.name,
                "platform_key": benchmark.platform.key,
                "industry": benchmark.industry,
                "year": benchmark.year,
                "publisher": benchmark.publisher,
                "report": benchmark.report,
                "numerator": list(benchmark.numerator),
                "denominator": benchmark.denominator,
                "definition": benchmark.definition,
                "rate": str(benchmark.rate),
                "source": benchmark.source,
                "source_url": benchmark.source_url,
                "note": benchmark.note,
                "not_compared_reason": reason,
                "compared_with": compared,
            }
        )
    return entries


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _jsonable(value):
    """Dates to ISO strings, recursively; everything else as it is (the callers hand plain values)."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
