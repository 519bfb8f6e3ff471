"""The web pages of `chm serve` in a real browser.

    python Tests/web/test_pages.py BASE_URL

Drives Debian's chromium (CHROMIUM, default /usr/bin/chromium) with Playwright (no browser
is downloaded), against a server of the Corpus (Tests/web/run.sh starts one). Each check
prints a line; the script exits non-zero when any fails. Screenshots of every page in
English, Arabic and Chinese go to CHM_WEB_SCREENSHOTS (default Tests/web/screenshots, which
git ignores).
"""

import os
import re
import sys
import time
import traceback
import urllib.parse
import urllib.request

import feedparser
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("CHM_WEB_SCREENSHOTS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "screenshots"))
API_KEY = os.environ.get("CHM_API_KEY")

failures = []


def check(name):
    """Runs the decorated function as one named check."""

    def run(function):
        started = time.monotonic()
        try:
            function()
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)")
        except Exception as error:  # noqa: BLE001 - every failure is reported
            failures.append(name)
            print(f"FAIL {name}: {error}")
            traceback.print_exc()
        return function

    return run


def total(page):
    return int(page.locator("[data-total]").first.get_attribute("data-total"))


def hit_ids(page):
    return page.locator("[data-record-id]").evaluate_all("(nodes) => nodes.map(n => n.dataset.recordId)")


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console_errors = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    os.makedirs(SHOTS, exist_ok=True)
    axe = Axe()

    @check("type a query and see hits")
    def _():
        page.goto(BASE + "/")
        everything = total(page)
        assert everything > 10, f"the corpus shows {everything} records"
        box = page.locator('form[role="search"] input[name="q"]')
        expect(box).to_have_accessible_name("Search records")
        box.fill("mangrove")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"[?&]q=mangrove"))
        found = total(page)
        assert 0 < found < everything, f"mangrove: {found} of {everything}"
        assert hit_ids(page), "no hits"
        assert page.locator(".hits mark").count() > 0, "no marked words"
        expect(page.locator("[data-total]")).to_contain_text(f"of {found}")

    @check("click a facet value: the total and the hits change")
    def _():
        page.goto(BASE + "/?q=forest")
        before_total, before_hits = total(page), hit_ids(page)
        link = page.locator('[data-facet="kind"]').first
        value = link.get_attribute("data-value")
        link.click()
        page.wait_for_url(re.compile(r"kind=" + re.escape(value)))
        after_total, after_hits = total(page), hit_ids(page)
        assert after_total < before_total, f"{before_total} -> {after_total}"
        assert after_hits != before_hits
        selected = page.locator(f'[data-facet="kind"][data-value="{value}"]')
        expect(selected).to_have_attribute("aria-current", "true")
        # A second facet (AND), then remove the first again.
        page.locator('[data-facet="kind"][data-value="%s"]' % value).click()
        page.wait_for_url(lambda url: "kind=" not in url)
        assert total(page) == before_total

    @check("switch to Arabic: dir=rtl and Arabic interface strings")
    def _():
        page.goto(BASE + "/?q=water")
        page.locator('a[hreflang="ar"]').first.click()
        page.wait_for_url(re.compile(r"lang=ar"))
        html = page.locator("html")
        expect(html).to_have_attribute("dir", "rtl")
        expect(html).to_have_attribute("lang", "ar")
        expect(page.locator("h1")).to_have_text("البحث في آلية تبادل المعلومات")
        expect(page.get_by_role("button", name="بحث")).to_be_visible()
        assert page.locator('[name="q"]').input_value() == "water", "the query is kept"
        # The mirrored layout: the facets are on the right of the results.
        facets = page.locator("aside.facets").bounding_box()
        results = page.locator("section.results").bounding_box()
        assert facets["x"] > results["x"], f"facets at {facets['x']}, results at {results['x']}"

    @check("open a record")
    def _():
        page.goto(BASE + "/?q=coral")
        first = page.locator(".hits [data-record-id]").first
        record_id = first.get_attribute("data-record-id")
        first.locator("h3 a").click()
        page.wait_for_url(re.compile(r"/records/"))
        expect(page.locator("article.record")).to_have_attribute("data-record-id", record_id)
        expect(page.get_by_role("heading", name="Similar records")).to_be_visible()
        assert page.locator("dl.fields dt").count() >= 4

    @check("an assistance request shows its matches with reasons")
    def _():
        page.goto(BASE + "/records/a-req-coral-bleaching-monitoring-maldives")
        section = page.locator("section", has=page.get_by_role("heading", name="Offers that could answer this request"))
        assert section.locator("[data-record-id]").count() > 0, "no matches"
        assert section.locator(".reasons li").count() > 0, "no reasons"

    @check("submit the help-desk form and see matches")
    def _():
        page.goto(BASE + "/helpdesk")
        form = page.locator("#helpdesk")
        form.get_by_label("What is needed?").fill("Training for rangers to monitor coral reef bleaching")
        form.get_by_label("Country asking for assistance").select_option("MV")
        form.get_by_label("Training").check()
        form.get_by_role("button", name="Find help").click()
        page.wait_for_load_state()
        results = page.locator(".helpdesk-results [data-record-id]")
        assert results.count() > 0, "no matching offers"
        expect(page.locator(".message")).to_contain_text("Nothing was stored")
        assert page.locator(".helpdesk-results .reasons li").count() > 0

    @check("the help desk stores a request with the API key")
    def _():
        if not API_KEY:
            print("     (no CHM_API_KEY: skipped)")
            return
        page.goto(BASE + "/helpdesk")
        form = page.locator("#helpdesk")
        form.get_by_label("What is needed?").fill("Equipment to survey seagrass meadows")
        form.get_by_label("API key").fill(API_KEY)
        form.get_by_role("button", name="Find help").click()
        page.wait_for_load_state()
        stored = page.locator("[data-stored-id]")
        expect(stored).to_be_visible()
        record_id = stored.get_attribute("data-stored-id")
        page.goto(BASE + "/records/" + record_id)
        expect(page.locator("article.record")).to_have_attribute("data-kind", "assistanceRequest")

    @check("the search page works from the keyboard with visible focus")
    def _():
        page.goto(BASE + "/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert "skip" in focused, f"first Tab focuses {focused!r}"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), f"no focus outline ({outline})"
        page.keyboard.press("Enter")
        # Tab to the query box and search with the keyboard alone.
        page.locator('[name="q"]').focus()
        page.keyboard.type("seed")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"q=seed"))
        assert hit_ids(page)

    @check("the Atom feed reads in feedparser")
    def _():
        url = BASE + "/feed?kind=technology&lang=fr"
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read()
        feed = feedparser.parse(body)
        assert not feed.bozo, f"feedparser: {feed.get('bozo_exception')}"
        assert feed.version == "atom10", feed.version
        assert feed.entries, "no entries"
        for entry in feed.entries:
            for key in ("id", "title", "updated", "link", "summary"):
                assert entry.get(key), f"entry without {key}: {entry.get('id')}"

    @check("the downloads")
    def _():
        query = urllib.parse.urlencode({"q": "mangrove", "format": "csv"})
        with urllib.request.urlopen(BASE + "/export?" + query, timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/csv")
            lines = response.read().decode().strip().splitlines()
        assert len(lines) > 1, lines

    pages = {
        "search": "/?q=mangrove",
        "facets": "/?kind=technology&country=SN",
        "record": "/records/a-org-sahel-agroecology-network",
        "request": "/records/a-req-coral-bleaching-monitoring-maldives",
        "helpdesk": "/helpdesk?need=mangrove+nursery+training&country=SN&help=training",
        "error": "/?sort=sideways",
    }

    @check("axe-core: no serious or critical violation on any page, in English, Arabic and Chinese")
    def _():
        problems = []
        for language in ("en", "ar", "zh"):
            for name, path in pages.items():
                separator = "&" if "?" in path else "?"
                page.goto(BASE + path + (separator + "lang=" + language if language != "en" else ""))
                page.screenshot(path=os.path.join(SHOTS, f"{name}-{language}.png"), full_page=True)
                results = axe.run(page)
                for violation in results.response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        targets = [node["target"] for node in violation["nodes"]][:3]
                        problems.append(f"{name}/{language}: {violation['id']} ({violation['impact']}) {targets}")
        assert not problems, "\n".join(problems)

    @check("Chinese text is drawn with a CJK font (not empty boxes)")
    def _():
        page.goto(BASE + "/?lang=zh")
        # A glyph that a font lacks is drawn as the same .notdef box, whatever the character:
        # two different Chinese characters then measure the same as a box would. With a CJK
        # font they render as full-width glyphs that differ from the fallback box.
        widths = page.evaluate(
            """() => {
                const canvas = document.createElement('canvas');
                const context = canvas.getContext('2d');
                context.font = '32px ' + getComputedStyle(document.body).fontFamily;
                return ['搜', '索', '\\uE000'].map(c => context.measureText(c).width);
            }"""
        )
        fonts = page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")
        assert widths[0] > 20, f"widths {widths}"
        assert fonts, "Noto Sans CJK SC is not available"

    @check("no script errors")
    def _():
        assert not console_errors, console_errors

    browser.close()

print(f"screenshots in {SHOTS}")
if failures:
    print(f"web tests: {len(failures)} FAILED: {', '.join(failures)}")
    sys.exit(1)
print("web tests: all passed")
