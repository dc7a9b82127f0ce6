"""
What the accessibility tests check on a page, in headless Chromium: axe-core's rules (WCAG 2.1 A and AA and
axe's best practices), of which a critical or serious violation fails, and that the page does not scroll
sideways on a 390 px wide phone.

axe-core is vendored in `tests/vendor/axe-core/` (version and checksum in its README), so the tests download
nothing. It is added to every page of a browser context with `add_init_script`, which Chromium runs outside the
page's Content-Security-Policy: the site's own policy stays as strict as production's while it is checked.
"""

import hashlib
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
BLOCKING = ("critical", "serious")
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def axe_source() -> str:
    source = AXE.read_bytes()
    if hashlib.sha256(source).hexdigest() != AXE_SHA256:
        raise AssertionError(f"{AXE} is not the vendored axe-core 4.14.1: see tests/vendor/axe-core/README.md")
    return source.decode()


def with_axe(context):
    """`context` (a Playwright BrowserContext), with axe-core on every page it opens."""
    context.add_init_script(script=axe_source())
    return context


def blocking_violations(page) -> list[str]:
    """axe's critical and serious violations on the page as it is now, one line each with an example element."""
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        RULE_TAGS,
    )
    return [
        f"{violation['impact']} {violation['id']}: {violation['help']} "
        f"({len(violation['nodes'])} element(s), e.g. {violation['nodes'][0]['target']}: "
        f"{violation['nodes'][0]['failureSummary']!r})"
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def sideways_overflow(page) -> str | None:
    """Whether the page itself scrolls sideways at its current width (a table scrolling in its own focusable
    region does not count): the widest element sticking out, or None."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width + 1) return null;
            let widest = null;
            const clipped = (element) => {
                for (let parent = element.parentElement; parent; parent = parent.parentElement) {
                    if (getComputedStyle(parent).overflowX !== "visible") return true;
                }
                return false;
            };
            for (const element of document.body.querySelectorAll("*")) {
                const box = element.getBoundingClientRect();
                if (box.right > width + 1 && (!widest || box.right > widest.right) && !clipped(element)) {
                    widest = {right: box.right, name: element.tagName.toLowerCase()
                        + (element.id ? "#" + element.id : "")
                        + (element.className && typeof element.className === "string"
                            ? "." + element.className.trim().split(/\\s+/).join(".") : "")};
                }
            }
            return `page is ${document.documentElement.scrollWidth}px wide at ${width}px`
                + (widest ? `; widest: ${widest.name} to ${Math.round(widest.right)}px` : "");
        }"""
    )


def tab_to(page, text: str, *, limit: int = 30) -> int:
    """Press Tab until the focused element's text or value contains `text`, as a keyboard user would; the number
    of presses it took. Fails after `limit` presses, or when focus is lost to the page's body."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e === document.body ? null : (e.innerText || e.value || e.getAttribute('aria-label') || ''); }"
        )
        if focused is not None and text in focused:
            return presses
    raise AssertionError(f"{text!r} not reached in {limit} Tab presses on {page.url}")
