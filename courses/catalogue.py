"""The catalogue: courses of one locale, filtered and searched."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from lms.people.models import Position

from .models import CoursePage, DeliveryMode, ProgrammePage

PAGE_SIZE = 24


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search courses"), required=False, max_length=200)
    programme = forms.TypedChoiceField(
        label=_("Programme"), required=False, coerce=int, empty_value=None
    )
    position = forms.ChoiceField(label=_("For position"), required=False)
    mode = forms.ChoiceField(label=_("Delivery mode"), required=False)
    language = forms.ChoiceField(label=_("Available in"), required=False)

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["programme"].choices = everything + [(p.pk, p.title) for p in programmes]
        self.fields["position"].choices = everything + [
            (p.code, p.local_name) for p in Position.objects.all()
        ]
        self.fields["mode"].choices = everything + list(DeliveryMode.choices)
        self.fields["language"].choices = everything + list(settings.LANGUAGES)


def catalogue_context(catalogue, request) -> dict:
    programmes = list(
        ProgrammePage.objects.live().child_of(catalogue).only("title", "path", "url_path")
    )
    form = CatalogueFilterForm(request.GET or None, programmes=programmes)
    courses = (
        CoursePage.objects.live()
        .descendant_of(catalogue)
        .filter(locale_id=catalogue.locale_id)
        .select_related("locale")
        .order_by("path")
    )
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("programme"):
        programme = next((p for p in programmes if p.pk == filters["programme"]), None)
        courses = courses.descendant_of(programme) if programme else courses.none()
    if filters.get("position"):
        courses = courses.filter(target_positions__code=filters["position"])
    if filters.get("mode"):
        courses = courses.filter(delivery_mode=filters["mode"])
    if filters.get("language"):
        available = CoursePage.objects.live().filter(locale__language_code=filters["language"])
        courses = courses.filter(translation_key__in=available.values("translation_key"))
    if filters.get("q"):
        matching = [
            page.pk
            for page in CoursePage.objects.live()
            .filter(locale_id=catalogue.locale_id)
            .search(filters["q"], fields=None)
        ]
        rank = {pk: i for i, pk in enumerate(matching)}
        ids = set(courses.filter(pk__in=matching).values_list("pk", flat=True))
        ordered = sorted(ids, key=rank.__getitem__)
        page_of = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
        by_pk = {c.pk: c for c in courses.filter(pk__in=page_of.object_list)}
        results = [by_pk[pk] for pk in page_of.object_list]
    else:
        page_of = Paginator(courses.distinct(), PAGE_SIZE).get_page(request.GET.get("page"))
        results = list(page_of.object_list)

    programme_by_path = {p.path: p for p in programmes}
    languages = _languages_of(results)
    for course in results:
        course.programme = programme_by_path.get(course.path[: -Page.steplen])
        course.languages = languages.get(course.translation_key, [])
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "courses": results,
        "page_obj": page_of,
        "programmes": programmes,
        "filter_query": query.urlencode(),
        "is_filtered": any(filters.values()) if filters else False,
    }


def _languages_of(courses) -> dict:
    """translation_key → [(code, name)] of the languages a course is live in (one query)."""
    names = dict(settings.LANGUAGES)
    order = list(names)
    found: dict = {}
    rows = (
        CoursePage.objects.live()
        .filter(translation_key__in=[c.translation_key for c in courses])
        .values_list("translation_key", "locale__language_code")
    )
    for key, code in rows:
        found.setdefault(key, []).append(code)
    return {
        k: [(code, names[code]) for code in sorted(v, key=order.index)] for k, v in found.items()
    }
