"""The roster import really runs in a Celery worker (Redis in CI, the in-memory broker
elsewhere), and its progress is visible while it runs."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from lms import celery_app
from lms.people import services
from lms.people.models import RosterImport, User
from tests.factories import PositionFactory, org_tree
from tests.people.test_services_roster import csv_file, roster_rows

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        celery_app.conf.task_always_eager = previous


def test_import_runs_in_a_worker_and_reports_progress(worker):
    tree = org_tree(regions=1, districts=2)
    PositionFactory(code="social-worker")
    PositionFactory(code="case-manager")
    job = services.start_roster_import(csv_file(roster_rows(tree, 300)), tree["agency"], None)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.05)

    assert job.status == RosterImport.Status.SUCCEEDED, job.errors
    assert job.percent == 100
    assert job.processed_rows == 300
    assert User.objects.filter(employee_number__startswith="N").count() == 300
