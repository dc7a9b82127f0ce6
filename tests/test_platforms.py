"""The platform registry that the data migration seeds."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Platform
from accounts.vocabulary import METRIC_FIELDS
from accounts.vocabulary import ContentType
from accounts.vocabulary import Interaction

pytestmark = pytest.mark.django_db

FOURTEEN = {
    "twitter",
    "instagram",
    "facebook",
    "linkedin",
    "youtube",
    "tiktok",
    "reddit",
    "researchgate",
    "doximity",
    "snapchat",
    "whatsapp",
    "threads",
    "bluesky",
    "mastodon",
}


def test_all_fourteen_platforms_are_seeded():
    assert set(Platform.objects.values_list("key", flat=True)) == FOURTEEN


def test_every_seeded_feature_is_in_the_vocabulary():
    for platform in Platform.objects.all():
        platform.full_clean()
        assert set(platform.content_types) <= set(ContentType.values)
        assert set(platform.interactions) <= set(Interaction.values)
        assert set(platform.reported_metrics) <= set(METRIC_FIELDS)
        assert platform.interactions, platform.key


def test_reddit_votes_up_and_down_and_has_no_stories():
    reddit = Platform.objects.get(key="reddit")

    assert {"upvote", "downvote"} <= set(reddit.interactions)
    assert not reddit.has_stories
    assert {"likes", "dislikes"} <= set(reddit.reported_metrics)


def test_youtube_offers_subscribe_view_like_dislike_and_comment():
    youtube = Platform.objects.get(key="youtube")

    assert {"subscribe", "view", "like", "dislike", "comment"} <= set(youtube.interactions)
    assert "watch_time_seconds" in youtube.reported_metrics


def test_instagram_limits_captions_hashtags_and_images():
    instagram = Platform.objects.get(key="instagram")

    assert (instagram.caption_limit, instagram.hashtag_limit, instagram.media_per_post_limit) == (2200, 30, 10)
    assert instagram.has_stories and instagram.has_hashtags


def test_unknown_features_are_refused_with_their_names():
    platform = Platform(key="newsite", name="New site", content_types=["image", "hologram"], interactions=["like"])

    with pytest.raises(ValidationError) as error:
        platform.full_clean()

    assert "hologram" in str(error.value.message_dict["content_types"])
