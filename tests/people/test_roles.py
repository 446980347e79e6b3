"""What each role's group may do once the groups are loaded."""

import pytest

from lms.people.roles import GROUP_NAMES, Role, has_role
from lms.people.seeding import load_groups
from tests.factories import (
    UserFactory,
    catalogue_page,
    course_page,
    home_page,
    lesson_page,
    module_page,
    programme_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    home = home_page()
    course = course_page(programme_page(catalogue_page(home)))
    return lesson_page(module_page(course))


def _member(role: Role):
    groups = load_groups()
    user = UserFactory()
    user.groups.add(groups[role])
    return user


def test_content_editors_edit_and_publish_the_curriculum_without_a_moderator(lesson):
    editor = _member(Role.CONTENT_EDITOR)
    perms = lesson.permissions_for_user(editor)
    assert perms.can_edit()
    assert perms.can_publish()
    assert lesson.get_parent().permissions_for_user(editor).can_add_subpage()


@pytest.mark.parametrize("role", [Role.LEARNER, Role.HR_OFFICER, Role.EVALUATOR, Role.TRAINER])
def test_other_roles_cannot_touch_pages(lesson, role):
    user = _member(role)
    perms = lesson.permissions_for_user(user)
    assert not perms.can_edit()
    assert not perms.can_publish()


def test_loading_groups_twice_changes_nothing(lesson):
    load_groups()
    first = {g.name: g.permissions.count() for g in load_groups().values()}
    second = {g.name: g.permissions.count() for g in load_groups().values()}
    assert first == second
    editors = _member(Role.CONTENT_EDITOR).groups.get(name=GROUP_NAMES[Role.CONTENT_EDITOR])
    assert editors.page_permissions.count() == 5


def test_has_role_follows_group_membership():
    hr = _member(Role.HR_OFFICER)
    assert has_role(hr, Role.HR_OFFICER)
    assert not has_role(hr, Role.EVALUATOR)


@pytest.mark.django_db
def test_signing_in_remembers_the_preferred_language(client):
    from django.conf import settings
    from django.urls import reverse

    UserFactory(username="dilnoza", preferred_language="ru")
    response = client.post(
        reverse("login"), {"username": "dilnoza", "password": "malaka-demo", "next": "/"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    home = client.get("/", headers={"accept-language": "en"})
    assert home.status_code == 302 and home["Location"].startswith("/ru/")
