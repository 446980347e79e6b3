"""The LRS in the Wagtail admin: client credentials and a statement browser."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import SCOPES, Credential, Statement, StatementActivity, StatementAgent


class CredentialForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("Who uses it, e.g. the agency's data warehouse."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=["statements/write", "statements/read/mine"],
    )


@permission_required("xapi.view_credential", raise_exception=True)
def credentials(request):
    form = CredentialForm()
    created = None
    if request.method == "POST":
        if not request.user.has_perm("xapi.add_credential"):
            return render(request, "xapi/admin/credentials.html", status=403)
        form = CredentialForm(request.POST)
        if form.is_valid():
            credential, secret = Credential.issue(
                form.cleaned_data["name"], form.cleaned_data["scopes"]
            )
            created = {"credential": credential, "secret": secret}
            form = CredentialForm()
    return render(
        request,
        "xapi/admin/credentials.html",
        {"credentials": Credential.objects.all(), "form": form, "created": created},
    )


@require_POST
@permission_required("xapi.change_credential", raise_exception=True)
def toggle_credential(request, pk):
    credential = get_object_or_404(Credential, pk=pk)
    credential.is_active = not credential.is_active
    credential.save(update_fields=["is_active"])
    return redirect("xapi_credentials")


class StatementFilter(forms.Form):
    learner = forms.CharField(label=_("Learner (account name or e-mail)"), required=False)
    verb = forms.CharField(label=_("Verb IRI"), required=False)
    activity = forms.CharField(label=_("Activity IRI"), required=False)
    since = forms.DateField(
        label=_("Stored from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Stored until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _filtered(form: StatementFilter):
    rows = Statement.objects.all()
    if not form.is_valid():
        return rows.none()
    data = form.cleaned_data
    if data["learner"]:
        learner = data["learner"].strip()
        keys = StatementAgent.objects.filter(direct=True, key__endswith=f"|{learner}")
        if "@" in learner:
            keys = StatementAgent.objects.filter(direct=True, key=f"mbox:mailto:{learner.lower()}")
        rows = rows.filter(seq__in=keys.values("statement_id"))
    if data["verb"]:
        rows = rows.filter(verb_id=data["verb"].strip())
    if data["activity"]:
        activities = StatementActivity.objects.filter(activity_id=data["activity"].strip())
        rows = rows.filter(seq__in=activities.values("statement_id"))
    if data["since"]:
        rows = rows.filter(stored__date__gte=data["since"])
    if data["until"]:
        rows = rows.filter(stored__date__lte=data["until"])
    return rows


@permission_required("xapi.view_statement", raise_exception=True)
def statements(request):
    form = StatementFilter(request.GET or None)
    rows = _filtered(form) if request.GET else Statement.objects.all()
    rows = rows.order_by("-stored", "-seq").only(
        "seq", "statement_id", "stored", "verb_id", "voided", "data"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    items = [
        {
            "row": row,
            "actor": _describe_actor(row.data["actor"]),
            "object": row.data["object"].get("id", row.data["object"].get("objectType", "")),
        }
        for row in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "xapi/admin/statements.html",
        {"form": form, "page": page, "items": items, "query": query.urlencode()},
    )


def _describe_actor(actor: dict) -> str:
    if "account" in actor:
        return actor["account"]["name"]
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in actor:
            return actor[key].removeprefix("mailto:")
    return actor.get("name", "—")


@permission_required("xapi.view_statement", raise_exception=True)
def statement_detail(request, statement_id):
    row = get_object_or_404(Statement, statement_id=statement_id)
    pretty = json.dumps(row.data, indent=2, ensure_ascii=False, sort_keys=False)
    return render(request, "xapi/admin/statement_detail.html", {"row": row, "pretty": pretty})
