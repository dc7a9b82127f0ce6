"""
The shared vocabulary of the design: content types, career categories, the
metric fields every platform's numbers are mapped onto, and platform
interactions. The keys are the API's; the labels are what people read.

Plain module on purpose: models, importers, serializers and templates all use it.
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


class CareerCategory(models.TextChoices):
    """Categories from the radiology social-media literature."""

    EDUCATION = "education", "Education"
    BRANDING = "branding", "Branding"
    RESEARCH = "research", "Research & collaboration"
    MENTORSHIP = "mentorship", "Mentorship"
    PROMOTION = "promotion", "Academic advancement & promotion"
    LEADERSHIP = "leadership", "Leadership"


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
