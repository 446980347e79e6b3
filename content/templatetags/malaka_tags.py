from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page

from lms.people.scoping import may_list

register = template.Library()


@register.simple_tag
def home_url() -> str:
    return f"/{get_language()}/"


@register.simple_tag(takes_context=True)
def catalogue_url(context) -> str:
    """The catalogue of the active language (looked up once per request)."""
    from courses.models import CataloguePage

    request = context.get("request")
    cached = getattr(request, "_catalogue_url", None)
    if cached is not None:
        return cached
    catalogue = (
        CataloguePage.objects.live()
        .filter(locale__language_code=get_language())
        .select_related("locale")
        .first()
    )
    url = catalogue.get_url(request) if catalogue else home_url()
    if request is not None:
        request._catalogue_url = url
    return url


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context) -> dict:
    """Links to this page in every language: the page's own translation where one is live,
    else the home page of that language; outside the page tree, the same view's URL."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    translations = {}
    if isinstance(page, Page) and page.pk:
        translations = {
            p.locale.language_code: p
            for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
    links = []
    for code, name in settings.LANGUAGES:
        if isinstance(page, Page):
            target = translations.get(code)
            url = target.get_url(request) if target else f"/{code}/"
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
        else:
            url = f"/{code}/"
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}


@register.filter
def can_view_staff(user) -> bool:
    return may_list(user, "people.view_user")


@register.filter
def can_view_roster(user) -> bool:
    return may_list(user, "learning.view_enrolment")


@register.filter
def can_view_evaluation(user) -> bool:
    return may_list(user, "evaluation.view_evaluationstudy")


@register.filter
def can_access_admin(user) -> bool:
    return user.has_perm("wagtailadmin.access_admin")


@register.simple_tag(takes_context=True)
def ancestors(context, page, skip: int = 2):
    """The page's ancestors below the locale root, for breadcrumbs (one query)."""
    return list(page.get_ancestors().filter(depth__gt=skip).only("title", "url_path", "locale"))
