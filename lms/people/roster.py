"""The HR roster: reading a CSV or XLSX file, validating it as a whole, and applying it.

A roster file lists the staff of a part of the organisation, one person per row. Applying it
creates new people, updates changed ones, reactivates returners and deactivates leavers (active
people with an employee number inside the import's scope who are missing from the file). The
whole file is checked first; one bad row rejects the file and every bad row is reported with its
line number, so HR can fix everything in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from lms import tables

from .models import OrgUnit, Position, User

COLUMNS = (
    "employee_number",
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "position_code",
    "org_unit_code",
    "supervisor_number",
    "language",
)
REQUIRED_COLUMNS = ("employee_number", "last_name", "first_name", "position_code", "org_unit_code")
LANGUAGE_ALIASES = {
    "": "uz",
    "uz": "uz",
    "uz-latn": "uz",
    "uz-cyrl": "uz-cyrl",
    "uz_cyrl": "uz-cyrl",
    "ru": "ru",
    "en": "en",
}
ALLOWED_EXTENSIONS = tables.ALLOWED_EXTENSIONS
#: Staff can be placed in these kinds of unit (not directly under the agency or a region).
PLACEABLE_KINDS = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.CENTRE, OrgUnit.Kind.DEPARTMENT)
EMPLOYEE_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


#: The file as a whole cannot be read (wrong type, encoding, missing columns).
RosterFileError = tables.TableFileError


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}


@dataclass
class RosterRow:
    line: int
    employee_number: str
    last_name: str
    first_name: str
    middle_name: str
    email: str
    position: Position
    org_unit: OrgUnit
    supervisor_number: str
    language: str


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    created_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(fileobj: IO[bytes], filename: str) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number in the file, {column: text}); the header is line 1."""
    rows = tables.read(fileobj, filename, REQUIRED_COLUMNS, COLUMNS)
    return [(line, {c: _cell(v) for c, v in record.items()}) for line, record in rows]


def validate(
    rows: list[tuple[int, dict[str, str]]],
    scope: OrgUnit,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[RosterRow], list[RowError]]:
    """Check every row; return the clean rows and every error (line and reason)."""
    positions = {p.code: p for p in Position.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=scope.path, active=True)}
    numbers_in_file = [r["employee_number"] for _, r in rows]
    emails_in_file = [r["email"].lower() for _, r in rows if r["email"]]
    supervisors_outside = set(
        User.objects.filter(
            employee_number__in=[r["supervisor_number"] for _, r in rows if r["supervisor_number"]],
            is_active=True,
        ).values_list("employee_number", flat=True)
    )
    email_owner = {
        e.lower(): n
        for e, n in User.objects.filter(email__in=emails_in_file).values_list(
            "email", "employee_number"
        )
    }
    username_owner = dict(
        User.objects.filter(username__in=numbers_in_file).values_list("username", "employee_number")
    )
    all_units = set(OrgUnit.objects.values_list("code", flat=True))

    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    clean: list[RosterRow] = []
    errors: list[RowError] = []
    file_numbers = set(numbers_in_file)

    for index, (line, r) in enumerate(rows, start=1):
        problems: list[str] = []
        number = r["employee_number"]
        if not number:
            problems.append(_("employee number is empty"))
        elif not EMPLOYEE_NUMBER_RE.match(number):
            problems.append(
                _("employee number “%(value)s” may hold only letters, digits, “.”, “_” and “-”")
                % {"value": number}
            )
        elif number in seen_numbers:
            problems.append(
                _("employee number %(value)s is repeated (first on line %(line)s)")
                % {"value": number, "line": seen_numbers[number]}
            )
        else:
            seen_numbers[number] = line
            owner = username_owner.get(number, number)
            if owner != number:
                problems.append(
                    _("the login name %(value)s belongs to another account") % {"value": number}
                )
        for column, label in (("last_name", _("last name")), ("first_name", _("first name"))):
            if not r[column]:
                problems.append(_("%(field)s is empty") % {"field": label})
            elif len(r[column]) > 150:
                problems.append(_("%(field)s is longer than 150 characters") % {"field": label})
        email = r["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("“%(value)s” is not a valid e-mail address") % {"value": email})
            else:
                if email in seen_emails:
                    problems.append(
                        _("e-mail %(value)s is repeated (first on line %(line)s)")
                        % {"value": email, "line": seen_emails[email]}
                    )
                else:
                    seen_emails[email] = line
                owner = email_owner.get(email)
                if email in email_owner and owner != number:
                    problems.append(
                        _("e-mail %(value)s belongs to another person") % {"value": email}
                    )
        position = positions.get(r["position_code"])
        if position is None:
            problems.append(_("unknown position code “%(value)s”") % {"value": r["position_code"]})
        unit = units.get(r["org_unit_code"])
        if unit is None:
            if r["org_unit_code"] in all_units:
                problems.append(
                    _("org unit %(value)s is outside the scope of this import (%(scope)s)")
                    % {"value": r["org_unit_code"], "scope": scope.code}
                )
            else:
                problems.append(
                    _("unknown org unit code “%(value)s”") % {"value": r["org_unit_code"]}
                )
        elif unit.kind not in PLACEABLE_KINDS:
            problems.append(
                _(
                    "staff cannot be placed directly in %(value)s; "
                    "use a district, centre or department"
                )
                % {"value": unit.code}
            )
        supervisor = r["supervisor_number"]
        if supervisor:
            if supervisor == number:
                problems.append(_("a person cannot be their own supervisor"))
            elif supervisor not in file_numbers and supervisor not in supervisors_outside:
                problems.append(
                    _("supervisor %(value)s is neither in this file nor an active person")
                    % {"value": supervisor}
                )
        language = LANGUAGE_ALIASES.get(r["language"].strip().lower())
        if language is None:
            problems.append(
                _("unknown language “%(value)s”; use uz, uz-cyrl, ru or en")
                % {"value": r["language"]}
            )
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
        else:
            clean.append(
                RosterRow(
                    line=line,
                    employee_number=number,
                    last_name=r["last_name"],
                    first_name=r["first_name"],
                    middle_name=r["middle_name"],
                    email=email,
                    position=position,
                    org_unit=unit,
                    supervisor_number=supervisor,
                    language=language,
                )
            )
        if progress and index % 100 == 0:
            progress(index)
    if progress:
        progress(len(rows))
    if not rows:
        errors.append(RowError(1, _("The file has a header but no rows.")))
    return clean, errors


_SYNCED_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "position_id",
    "org_unit_id",
    "preferred_language",
    "is_active",
)


def apply(rows: list[RosterRow], scope: OrgUnit) -> ApplyResult:
    """Write validated rows. The caller holds the transaction."""
    result = ApplyResult()
    numbers = [r.employee_number for r in rows]
    existing = {u.employee_number: u for u in User.objects.filter(employee_number__in=numbers)}
    to_create: list[User] = []
    to_update: list[User] = []
    unusable = make_password(None)
    for r in rows:
        values = {
            "last_name": r.last_name,
            "first_name": r.first_name,
            "middle_name": r.middle_name,
            "email": r.email,
            "position_id": r.position.pk,
            "org_unit_id": r.org_unit.pk,
            "preferred_language": r.language,
            "is_active": True,
        }
        user = existing.get(r.employee_number)
        if user is None:
            to_create.append(
                User(
                    username=r.employee_number,
                    employee_number=r.employee_number,
                    password=unusable,
                    **values,
                )
            )
            continue
        if any(getattr(user, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(user, k, v)
            to_update.append(user)
        else:
            result.unchanged += 1
    User.objects.bulk_create(to_create, batch_size=500)
    User.objects.bulk_update(to_update, _SYNCED_FIELDS, batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update)

    # Supervisors, once everyone in the file exists.
    ids = dict(
        User.objects.filter(
            employee_number__in=numbers + [r.supervisor_number for r in rows if r.supervisor_number]
        ).values_list("employee_number", "pk")
    )
    current = dict(
        User.objects.filter(employee_number__in=numbers).values_list(
            "employee_number", "supervisor_id"
        )
    )
    supervisor_changes = []
    for r in rows:
        wanted = ids.get(r.supervisor_number) if r.supervisor_number else None
        if current.get(r.employee_number) != wanted:
            supervisor_changes.append(User(pk=ids[r.employee_number], supervisor_id=wanted))
    User.objects.bulk_update(supervisor_changes, ["supervisor_id"], batch_size=500)
    created_numbers = {u.employee_number for u in to_create}
    result.created_ids = [ids[n] for n in created_numbers]
    changed = {u.pk for u in to_update} | {u.pk for u in supervisor_changes}
    result.changed_ids = sorted(changed - set(result.created_ids))
    result.updated = len(set(result.changed_ids))
    result.unchanged = len(rows) - result.created - result.updated

    # Leavers: active people with an employee number in scope who are not in the file.
    result.deactivated = (
        User.objects.filter(
            is_active=True,
            employee_number__isnull=False,
            org_unit__path__startswith=scope.path,
        )
        .exclude(employee_number__in=numbers)
        .update(is_active=False)
    )
    return result
