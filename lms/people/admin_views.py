"""Roster imports in the Wagtail admin: upload, watch the progress, read every bad row."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from . import roster, services
from .models import OrgUnit, RosterImport
from .scoping import can_see_all, visible_units


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("CSV (UTF-8) or XLSX with the columns: %(columns)s.")
        % {"columns": ", ".join(roster.COLUMNS)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    scope = forms.ModelChoiceField(
        label=_("Part of the organisation"),
        queryset=OrgUnit.objects.none(),
        help_text=_("People of this unit who are missing from the file will be deactivated."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = visible_units(user).exclude(kind=OrgUnit.Kind.CENTRE).order_by("path")
        self.fields["scope"].queryset = units
        if user.scope_id:
            self.fields["scope"].initial = user.scope_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            services.check_roster_upload(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return upload


def _imports_for(user):
    qs = RosterImport.objects.select_related("scope", "created_by")
    if can_see_all(user):
        return qs
    if not user.scope_id:
        return qs.none()
    return qs.filter(scope__path__startswith=user.scope.path)


@permission_required("people.view_rosterimport", raise_exception=True)
def index(request):
    imports = _imports_for(request.user)[:50]
    return render(request, "people/admin/roster_index.html", {"imports": imports})


@permission_required("people.add_rosterimport", raise_exception=True)
def upload(request):
    if not (can_see_all(request.user) or request.user.scope_id):
        raise PermissionDenied
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = services.start_roster_import(
            form.cleaned_data["file"], form.cleaned_data["scope"], request.user
        )
        return redirect("people_roster_detail", job.pk)
    return render(request, "people/admin/roster_upload.html", {"form": form})


@permission_required("people.view_rosterimport", raise_exception=True)
def detail(request, pk: int):
    job = get_object_or_404(_imports_for(request.user), pk=pk)
    return render(request, "people/admin/roster_detail.html", {"job": job})


@permission_required("people.view_rosterimport", raise_exception=True)
def status(request, pk: int):
    job = get_object_or_404(_imports_for(request.user), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "percent": job.percent,
            "processed_rows": job.processed_rows,
            "total_rows": job.total_rows,
            "finished": job.is_finished,
            "error_count": len(job.errors),
        }
    )
