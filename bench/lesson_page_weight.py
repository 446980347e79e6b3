#!/usr/bin/env python
"""Lesson page weight and render time, against a baseline measured in the same run.

What a learner's browser downloads for a lesson without media: the HTML, the stylesheets it
links and the font files whose unicode-range covers characters on the page (what a browser
really fetches), raw and gzip-compressed. The baseline is the Wagtail admin's sign-in page,
a framework-built page served by the same process. Render time is the median of N requests
through Django's test client (no network), for the lesson and the baseline.

Run after `make demo` (it reads the dev database): .venv/bin/python bench/lesson_page_weight.py
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.test import Client  # noqa: E402

from courses.models import LessonPage  # noqa: E402

REQUESTS = 30


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])

    def handle_data(self, data):
        self.text.append(data)


def static_bytes(url: str) -> bytes:
    path = finders.find(url.split("/static/", 1)[1].split("?")[0])
    return Path(path).read_bytes()


def font_files(css: str, css_url: str, chars: set[int]) -> list[str]:
    """Font files a browser fetches: those whose unicode-range covers a character used."""
    base = css_url.rsplit("/", 1)[0]
    wanted = []
    for block in re.findall(r"@font-face\s*\{(.*?)\}", css, re.S):
        src = re.search(r"url\(\./([^)]+)\)", block)
        ranges = re.search(r"unicode-range:\s*([^;]+);", block)
        if not src or not ranges:
            continue
        for part in ranges.group(1).split(","):
            lo, _, hi = part.strip()[2:].partition("-")
            lo_i, hi_i = int(lo, 16), int(hi or lo, 16)
            if any(lo_i <= c <= hi_i for c in chars):
                wanted.append(f"{base}/{src.group(1)}")
                break
    return wanted


def weigh(client: Client, url: str) -> dict:
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, (url, response.status_code)
    html = response.content
    parser = Assets()
    parser.feed(html.decode())
    files = {"html": html}
    chars = {ord(c) for c in "".join(parser.text)}
    for href in parser.stylesheets + parser.scripts:
        if href.startswith("/static/"):
            body = static_bytes(href)
            files[href] = body
            if href.endswith(".css"):
                for font in font_files(body.decode(), href, chars):
                    files[font] = static_bytes(font)
    raw = sum(len(b) for b in files.values())
    # Fonts are already compressed (WOFF2); everything else is sent gzip-compressed.
    sent = sum(len(b) if k.endswith(".woff2") else len(gzip.compress(b)) for k, b in files.items())
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url, HTTP_HOST="localhost")
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "files": len(files),
        "scripts": len(parser.scripts),
        "raw": raw,
        "sent": sent,
        "html_sent": len(gzip.compress(html)),
        "p50_ms": statistics.median(timings),
    }


def main() -> int:
    client = Client()
    lessons = (
        LessonPage.objects.live().filter(locale__language_code__in=["uz", "ru"]).order_by("path")
    )
    lesson = lessons.first()
    if lesson is None:
        print("No lesson in the database: run `make demo` first.", file=sys.stderr)
        return 1
    baseline = weigh(client, "/admin/login/")
    print(f"{'page':<44} {'files':>5} {'js':>3} {'raw KB':>8} {'sent KB':>8} {'p50 ms':>7} ratio")
    b = baseline
    print(
        f"{'baseline: Wagtail admin sign-in':<44} {b['files']:>5} {b['scripts']:>3} "
        f"{b['raw'] / 1024:>8.1f} {b['sent'] / 1024:>8.1f} {b['p50_ms']:>7.1f} 1.00"
    )
    for code in ("uz", "uz-cyrl", "ru", "en"):
        page = lesson.get_translation_or_none(
            lesson.locale.__class__.objects.get(language_code=code)
        )
        if page is None or not page.live:
            continue
        r = weigh(client, page.url)
        ratio = r["sent"] / baseline["sent"]
        label = f"lesson ({code}): {page.slug[:28]}"
        print(
            f"{label:<44} {r['files']:>5} {r['scripts']:>3} {r['raw'] / 1024:>8.1f} "
            f"{r['sent'] / 1024:>8.1f} {r['p50_ms']:>7.1f} {ratio:.2f}"
        )
    print(f"\n(sent = gzip for text, WOFF2 as is; p50 over {REQUESTS} renders in-process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
