from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from content import views as content_views
from lms.people.auth_views import LoginView

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("xapi/", include("lms.xapi.urls")),
    path("h5p/", include("content.h5p_views")),  # package files for the lesson player
    path("api/", include("lms.learning.api_urls")),
    path("api/", include("evaluation.api_urls")),
]

urlpatterns += i18n_patterns(
    path("search/", content_views.search, name="search"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("hr/", include("lms.people.urls")),
    path("learning/", include("lms.learning.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("assessments/", include("assessments.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
