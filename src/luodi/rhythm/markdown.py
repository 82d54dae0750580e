"""Report and meeting texts are markdown: CommonMark without raw HTML, then an allow-list
sanitizer (two locks: markdown-it passes no HTML, nh3 keeps only these tags and schemes)."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "br", "h3", "h4"}
_md = MarkdownIt("commonmark", {"html": False})


def to_html(text: str) -> SafeString:
    html = nh3.clean(
        _md.render(text or ""),
        tags=TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return mark_safe(html)  # sanitized just above
