from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page

from .translation import SOURCE_LANGUAGE, TARGET_LANGUAGE, prefill_cyrillic


def transliterate_page(request, page_id: int):
    """Confirm, then pre-fill the uz-cyrl translation of a uz page as a draft for review."""
    page = get_object_or_404(Page, pk=page_id).specific
    if page.locale.language_code != SOURCE_LANGUAGE:
        raise PermissionDenied
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    target_locale = Locale.objects.get(language_code=TARGET_LANGUAGE)
    existing = page.get_translation_or_none(target_locale)
    if request.method == "POST":
        translated = prefill_cyrillic(
            page, user=request.user, publish=False, overwrite=bool(request.POST.get("overwrite"))
        )
        messages.success(
            request,
            _(
                "The Cyrillic translation of “%(title)s” was filled in as a draft. "
                "Review it, then publish."
            )
            % {"title": page.title},
        )
        return redirect(reverse("wagtailadmin_pages:edit", args=[translated.pk]))
    return TemplateResponse(
        request,
        "content/admin/transliterate_confirm.html",
        {"page": page, "existing": existing},
    )
