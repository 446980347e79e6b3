from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit, Position
from .scoping import may_list, visible_people, visible_units

PAGE_SIZE = 50


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or employee number"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Organisation unit"), queryset=OrgUnit.objects.none(), required=False
    )
    position = forms.ModelChoiceField(
        label=_("Position"), queryset=Position.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Left")), ("", _("All"))],
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            visible_units(viewer).exclude(kind=OrgUnit.Kind.CENTRE).order_by("path")
        )


@login_required
def staff_list(request):
    """The staff an HR officer may see: their scope's subtree, never beyond it."""
    viewer = request.user
    if not may_list(viewer, "people.view_user"):
        raise PermissionDenied
    data = request.GET.copy()
    data.setdefault("status", "active")
    form = StaffFilterForm(data, viewer=viewer)
    people = (
        visible_people(viewer)
        .filter(employee_number__isnull=False)
        .select_related("position", "org_unit")
        .order_by("last_name", "first_name", "pk")
    )
    if form.is_valid():
        f = form.cleaned_data
        if f["q"]:
            people = people.filter(
                Q(last_name__icontains=f["q"])
                | Q(first_name__icontains=f["q"])
                | Q(employee_number__iexact=f["q"])
            )
        if f["unit"]:
            people = people.filter(org_unit__path__startswith=f["unit"].path)
        if f["position"]:
            people = people.filter(position=f["position"])
        if f["status"] == "active":
            people = people.filter(is_active=True)
        elif f["status"] == "inactive":
            people = people.filter(is_active=False)
    page_obj = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/staff_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "filter_query": query.urlencode(),
            "scope": viewer.scope,
        },
    )
