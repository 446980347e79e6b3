#!/usr/bin/env python
"""My learning and the HR roster on PostgreSQL, against a baseline page measured in the same run.

Builds, in a database of its own (`malaka_bench_learning`, dropped and recreated on the
PostgreSQL server at 127.0.0.1, trust auth), a curriculum of 31 live courses of 2 modules × 3
lessons, an org tree (agency → 2 regions → 10 districts → an Inson centre each), PEOPLE staff in
one region, each enrolled in one course (40 % completed, 25 % in progress, 15 % overdue, 20 %
not started, lesson progress to match), a tenth as many outside that region, an HR officer
whose scope is that region, and one learner with 30 enrolments in every state (the first two
made by `lms.learning.services`, the rest bulk-created with the same shape, which is checked).

Then, through django.test.Client (force_login, in-process, no network; test settings, but one
database connection kept across requests as in production rather than one per request), N
requests per page after one warm-up request, p50 and p95 of the full response time (for the
CSV export: until its streaming content is consumed), and one more request under
CaptureQueriesContext for the number of SQL queries, their total time and the slowest one
(printed at the end, with the exports' cost per row):

- baseline: the HR staff list, first page (same site, same user, same 50-row pagination);
- My learning for the learner with 30 enrolments, and for one with a single enrolment (the
  query count must not grow with the courses);
- the roster: first page, last page, state=overdue, and the full CSV and XLSX exports.

Each measurement stops after N requests or BUDGET (20) seconds, whichever comes first (at least
3 requests). The database is dropped at the end unless --keep is given.

    .venv/bin/python bench/learning_pages.py [--requests 30] [--people 5000] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from pagebench import SERVER, Table, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DB = "malaka_bench_learning"
COURSES = 31
MODULES, LESSONS = 2, 3
DISTRICTS = 5  # per region
FIRST = ["Aziz", "Dilnoza", "Bekzod", "Gulnora", "Timur", "Malika", "Shahlo", "Jasur", "Nodira"]
LAST = ["Karimov", "Rahimova", "Yusupov", "Tursunova", "Nazarov", "Saidova", "Alimov", "Ergasheva"]

sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.test"
os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"


def build(people: int) -> dict:
    """The curriculum, the organisation, the people and their enrolments; returns the actors."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from lms.learning import services
    from lms.learning.models import Enrolment, LessonProgress, Notification
    from lms.people.models import OrgUnit, Position, User
    from lms.people.seeding import load_groups
    from tests.factories import course_with_lessons, curriculum_programme

    rng = random.Random(5)
    now = timezone.now()
    today = timezone.localdate()
    load_groups()

    programme = curriculum_programme()
    trees = [
        course_with_lessons(
            programme,
            code=f"CM-{101 + n}",
            title=f"Kurs {n + 1}",
            modules=MODULES,
            lessons=LESSONS,
            cpd_hours=Decimal("3"),
        )
        for n in range(COURSES)
    ]

    agency = OrgUnit.add_root(code="NASP", kind=OrgUnit.Kind.AGENCY, name="Agentlik")
    centres: dict[str, list[OrgUnit]] = {}
    regions = []
    for r in range(2):
        region = agency.add_child(code=f"R{r}", kind=OrgUnit.Kind.REGION, name=f"Viloyat {r}")
        regions.append(region)
        centres[region.code] = []
        for d in range(DISTRICTS):
            district = region.add_child(
                code=f"R{r}-D{d}", kind=OrgUnit.Kind.DISTRICT, name=f"Tuman {r}.{d}"
            )
            centres[region.code].append(
                district.add_child(
                    code=f"R{r}-D{d}-INSON", kind=OrgUnit.Kind.CENTRE, name=f"Markaz {r}.{d}"
                )
            )
    positions = [
        Position.objects.create(code=code, name=code.replace("-", " ").title(), name_en=code)
        for code in ("case-manager", "social-worker", "centre-head", "specialist")
    ]

    password = make_password("malaka-demo")
    outside = max(people // 10, 1)
    users = [
        User(
            username=f"p{n:06d}",
            employee_number=f"E{n:06d}",
            first_name=rng.choice(FIRST),
            last_name=f"{rng.choice(LAST)}-{n % 97}",
            email=f"p{n:06d}@staff.example",
            password=password,
            position=positions[n % len(positions)],
            org_unit=centres["R0" if n < people else "R1"][n % DISTRICTS],
        )
        for n in range(people + outside)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.filter(username__startswith="p").order_by("username"))
    hr = User.objects.create(
        username="hr", first_name="Shahlo", last_name="Tursunova", scope=regions[0]
    )
    hr.groups.add(Group.objects.get(name="HR officers"))

    # The learner with 30 enrolments: the first two through the services, the shape to copy.
    learner, single = users[0], users[8]  # users[8]: one course, in progress
    made = services.assign(
        trees[0].course, [learner], due_date=today + dt.timedelta(days=30), assigned_by=hr
    )
    assert made.assigned == 1
    services.complete_lesson(learner, trees[0].lessons[0])
    services.self_enrol(learner, trees[1].course)
    reference = Enrolment.objects.get(learner=learner, course=trees[0].course)
    assert reference.status == Enrolment.Status.IN_PROGRESS
    assert (reference.lessons_completed, reference.lessons_total) == (1, MODULES * LESSONS)
    assert reference.lessons.filter(completed_at__isnull=False).count() == 1

    enrolments: list[Enrolment] = []
    progress: list[tuple[Enrolment, list, bool]] = []

    def enrol(person, tree, state: str, n: int) -> None:
        lessons = tree.lessons
        e = Enrolment(
            learner=person,
            course=tree.course,
            source=Enrolment.Source.ASSIGNED if n % 3 else Enrolment.Source.SELF,
            assigned_by=hr if n % 3 else None,
            enrolled_at=now - dt.timedelta(days=60 + n % 200),
            lessons_total=len(lessons),
        )
        done = 0
        if state == "completed":
            e.status = Enrolment.Status.COMPLETED
            e.started_at = e.enrolled_at + dt.timedelta(days=1)
            e.completed_at = now - dt.timedelta(days=n % 400)
            done = len(lessons)
        elif state in ("in_progress", "overdue"):
            e.status = Enrolment.Status.IN_PROGRESS
            e.started_at = e.enrolled_at + dt.timedelta(days=1)
            done = 1 + n % (len(lessons) - 1)
        else:
            e.status = Enrolment.Status.ENROLLED
        if state == "overdue":
            e.due_date = today - dt.timedelta(days=1 + n % 60)
            if n % 2:
                e.status, e.started_at, done = Enrolment.Status.ENROLLED, None, 0
        elif e.source == Enrolment.Source.ASSIGNED:
            e.due_date = today + dt.timedelta(days=3 + n % 90)
        e.lessons_completed = done
        if done:
            e.last_lesson = lessons[done - 1]
        enrolments.append(e)
        progress.append((e, lessons[:done], state == "completed"))

    # The learner's 28 others: 8 completed, 8 in progress, 6 overdue, 6 not started.
    mix = ["completed"] * 8 + ["in_progress"] * 8 + ["overdue"] * 6 + ["enrolled"] * 6
    for n, state in enumerate(mix):
        enrol(learner, trees[2 + n], state, n)
    # Everyone else: one course each.
    shares = ["completed"] * 8 + ["in_progress"] * 5 + ["overdue"] * 3 + ["enrolled"] * 4
    for n, person in enumerate(users[1:], start=1):
        enrol(person, trees[n % COURSES], shares[n % len(shares)], n)
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(
                enrolment=e,
                lesson=lesson,
                opened_at=e.started_at,
                completed_at=e.started_at + dt.timedelta(hours=i + 1),
            )
            for e, lessons, _completed in progress
            for i, lesson in enumerate(lessons)
        ],
        batch_size=5000,
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=learner,
                enrolment=e,
                kind=Notification.Kind.OVERDUE,
                event=f"overdue:{e.due_date}",
            )
            for e in enrolments
            if e.learner_id == learner.pk and e.is_overdue(today)
        ]
    )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"hr": hr, "learner": learner, "single": single}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="requests per measurement")
    parser.add_argument("--people", type=int, default=5000, help="people in the HR's scope")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB}")
    args = parser.parse_args()
    if args.people < 10:
        parser.error("--people must be at least 10")

    started = time.perf_counter()
    recreate_database(DB)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from lms.learning.models import Enrolment, LessonProgress
    from lms.people.scoping import people_q

    # As in production (lms.settings.production): one connection kept across requests, not a
    # new one per request as the test settings do.
    connection.settings_dict["CONN_MAX_AGE"] = 60
    logging.getLogger("kombu").setLevel(logging.ERROR)  # the eager e-mail task's broker note
    try:
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        actors = build(args.people)
        built = time.perf_counter()
        print(
            f"database {DB}: migrated in {migrated - started:.0f} s, built in "
            f"{built - migrated:.0f} s: {args.people:,} people in scope, "
            f"{Enrolment.objects.count():,} enrolments, "
            f"{LessonProgress.objects.count():,} lesson progress rows, {COURSES} courses"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work skews timings)")

        clients = {}
        for role in ("hr", "learner", "single"):
            clients[role] = Client(HTTP_HOST="localhost")
            clients[role].force_login(actors[role])
        staff, mine, roster = (
            reverse("people:staff"),
            reverse("learning:my_learning"),
            reverse("learning:roster"),
        )
        in_scope = Enrolment.objects.current().filter(people_q(actors["hr"], "learner__"))
        last = (in_scope.count() - 1) // 50 + 1
        cases = [
            ("baseline: HR staff list, page 1", "hr", staff),
            ("My learning, 30 enrolments", "learner", mine),
            ("My learning, 1 enrolment", "single", mine),
            ("roster, page 1", "hr", roster),
            (f"roster, page {last} (last)", "hr", f"{roster}?page={last}"),
            ("roster, state=overdue, page 1", "hr", f"{roster}?state=overdue"),
            ("roster, CSV export (all rows)", "hr", f"{roster}?export=csv"),
            ("roster, XLSX export (all rows)", "hr", f"{roster}?export=xlsx"),
        ]
        table = Table("page", 34, args.requests)
        exports = []
        for label, role, url in cases:
            client = clients[role]
            p50, _count = table.measure(label, lambda client=client, url=url: client.get(url))
            if "export" in url:
                exports.append((label, p50))
        table.footer(started)
        table.slowest_query()
        rows = in_scope.count()
        for label, p50 in exports:
            print(f"{label}: {rows:,} rows, {1000 * p50 / rows:.0f} µs per row (p50)")
    finally:
        if not args.keep:
            drop_database(DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
