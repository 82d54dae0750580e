"""What HTML actually does: its elements and attributes, parsed (escaped text is inert)."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "br"}
ALLOWED_TAGS |= {"span"}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.elements


def assert_inert(html: str) -> None:
    """Only allowed tags; no event handlers or styles; links only to http(s) and mailto."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert name in {"href", "rel", "class"}, (tag, name, html)
            if name == "href":
                assert (value or "").lower().startswith(("http://", "https://", "mailto:")), html
            if name == "class":
                assert tag == "span" and value == "mention", html
