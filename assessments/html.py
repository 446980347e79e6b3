"""Question texts come from editors and from imported Moodle banks, whose HTML can carry
anything. Only a small set of formatting tags survives; every attribute but a link's safe
``href`` is dropped, and the text of dropped tags is kept (``script``/``style`` content
excepted)."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "sub", "sup", "code", "pre",
    "blockquote", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
VOID = {"br"}
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&#?\w+;")
DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "template"}


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DROP_CONTENT:
            self.skipping += 1
            return
        if self.skipping or tag not in ALLOWED:
            return
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if not href.startswith(("https://", "http://", "/", "#", "mailto:")):
                href = ""
            self.out.append(f'<a href="{escape(href)}" rel="noopener">' if href else "<a>")
        else:
            self.out.append(f"<{tag}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in VOID and not self.skipping:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in DROP_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag not in ALLOWED or tag in VOID or tag not in self.open:
            return
        while self.open:
            last = self.open.pop()
            self.out.append(f"</{last}>")
            if last == tag:
                break

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        return "".join(self.out).strip()


def clean_html(html: str) -> str:
    cleaner = _Cleaner()
    cleaner.feed(html or "")
    return cleaner.result()


def text_to_html(text: str) -> str:
    """Plain text (an editor's textarea) as paragraphs; HTML is cleaned instead."""
    text = (text or "").strip()
    if not text:
        return ""
    if _MARKUP.search(text):  # HTML, or text cleaned before (saving twice changes nothing)
        return clean_html(text)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def html_texts(value, *, paragraphs: bool = False) -> dict:
    """Every language's text of a four-language field, cleaned (plain text as paragraphs
    where ``paragraphs``)."""
    if not isinstance(value, dict):
        return {}
    convert = text_to_html if paragraphs else clean_html
    return {code: convert(text) for code, text in value.items() if text}
