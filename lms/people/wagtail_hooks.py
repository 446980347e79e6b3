from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import Position


@hooks.register("register_admin_urls")
def register_roster_urls():
    return [
        path("roster/", admin_views.index, name="people_roster_index"),
        path("roster/upload/", admin_views.upload, name="people_roster_upload"),
        path("roster/<int:pk>/", admin_views.detail, name="people_roster_detail"),
        path("roster/<int:pk>/status/", admin_views.status, name="people_roster_status"),
    ]


class RosterMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("people.view_rosterimport")


@hooks.register("register_admin_menu_item")
def register_roster_menu_item():
    return RosterMenuItem(
        _("Roster imports"), reverse("people_roster_index"), icon_name="group", order=900
    )


class PositionViewSet(SnippetViewSet):
    model = Position
    icon = "user"
    menu_label = _("Positions")
    list_display = ["code", "name", "name_ru", "name_en"]
    search_fields = ["code", "name", "name_ru", "name_en"]


register_snippet(PositionViewSet)
