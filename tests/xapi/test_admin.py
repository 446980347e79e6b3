"""The LRS in the Wagtail admin: credentials and the statement browser."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from lms.people.roles import GROUP_NAMES, Role
from lms.people.seeding import load_groups
from lms.xapi.models import Credential
from tests.factories import UserFactory
from tests.xapi.conftest import statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    load_groups()
    user = UserFactory()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.ADMINISTRATOR]))
    return user


def test_an_administrator_creates_a_credential_and_sees_the_secret_once(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("xapi_credentials"), {"name": "Warehouse", "scopes": ["all/read"]}
    )
    assert response.status_code == 200
    credential = Credential.objects.get(name="Warehouse")
    secret = response.context["created"]["secret"]
    assert credential.check_secret(secret)
    assert secret in response.content.decode()
    assert secret not in client.get(reverse("xapi_credentials")).content.decode()

    client.post(reverse("xapi_credential_toggle", args=[credential.pk]))
    credential.refresh_from_db()
    assert not credential.is_active


def test_bad_credential_form_names_the_problem(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("xapi_credentials"), {"name": "", "scopes": ["everything"]})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert response.context["form"].errors["scopes"]
    assert not Credential.objects.exists()


def test_the_statement_browser_filters_and_opens_a_statement(
    client, administrator, lrs, django_assert_max_num_queries
):
    learner = {"account": {"homePage": "https://malaka.test", "name": "learner-42"}}
    [mine] = lrs.post(statement(actor=learner)).json()
    lrs.post([statement() for _ in range(30)])
    client.force_login(administrator)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("xapi_statement_browser"))
    assert page.status_code == 200
    assert len(page.context["items"]) == 31

    filtered = client.get(reverse("xapi_statement_browser"), {"learner": "learner-42"})
    assert [str(i["row"].statement_id) for i in filtered.context["items"]] == [mine]

    detail = client.get(reverse("xapi_statement_detail", args=[mine]))
    assert detail.status_code == 200
    assert "learner-42" in detail.content.decode()


def test_query_count_does_not_grow_with_the_page(
    client, administrator, lrs, django_assert_max_num_queries
):
    client.force_login(administrator)
    lrs.post([statement() for _ in range(5)])
    with django_assert_max_num_queries(12):
        client.get(reverse("xapi_statement_browser"))
    lrs.post([statement() for _ in range(45)])
    with django_assert_max_num_queries(12):
        client.get(reverse("xapi_statement_browser"))


def test_people_without_the_permission_are_refused(client):
    load_groups()
    hr = UserFactory()
    hr.groups.add(Group.objects.get(name=GROUP_NAMES[Role.HR_OFFICER]))
    client.force_login(hr)
    # Wagtail answers a refused admin page by sending the user back to the dashboard.
    for name in ("xapi_statement_browser", "xapi_credentials"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
