"""
A faculty member's posts and their numbers, kept in the site: the list, a post's page with every value's
history, and the forms that correct a post or add and correct a snapshot. An institution admin does the same for
the faculty of their institution; a reviewer reads and changes nothing (403); another institution's post is 404.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import log_refused_write
from accounts.vocabulary import METRIC_FIELDS
from metrics.history import histories_of
from metrics.models import Post, PostMetrics
from metrics.provenance import WORDS
from portfolio.privacy.rules import caption_flags, post_flags
from portfolio.records import listing
from portfolio.records.access import record_for
from portfolio.records.forms import PostForm, SnapshotForm
from portfolio.records.paging import page_of


@login_required
def post_list(request):
    today = timezone.localdate()
    form = listing.PostFilterForm(request.GET, user=request.user)
    column, descending = listing.parse_sort(request.GET.get("sort"))
    posts = listing.post_rows(request.user, as_of=today, form=form, column=column, descending=descending)
    page = page_of(posts, request.GET.get("page"))
    headers = []
    for option in listing.COLUMNS:
        current = option == column
        # A first click sorts numbers and dates largest first, words A to Z; a second click reverses the order.
        next_descending = not descending if current else option.numeric or option.key == "published"
        headers.append(
            {
                "column": option,
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "sort": f"-{option.key}" if next_descending else option.key,
            }
        )
    context = {
        "form": form,
        "page": page,
        "posts": page.rows,
        "headers": headers,
        "sorted_by": dict(form.fields["sort"].choices)[f"{'-' if descending else ''}{column.key}"],
        "as_of": today,
    }
    return render(request, "records/posts.html", context)


@login_required
def post_detail(request, pk: int):
    today = timezone.localdate()
    posts = Post.objects.select_related("account__platform", "account__faculty").with_engagement(today)
    post = record_for(request, posts, pk)
    snapshots = list(post.snapshots.with_provenance().select_related("verified_by").order_by("-captured_on"))
    post_history = histories_of([post])[post.pk]
    snapshot_histories = histories_of(snapshots)
    people = _usernames([post_history, *snapshot_histories.values()])
    # Every snapshot of a post belongs to the post's institution: one question for all of them.
    may_verify = Post.objects.administered_by(request.user).filter(pk=post.pk).exists()
    context = {
        "post": post,
        "as_of": today,
        "can_change": Post.objects.editable_by(request.user).filter(pk=post.pk).exists(),
        "privacy_flags": post_flags(post),
        "snapshots": [
            {
                "snapshot": snapshot,
                "counts": [(label, getattr(snapshot, name)) for name, label in METRIC_FIELDS.items()],
                "may_verify": may_verify and not snapshot.is_verified,
                "history": _readable(snapshot_histories[snapshot.pk], PostMetrics, people),
            }
            for snapshot in snapshots
        ],
        "post_history": _readable(post_history, Post, people),
    }
    return render(request, "records/post.html", context)


@login_required
def post_edit(request, pk: int):
    post = record_for(request, Post.objects.select_related("account__platform"), pk, change=True)
    form = PostForm(request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            messages.success(request, "Post saved. Its history below shows the change.")
        return redirect("records:post", pk=post.pk)
    caption = form["caption"].value() or ""
    context = {"post": post, "form": form, "privacy_flags": caption_flags(caption, published_at=post.published_at)}
    return render(request, "records/post_form.html", context)


@login_required
def snapshot_add(request, pk: int):
    post = record_for(request, Post.objects.select_related("account__platform"), pk, change=True)
    return _snapshot_form(request, post, SnapshotForm(request.POST or None, post=post), added=True)


@login_required
def snapshot_edit(request, pk: int):
    snapshots = PostMetrics.objects.select_related("post__account__platform")
    snapshot = record_for(request, snapshots, pk, change=True)
    form = SnapshotForm(request.POST or None, instance=snapshot, post=snapshot.post)
    return _snapshot_form(request, snapshot.post, form, added=False)


def _snapshot_form(request, post: Post, form: SnapshotForm, *, added: bool):
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            verb = "added" if added else "corrected"
            messages.success(
                request, f"Snapshot {verb}. It is unverified until an admin checks it against the platform."
            )
        return redirect("records:post", pk=post.pk)
    return render(request, "records/snapshot_form.html", {"post": post, "form": form, "added": added})


@login_required
@require_POST
def snapshot_verify(request, pk: int):
    snapshot = record_for(request, PostMetrics.objects.all(), pk)
    if not snapshot.may_be_verified_by(request.user):
        log_refused_write(request, object_id=pk)
        raise PermissionDenied("Only an admin of the institution these numbers belong to verifies them.")
    snapshot.verify(request.user)
    messages.success(request, f"Snapshot of {snapshot.captured_on} verified.")
    return redirect("records:post", pk=snapshot.post_id)


def _usernames(histories) -> dict[int, str]:
    ids = {entry["by"] for entries in histories for entry in entries if entry["by"] is not None}
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}


def _readable(entries: list[dict], model, people: dict[int, str]) -> list[dict]:
    """History entries as a page shows them: who by name, how in words, each change as (field, old, new) in words."""
    return [
        {
            **entry,
            "who": people.get(entry["by"], "someone not recorded"),
            "how": WORDS.get(entry["source"], "how not recorded"),
            "changes": [
                (model._meta.get_field(name).verbose_name, _shown(model, name, old), _shown(model, name, new))
                for name, (old, new) in entry["changes"].items()
            ],
        }
        for entry in entries
    ]


def _shown(model, name: str, value):
    """A stored value in the words of its field's choices ('research' -> 'Research & collaboration')."""
    choices = dict(model._meta.get_field(name).flatchoices)
    return choices.get(value, value) if choices else value
