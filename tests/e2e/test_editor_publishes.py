"""An editor edits a lesson in the Wagtail admin and publishes it; visitors see the change."""

import re

from playwright.sync_api import expect


def sign_in_to_admin(page, username="editor", password="malaka-demo"):
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_editor_edits_and_publishes_a_lesson(page):
    sign_in_to_admin(page)

    # Find the first lesson of the catalogue as a visitor would, then edit it from the userbar.
    page.goto("/ru/")
    page.get_by_role("navigation", name="Основное").get_by_role("link", name="Каталог").click()
    page.locator(".course-card").first.get_by_role("link").click()
    page.get_by_role("link", name="Начать первый урок").click()
    lesson_url = page.url
    edit_link = page.locator('a[href*="/admin/pages/"][href$="/edit/"]').first
    edit_href = edit_link.get_attribute("href")
    page.goto(edit_href)

    title = page.locator("#id_title")
    expect(title).to_be_visible()
    new_title = title.input_value() + " — обновлено"
    title.fill(new_title)
    page.locator("footer .w-dropdown__toggle, [data-w-dropdown-target='toggle']").last.click()
    page.locator("button[name='action-publish']").click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto(lesson_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(new_title)
