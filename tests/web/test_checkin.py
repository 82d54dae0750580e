"""The weekly check-in page: one form, every row valid or nothing saved."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from luodi.checkins.models import CheckIn
from luodi.okrs.models import KeyResult
from luodi.okrs.services import key_result_update
from luodi.orgs.choices import CycleState
from luodi.orgs.services import cycle_create
from tests.okrs.factories import check_in, contributes, key_result, objective, progress_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class FormData(HTMLParser):
    """What a browser would submit for the first form with the given id, untouched."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.textarea: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.attrs_by_name: dict[str, dict] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            self.attrs_by_name.setdefault(a["name"], a)
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value") or ""))
        if tag == "textarea":
            self.textarea = a["name"]
            self.attrs_by_name.setdefault(a["name"], a)
            self.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, _old = self.fields.pop()
            self.fields.append((name, data.lstrip("\n")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        if tag == "form":
            self.inside = False


def form_data(html: str, form_id: str = "checkin-form") -> dict[str, list[str]]:
    parser = FormData(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def flat(data: dict[str, list[str]]) -> dict:
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def row_html(html: str, kr: KeyResult) -> str:
    """The HTML of one key result's row on the page."""
    start = html.index(f'id="ci-row-{kr.pk}"')
    end = html.find('class="ci-row', start + 10)
    return html[start : end if end != -1 else len(html)]


def url(org, cycle=None) -> str:
    base = reverse("web:checkin", kwargs={"org": org.slug})
    return f"{base}?cycle={cycle.pk}" if cycle else base


@pytest.fixture
def okrs(org, owner, member, cycle):
    """Member's own objective (two metrics, a milestone and a yes/no KR) contributing to the
    company objective owned by the owner."""
    company = objective(org, owner, cycle, "Win the market")
    company_kr = key_result(company, owner, title="Company revenue", start=0, target=100)
    mine = objective(
        org,
        member,
        cycle,
        "Happier customers",
        level="individual",
        alignments=[contributes(company)],
    )
    nps = key_result(mine, member, title="Raise NPS", start=Decimal(20), target=Decimal(60))
    churn = key_result(
        mine, member, title="Cut churn", start=Decimal(10), target=Decimal(4), unit="%"
    )
    launch = key_result(
        mine,
        member,
        "milestone",
        title="Launch portal",
        milestones=[{"title": "Design"}, {"title": "Build"}, {"title": "Ship"}],
    )
    survey = key_result(mine, member, "boolean", title="Run the survey")
    return {
        "company": company,
        "company_kr": company_kr,
        "mine": mine,
        "nps": nps,
        "churn": churn,
        "launch": launch,
        "survey": survey,
    }


def test_page_lists_my_key_results_grouped_by_objective(client, org, member, okrs):
    client.force_login(member)
    response = client.get(url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Happier customers" in html
    for name in ("nps", "churn", "launch", "survey"):
        assert okrs[name].title in html
    assert "Company revenue" not in html  # not mine: not on my check-in page
    churn = row_html(html, okrs["churn"])
    assert "10 → 4 %" in churn and "lower is better" in churn
    # the first value field has the focus; the note hints at progress, blockers, next steps
    assert re.search(rf'<input[^>]*name="kr{okrs["nps"].pk}-value"[^>]*autofocus', html)
    assert "Progress, blockers, next steps" in html
    assert html.count('type="submit"') >= 1


def test_happy_path_saves_two_rows_and_rolls_up(client, org, member, okrs):
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    nps, churn = okrs["nps"], okrs["churn"]
    data[f"kr{nps.pk}-value"] = ["40"]
    data[f"kr{nps.pk}-confidence"] = ["8"]
    data[f"kr{nps.pk}-note"] = ["Survey done; next: follow-ups"]
    data[f"kr{churn.pk}-value"] = ["7"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 302
    assert response["Location"] == url(org)
    assert CheckIn.objects.filter(key_result__in=[nps, churn]).count() == 2
    assert CheckIn.objects.count() == 2  # untouched rows were skipped
    nps.refresh_from_db()
    churn.refresh_from_db()
    assert nps.current == Decimal(40) and nps.last_confidence == 8
    assert nps.progress == pytest.approx(0.5)
    assert churn.progress == pytest.approx(0.5)  # 10 → 7 of 10 → 4
    note = CheckIn.objects.get(key_result=nps).note
    assert note == "Survey done; next: follow-ups"
    # the individual objective and the company objective it contributes to moved
    assert progress_of(okrs["mine"]) == pytest.approx(0.25)  # (0.5 + 0.5 + 0 + 0) / 4
    assert progress_of(okrs["company"]) == pytest.approx(0.125)  # (0 + 0.25) / 2
    page = client.get(response["Location"]).content.decode()
    assert "2 key results updated." in page


def test_milestones_and_done_rows(client, org, member, okrs):
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    launch, survey = okrs["launch"], okrs["survey"]
    design, build, _ship = launch.milestones.all()
    data[f"kr{launch.pk}-milestones"] = [str(design.pk), str(build.pk)]
    data[f"kr{survey.pk}-done"] = ["on"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 302
    launch.refresh_from_db()
    survey.refresh_from_db()
    assert launch.progress == pytest.approx(2 / 3)
    assert survey.progress == 1
    assert CheckIn.objects.get(key_result=launch).milestone_ids_done == [design.pk, build.pk]


def test_one_bad_row_saves_nothing_and_keeps_what_was_typed(client, org, member, okrs):
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    nps, churn = okrs["nps"], okrs["churn"]
    data[f"kr{nps.pk}-value"] = ["45"]
    data[f"kr{nps.pk}-note"] = ["Typed note stays"]
    data[f"kr{churn.pk}-value"] = ["seven"]
    data[f"kr{churn.pk}-confidence"] = ["11"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 200
    assert CheckIn.objects.count() == 0
    nps.refresh_from_db()
    assert nps.current is None
    html = response.content.decode()
    bad = row_html(html, churn)
    assert "has-error" in bad
    assert "Enter a number." in bad
    assert "Confidence is a whole number from 0 to 10." in bad
    assert 'value="seven"' in bad and 'value="11"' in bad
    good = row_html(html, nps)
    assert "has-error" not in good
    assert 'value="45"' in good and "Typed note stays" in good
    assert "1 row needs attention; nothing was saved yet." in html
    # the focus goes to the first field with an error
    assert re.search(rf'<input[^>]*name="kr{churn.pk}-value"[^>]*autofocus', html)


def test_missing_value_in_a_touched_row_is_an_error(client, org, member, okrs):
    nps = okrs["nps"]
    check_in(nps, member, value=30)
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    assert data[f"kr{nps.pk}-value"] == ["30"]  # prefilled with the last value
    assert data[f"kr{nps.pk}-confidence"] == ["7"]  # and the last confidence
    data[f"kr{nps.pk}-value"] = [""]
    data[f"kr{nps.pk}-note"] = ["Lost the number"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 200
    assert "Enter the new value." in row_html(response.content.decode(), nps)
    assert CheckIn.objects.count() == 1


def test_same_value_with_a_note_is_a_check_in(client, org, member, okrs):
    nps = okrs["nps"]
    check_in(nps, member, value=30)
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    data[f"kr{nps.pk}-note"] = ["No movement; waiting on data team"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 302
    assert CheckIn.objects.filter(key_result=nps).count() == 2
    latest = CheckIn.objects.filter(key_result=nps).latest("id")
    assert latest.value == Decimal(30) and latest.confidence == 7


def test_untouched_form_saves_nothing(client, org, member, okrs):
    check_in(okrs["nps"], member, value="30.5")
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    data[f"kr{okrs['nps'].pk}-value"] = ["30.50"]  # the same number, written differently
    response = client.post(url(org), flat(data), follow=True)
    assert CheckIn.objects.count() == 1
    assert "Nothing changed, so nothing was saved." in response.content.decode()


def test_a_service_error_on_the_second_row_rolls_back_the_first(
    client, org, member, okrs, monkeypatch
):
    from luodi.checkins import services
    from luodi.web.views import checkin as view

    real = services.checkin_submit
    churn = okrs["churn"]

    def failing(*, key_result, **kwargs):
        if key_result.pk == churn.pk:
            raise ValidationError({"value": ["Refused by the service."]})
        return real(key_result=key_result, **kwargs)

    monkeypatch.setattr(view, "checkin_submit", failing)
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    data[f"kr{okrs['nps'].pk}-value"] = ["50"]
    data[f"kr{churn.pk}-value"] = ["8"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 200
    assert "Refused by the service." in row_html(response.content.decode(), churn)
    assert CheckIn.objects.count() == 0
    okrs["nps"].refresh_from_db()
    assert okrs["nps"].current is None and okrs["nps"].checkin_count == 0
    assert progress_of(okrs["mine"]) == 0


def test_member_cannot_check_in_on_someone_elses_key_result(client, org, member, okrs):
    company_kr = okrs["company_kr"]
    client.force_login(member)
    data = form_data(client.get(url(org)).content.decode())
    data[f"kr{company_kr.pk}-row"] = ["1"]
    data[f"kr{company_kr.pk}-value"] = ["99"]
    data[f"initial-kr{company_kr.pk}-value"] = [""]
    response = client.post(url(org), flat(data), follow=True)
    assert response.status_code == 200
    assert not CheckIn.objects.filter(key_result=company_kr).exists()
    company_kr.refresh_from_db()
    assert company_kr.current is None


def test_contributor_checks_in_on_another_persons_key_result(client, org, owner, member, okrs):
    company_kr = okrs["company_kr"]
    key_result_update(key_result=company_kr, actor=owner, contributor_ids=[member.pk])
    client.force_login(member)
    html = client.get(url(org)).content.decode()
    assert "Company revenue" in html and "Win the market" in html
    data = form_data(html)
    data[f"kr{company_kr.pk}-value"] = ["12"]
    assert client.post(url(org), flat(data)).status_code == 302
    assert CheckIn.objects.get(key_result=company_kr).author == member


def test_viewer_gets_a_read_only_page_and_403_on_post(client, org, owner, viewer, okrs):
    key_result_update(key_result=okrs["nps"], actor=owner, owner_id=viewer.pk)
    client.force_login(viewer)
    response = client.get(url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Raise NPS" in html
    assert "Viewers read OKRs but do not check in." in html
    assert f'name="kr{okrs["nps"].pk}-value"' not in html
    assert "Save check-ins" not in html
    response = client.post(
        url(org), {f"kr{okrs['nps'].pk}-row": "1", f"kr{okrs['nps'].pk}-value": "5"}
    )
    assert response.status_code == 403
    assert CheckIn.objects.count() == 0


def test_rollup_cancelled_and_closed_rows_are_read_only(client, org, owner, member, okrs):
    mine = okrs["mine"]
    rollup = key_result(mine, member, "rollup", title="Teams deliver")
    key_result_update(key_result=okrs["survey"], actor=member, state="cancelled")
    client.force_login(member)
    html = client.get(url(org)).content.decode()
    assert "Roll-up: moves with its child objectives" in row_html(html, rollup)
    assert f'name="kr{rollup.pk}-value"' not in html
    assert "Cancelled: takes no check-ins." in row_html(html, okrs["survey"])
    assert f'name="kr{okrs["survey"].pk}-done"' not in html
    # a closed cycle: everything read only, no submit
    today = timezone.localdate()
    old = cycle_create(
        organization=org,
        actor=owner,
        name="Last quarter",
        start_date=today - timedelta(days=120),
        end_date=today - timedelta(days=31),
        state=CycleState.ACTIVE,
    )
    past = objective(org, member, old, "Old goal", level="individual")
    past_kr = key_result(past, member, title="Old number")
    old.state = CycleState.CLOSED
    old.save()
    html = client.get(url(org, old)).content.decode()
    assert "Old number" in html and "The cycle is closed: read only." in html
    assert f'name="kr{past_kr.pk}-value"' not in html
    assert "Save check-ins" not in html


def test_cycle_is_selectable_and_posts_keep_it(client, org, owner, member, okrs):
    today = timezone.localdate()
    later = cycle_create(
        organization=org,
        actor=owner,
        name="Next quarter",
        start_date=today + timedelta(days=61),
        end_date=today + timedelta(days=150),
        state=CycleState.PLANNING,
    )
    nxt = objective(org, member, later, "Next goal", level="individual")
    kr = key_result(nxt, member, title="Future number")
    client.force_login(member)
    html = client.get(url(org)).content.decode()
    assert "Future number" not in html and "Raise NPS" in html
    html = client.get(url(org, later)).content.decode()
    assert "Future number" in html and "Raise NPS" not in html
    assert f'action="{url(org, later)}"'.replace("&", "&amp;") in html
    data = form_data(html)
    data[f"kr{kr.pk}-value"] = ["3"]
    response = client.post(url(org, later), flat(data))
    assert response.status_code == 302 and response["Location"] == url(org, later)
    assert CheckIn.objects.get().key_result == kr


def test_other_organization_is_404(client, org, other_owner, okrs):
    client.force_login(other_owner)
    assert client.get(url(org)).status_code == 404
    assert client.post(url(org), {}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get(url(org))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_query_count_is_constant(client, org, owner, member, cycle):
    def add(first: int, last: int) -> None:
        for index in range(first, last):
            goal = objective(org, member, cycle, f"Goal {index}", level="individual")
            kr = key_result(goal, member, title=f"Metric {index}")
            check_in(kr, member, value=3)
            key_result(goal, member, "milestone", title=f"Steps {index}")
            key_result(goal, member, "boolean", title=f"Yes/no {index}")
            theirs = objective(org, owner, cycle, f"Their goal {index}")
            key_result(theirs, owner, title=f"Shared {index}", contributor_ids=[member.pk])

    add(0, 2)
    client.force_login(member)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(org)).status_code == 200
    add(2, 10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(org))
    assert "Metric 9" in response.content.decode()
    assert "Shared 9" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 20, [q["sql"][:90] for q in small.captured_queries]


def test_every_running_cycle_is_shown_by_default(client, org, owner, member, cycle, okrs):
    today = timezone.localdate()
    year = cycle_create(
        organization=org,
        actor=owner,
        name="This year",
        start_date=today - timedelta(days=200),
        end_date=today + timedelta(days=160),
        state=CycleState.ACTIVE,
    )
    yearly = objective(org, member, year, "Yearly goal", level="individual")
    yearly_kr = key_result(yearly, member, title="Yearly number")
    client.force_login(member)
    html = client.get(url(org)).content.decode()
    # the quarter first, then the year, each group labelled with its cycle
    assert html.index("Raise NPS") < html.index("Yearly number")
    assert "Current quarter + This year" in html
    assert "All running cycles" in html
    data = form_data(html)
    data[f"kr{yearly_kr.pk}-value"] = ["4"]
    data[f"kr{okrs['nps'].pk}-value"] = ["30"]
    response = client.post(url(org), flat(data))
    assert response.status_code == 302 and response["Location"] == url(org)
    assert CheckIn.objects.count() == 2
    # one cycle when asked for
    html = client.get(url(org, cycle)).content.decode()
    assert "Raise NPS" in html and "Yearly number" not in html


def test_nothing_to_check_in_on(client, org, member, cycle):
    client.force_login(member)
    html = client.get(url(org)).content.decode()
    assert "Nothing to check in on" in html
    assert "Save check-ins" not in html
