"""Markdown bodies are rendered through an allow-list: nothing a comment says runs."""

from __future__ import annotations

import pytest

from luodi.core.markdown import Person, render
from tests.collab.inert import assert_inert

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)">x</div>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload: str) -> None:
    html, _ = render(payload)
    assert_inert(html)
    assert "<script" not in html.lower()


def test_markdown_that_is_allowed() -> None:
    html, _ = render("**bold** _em_ `code`\n\n- one\n- two\n\n> quote\n\n[site](https://x.example)")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html
    assert '<a href="https://x.example" rel="nofollow noopener">site</a>' in html


def test_headings_and_images_lose_their_tags_but_keep_text() -> None:
    html, _ = render("# Title\n\n![alt](https://x.example/a.png)")
    assert "<h1" not in html and "<img" not in html
    assert "Title" in html


def test_mailto_links_stay() -> None:
    html, _ = render("[mail](mailto:a@b.example)")
    assert 'href="mailto:a@b.example"' in html


PEOPLE = {
    "mia member": Person(2, "Mia Member", "mia@acme.example"),
    "mia@acme.example": Person(2, "Mia Member", "mia@acme.example"),
    "张三": Person(3, "张三", "zhang@acme.example"),
    "<b>x</b>": Person(4, "<b>x</b>", "x@acme.example"),
}


def test_mentions_by_name_and_email() -> None:
    html, ids = render("Hi @Mia Member and @mia@acme.example, @张三你好", PEOPLE)
    assert html.count('<span class="mention">@Mia Member</span>') == 2
    assert '<span class="mention">@张三</span>你好' in html
    assert ids == [2, 3]


def test_mentions_need_a_word_boundary_and_skip_code_and_links() -> None:
    html, ids = render(
        "@Mia Members `@Mia Member` [@Mia Member](https://x.example) a@mia member", PEOPLE
    )
    assert ids == []
    assert "mention" not in html


def test_a_mentioned_name_with_markup_is_escaped() -> None:
    html, ids = render("@<b>x</b> hi", PEOPLE)
    assert ids == [4]
    assert "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_forged_mention_spans_are_plain_text() -> None:
    html, ids = render('<span class="mention">@Boss</span>', PEOPLE)
    assert ids == []
    assert "&lt;span" in html
