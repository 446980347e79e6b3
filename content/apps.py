from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Site content")

    def ready(self):
        from lms.learning import gates

        from . import h5p_tracking

        # A required H5P block must be finished before its lesson completes.
        gates.register("h5p", h5p_tracking.lesson_gates)
