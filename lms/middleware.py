from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, except that language-free APIs keep their own 404s: the LRS answering
    "no such statement" must not be redirected to /uz/xapi/…, a page that does not exist (nor
    a missing H5P file to /uz/h5p/…)."""

    LANGUAGE_FREE = ("/xapi/", "/api/", "/h5p/")

    def process_response(self, request, response):
        if request.path_info.startswith(self.LANGUAGE_FREE):
            return response
        return super().process_response(request, response)
