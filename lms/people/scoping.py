"""Scope: the part of the organisation a viewer may see.

Every query that lists people (or anything hung on people) for an HR officer or evaluator goes
through these functions. A superuser sees everything; a viewer with a scope sees that org unit
and everything below it; anyone else sees only themself.
"""

from django.db.models import Q, QuerySet

from .models import OrgUnit, User


def scope_unit(viewer: User) -> OrgUnit | None:
    """The root of the viewer's subtree, or None for a superuser (no limit)."""
    if viewer.is_superuser:
        return None
    return viewer.scope


def can_see_all(viewer: User) -> bool:
    return viewer.is_authenticated and viewer.is_superuser


def people_q(viewer: User, prefix: str = "") -> Q:
    """A filter on rows reaching a person through `prefix` (e.g. "learner__")."""
    if can_see_all(viewer):
        return Q()
    unit = scope_unit(viewer)
    if unit is None:
        return Q(**{f"{prefix}pk": viewer.pk})
    return Q(**{f"{prefix}org_unit__path__startswith": unit.path})


def visible_people(viewer: User) -> QuerySet[User]:
    return User.objects.filter(people_q(viewer))


def visible_units(viewer: User) -> QuerySet[OrgUnit]:
    if can_see_all(viewer):
        return OrgUnit.objects.all()
    unit = scope_unit(viewer)
    if unit is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=unit.path)


def unit_in_scope(viewer: User, unit: OrgUnit) -> bool:
    if can_see_all(viewer):
        return True
    scope = scope_unit(viewer)
    return scope is not None and unit.path.startswith(scope.path)


def may_list(viewer: User, perm: str) -> bool:
    """Whether the viewer may open a list of people for `perm` (staff, training roster):
    a superuser, or someone with a scope who holds the permission."""
    return can_see_all(viewer) or bool(viewer.scope_id and viewer.has_perm(perm))
