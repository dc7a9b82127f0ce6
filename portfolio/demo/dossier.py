"""
The demo dossier: Leila Haddad (the `demo-faculty` login) preparing her promotion to Associate Professor.

It highlights the two posts of the published nuclear-medicine analysis (the worked example and the call to
technologists), her most-liked post on X and, when the demo has one, a caption that the privacy check flags
and that she has not yet acknowledged, so that the builder shows the check at work. Four activities are
recorded and three included. Built by `build_demo` after the posts and snapshots; deterministic like them.
"""

from datetime import date, timedelta

from django.db.models import F

from accounts.models import Faculty, SocialAccount
from metrics.models import Post
from portfolio.demo import content
from portfolio.dossiers.models import Activity, Dossier, Highlight, ScoringProfile

TITLE = "Promotion to Associate Professor"
NARRATIVE = (
    "I teach nuclear medicine where my learners already are. Most technologists, residents and students who "
    "follow Nuclear Medicine Pearls work far from an academic centre, many in low- and middle-income countries, "
    "and a weekly image with its answer is often the only structured teaching they receive in our field.\n\n"
    "Each post is a small lesson: one finding, one pitfall, one question to think about before swiping. I choose "
    "cases from teaching files, never from identifiable patients, and I answer every comment that asks why. The "
    "same cases feed the residents' conference, so the online audience and our trainees learn from one another.\n\n"
    "This dossier reports what that work reached and how people engaged with it, with every number traceable to "
    "the platforms' own exports, and the editorial and peer-review roles that grew out of it."
)
ACTIVITIES = (
    (
        Activity.Kind.EDITORIAL,
        "Social media editor",
        "Journal of Nuclear Medicine Technology",
        730,
        None,
        "Curates the journal's weekly case posts and visual abstracts.",
        True,
    ),
    (
        Activity.Kind.PEER_REVIEW,
        "Reviewer, open online case collection",
        "Radiopaedia-style community case library",
        400,
        None,
        "Reviews submitted nuclear-medicine cases for accuracy and de-identification.",
        True,
    ),
    (
        Activity.Kind.INVITATION,
        "Invited lecture: teaching nuclear medicine on Instagram",
        "Regional society of nuclear medicine annual meeting",
        120,
        120,
        "Invitation followed the technologist-audience post.",
        True,
    ),
    (Activity.Kind.MEDIA, "Interview on radiation safety myths", "Local public radio", 900, 900, "", False),
)


def build_demo_dossier(*, today: date) -> Dossier:
    faculty = Faculty.objects.select_related("user").get(user__username=content.FACULTY_MEMBER.username)
    appointment = faculty.appointments.select_related("department__institution").order_by("-primary").first()
    dossier = Dossier.objects.create(
        faculty=faculty,
        title=TITLE,
        period_start=date(today.year - 1, today.month, 1),
        period_end=today - timedelta(days=1),
        as_of=today,
        narrative=NARRATIVE,
        scoring_profile=ScoringProfile.objects.for_institution(appointment.department.institution),
        created_by=faculty.user,
    )
    accounts = SocialAccount.objects.filter(faculty=faculty, kind=SocialAccount.Kind.PERSONAL)
    dossier.accounts.set(accounts)

    posts = Post.objects.filter(account__in=accounts)
    chosen = [
        posts.get(external_id=content.WORKED_EXAMPLE.external_id),
        posts.get(external_id=content.TECHNOLOGIST_CALL.external_id),
    ]
    most_liked_on_x = (
        posts.filter(account__platform__key="twitter")
        .published_between(dossier.period_start, dossier.period_end)
        .with_metrics_as_of(today)
        .order_by(F("likes").desc(nulls_last=True), "pk")
        .first()
    )
    flagged = posts.filter(caption__contains="year-old").order_by("published_at", "pk").first()
    chosen += [post for post in (most_liked_on_x, flagged) if post is not None and post not in chosen]
    # Why each post matters in this dossier: the note and category are the highlight's, not the post's.
    notes = {
        content.WORKED_EXAMPLE.external_id: content.WORKED_EXAMPLE.note,
        content.TECHNOLOGIST_CALL.external_id: content.TECHNOLOGIST_CALL.note,
    }
    if most_liked_on_x is not None:
        notes.setdefault(
            most_liked_on_x.external_id, "Most-liked post on X this year; reposted by two residency programmes."
        )
    if flagged is not None:
        notes.setdefault(flagged.external_id, "A case residents still ask about, years after it was posted.")
    Highlight.objects.bulk_create(
        Highlight(
            dossier=dossier, post=post, position=position, note=notes.get(post.external_id, ""), category=post.category
        )
        for position, post in enumerate(chosen, start=1)
    )

    for kind, title, organisation, started_days_ago, ended_days_ago, description, included in ACTIVITIES:
        activity = Activity.objects.create(
            faculty=faculty,
            kind=kind,
            title=title,
            organisation=organisation,
            started_on=today - timedelta(days=started_days_ago),
            ended_on=None if ended_days_ago is None else today - timedelta(days=ended_days_ago),
            description=description,
        )
        if included:
            dossier.activities.add(activity)
    return dossier
