from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page

from lms.tables import check_size

from . import h5p, h5p_services
from .models import H5PPackage
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


# -- H5P packages --------------------------------------------------------------------------------


class H5PUploadForm(forms.Form):
    file = forms.FileField(
        label=_("H5P package (.h5p)"),
        help_text=_(
            "The whole package is checked before anything is stored; a refused package "
            "leaves nothing behind."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".h5p"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".h5p"):
            raise forms.ValidationError(_("Upload an .h5p file."))
        check_size(upload, settings.H5P_MAX_UPLOAD_BYTES)
        return upload


def may_add_h5p_libraries(user) -> bool:
    return user.is_superuser or user.has_perm("content.add_h5plibrary")


def h5p_index(request):
    if not request.user.has_perm("content.view_h5ppackage"):
        raise PermissionDenied
    packages = H5PPackage.objects.select_related("main_library", "uploaded_by")[:200]
    return TemplateResponse(request, "content/admin/h5p_index.html", {"packages": packages})


def h5p_upload(request):
    if not request.user.has_perm("content.add_h5ppackage"):
        raise PermissionDenied
    form = H5PUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            package = h5p_services.import_package(
                upload,
                upload.name,
                user=request.user,
                may_add_libraries=may_add_h5p_libraries(request.user),
            )
        except h5p.PackageError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("“%(title)s” was imported.") % {"title": package.title})
            return redirect("content_h5p_index")
    return TemplateResponse(request, "content/admin/h5p_upload.html", {"form": form})
