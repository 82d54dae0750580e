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


@pytest.mark.django_db
def test_home_query_count_is_the_same_with_work_on_others_objectives(
    client, org, owner, member, cycle
):
    """Key results on other people's objectives cost no queries of their own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mine = make_objective(org, member, cycle, title="Mine", level="individual")
    make_metric(mine, member, title="My metric")
    client.force_login(member)
    url = reverse("web:home", kwargs={"org": org.slug})
    client.get(url)  # the first visit remembers the organization in the session
    with CaptureQueriesContext(connection) as alone:
        client.get(url)
    theirs = make_objective(org, owner, cycle, title="Theirs")
    make_metric(theirs, owner, title="Shared metric", contributor_ids=[member.pk])
    make_metric(theirs, owner, title="Owned metric", owner_id=member.pk)
    with CaptureQueriesContext(connection) as helping:
        body = client.get(url).content.decode()
    assert "Shared metric" in body and "Owned metric" in body
    assert len(helping.captured_queries) == len(alone.captured_queries)
