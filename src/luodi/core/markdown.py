"""Markdown bodies (comments, feedback, weekly reports, meeting notes): CommonMark without
raw HTML, @mentions, then an allow-list sanitizer.

Two locks on the door: markdown-it never passes HTML through (html=False) and refuses
javascript: links, and nh3 keeps only the tags and link schemes listed here whatever
markdown-it produced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape, unescape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

TAGS = {
    *("p", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "br", "span"),
    *("h3", "h4"),
}
SCHEMES = {"http", "https", "mailto"}
# An @email mention; names are matched against the people who may be mentioned.
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MAX_MENTIONS = 20
# How much text after an @ a name may take (names are at most 150 characters).
NAME_WINDOW = 150

_md = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str


def mention_tails(body: str) -> list[str]:
    """The text after each @ that starts a mention (not part of an address), at most 20."""
    tails = []
    for match in re.finditer(r"@", body):
        start = match.start()
        if start > 0 and (body[start - 1].isalnum() or body[start - 1] in "._%+-"):
            continue  # the @ inside an e-mail address
        tail = body[start + 1 : start + 1 + NAME_WINDOW].split("\n", 1)[0]
        if tail:
            tails.append(tail)
        if len(tails) >= MAX_MENTIONS:
            break
    return tails


def _boundary(text: str, end: int) -> bool:
    """A name ends at a word boundary, except between scripts that write no spaces."""
    if end >= len(text):
        return True
    after = text[end]
    before = text[end - 1]
    return not (after.isascii() and after.isalnum() and before.isascii() and before.isalnum())


def match_at(tail: str, people: Mapping[str, Person]) -> tuple[Person, int] | None:
    """The person an @ at the start of `tail` names, and the length taken; `people` maps
    lowercased e-mails and names to people."""
    email = EMAIL_RE.match(tail)
    if email and email.group(0).lower() in people:
        return people[email.group(0).lower()], email.end()
    lowered = tail.lower()
    best: tuple[Person, int] | None = None
    for key, person in people.items():
        longer = best is None or len(key) > best[1]
        if key and longer and lowered.startswith(key) and _boundary(tail, len(key)):
            best = (person, len(key))
    return best


def _mention_tokens(text: str, people: Mapping[str, Person], found: dict[int, Person]) -> list:
    """Split one text token into text and mention spans."""
    out: list[Token] = []
    buffer = []
    i = 0
    while i < len(text):
        char = text[i]
        prev = text[i - 1] if i else ""
        if char == "@" and not (prev and (prev.isalnum() or prev in "._%+-")):
            hit = match_at(text[i + 1 :], people)
            if hit is not None:
                person, length = hit
                if buffer:
                    out.append(_text("".join(buffer)))
                    buffer = []
                found[person.user_id] = person
                html = f'<span class="mention">@{escape(person.name or person.email)}</span>'
                token = Token("html_inline", "", 0)
                token.content = html
                out.append(token)
                i += 1 + length
                continue
        buffer.append(char)
        i += 1
    if buffer:
        out.append(_text("".join(buffer)))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def render(body: str, people: Mapping[str, Person] | None = None) -> tuple[str, list[int]]:
    """Sanitized HTML of a markdown body, and the ids of the people it mentions (in the
    order first mentioned). Mentions inside code and links stay plain text."""
    people = people or {}
    found: dict[int, Person] = {}
    tokens = _md.parse(body)
    if people:
        for block in tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            in_link = 0
            for child in block.children:
                if child.type == "link_open":
                    in_link += 1
                elif child.type == "link_close":
                    in_link -= 1
                if child.type == "text" and not in_link and "@" in child.content:
                    children.extend(_mention_tokens(child.content, people, found))
                else:
                    children.append(child)
            block.children = children
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitize(html), list(found)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href"}},
        allowed_classes={"span": {"mention"}},
        url_schemes=SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def to_html(text: str) -> SafeString:
    """Sanitized HTML of a markdown text without mentions, ready for a template."""
    html, _mentioned = render(text or "")
    return mark_safe(html)  # sanitized by render


def plain_text(text: str) -> str:
    """What a markdown text says, without its markup (for notifications and e-mails)."""
    html = _md.render(text or "")
    return unescape(nh3.clean(html, tags=set(), strip_comments=True))
