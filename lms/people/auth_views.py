from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Signing in remembers the person's preferred language: pages reached without a language
    prefix (the site root, links in e-mails) open in it from then on."""

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
