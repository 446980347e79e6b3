from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "lms.xapi"
    label = "xapi"
    verbose_name = "Learning Record Store"
    default_auto_field = "django.db.models.BigAutoField"
