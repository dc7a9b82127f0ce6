"""
The integrity appendix of a dossier, grouped so that a committee reads it in a page: by post, by account, and
one line for a kind of flag that concerns many posts.

Built from the stored data only (`dossier_data`'s flags, each naming its post), so the page, the PDF and the
CSV/XLSX tables group alike and a frozen version groups its own flags without the database. Data frozen before
flags named their post still groups: such a post is named by its id.
"""

from collections import defaultdict

# A kind of flag on this many posts or more is said once, with the count and a compact list of the posts;
# a post whose flags are all of such kinds gets no entry of its own.
MANY_POSTS = 4
# An account's flags of one kind, this many or more, share one line.
MANY_ON_AN_ACCOUNT = 3
CAPTION_START = 60


def caption_start(caption: str, *, limit: int = CAPTION_START) -> str:
    """
    The first words of a caption, at most `limit` characters, cut at a word and ended by '…' when cut; line
    breaks become spaces. A first word longer than `limit` (a link) is cut where the limit falls.
    """
    text = " ".join(caption.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else text[:limit]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"  # no dangling punctuation or dash before the ellipsis


def group_flags(data: dict) -> dict:
    """
    The dossier's integrity flags as the appendix shows them:

        total     the number of flags
        kinds     [{kind, label, count, posts: [POST + {detail, captured_on}]}], the kinds on MANY_POSTS posts or more
        posts     [POST + {flags: [{kind, label, detail, captured_on}]}], one per post with a flag of another kind,
                  in the order of the flags (account, then date); it lists every flag of its post
        accounts  [{account_id, platform, handle, url, lines: [{kind, label, count, details: [str]}]}], the flags
                  that concern an account rather than a post (follower counts, audience)

    POST = {post_id, account_id, platform, handle, published_on, caption_start, url}.
    """
    flags = data["methods"]["integrity_flags"]
    accounts = {account["id"]: account for account in data["impact"]["accounts"]}
    by_post: dict[int, list[dict]] = {}
    by_account: dict[int, list[dict]] = {}
    for flag in flags:
        if flag.get("post_id"):
            by_post.setdefault(flag["post_id"], []).append(flag)
        else:
            by_account.setdefault(flag["account_id"], []).append(flag)

    posts_of_kind = defaultdict(list)
    for post_id, post_flags in by_post.items():
        for flag in post_flags:
            posts_of_kind[flag["kind"]].append((post_id, flag))
    many = {kind for kind, posts in posts_of_kind.items() if len(posts) >= MANY_POSTS}

    return {
        "total": len(flags),
        "kinds": [
            {
                "kind": kind,
                "label": posts[0][1]["label"],
                "count": len(posts),
                "posts": [
                    {**_post(flag, accounts), "detail": flag["detail"], "captured_on": flag["captured_on"]}
                    for _, flag in posts
                ],
            }
            for kind, posts in posts_of_kind.items()
            if kind in many
        ],
        "posts": [
            {**_post(post_flags[0], accounts), "flags": [_line(flag) for flag in post_flags]}
            for post_flags in by_post.values()
            if any(flag["kind"] not in many for flag in post_flags)
        ],
        "accounts": [
            {**_account(account_id, accounts), "lines": account_lines(account_flags)}
            for account_id, account_flags in by_account.items()
        ],
    }


def _post(flag: dict, accounts: dict) -> dict:
    post = flag.get("post") or {}
    account = accounts.get(flag["account_id"], {})
    return {
        "post_id": flag["post_id"],
        "account_id": flag["account_id"],
        "platform": account.get("platform", ""),
        "handle": account.get("handle", ""),
        "published_on": post.get("published_on"),
        "caption_start": post.get("caption_start", ""),
        "url": post.get("url", ""),
    }


def _account(account_id: int, accounts: dict) -> dict:
    account = accounts.get(account_id, {})
    return {
        "account_id": account_id,
        "platform": account.get("platform", ""),
        "handle": account.get("handle", ""),
        "url": account.get("url", ""),
    }


def _line(flag: dict) -> dict:
    return {key: flag[key] for key in ("kind", "label", "detail", "captured_on")}


def account_lines(flags: list[dict]) -> list[dict]:
    """One line per flag, or one line per kind that the account carries MANY_ON_AN_ACCOUNT times or more."""
    of_kind: dict[str, list[dict]] = {}
    for flag in flags:
        of_kind.setdefault(flag["kind"], []).append(flag)
    lines = []
    for kind, kind_flags in of_kind.items():
        if len(kind_flags) >= MANY_ON_AN_ACCOUNT:
            details = [flag["detail"].rstrip(".") for flag in kind_flags]
            lines.append({"kind": kind, "label": kind_flags[0]["label"], "count": len(kind_flags), "details": details})
        else:
            lines += [
                {"kind": kind, "label": flag["label"], "count": 1, "details": [flag["detail"].rstrip(".")]}
                for flag in kind_flags
            ]
    return lines
