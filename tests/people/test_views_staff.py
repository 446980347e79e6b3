"""An HR officer sees the staff of their scope and never beyond it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from lms.people.scoping import visible_people, visible_units
from tests.factories import UserFactory, org_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    tree = org_tree(regions=2, districts=2)
    region_a, region_b = tree["regions"]
    tree["staff_a"] = [
        UserFactory(org_unit=c)
        for c in tree["centres"]
        if c.path.startswith(region_a.path)
        for _ in range(3)
    ]
    tree["staff_b"] = [
        UserFactory(org_unit=c)
        for c in tree["centres"]
        if c.path.startswith(region_b.path)
        for _ in range(3)
    ]
    return tree


def hr_officer(scope):
    group, _ = Group.objects.get_or_create(name="HR officers")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="people", codename="view_user")
    )
    user = UserFactory(username=f"hr-{scope.code}", employee_number=None, scope=scope)
    user.groups.add(group)
    return user


def test_scoped_queries_stay_inside_the_region(org):
    hr = hr_officer(org["regions"][0])
    assert set(visible_people(hr).filter(employee_number__isnull=False)) == set(org["staff_a"])
    assert all(u.path.startswith(org["regions"][0].path) for u in visible_units(hr))


def test_person_without_scope_sees_only_themself(org):
    learner = org["staff_a"][0]
    assert list(visible_people(learner)) == [learner]
    assert not visible_units(learner).exists()


def test_staff_page_shows_only_the_region_of_the_hr_officer(client, org):
    client.force_login(hr_officer(org["regions"][0]))
    response = client.get(reverse("people:staff"), {"status": ""})
    assert response.status_code == 200
    listed = {p.pk for p in response.context["page_obj"]}
    assert listed == {u.pk for u in org["staff_a"]}
    for person in org["staff_b"]:
        assert person.employee_number not in response.content.decode()


def test_hr_officer_cannot_filter_into_another_region(client, org):
    client.force_login(hr_officer(org["regions"][0]))
    other_district = org["districts"][-1]
    response = client.get(reverse("people:staff"), {"unit": other_district.pk})
    # The other region's unit is not a valid choice: the filter is ignored, scope still holds.
    listed = {p.pk for p in response.context["page_obj"]}
    assert listed <= {u.pk for u in org["staff_a"]}


def test_staff_page_forbidden_without_scope(client, org):
    client.force_login(org["staff_a"][0])
    assert client.get(reverse("people:staff")).status_code == 403


def test_staff_page_query_count_does_not_grow_with_people(
    client, org, django_assert_max_num_queries
):
    hr = hr_officer(org["agency"])
    client.force_login(hr)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("people:staff"))
    for centre in org["centres"]:
        UserFactory.create_batch(10, org_unit=centre)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("people:staff"))
    assert response.context["page_obj"].paginator.count == 52
