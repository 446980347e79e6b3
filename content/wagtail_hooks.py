from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
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


@hooks.register("register_admin_urls")
def register_h5p_urls():
    return [
        path("h5p/", admin_views.h5p_index, name="content_h5p_index"),
        path("h5p/upload/", admin_views.h5p_upload, name="content_h5p_upload"),
    ]


class H5PMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("content.view_h5ppackage")


@hooks.register("register_admin_menu_item")
def register_h5p_menu_item():
    return H5PMenuItem(
        _("H5P packages"), reverse("content_h5p_index"), icon_name="media", order=850
    )


@hooks.register("register_admin_viewset")
def register_h5p_package_chooser():
    from .blocks import h5p_package_chooser_viewset

    return h5p_package_chooser_viewset
