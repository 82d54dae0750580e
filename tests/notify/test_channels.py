"""Each channel's exact request, captured by a local HTTP server, with its signature
recomputed here from the vendor's documented recipe (not by calling our code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest
from django.utils import translation
from django.utils.translation import gettext

from luodi.notify.events import Message
from luodi.notify.models import Delivery, DeliveryStatus
from tests.notify.conftest import TITLE, TITLE_ZH, make_channel

NOW = datetime(2026, 11, 27, 8, 30, 15, tzinfo=UTC)
SECRET = "SECa1b2c3-very-secret"
BASE = "https://okr.example.com"
LINK = BASE + "/o/acme/objectives/1/"


@pytest.fixture(autouse=True)
def _frozen(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.LUODI_BASE_URL = BASE


def only_request(httpserver):
    assert len(httpserver.log) == 1, httpserver.log
    return httpserver.log[0][0]


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)


def title_zh() -> str:
    return TITLE_ZH % {"title": "Revenue"}


def delivered() -> Delivery:
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED, delivery.last_error
    assert delivery.attempts == 1
    return delivery


@pytest.mark.django_db
def test_feishu_signed_post(httpserver, org, send):
    httpserver.expect_request("/feishu", method="POST").respond_with_json(
        {"code": 0, "msg": "success", "data": {}}
    )
    make_channel(org, httpserver.url_for("/feishu"), kind="feishu", secret=SECRET)
    send(org, body=Message("Progress"))
    request = only_request(httpserver)
    timestamp = int(NOW.timestamp())
    # Feishu: HmacSHA256 keyed with "timestamp\nsecret" over an empty message, base64.
    key = f"{timestamp}\n{SECRET}".encode()
    sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.get_data()) == {
        "timestamp": str(timestamp),
        "sign": sign,
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": title_zh(),
                    "content": [
                        [{"tag": "text", "text": "进度"}],
                        [{"tag": "a", "text": zh("Open in Luodi"), "href": LINK}],
                    ],
                }
            }
        },
    }
    delivered()


@pytest.mark.django_db
def test_feishu_without_secret_sends_no_signature(httpserver, org, send):
    org.locale = "en"
    org.save()
    httpserver.expect_request("/feishu").respond_with_json({"code": 0, "msg": "success"})
    make_channel(org, httpserver.url_for("/feishu"), kind="feishu")
    send(org)
    body = json.loads(only_request(httpserver).get_data())
    assert "sign" not in body and "timestamp" not in body
    assert body["msg_type"] == "post"
    assert body["content"]["post"]["en_us"]["title"] == "Move “Revenue” up"
    delivered()


@pytest.mark.django_db
def test_dingtalk_signed_markdown(httpserver, org, send):
    httpserver.expect_request("/robot/send", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    make_channel(
        org,
        httpserver.url_for("/robot/send") + "?access_token=tok123",
        kind="dingtalk",
        secret=SECRET,
    )
    send(org, body=Message("Progress"))
    request = only_request(httpserver)
    timestamp_ms = int(NOW.timestamp() * 1000)
    # DingTalk: HmacSHA256 keyed with the secret over "timestamp\nsecret", base64, URL-encoded.
    digest = hmac.new(SECRET.encode(), f"{timestamp_ms}\n{SECRET}".encode(), hashlib.sha256)
    sign = base64.b64encode(digest.digest()).decode()
    assert request.args["access_token"] == "tok123"
    assert request.args["timestamp"] == str(timestamp_ms)
    assert request.args["sign"] == sign
    assert f"sign={quote_plus(sign)}" in request.query_string.decode()
    assert json.loads(request.get_data()) == {
        "msgtype": "markdown",
        "markdown": {
            "title": title_zh(),
            "text": f"#### {title_zh()}\n进度\n[{zh('Open in Luodi')}]({LINK})",
        },
    }
    delivered()


@pytest.mark.django_db
def test_wecom_markdown(httpserver, org, send):
    httpserver.expect_request("/cgi-bin/webhook/send", method="POST").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    make_channel(org, httpserver.url_for("/cgi-bin/webhook/send") + "?key=k-1", kind="wecom")
    send(org, body=Message("Progress"))
    request = only_request(httpserver)
    assert request.args["key"] == "k-1"
    assert json.loads(request.get_data()) == {
        "msgtype": "markdown",
        "markdown": {"content": f"**{title_zh()}**\n进度\n[{zh('Open in Luodi')}]({LINK})"},
    }
    delivered()


@pytest.mark.django_db
def test_slack_text_with_escaped_link(httpserver, org, send):
    httpserver.expect_request("/services/T/B/x", method="POST").respond_with_data("ok")
    make_channel(org, httpserver.url_for("/services/T/B/x"), kind="slack")
    send(org, title=Message(TITLE, {"title": "<b>R&D</b> | Q4"}))
    body = json.loads(only_request(httpserver).get_data())
    title = TITLE_ZH % {"title": "&lt;b&gt;R&amp;D&lt;/b&gt; ¦ Q4"}
    assert body == {"text": f"<{LINK}|{title}>"}
    delivered()


@pytest.mark.django_db
def test_generic_webhook_signed_as_api_md_says(httpserver, org, send):
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    make_channel(org, httpserver.url_for("/hook"), kind="webhook", secret=SECRET)
    send(org, data={"key_result_id": 7, "progress": 0.5})
    request = only_request(httpserver)
    raw = request.get_data()
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert request.headers["X-Luodi-Signature"] == expected
    assert request.headers["X-Luodi-Event"] == "checkin.created"
    body = json.loads(raw)
    assert body == {
        "event": "checkin.created",
        "organization": "acme",
        "occurred_at": NOW.isoformat(),
        "data": {"title": title_zh(), "url": LINK, "key_result_id": 7, "progress": 0.5},
    }
    delivered()


@pytest.mark.django_db
def test_webhook_signature_is_of_the_exact_bytes_sent(httpserver, org, send):
    """A receiver verifying the raw body (not re-serialized JSON) must match."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_channel(org, httpserver.url_for("/hook"), secret=SECRET)
    send(org, title=Message(TITLE, {"title": "增长 “quoted” \\ slash"}))
    request = only_request(httpserver)
    raw = request.get_data()
    wrong = hmac.new(b"another", raw, hashlib.sha256).hexdigest()
    assert request.headers["X-Luodi-Signature"] != "sha256=" + wrong
    assert hmac.compare_digest(
        request.headers["X-Luodi-Signature"],
        "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "answer", "error"),
    [
        ("feishu", {"code": 19021, "msg": "sign match fail"}, "19021"),
        ("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}, "310000"),
        ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, "93000"),
    ],
)
def test_vendor_error_in_a_200_answer_is_a_failure(httpserver, org, send, kind, answer, error):
    httpserver.expect_request("/bot").respond_with_json(answer)
    make_channel(org, httpserver.url_for("/bot"), kind=kind, secret=SECRET)
    send(org)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING  # to be retried
    assert delivery.attempts == 1
    assert error in delivery.last_error
