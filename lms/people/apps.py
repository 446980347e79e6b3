from django.apps import AppConfig
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "lms.people"
    label = "people"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        # Django knows Uzbek but not its Cyrillic script as a language of its own.
        LANG_INFO.setdefault(
            "uz-cyrl",
            {"bidi": False, "code": "uz-cyrl", "name": "Uzbek (Cyrillic)", "name_local": "Ўзбекча"},
        )
