from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_lrs_urls():
    return [
        path("lrs/credentials/", admin_views.credentials, name="xapi_credentials"),
        path(
            "lrs/credentials/<int:pk>/toggle/",
            admin_views.toggle_credential,
            name="xapi_credential_toggle",
        ),
        path("lrs/statements/", admin_views.statements, name="xapi_statement_browser"),
        path(
            "lrs/statements/<uuid:statement_id>/",
            admin_views.statement_detail,
            name="xapi_statement_detail",
        ),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_statements_menu_item():
    return PermissionMenuItem(
        _("xAPI statements"),
        reverse("xapi_statement_browser"),
        icon_name="list-ul",
        order=910,
        permission="xapi.view_statement",
    )


@hooks.register("register_admin_menu_item")
def register_credentials_menu_item():
    return PermissionMenuItem(
        _("LRS credentials"),
        reverse("xapi_credentials"),
        icon_name="key",
        order=920,
        permission="xapi.view_credential",
    )
