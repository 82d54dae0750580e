import pytest
from django.urls import reverse

from luodi.checkins.services import checkin_submit
from tests.conftest import make_metric, make_objective


@pytest.mark.django_db
def test_home_shows_my_objectives_with_exact_percent(client, org, member, cycle):
    objective = make_objective(org, member, cycle, title="Happier customers", level="individual")
    kr = make_metric(objective, member, start="0", target="10", title="Score ten")
    checkin_submit(key_result=kr, actor=member, value="5.9", confidence=8)
    client.force_login(member)
    response = client.get(reverse("web:home", kwargs={"org": org.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Happier customers" in body
    assert "59%" in body  # 5.9 of 10 is 59%, never rounded to 50%


@pytest.mark.django_db
def test_other_org_home_is_404(client, org, other_org, other_owner):
    client.force_login(other_owner)
    response = client.get(reverse("web:home", kwargs={"org": org.slug}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_front_door_redirects_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_home_query_count_is_constant(client, org, member, cycle, django_assert_max_num_queries):
    client.force_login(member)
    for index in range(2):
        objective = make_objective(org, member, cycle, title=f"O{index}", level="individual")
        make_metric(objective, member, title=f"K{index}")
    url = reverse("web:home", kwargs={"org": org.slug})
    client.get(url)  # the first visit remembers the organization in the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for index in range(2, 8):
        objective = make_objective(org, member, cycle, title=f"O{index}", level="individual")
        make_metric(objective, member, title=f"K{index}")
        make_metric(objective, member, title=f"K{index}b")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_not_found_page_is_in_the_product_look(client, member):
    client.force_login(member)
    response = client.get("/o/no-such-org/")
    assert response.status_code == 404
    assert "Back to my OKRs" in response.content.decode()
