from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Partner


class PartnerViewSet(SnippetViewSet):
    model = Partner
    icon = "site"
    menu_label = _("Partner institutions")
    list_display = ["code", "name", "name_ru", "name_en"]
    search_fields = ["code", "name", "name_ru", "name_en"]


register_snippet(PartnerViewSet)
