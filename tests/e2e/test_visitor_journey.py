"""A visitor finds a lesson in Russian and switches to Uzbek Latin on the same lesson."""

import re

from playwright.sync_api import expect


def test_home_catalogue_course_lesson_in_russian_then_uzbek(page):
    page.goto("/ru/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_role("navigation", name="Основное").get_by_role("link", name="Каталог").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Каталог курсов")

    # Filter: the case-management programme, online courses.
    page.get_by_label("Программа").select_option(index=1)  # the first programme: case management
    page.get_by_role("button", name="Применить фильтры").click()
    expect(page).to_have_url(re.compile(r"programme=\d+"))
    cards = page.locator(".course-card")
    expect(cards.first).to_be_visible()
    codes = [c.strip()[:6] for c in cards.locator(".card__eyebrow").all_inner_texts()]
    assert codes and all(code.startswith("CM-") for code in codes)

    page.locator(".course-card").filter(has_text="CM-101").get_by_role("link").click()
    expect(page.locator(".card__eyebrow").first).to_have_text("CM-101")
    page.get_by_role("link", name="Начать первый урок").click()
    lesson_path = page.url.split("/ru/", 1)[1]
    russian_title = page.get_by_role("heading", level=1).inner_text()
    expect(page.locator("nav.module-nav")).to_be_visible()

    page.get_by_role("navigation", name="Язык").get_by_role("link", name="Oʻzbekcha").click()
    expect(page).to_have_url(re.compile(r"/uz/" + re.escape(lesson_path) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    assert page.get_by_role("heading", level=1).inner_text() != russian_title
    expect(page.locator("nav.module-nav")).to_be_visible()


def test_every_level_answers_in_every_language(page, site_url):
    import urllib.request

    page.goto("/uz/")
    page.get_by_role("navigation", name="Asosiy").get_by_role("link", name="Katalog").click()
    page.locator(".course-card").filter(has_text="CM-101").get_by_role("link").click()
    course_path = page.url.split("/uz/", 1)[1]
    page.get_by_role("link", name="Birinchi darsni boshlash").click()
    lesson_path = page.url.split("/uz/", 1)[1]
    programme_path = "/".join(course_path.rstrip("/").split("/")[:-1]) + "/"
    catalogue_path = programme_path.split("/")[0] + "/"
    for language in ("uz", "uz-cyrl", "ru", "en"):
        for path in ("", catalogue_path, programme_path, course_path, lesson_path):
            with urllib.request.urlopen(f"{site_url}/{language}/{path}") as response:  # noqa: S310
                assert response.status == 200, (language, path)
                assert f'<html lang="{language}">' in response.read().decode()
