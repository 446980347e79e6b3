from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import admin_views
from .translation import SOURCE_LANGUAGE


@hooks.register("register_admin_urls")
def register_transliteration_url():
    return [
        path(
            "transliterate/<int:page_id>/",
            admin_views.transliterate_page,
            name="content_transliterate_page",
        )
    ]


@hooks.register("register_page_header_buttons")
def transliterate_button(page, user, view_name, next_url=None):
    if page.depth < 2 or page.locale.language_code != SOURCE_LANGUAGE:
        return
    if not page.permissions_for_user(user).can_edit():
        return
    yield Button(
        _("Transliterate to Cyrillic (draft)"),
        url=reverse("content_transliterate_page", args=[page.pk]),
        icon_name="globe",
        priority=80,
    )
