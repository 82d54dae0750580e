from django.db import OperationalError

from luodi.core import views


class BrokenConnection:
    def cursor(self):
        raise OperationalError("connection refused")


def test_healthz_ok_when_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_503_when_database_is_down(client, monkeypatch):
    monkeypatch.setattr(views, "connection", BrokenConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "connection refused" in body["database"]
