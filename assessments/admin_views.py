from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import importing
from .i18n import LANGUAGES
from .models import ImportJob, QuestionBank


class ImportForm(forms.Form):
    bank = forms.ModelChoiceField(QuestionBank.objects.all(), label=_("Into the bank"))
    format = forms.ChoiceField(choices=ImportJob.Format.choices, label=_("Format"))
    language = forms.ChoiceField(
        choices=LANGUAGES,
        label=_("Language of the file"),
        help_text=_("Translations are added to each question afterwards."),
    )
    skip_problems = forms.BooleanField(
        required=False,
        label=_("Import what can be imported and skip the rest"),
        help_text=_("Otherwise nothing is imported while any question has a problem."),
    )
    file = forms.FileField(
        label=_("File (.gift, .txt or .xml)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".gift,.txt,.xml"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("file") and data.get("format"):
            try:
                importing.check_upload(data["file"], data["format"])
            except ValidationError as error:
                self.add_error("file", error)
        return data


def import_start(request):
    if not request.user.has_perm("assessments.add_importjob"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = importing.start_import(
            data["bank"],
            data["file"],
            data["format"],
            language=data["language"],
            skip_problems=data["skip_problems"],
            user=request.user,
        )
        return redirect("assessments_import_status", job.pk)
    jobs = ImportJob.objects.select_related("bank", "created_by")[:20]
    return TemplateResponse(request, "assessments/admin/import.html", {"form": form, "jobs": jobs})


def import_status(request, pk: int):
    if not request.user.has_perm("assessments.add_importjob"):
        raise PermissionDenied
    job = get_object_or_404(ImportJob.objects.select_related("bank"), pk=pk)
    return TemplateResponse(request, "assessments/admin/import_status.html", {"job": job})
