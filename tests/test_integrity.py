"""Integrity flags on the numbers a dossier shows, and their provenance."""

import datetime as dt

import pytest

from metrics.models import ImportBatch
from metrics.models import Provenance
from portfolio.dossiers.integrity import integrity_flags
from portfolio.dossiers.integrity import provenance_summary
from tests.factories import AccountMetricsFactory
from tests.factories import AudienceSnapshotFactory
from tests.factories import PostFactory
from tests.factories import PostMetricsFactory
from tests.factories import SocialAccountFactory
from tests.factories import platform

START, END, AS_OF = dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1)
IMPORTED = Provenance.IMPORT


def published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def post(alice_instagram):
    return PostFactory(account=alice_instagram, published_at=published(dt.date(2026, 3, 1)))


def snapshot(post, day, *, source=IMPORTED, **counts):
    return PostMetricsFactory(post=post, captured_on=day, source=source, **counts)


def follower_counts(account, *counts):
    for day, followers in counts:
        AccountMetricsFactory(account=account, captured_on=day, followers=followers, source=IMPORTED)


def flags_of(accounts, **overrides):
    window = {"start": START, "end": END, "as_of": AS_OF, **overrides}
    return integrity_flags(account_ids=[account.pk for account in accounts], **window)


def kinds(flags):
    return [flag.kind for flag in flags]


def test_clean_imported_numbers_raise_no_flag(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, reach=4000, likes=184, comments=10, saves=36)
    snapshot(post, dt.date(2026, 4, 8), impressions=7000, reach=4500, likes=200, comments=12, saves=40)
    follower_counts(alice_instagram, (dt.date(2026, 2, 1), 7100))

    assert flags_of([alice_instagram]) == []


def test_more_actions_than_impressions_is_flagged_with_both_numbers(alice_instagram, post):
    # 90 likes + 20 comments + 15 shares = 125 actions over 120 impressions
    snapshot(post, dt.date(2026, 3, 8), impressions=120, likes=90, comments=20, shares=15)

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "actions_exceed_impressions"
    assert flag.detail == "125 actions over 120 impressions (snapshot of 2026-03-08)."
    assert (flag.account_id, flag.post_id, flag.captured_on) == (alice_instagram.pk, post.pk, dt.date(2026, 3, 8))


def test_actions_equal_to_impressions_are_not_flagged(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=125, likes=90, comments=20, shares=15)

    assert flags_of([alice_instagram]) == []


def test_more_likes_than_reach_is_flagged(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=5000, reach=1200, likes=1500)

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "likes_exceed_reach"
    assert flag.detail == "1,500 likes over a reach of 1,200 accounts (snapshot of 2026-03-08)."


def test_unreported_denominators_are_not_compared(alice_instagram, post):
    # No impressions, no reach: nothing to compare with, which is not an anomaly.
    snapshot(post, dt.date(2026, 3, 8), likes=1500, comments=40)

    assert flags_of([alice_instagram]) == []


def test_only_the_snapshot_the_dossier_shows_is_checked_for_ratios(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=100, likes=150)  # wrong, corrected by the next export
    snapshot(post, dt.date(2026, 4, 8), impressions=6000, likes=160)

    assert flags_of([alice_instagram]) == []
    # As of a day between the two, the wrong one is what the dossier would show.
    assert kinds(flags_of([alice_instagram], as_of=dt.date(2026, 3, 31))) == ["actions_exceed_impressions"]


def test_a_count_that_goes_down_between_snapshots_is_flagged(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, likes=184)
    snapshot(post, dt.date(2026, 4, 8), impressions=5100, likes=184)

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "metric_decreased"
    assert flag.detail == "impressions 6,154 → 5,100 (snapshots of 2026-03-08 and 2026-04-08)."
    assert (flag.post_id, flag.captured_on) == (post.pk, dt.date(2026, 4, 8))


def test_a_small_drop_within_the_tolerance_is_not_flagged(alice_instagram, post):
    # 184 -> 181 likes is 1.6% (an unlike or a spam clean-up); 10 -> 9 comments is a drop of 1.
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, likes=184, comments=10)
    snapshot(post, dt.date(2026, 4, 8), impressions=6200, likes=181, comments=9)

    assert flags_of([alice_instagram]) == []


def test_every_count_that_went_down_is_named_in_one_flag(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, likes=184, saves=36)
    snapshot(post, dt.date(2026, 4, 8), impressions=6200, likes=150, saves=20)

    [flag] = flags_of([alice_instagram])

    assert flag.detail == "likes 184 → 150; saves 36 → 20 (snapshots of 2026-03-08 and 2026-04-08)."


def test_a_count_not_reported_in_one_snapshot_is_not_a_decrease(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=6154, likes=184)
    snapshot(post, dt.date(2026, 4, 8), impressions=None, likes=190)

    assert flags_of([alice_instagram]) == []


def test_a_post_decrease_compares_the_shown_snapshot_with_the_one_before_it(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=5000)
    snapshot(post, dt.date(2026, 4, 8), impressions=6000)
    snapshot(post, dt.date(2026, 5, 8), impressions=5500)  # shown: down from April, not from March
    snapshot(post, dt.date(2026, 8, 8), impressions=100)  # after the as-of date

    [flag] = flags_of([alice_instagram])

    assert flag.detail == "impressions 6,000 → 5,500 (snapshots of 2026-04-08 and 2026-05-08)."
    assert flag.captured_on == dt.date(2026, 5, 8)


def test_a_dip_that_recovered_before_the_shown_snapshot_is_not_flagged(alice_instagram, post):
    # The dossier shows 7,000; the mistyped 600 of April is history that no figure rests on.
    snapshot(post, dt.date(2026, 3, 8), impressions=6000)
    snapshot(post, dt.date(2026, 4, 8), impressions=600)
    snapshot(post, dt.date(2026, 5, 8), impressions=7000)

    assert flags_of([alice_instagram]) == []
    assert kinds(flags_of([alice_instagram], as_of=dt.date(2026, 4, 30))) == ["metric_decreased"]


def test_follower_counts_that_go_down_are_flagged(alice_instagram):
    follower_counts(
        alice_instagram, (dt.date(2026, 1, 1), 7100), (dt.date(2026, 2, 1), 7000), (dt.date(2026, 3, 1), 6000)
    )

    [flag] = flags_of([alice_instagram])

    # 7,100 -> 7,000 is 1.4%, within the tolerance; 7,000 -> 6,000 is not.
    assert flag.kind == "metric_decreased"
    assert flag.detail == "followers 7,000 on 2026-02-01 → 6,000 on 2026-03-01."
    assert (flag.post_id, flag.captured_on) == (None, dt.date(2026, 3, 1))


def test_a_follower_jump_with_no_post_in_between_is_flagged(alice_instagram):
    follower_counts(alice_instagram, (dt.date(2026, 1, 1), 1000), (dt.date(2026, 2, 1), 1500))

    [flag] = flags_of([alice_instagram])

    assert flag.kind == "follower_jump_without_posts"
    assert flag.detail == "followers 1,000 on 2026-01-01 → 1,500 on 2026-02-01, with no post published in between."
    assert flag.captured_on == dt.date(2026, 2, 1)


def test_a_follower_jump_after_a_post_is_not_flagged(alice_instagram):
    follower_counts(alice_instagram, (dt.date(2026, 1, 1), 1000), (dt.date(2026, 2, 1), 1500))
    # Published on the day of the later count: it may have brought the new followers.
    PostFactory(account=alice_instagram, published_at=published(dt.date(2026, 2, 1)))

    assert flags_of([alice_instagram]) == []


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [
        (1000, 1100, True),  # +10% and +100: both thresholds met
        (1000, 1099, False),  # +99
        (5000, 5499, False),  # +9.98%
        (0, 100, True),  # from nothing
        (0, 99, False),
    ],
)
def test_a_follower_jump_needs_ten_percent_and_a_hundred_followers(alice_instagram, before, after, flagged):
    follower_counts(alice_instagram, (dt.date(2026, 1, 1), before), (dt.date(2026, 2, 1), after))

    assert kinds(flags_of([alice_instagram])) == (["follower_jump_without_posts"] if flagged else [])


def test_follower_changes_before_the_period_are_not_flagged_but_the_first_count_is_compared(alice_instagram):
    follower_counts(
        alice_instagram, (dt.date(2025, 6, 1), 5000), (dt.date(2025, 7, 1), 3000), (dt.date(2026, 1, 15), 2000)
    )

    [flag] = flags_of([alice_instagram])

    assert flag.detail == "followers 3,000 on 2025-07-01 → 2,000 on 2026-01-15."


def test_unverified_manual_entries_are_flagged_and_verified_ones_are_not(alice_instagram, post, root):
    shown = snapshot(post, dt.date(2026, 3, 8), source=Provenance.MANUAL, impressions=6154, likes=184)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 2, 1), followers=7100)  # manual
    checked = AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 3, 1), followers=7150)
    checked.mark_verified(root)
    checked.save()
    AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2026, 4, 1), bucket="US", count=300)
    AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2026, 4, 1), bucket="IN", count=200)

    flags = flags_of([alice_instagram])

    assert [(flag.kind, flag.post_id, flag.captured_on, flag.detail) for flag in flags] == [
        ("unverified_manual", None, dt.date(2026, 2, 1), "7,100 followers on 2026-02-01, entered by hand."),
        ("unverified_manual", post.pk, shown.captured_on, "Post metrics of 2026-03-08, entered by hand."),
        ("unverified_manual", None, dt.date(2026, 4, 1), "Audience of 2026-04-01 (2 counts), entered by hand."),
    ]


def test_a_verified_manual_snapshot_is_not_flagged(alice_instagram, post, root):
    shown = snapshot(post, dt.date(2026, 3, 8), source=Provenance.MANUAL, impressions=6154, likes=184)
    shown.mark_verified(root)
    shown.save()

    assert flags_of([alice_instagram]) == []


def test_only_the_period_posts_of_the_chosen_accounts_are_checked(alice_instagram, post):
    before_the_period = PostFactory(account=alice_instagram, published_at=published(dt.date(2025, 12, 31)))
    snapshot(before_the_period, dt.date(2026, 1, 8), impressions=10, likes=50)
    elsewhere = PostFactory(published_at=published(dt.date(2026, 3, 1)))  # another faculty member's account
    snapshot(elsewhere, dt.date(2026, 3, 8), impressions=10, likes=50)
    AccountMetricsFactory(account=elsewhere.account, captured_on=dt.date(2026, 3, 1), followers=10)
    snapshot(post, dt.date(2026, 3, 8), impressions=10, likes=50)

    assert [(flag.kind, flag.post_id) for flag in flags_of([alice_instagram])] == [
        ("actions_exceed_impressions", post.pk)
    ]


def test_flags_of_several_accounts_are_grouped_by_account_then_date(alice_instagram, post):
    other = SocialAccountFactory(platform=platform("twitter"), faculty=alice_instagram.faculty)
    other_post = PostFactory(account=other, published_at=published(dt.date(2026, 2, 1)))
    snapshot(other_post, dt.date(2026, 2, 8), impressions=10, likes=50)
    snapshot(post, dt.date(2026, 4, 8), impressions=10, likes=50)
    snapshot(post, dt.date(2026, 3, 8), impressions=5, likes=4)

    flags = flags_of([other, alice_instagram])

    assert [(flag.account_id, flag.kind, flag.captured_on) for flag in flags] == [
        (alice_instagram.pk, "actions_exceed_impressions", dt.date(2026, 4, 8)),
        (other.pk, "actions_exceed_impressions", dt.date(2026, 2, 8)),
    ]


def test_flags_are_plain_data_for_the_dossier(alice_instagram, post):
    snapshot(post, dt.date(2026, 3, 8), impressions=120, likes=125)

    [flag] = flags_of([alice_instagram])

    assert flag.as_dict() == {
        "kind": "actions_exceed_impressions",
        "label": "More actions than impressions",
        "detail": "125 actions over 120 impressions (snapshot of 2026-03-08).",
        "account_id": alice_instagram.pk,
        "post_id": post.pk,
        "captured_on": "2026-03-08",
    }


def troubled_account(faculty, posts: int):
    """An account with `posts` posts, each with every kind of post flag, and a troubled follower history."""
    account = SocialAccountFactory(faculty=faculty)
    for number in range(posts):
        post = PostFactory(account=account, published_at=published(dt.date(2026, 2, 1) + dt.timedelta(days=number)))
        snapshot(post, dt.date(2026, 5, 1), impressions=500, reach=40, likes=50)
        snapshot(post, dt.date(2026, 6, 1), source=Provenance.MANUAL, impressions=30, reach=40, likes=50)
    for day, followers in [(dt.date(2026, 1, 1), 1000), (dt.date(2026, 1, 20), 2000), (dt.date(2026, 6, 1), 1000)]:
        AccountMetricsFactory(account=account, captured_on=day, followers=followers)
    AudienceSnapshotFactory(account=account, captured_on=dt.date(2026, 4, 1))
    return account


@pytest.mark.parametrize("posts", [2, 40])
def test_integrity_flags_take_four_queries_however_many_posts(alice, posts, django_assert_num_queries):
    account = troubled_account(alice.faculty, posts)

    with django_assert_num_queries(4):
        flags = flags_of([account])

    per_post = ["actions_exceed_impressions", "likes_exceed_reach", "metric_decreased", "unverified_manual"]
    per_post.append("reach_exceeds_impressions")  # a reach of 40 over 30 impressions
    assert sorted(kinds(flags)) == sorted(
        per_post * posts
        + ["follower_jump_without_posts", "metric_decreased"]
        + ["unverified_manual"] * 4  # three follower counts and the audience
    )


def test_integrity_flags_take_three_queries_when_no_follower_count_jumped(alice, django_assert_num_queries):
    account = troubled_account(alice.faculty, 5)
    account.follower_snapshots.filter(followers=2000).delete()

    with django_assert_num_queries(3):
        flags_of([account])


def verified(row, user):
    row.mark_verified(user)
    row.save()
    return row


def batch(account, name):
    return ImportBatch.objects.create(
        account=account, file_name=name, sha256=name[0] * 64, status=ImportBatch.Status.IMPORTED
    )


def test_provenance_counts_the_numbers_the_dossier_shows_by_source_and_verification(alice_instagram, root):
    export, audience_export = batch(alice_instagram, "instagram-posts.csv"), batch(alice_instagram, "audience.csv")
    first, second, third = (
        PostFactory(account=alice_instagram, published_at=published(dt.date(2026, month, 1))) for month in (2, 3, 4)
    )
    snapshot(first, dt.date(2026, 2, 8), source=Provenance.MANUAL, likes=1)  # replaced by the next: not shown
    verified(snapshot(first, dt.date(2026, 5, 1), import_batch=export, likes=2), root)
    snapshot(second, dt.date(2026, 5, 1), source=Provenance.MANUAL, likes=3)
    verified(snapshot(third, dt.date(2026, 5, 1), source=Provenance.API, likes=4), root)
    outside = PostFactory(account=alice_instagram, published_at=published(dt.date(2025, 5, 1)))
    snapshot(outside, dt.date(2026, 5, 1), likes=5)
    AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2025, 12, 1), followers=900)  # before
    AccountMetricsFactory(
        account=alice_instagram, captured_on=dt.date(2026, 1, 1), followers=1000, source=IMPORTED, import_batch=export
    )
    verified(AccountMetricsFactory(account=alice_instagram, captured_on=dt.date(2026, 2, 1), followers=1010), root)
    for bucket in ("US", "IN"):
        AudienceSnapshotFactory(account=alice_instagram, captured_on=dt.date(2026, 3, 1), bucket=bucket)
    for bucket in ("US", "IN", "BR"):
        AudienceSnapshotFactory(
            account=alice_instagram,
            captured_on=dt.date(2026, 4, 1),
            bucket=bucket,
            source=IMPORTED,
            import_batch=audience_export,
        )

    summary = provenance_summary(account_ids=[alice_instagram.pk], start=START, end=END, as_of=AS_OF)

    assert [(row.numbers, row.source, row.total, row.verified, row.unverified) for row in summary.rows] == [
        ("post_metrics", "manual", 1, 0, 1),
        ("post_metrics", "import", 1, 1, 0),
        ("post_metrics", "api", 1, 1, 0),
        ("follower_counts", "manual", 1, 1, 0),
        ("follower_counts", "import", 1, 0, 1),
        ("follower_counts", "api", 0, 0, 0),
        ("audience", "manual", 0, 0, 0),
        ("audience", "import", 3, 0, 3),
        ("audience", "api", 0, 0, 0),
    ]
    assert [(file.batch_id, file.file_name, file.snapshots) for file in summary.files] == [
        (export.pk, "instagram-posts.csv", 2),  # one post snapshot and one follower count
        (audience_export.pk, "audience.csv", 3),
    ]


def test_provenance_is_plain_data_for_the_dossier(alice_instagram, post):
    export = batch(alice_instagram, "instagram-posts.csv")
    snapshot(post, dt.date(2026, 3, 8), import_batch=export, likes=2)

    data = provenance_summary(account_ids=[alice_instagram.pk], start=START, end=END, as_of=AS_OF).as_dict()

    assert data["rows"][1] == {
        "numbers": "post_metrics",
        "source": "import",
        "source_label": "Imported file",
        "total": 1,
        "verified": 0,
        "unverified": 1,
    }
    assert data["files"] == [
        {
            "batch_id": export.pk,
            "file_name": "instagram-posts.csv",
            "sha256": "i" * 64,
            "imported_at": export.created_at.isoformat(),
            "snapshots": 1,
        }
    ]


@pytest.mark.parametrize("posts", [2, 40])
def test_provenance_takes_three_queries_however_many_posts(alice, posts, django_assert_num_queries):
    account = troubled_account(alice.faculty, posts)

    with django_assert_num_queries(3):
        summary = provenance_summary(account_ids=[account.pk], start=START, end=END, as_of=AS_OF)

    assert sum(row.total for row in summary.rows if row.numbers == "post_metrics") == posts
