"""Catalogue, programme, course and lesson pages, in every locale."""

import pytest
from wagtail.models import Locale

from courses.models import LessonPage
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def curriculum():
    f.locales()
    home = f.home_page()
    catalogue = f.catalogue_page(home)
    cm = f.programme_page(catalogue, "Keys-menejment", slug="case-management")
    rm = f.programme_page(catalogue, "Xavf-xatarlar", slug="risk-management")
    social_worker = f.PositionFactory(code="social-worker")
    hr = f.PositionFactory(code="hr-officer")
    c1 = f.course_page(
        cm, "CM-101", "Qabul va ehtiyojlarni baholash", target_positions=[social_worker]
    )
    c2 = f.course_page(
        rm, "RM-101", "Xavflarni boshqarish", delivery_mode="blended", target_positions=[hr]
    )
    m1 = f.module_page(c1, "Qabul", "qabul")
    m2 = f.module_page(c1, "Individual reja", "reja")
    lessons = [
        f.lesson_page(m1, "Birinchi aloqa", "birinchi"),
        f.lesson_page(m1, "Ehtiyojlarni baholash", "baholash", words=720),
        f.lesson_page(m2, "SMART maqsadlar", "smart"),
    ]
    return {"home": home, "catalogue": catalogue, "courses": [c1, c2], "lessons": lessons, "cm": cm}


def test_catalogue_lists_courses_with_their_languages(client, curriculum):
    response = client.get(curriculum["catalogue"].url)
    assert response.status_code == 200
    assert [c.code for c in response.context["courses"]] == ["CM-101", "RM-101"]
    assert response.context["courses"][0].languages == [("uz", "Oʻzbekcha")]


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"mode": "blended"}, ["RM-101"]),
        ({"position": "social-worker"}, ["CM-101"]),
        ({"language": "ru"}, []),
        ({"language": "uz"}, ["CM-101", "RM-101"]),
        ({"q": "ehtiyojlarni"}, ["CM-101"]),
    ],
)
def test_catalogue_filters(client, curriculum, params, codes):
    response = client.get(curriculum["catalogue"].url, params)
    assert [c.code for c in response.context["courses"]] == codes


def test_catalogue_filter_by_programme(client, curriculum):
    response = client.get(curriculum["catalogue"].url, {"programme": curriculum["cm"].pk})
    assert [c.code for c in response.context["courses"]] == ["CM-101"]


def test_catalogue_language_filter_finds_translated_courses(client, curriculum):
    ru = Locale.objects.get(language_code="ru")
    course = curriculum["courses"][1]
    for page in [curriculum["home"], curriculum["catalogue"], course.get_parent(), course]:
        copy = page.specific.copy_for_translation(ru)
        copy.save_revision().publish()
    response = client.get(curriculum["catalogue"].url, {"language": "ru"})
    assert [c.code for c in response.context["courses"]] == ["RM-101"]
    assert [code for code, _name in response.context["courses"][0].languages] == ["uz", "ru"]


def test_catalogue_query_count_is_flat(client, curriculum, django_assert_max_num_queries):
    url = curriculum["catalogue"].url
    client.get(url)  # warm the site-root cache
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(10):
        f.course_page(curriculum["cm"], f"CM-2{i:02d}", f"Kurs {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["courses"]) == 12


def test_course_page_shows_outline_and_first_lesson(client, curriculum):
    response = client.get(curriculum["courses"][0].url)
    assert response.status_code == 200
    modules = response.context["modules"]
    assert [m.title for m in modules] == ["Qabul", "Individual reja"]
    assert [lesson.title for lesson in modules[0].lesson_list] == [
        "Birinchi aloqa",
        "Ehtiyojlarni baholash",
    ]
    assert response.context["first_lesson"].pk == curriculum["lessons"][0].pk


def test_lesson_navigation_crosses_modules(client, curriculum):
    first, second, third = curriculum["lessons"]
    response = client.get(second.url)
    assert response.status_code == 200
    assert response.context["previous_lesson"].pk == first.pk
    assert response.context["next_lesson"].pk == third.pk
    assert response.context["lesson_number"] == 2
    assert response.context["lesson_total"] == 3
    response = client.get(third.url)
    assert response.context["next_lesson"] is None


def test_reading_time_follows_the_word_count(curriculum):
    first, second, _third = curriculum["lessons"]
    assert LessonPage.objects.get(pk=first.pk).reading_minutes == 3  # ~360 words
    assert LessonPage.objects.get(pk=second.pk).reading_minutes == 5  # ~720 words


def test_lesson_query_count_is_flat(client, curriculum, django_assert_max_num_queries):
    lesson = curriculum["lessons"][0]
    client.get(lesson.url)
    with django_assert_max_num_queries(30) as few:
        client.get(lesson.url)
    module = lesson.get_parent()
    for i in range(8):
        f.lesson_page(module, f"Qoʻshimcha {i}", f"extra-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(lesson.url).status_code == 200


def test_module_url_opens_its_first_lesson(client, curriculum):
    module = curriculum["lessons"][0].get_parent()
    response = client.get(module.url)
    assert response.status_code == 302
    assert response["Location"] == curriculum["lessons"][0].url


def test_html_lang_and_language_switcher(client, curriculum):
    ru = Locale.objects.get(language_code="ru")
    lesson = curriculum["lessons"][0]
    chain = [
        curriculum["home"],
        curriculum["catalogue"],
        curriculum["cm"],
        curriculum["courses"][0],
        lesson.get_parent(),
        lesson,
    ]
    for page in chain:
        page.specific.copy_for_translation(ru).save_revision().publish()
    ru_lesson = lesson.get_translation(ru)
    response = client.get(ru_lesson.url)
    html = response.content.decode()
    assert ru_lesson.url.startswith("/ru/")
    assert '<html lang="ru">' in html
    assert f'href="{lesson.url}" lang="uz"' in html  # back to the same lesson in uz
    assert 'href="/en/" lang="en"' in html  # no English lesson yet: that language's home


def test_search_finds_lessons_in_the_active_language(client, curriculum):
    response = client.get("/uz/search/", {"q": "SMART"})
    assert response.status_code == 200
    titles = [r.title for r in response.context["page_obj"]]
    assert "SMART maqsadlar" in titles
