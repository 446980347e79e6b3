"""The demo organisation: the agency's regions, districts and Inson centres, positions, role
groups, demo accounts for every role and a few hundred staff. Idempotent: what exists (by code,
login name or employee number) is left as it is."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from .models import OrgUnit, Position, User
from .roles import GROUP_NAMES, ROLE_PAGE_PERMISSIONS, ROLE_PERMISSIONS, Role

DEMO_PASSWORD = "malaka-demo"  # noqa: S105 - published in the README for the demo site

CENTRE_NAMES = {
    "name": "{uz} Inson ijtimoiy xizmatlar markazi",
    "name_uz_cyrl": "{uz_cyrl} «Инсон» ижтимоий хизматлар маркази",
    "name_ru": "Центр социальных услуг «Инсон», {ru}",
    "name_en": "Inson social service centre, {en}",
}
HQ_DEPARTMENT = {
    "code": "NASP-HQ-TRN",
    "name": "Kadrlar va malaka oshirish boshqarmasi",
    "name_uz_cyrl": "Кадрлар ва малака ошириш бошқармаси",
    "name_ru": "Управление кадров и повышения квалификации",
    "name_en": "Department of HR and professional development",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    first_name: str
    last_name: str
    position: str
    unit: str  # org-unit code, or "district:<n>" resolved at load
    scope: str | None
    superuser: bool = False


def _names(data: dict, prefix: str = "name") -> dict:
    return {
        prefix: data["uz"],
        f"{prefix}_uz_cyrl": data.get("uz-cyrl", ""),
        f"{prefix}_ru": data.get("ru", ""),
        f"{prefix}_en": data.get("en", ""),
    }


def _child(parent: OrgUnit, **fields) -> OrgUnit:
    existing = OrgUnit.objects.filter(code=fields["code"]).first()
    if existing:
        return existing
    return parent.add_child(**fields)


@transaction.atomic
def load_organisation(data: dict) -> OrgUnit:
    agency = OrgUnit.objects.filter(code=data["agency"]["code"]).first()
    if agency is None:
        agency = OrgUnit.add_root(
            code=data["agency"]["code"], kind=OrgUnit.Kind.AGENCY, **_names(data["agency"]["name"])
        )
    _child(agency, kind=OrgUnit.Kind.DEPARTMENT, **HQ_DEPARTMENT)
    for region_data in data["regions"]:
        region = _child(
            agency,
            code=region_data["code"],
            kind=OrgUnit.Kind.REGION,
            **_names(region_data["name"]),
        )
        for district_data in region_data["districts"]:
            district = _child(
                region,
                code=district_data["code"],
                kind=OrgUnit.Kind.DISTRICT,
                is_pilot=bool(district_data.get("pilot")),
                **_names(district_data["name"]),
            )
            n = district_data["name"]
            _child(
                district,
                code=f"{district_data['code']}-INSON",
                kind=OrgUnit.Kind.CENTRE,
                is_pilot=district.is_pilot,
                **{
                    k: v.format(
                        uz=n["uz"], uz_cyrl=n.get("uz-cyrl", n["uz"]), ru=n["ru"], en=n["en"]
                    )
                    for k, v in CENTRE_NAMES.items()
                },
            )
    for position in data["positions"]:
        if not Position.objects.filter(code=position["code"]).exists():
            Position.objects.create(code=position["code"], **_names(position["name"]))
    return agency


@transaction.atomic
def load_groups() -> dict[Role, Group]:
    groups = {}
    root = Page.get_first_root_node()
    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in ROLE_PERMISSIONS[role]:
            app_label, codename = perm.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*wanted)
        for codename in ROLE_PAGE_PERMISSIONS.get(role, []):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        groups[role] = group
    return groups


def demo_accounts(tashkent_region: str, first_centre: str) -> list[DemoAccount]:
    return [
        DemoAccount(
            "learner", Role.LEARNER, "Dilnoza", "Karimova", "case-manager", first_centre, None
        ),
        DemoAccount(
            "trainer",
            Role.TRAINER,
            "Aziz",
            "Rahimov",
            "trainer",
            HQ_DEPARTMENT["code"],
            tashkent_region,
        ),
        DemoAccount(
            "mentor", Role.MENTOR, "Gulnora", "Yusupova", "centre-head", first_centre, None
        ),
        DemoAccount(
            "hr",
            Role.HR_OFFICER,
            "Shahlo",
            "Tursunova",
            "hr-officer",
            HQ_DEPARTMENT["code"],
            tashkent_region,
        ),
        DemoAccount(
            "evaluator",
            Role.EVALUATOR,
            "Bekzod",
            "Nazarov",
            "me-officer",
            HQ_DEPARTMENT["code"],
            "NASP",
        ),
        DemoAccount(
            "editor",
            Role.CONTENT_EDITOR,
            "Malika",
            "Saidova",
            "specialist",
            HQ_DEPARTMENT["code"],
            None,
        ),
        DemoAccount(
            "admin",
            Role.ADMINISTRATOR,
            "Timur",
            "Alimov",
            "specialist",
            HQ_DEPARTMENT["code"],
            "NASP",
            superuser=True,
        ),
    ]


@transaction.atomic
def load_demo_accounts(tashkent_region: str, first_centre: str) -> list[User]:
    groups = load_groups()
    positions = {p.code: p for p in Position.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    users = []
    for account in demo_accounts(tashkent_region, first_centre):
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User.objects.create(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=f"{account.username}@malaka.example",
                password=make_password(DEMO_PASSWORD),
                position=positions.get(account.position),
                org_unit=units.get(account.unit),
                scope=units.get(account.scope) if account.scope else None,
                is_staff=account.superuser,
                is_superuser=account.superuser,
            )
        user.groups.add(groups[account.role])
        if account.role is not Role.LEARNER:
            user.groups.add(groups[Role.LEARNER])  # everyone takes courses
        users.append(user)
    return users


FIRST_NAMES_F = [
    "Dilnoza",
    "Gulnora",
    "Malika",
    "Nigora",
    "Shahnoza",
    "Zarina",
    "Madina",
    "Feruza",
    "Nodira",
    "Sevara",
    "Umida",
    "Dildora",
    "Mohira",
    "Nilufar",
    "Barno",
    "Kamola",
    "Yulduz",
    "Ozoda",
    "Saida",
    "Hulkar",
    "Lola",
    "Muazzam",
    "Zulfiya",
    "Gulchehra",
]
FIRST_NAMES_M = [
    "Aziz",
    "Bekzod",
    "Jamshid",
    "Sardor",
    "Otabek",
    "Rustam",
    "Farhod",
    "Sherzod",
    "Ulugʻbek",
    "Doston",
    "Akmal",
    "Jasur",
    "Anvar",
    "Bahodir",
    "Ilhom",
    "Nodir",
    "Shuhrat",
    "Temur",
    "Sanjar",
    "Davron",
    "Behruz",
    "Islom",
    "Laziz",
    "Komil",
]
SURNAMES = [
    "Karimov",
    "Rahimov",
    "Yusupov",
    "Tursunov",
    "Nazarov",
    "Saidov",
    "Alimov",
    "Qodirov",
    "Ergashev",
    "Xolmatov",
    "Mirzayev",
    "Abdullayev",
    "Ismoilov",
    "Sobirov",
    "Usmonov",
    "Hasanov",
    "Toshpoʻlatov",
    "Rasulov",
    "Jurayev",
    "Boboyev",
    "Normatov",
    "Sultonov",
    "Gʻulomov",
    "Qosimov",
    "Mahmudov",
    "Olimov",
    "Fayzullayev",
    "Raximberdiyev",
]
PATRONYMIC_ROOTS = ["Akmal", "Baxtiyor", "Rustam", "Anvar", "Shavkat", "Olim", "Erkin", "Hamid"]
#: The staff of a demo centre: one head, then the others in this order, cycling.
CENTRE_STAFF = [
    "centre-head",
    "case-manager",
    "social-worker",
    "social-worker",
    "psychologist",
    "social-worker",
    "legal-specialist",
    "specialist",
    "social-worker",
]


def demo_staff_rows(centres: list[OrgUnit], per_centre: int, seed: int = 2026) -> list[dict]:
    """Deterministic demo staff: the same names and numbers on every machine."""
    rng = random.Random(seed)  # noqa: S311 - demo names, not secrets
    rows = []
    number = 10000
    for centre in centres:
        head_number = None
        for k in range(per_centre):
            number += 1
            female = rng.random() < 0.72  # most social workers in Uzbekistan are women
            first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            last = rng.choice(SURNAMES) + ("a" if female else "")
            root = rng.choice(PATRONYMIC_ROOTS)
            middle = f"{root} qizi" if female else f"{root} oʻgʻli"
            position = CENTRE_STAFF[k % len(CENTRE_STAFF)]
            employee_number = f"E{number}"
            rows.append(
                {
                    "employee_number": employee_number,
                    "last_name": last,
                    "first_name": first,
                    "middle_name": middle,
                    "email": f"{employee_number.lower()}@staff.malaka.example",
                    "position_code": position,
                    "org_unit_code": centre.code,
                    "supervisor_number": head_number or "",
                    "language": rng.choice(["uz", "uz", "uz", "ru", "uz-cyrl"]),
                }
            )
            if position == "centre-head":
                head_number = employee_number
    return rows


@transaction.atomic
def load_demo_staff(per_centre: int = 6) -> int:
    """Create the demo staff that do not exist yet; returns how many were created."""
    centres = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.CENTRE).order_by("code"))
    rows = demo_staff_rows(centres, per_centre)
    existing = set(
        User.objects.filter(employee_number__isnull=False).values_list("employee_number", flat=True)
    )
    positions = {p.code: p for p in Position.objects.all()}
    units = {u.code: u for u in centres}
    learners = Group.objects.get(name=GROUP_NAMES[Role.LEARNER])
    unusable = make_password(None)
    new = [
        User(
            username=r["employee_number"],
            employee_number=r["employee_number"],
            first_name=r["first_name"],
            last_name=r["last_name"],
            middle_name=r["middle_name"],
            email=r["email"],
            position=positions[r["position_code"]],
            org_unit=units[r["org_unit_code"]],
            preferred_language=r["language"],
            password=unusable,
        )
        for r in rows
        if r["employee_number"] not in existing
    ]
    User.objects.bulk_create(new, batch_size=500)
    ids = dict(
        User.objects.filter(employee_number__in=[r["employee_number"] for r in rows]).values_list(
            "employee_number", "pk"
        )
    )
    User.objects.bulk_update(
        [
            User(pk=ids[r["employee_number"]], supervisor_id=ids[r["supervisor_number"]])
            for r in rows
            if r["supervisor_number"] and r["employee_number"] not in existing
        ],
        ["supervisor_id"],
    )
    learners.user_set.add(*[ids[u.employee_number] for u in new])
    return len(new)
