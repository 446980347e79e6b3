"""Importing GIFT and Moodle XML banks: every supported type arrives whole; a file with a bad
question imports nothing unless the importer chose to skip it; the upload is checked first."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import importing
from assessments.models import ImportJob, Question
from tests import factories as f

from . import builders

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
T = Question.Type


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _import(bank, name, content, fmt, *, skip=False, django_capture_on_commit_callbacks=None):
    user = f.UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.start_import(
            bank, _upload(name, content), fmt, language="uz", skip_problems=skip, user=user
        )
    job.refresh_from_db()
    return job


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go(bank, name, content, fmt, skip=False):
        return _import(
            bank,
            name,
            content,
            fmt,
            skip=skip,
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )

    return go


def test_a_gift_file_with_every_type_imports_completely(run):
    bank = builders.bank()
    job = run(bank, "all_types.gift", (DATA / "all_types.gift").read_bytes(), "gift")
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.imported == job.total > 0
    assert not [p for p in job.problems if p["skipped"]]
    types = set(bank.questions.values_list("type", flat=True))
    assert types == {T.SINGLE, T.MULTIPLE, T.TRUE_FALSE, T.SHORT, T.NUMERIC, T.MATCHING, T.ESSAY}
    first = bank.questions.get(name="First step")
    assert first.text["uz"].startswith("<p>A family is referred")
    assert first.choices.filter(percent=100).count() == 1
    numeric = bank.questions.get(name="Visits per month").choices.get()
    assert (numeric.value, numeric.tolerance) == (4, 0.5)
    matching = bank.questions.get(name="Needs and services")
    assert matching.choices.exclude(match={}).count() >= 2
    assert bank.questions.get(name="Shared duty").correct is True


def test_a_moodle_xml_file_with_every_type_imports_completely(run):
    bank = builders.bank()
    job = run(bank, "all_types.xml", (DATA / "all_types.xml").read_bytes(), "moodle_xml")
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.imported == job.total > 0
    assert not [p for p in job.problems if p["skipped"]]
    types = set(bank.questions.values_list("type", flat=True))
    assert types == {
        T.SINGLE,
        T.MULTIPLE,
        T.TRUE_FALSE,
        T.SHORT,
        T.NUMERIC,
        T.MATCHING,
        T.ESSAY,
        T.ORDERING,
    }
    # Embedded images are reported and their tags do not reach the question text.
    assert any("embedded files" in p["reason"] for p in job.problems)
    assert not any("@@PLUGINFILE@@" in q.text["uz"] for q in bank.questions.all())
    assert bank.questions.filter(tags__name__isnull=False).exists()


BAD_GIFT = b"""::Good::The plan is written with the family.{T}

::Broken::Which comes first?{=assessment ~planning

::Also good::Two plus two?{#4}
"""


def test_a_bad_question_imports_nothing_and_is_reported_with_its_line(run):
    bank = builders.bank()
    job = run(bank, "bad.gift", BAD_GIFT, "gift")
    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was imported" in job.error
    assert not bank.questions.exists()
    [problem] = job.problems
    assert (problem["position"], problem["line"], problem["name"]) == (2, 3, "Broken")
    assert "not closed" in problem["reason"]


def test_the_importer_may_skip_the_bad_questions(run):
    bank = builders.bank()
    job = run(bank, "bad.gift", BAD_GIFT, "gift", skip=True)
    assert job.status == ImportJob.Status.SUCCEEDED
    assert sorted(bank.questions.values_list("name", flat=True)) == ["Also good", "Good"]
    assert job.imported == 2 and job.total == 3


def test_an_xml_file_with_entities_is_refused(run):
    bank = builders.bank()
    evil = b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x "boom">]><quiz>&x;</quiz>'
    job = run(bank, "evil.xml", evil, "moodle_xml")
    assert job.status == ImportJob.Status.FAILED
    assert "DTD" in job.problems[0]["reason"]
    assert not bank.questions.exists()


@pytest.mark.parametrize(
    "name, content, fmt, message",
    [
        ("bank.docx", b"PK\x03\x04", "gift", "Upload a .gift / .txt file"),
        ("bank.xml", b"not xml at all", "moodle_xml", "not an XML file"),
        ("bank.gift", b"\x00\x01binary", "gift", "not a text file"),
    ],
)
def test_uploads_are_checked_before_anything_is_stored(name, content, fmt, message):
    with pytest.raises(ValidationError, match=message):
        importing.check_upload(_upload(name, content), fmt)
    assert not ImportJob.objects.exists()


def test_a_file_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    with pytest.raises(ValidationError, match="larger than"):
        importing.check_upload(_upload("bank.gift", b"x" * 11), "gift")


def test_gift_that_is_not_utf8_fails_with_a_reason(run):
    bank = builders.bank()
    job = run(bank, "latin1.gift", "::Savol::Ishonchmisiz, Müller?{T}".encode("latin-1"), "gift")
    assert job.status == ImportJob.Status.FAILED
    assert "not UTF-8" in job.error
    assert not bank.questions.exists()
