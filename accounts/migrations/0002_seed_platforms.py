"""
Seed the platform registry with the fourteen platforms of the design.

Features follow the published description of the major platforms (content,
interactions, direct messages, stories, viewer tracking, hashtags,
crowdsourcing); `reported_metrics` lists what each platform's own analytics
report, in the metric vocabulary. Admins edit the rows afterwards; running the
migration again never overwrites their edits (rows are only created).
"""

from django.db import migrations

PLATFORMS = [
    {
        "key": "twitter",
        "name": "X (Twitter)",
        "content_types": ["text", "image", "video", "link", "poll", "thread", "live"],
        "interactions": ["follow", "like", "comment", "share", "save", "view"],
        "reported_metrics": [
            "impressions",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "profile_visits",
            "follows",
            "clicks",
        ],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": False,
        "has_hashtags": True,
        "has_crowdsourcing": True,  # Community Notes
        "caption_limit": 280,
        "media_per_post_limit": 4,
    },
    {
        "key": "instagram",
        "name": "Instagram",
        "content_types": ["image", "carousel", "video", "short_video", "live", "story"],
        "interactions": ["follow", "like", "comment", "share", "save", "view"],
        "reported_metrics": [
            "impressions",
            "reach",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "profile_visits",
            "follows",
            "watch_time_seconds",
        ],
        "has_direct_messages": True,
        "has_stories": True,
        "has_viewer_tracking": True,  # story viewers
        "has_hashtags": True,
        "has_crowdsourcing": False,
        "caption_limit": 2200,
        "hashtag_limit": 30,
        "media_per_post_limit": 10,
    },
    {
        "key": "facebook",
        "name": "Facebook",
        "content_types": ["text", "image", "carousel", "video", "short_video", "live", "story", "link", "poll"],
        "interactions": ["follow", "like", "comment", "share", "view"],
        "reported_metrics": [
            "impressions",
            "reach",
            "views",
            "likes",
            "comments",
            "shares",
            "clicks",
            "watch_time_seconds",
        ],
        "has_direct_messages": True,
        "has_stories": True,
        "has_viewer_tracking": True,  # story viewers
        "has_hashtags": True,
        "has_crowdsourcing": False,
        "caption_limit": 63206,
    },
    {
        "key": "linkedin",
        "name": "LinkedIn",
        "content_types": ["text", "image", "carousel", "video", "document", "article", "poll", "link", "live"],
        "interactions": ["follow", "like", "comment", "share", "view"],
        "reported_metrics": ["impressions", "reach", "views", "likes", "comments", "shares", "clicks", "follows"],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": True,  # who viewed your profile
        "has_hashtags": True,
        "has_crowdsourcing": False,
        "caption_limit": 3000,
    },
    {
        "key": "youtube",
        "name": "YouTube",
        "content_types": ["video", "short_video", "live", "text", "poll"],
        "interactions": ["subscribe", "view", "like", "dislike", "comment", "share"],
        "reported_metrics": [
            "impressions",
            "views",
            "likes",
            "dislikes",
            "comments",
            "shares",
            "follows",
            "watch_time_seconds",
        ],
        "has_direct_messages": False,
        "has_stories": False,
        "has_viewer_tracking": False,
        "has_hashtags": True,
        "has_crowdsourcing": False,
        "caption_limit": 5000,
        "hashtag_limit": 60,
    },
    {
        "key": "tiktok",
        "name": "TikTok",
        "content_types": ["short_video", "image", "carousel", "live", "story"],
        "interactions": ["follow", "like", "comment", "share", "save", "view"],
        "reported_metrics": [
            "reach",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "profile_visits",
            "follows",
            "watch_time_seconds",
        ],
        "has_direct_messages": True,
        "has_stories": True,
        "has_viewer_tracking": True,  # profile views
        "has_hashtags": True,
        "has_crowdsourcing": False,
        "caption_limit": 4000,
    },
    {
        "key": "reddit",
        "name": "Reddit",
        "content_types": ["text", "image", "video", "link", "poll"],
        "interactions": ["follow", "upvote", "downvote", "comment", "share", "save"],
        "reported_metrics": ["views", "likes", "dislikes", "comments", "shares"],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": False,
        "has_hashtags": False,
        "has_crowdsourcing": True,  # votes and community moderation
        "caption_limit": 40000,
    },
    {
        "key": "researchgate",
        "name": "ResearchGate",
        "content_types": ["document", "article", "text", "link"],
        "interactions": ["follow", "like", "comment", "share", "view"],
        "reported_metrics": ["views", "likes", "follows"],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": True,  # who read your work
        "has_hashtags": False,
        "has_crowdsourcing": True,  # questions and answers
    },
    {
        "key": "doximity",
        "name": "Doximity",
        "content_types": ["text", "article", "link", "video"],
        "interactions": ["follow", "like", "comment", "share"],
        "reported_metrics": ["views", "likes", "comments", "shares"],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": True,  # profile views
        "has_hashtags": False,
        "has_crowdsourcing": False,
    },
    {
        "key": "snapchat",
        "name": "Snapchat",
        "content_types": ["image", "video", "short_video", "story"],
        "interactions": ["follow", "view", "share", "comment"],
        "reported_metrics": ["reach", "views", "shares", "follows", "watch_time_seconds"],
        "has_direct_messages": True,
        "has_stories": True,
        "has_viewer_tracking": True,
        "has_hashtags": True,
        "has_crowdsourcing": False,
    },
    {
        "key": "whatsapp",
        "name": "WhatsApp",
        "content_types": ["text", "image", "video", "document", "link", "poll", "story"],
        "interactions": ["follow", "like", "share", "view"],
        "reported_metrics": ["views", "likes", "shares", "follows"],
        "has_direct_messages": True,
        "has_stories": True,  # status updates
        "has_viewer_tracking": True,  # status viewers
        "has_hashtags": False,
        "has_crowdsourcing": False,
    },
    {
        "key": "threads",
        "name": "Threads",
        "content_types": ["text", "image", "carousel", "video", "link", "poll"],
        "interactions": ["follow", "like", "comment", "share", "view"],
        "reported_metrics": ["views", "likes", "comments", "shares", "follows"],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": False,
        "has_hashtags": True,  # one topic tag per post
        "has_crowdsourcing": False,
        "caption_limit": 500,
        "hashtag_limit": 1,
        "media_per_post_limit": 10,
    },
    {
        "key": "bluesky",
        "name": "Bluesky",
        "content_types": ["text", "image", "video", "link", "thread"],
        "interactions": ["follow", "like", "comment", "share", "save"],
        "reported_metrics": ["likes", "comments", "shares"],
        "has_direct_messages": True,
        "has_stories": False,
        "has_viewer_tracking": False,
        "has_hashtags": True,
        "has_crowdsourcing": True,  # community labelers
        "caption_limit": 300,
        "media_per_post_limit": 4,
    },
    {
        "key": "mastodon",
        "name": "Mastodon",
        "content_types": ["text", "image", "video", "link", "poll", "thread"],
        "interactions": ["follow", "like", "comment", "share", "save"],
        "reported_metrics": ["likes", "comments", "shares"],
        "has_direct_messages": True,  # private mentions
        "has_stories": False,
        "has_viewer_tracking": False,
        "has_hashtags": True,
        "has_crowdsourcing": False,
        "caption_limit": 500,
        "media_per_post_limit": 4,
    },
]


def seed_platforms(apps, schema_editor):
    Platform = apps.get_model("accounts", "Platform")
    for data in PLATFORMS:
        Platform.objects.get_or_create(key=data["key"], defaults=data)


def remove_platforms(apps, schema_editor):
    Platform = apps.get_model("accounts", "Platform")
    Platform.objects.filter(key__in=[data["key"] for data in PLATFORMS], accounts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed_platforms, remove_platforms)]
