"""
What a platform can offer, in the vocabulary of the design: the content types it supports, the interactions it
offers, and the metric fields every platform's numbers are mapped onto (which its analytics report). The keys
are the API's; the labels are what people read.

Platforms are this app's, so the vocabulary that describes them is too; posts and their snapshots (metrics)
use the same keys. Plain module on purpose: models, importers, serializers and templates all use it.
"""

from django.db import models


class ContentType(models.TextChoices):
    IMAGE = "image", "Image"
    CAROUSEL = "carousel", "Carousel"
    VIDEO = "video", "Video"
    SHORT_VIDEO = "short_video", "Short video (reel, short, TikTok)"
    LIVE = "live", "Live"
    STORY = "story", "Story"
    TEXT = "text", "Text"
    LINK = "link", "Link"
    POLL = "poll", "Poll"
    ARTICLE = "article", "Article"
    DOCUMENT = "document", "Document"
    THREAD = "thread", "Thread"


class Interaction(models.TextChoices):
    FOLLOW = "follow", "Follow"
    LIKE = "like", "Like"
    COMMENT = "comment", "Comment"
    SHARE = "share", "Share / repost"
    SAVE = "save", "Save"
    UPVOTE = "upvote", "Upvote"
    DOWNVOTE = "downvote", "Downvote"
    SUBSCRIBE = "subscribe", "Subscribe"
    VIEW = "view", "View"
    DISLIKE = "dislike", "Dislike"


# Every count a post snapshot can hold, in display order, with the label people read.
# Reddit upvotes are likes and downvotes dislikes; retweets/reposts are shares; bookmarks are saves.
METRIC_FIELDS: dict[str, str] = {
    "impressions": "Impressions",
    "reach": "Reach",
    "views": "Views",
    "likes": "Likes",
    "dislikes": "Dislikes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "profile_visits": "Profile visits",
    "follows": "Follows",
    "clicks": "Clicks",
    "watch_time_seconds": "Watch time (seconds)",
}

METRIC_CHOICES = list(METRIC_FIELDS.items())
