from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Indicator


def _language_tab(heading: str, suffix: str) -> ObjectList:
    return ObjectList(
        [
            FieldPanel(f"name{suffix}"),
            FieldPanel(f"definition{suffix}"),
            FieldPanel(f"numerator{suffix}"),
            FieldPanel(f"denominator{suffix}"),
        ],
        heading=heading,
    )


class IndicatorViewSet(SnippetViewSet):
    """The indicator catalogue, edited by evaluators: the definition in four languages."""

    model = Indicator
    icon = "table"
    menu_label = _("Indicators")
    add_to_admin_menu = True
    menu_order = 910
    list_display = ["code", "name", "unit", "direction", "frequency", "source", "active"]
    list_filter = ["unit", "frequency", "active"]
    search_fields = ["code", "name", "name_ru", "name_en"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("code"),
                    FieldRowPanel([FieldPanel("unit"), FieldPanel("direction")]),
                    FieldRowPanel([FieldPanel("frequency"), FieldPanel("source")]),
                    MultiFieldPanel(
                        [
                            FieldPanel("suppression_threshold"),
                            FieldRowPanel([FieldPanel("target_low"), FieldPanel("target_high")]),
                        ],
                        heading=_("Reporting"),
                    ),
                    FieldPanel("active"),
                ],
                heading=_("Indicator"),
            ),
            _language_tab("Oʻzbekcha", ""),
            _language_tab("Ўзбекча", "_uz_cyrl"),
            _language_tab("Русский", "_ru"),
            _language_tab("English", "_en"),
        ]
    )


register_snippet(IndicatorViewSet)
