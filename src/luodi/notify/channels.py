"""What each kind of channel expects: the request (URL, headers, body bytes) built from a
delivery's stored text, and how it says that a message was refused.

The formats follow each vendor's documentation of its custom / incoming-webhook bots:

- Feishu / Lark custom bot: JSON `{timestamp, sign, msg_type, content}`; `sign` is
  base64(HMAC-SHA256) with key `timestamp + "\\n" + secret` over an empty message,
  timestamp in seconds. Answers `{"code": 0}` on success (HTTP 200 even on refusal).
- DingTalk custom robot: `timestamp` (milliseconds) and `sign` appended to the URL; `sign` is
  base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), URL-encoded. Answers
  `{"errcode": 0}` on success.
- WeCom group robot: `{"msgtype": "markdown", "markdown": {"content"}}`, the key is in the
  URL. Answers `{"errcode": 0}` on success.
- Slack incoming webhook: `{"text"}` in mrkdwn, `&`, `<`, `>` escaped, links as `<url|text>`.
- Generic webhook (API.md): `{event, organization, occurred_at, data}` with header
  `X-Luodi-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import httpx

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


@dataclass(frozen=True)
class Outgoing:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Text:
    """A delivery's stored text (see services.channel_payload)."""

    event: str
    organization: str
    occurred_at: str
    title: str
    body: str
    url: str  # absolute
    link_label: str
    language: str
    data: Mapping[str, Any]

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Text:
        return cls(
            event=str(payload.get("event", "")),
            organization=str(payload.get("organization", "")),
            occurred_at=str(payload.get("occurred_at", "")),
            title=str(payload.get("title", "")),
            body=str(payload.get("body", "")),
            url=str(payload.get("url", "")),
            link_label=str(payload.get("link_label", "")),
            language=str(payload.get("language", "")),
            data=dict(payload.get("data") or {}),
        )


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


# signatures


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# requests


def feishu(url: str, secret: str, text: Text, now: datetime) -> Outgoing:
    language = "en_us" if text.language.startswith("en") else "zh_cn"
    paragraphs: list[list[dict[str, str]]] = []
    if text.body:
        paragraphs.append([{"tag": "text", "text": text.body}])
    paragraphs.append([{"tag": "a", "text": text.link_label, "href": text.url}])
    message: dict[str, Any] = {}
    if secret:
        timestamp = int(now.timestamp())
        message = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)}
    message["msg_type"] = "post"
    message["content"] = {"post": {language: {"title": text.title, "content": paragraphs}}}
    return Outgoing(url, dict(JSON_HEADERS), _json(message))


def dingtalk(url: str, secret: str, text: Text, now: datetime) -> Outgoing:
    if secret:
        timestamp_ms = int(now.timestamp() * 1000)
        sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"
    markdown = _lines(f"#### {text.title}", text.body, f"[{text.link_label}]({text.url})")
    message = {"msgtype": "markdown", "markdown": {"title": text.title, "text": markdown}}
    return Outgoing(url, dict(JSON_HEADERS), _json(message))


def wecom(url: str, secret: str, text: Text, now: datetime) -> Outgoing:
    content = _lines(f"**{text.title}**", text.body, f"[{text.link_label}]({text.url})")
    message = {"msgtype": "markdown", "markdown": {"content": content}}
    return Outgoing(url, dict(JSON_HEADERS), _json(message))


def slack_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(url: str, secret: str, text: Text, now: datetime) -> Outgoing:
    title = slack_escape(text.title).replace("|", "¦")  # `|` would end the link's URL part
    message = {"text": _lines(f"<{text.url}|{title}>", slack_escape(text.body))}
    return Outgoing(url, dict(JSON_HEADERS), _json(message))


def webhook(url: str, secret: str, text: Text, now: datetime) -> Outgoing:
    data = {"title": text.title, "url": text.url, **text.data}
    body = _json(
        {
            "event": text.event,
            "organization": text.organization,
            "occurred_at": text.occurred_at,
            "data": data,
        }
    )
    headers = {**JSON_HEADERS, "X-Luodi-Event": text.event}
    if secret:
        headers["X-Luodi-Signature"] = webhook_signature(secret, body)
    return Outgoing(url, headers, body)


BUILDERS: dict[str, Callable[[str, str, Text, datetime], Outgoing]] = {
    "feishu": feishu,
    "dingtalk": dingtalk,
    "wecom": wecom,
    "slack": slack,
    "webhook": webhook,
}


def build(kind: str, url: str, secret: str, payload: Mapping[str, Any], now: datetime) -> Outgoing:
    return BUILDERS[kind](url, secret, Text.from_payload(payload), now)


# answers


def refusal(kind: str, response: httpx.Response) -> str | None:
    """Why the endpoint refused the message, or None when it took it. The Chinese bots
    answer HTTP 200 with an error code in the JSON for a bad signature or payload."""
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    if kind not in ("feishu", "dingtalk", "wecom"):
        return None
    try:
        answer = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: not JSON: {response.text[:300]}"
    if not isinstance(answer, dict):
        return f"unexpected answer: {response.text[:300]}"
    if kind == "feishu":
        code = answer.get("code", answer.get("StatusCode", 0))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code = answer.get("errcode", 0)
        message = answer.get("errmsg", "")
    if code not in (0, "0"):
        return f"{kind} error {code}: {message}"[:500]
    return None
