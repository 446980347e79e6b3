"""The Malaka xAPI profile: the verbs, activity types and context extensions the platform
says things with. `profile_document()` renders it as an xAPI Profile (JSON-LD), served at
/xapi/profile/malaka and kept in docs/xapi-profile.jsonld."""

from __future__ import annotations

PROFILE_ID = "https://w3id.org/xapi/malaka"
VERSION_ID = f"{PROFILE_ID}/v1"

VERBS = {
    "registered": (
        "http://adlnet.gov/expapi/verbs/registered",
        "registered",
        "Enrolled in a course.",
    ),
    "launched": (
        "http://adlnet.gov/expapi/verbs/launched",
        "launched",
        "Opened a course or activity.",
    ),
    "experienced": ("http://adlnet.gov/expapi/verbs/experienced", "experienced", "Read a lesson."),
    "progressed": (
        "http://adlnet.gov/expapi/verbs/progressed",
        "progressed",
        "Made progress in a course.",
    ),
    "completed": (
        "http://adlnet.gov/expapi/verbs/completed",
        "completed",
        "Completed a lesson, module or course.",
    ),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed", "Passed an assessment."),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "failed", "Failed an assessment."),
    "attended": (
        "http://adlnet.gov/expapi/verbs/attended",
        "attended",
        "Attended a workshop session.",
    ),
    "earned": ("https://w3id.org/xapi/malaka/verbs/earned", "earned", "Earned a certificate."),
    "attempted": (
        "http://adlnet.gov/expapi/verbs/attempted",
        "attempted",
        "Started an attempt at a quiz, test or survey.",
    ),
    "answered": (
        "http://adlnet.gov/expapi/verbs/answered",
        "answered",
        "Answered a question of a quiz or test.",
    ),
    "scored": (
        "http://adlnet.gov/expapi/verbs/scored",
        "scored",
        "Was given a score (a test, once every answer is marked).",
    ),
    "responded": (
        "http://adlnet.gov/expapi/verbs/responded",
        "responded",
        "Responded to a survey question.",
    ),
}

ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "certificate": "https://w3id.org/xapi/malaka/activity-types/certificate",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "survey": "http://id.tincanapi.com/activitytype/survey",
}

EXTENSIONS = {
    "org_unit": (
        f"{PROFILE_ID}/extensions/org-unit",
        "Code of the learner's org unit (e.g. TAS-C-CHI).",
    ),
    "position": (f"{PROFILE_ID}/extensions/position", "Code of the learner's position."),
    "course_code": (f"{PROFILE_ID}/extensions/course-code", "The course code, e.g. CM-101."),
    "locale": (f"{PROFILE_ID}/extensions/locale", "The interface language: uz, uz-cyrl, ru or en."),
}


def verb(name: str) -> dict:
    iri, display, _ = VERBS[name]
    return {"id": iri, "display": {"en": display}}


def profile_document() -> dict:
    """The profile as JSON-LD (xAPI Profiles specification, ADL 2018)."""
    return {
        "@context": "https://w3id.org/xapi/profiles/context",
        "id": PROFILE_ID,
        "type": "Profile",
        "conformsTo": "https://w3id.org/xapi/profiles#1.0",
        "prefLabel": {"en": "Malaka"},
        "definition": {
            "en": "Statements of the Malaka training platform of the National Agency for Social "
            "Protection (Uzbekistan) and HAUS. Actors are pseudonymous accounts on the "
            "platform's own home page; the enrolment is the registration."
        },
        "author": {"type": "Organization", "name": "National Agency for Social Protection"},
        "versions": [{"id": VERSION_ID, "generatedAtTime": "2026-11-22T00:00:00Z"}],
        "concepts": [
            *[
                {
                    "id": iri,
                    "type": "Verb",
                    "inScheme": VERSION_ID,
                    "prefLabel": {"en": display},
                    "definition": {"en": meaning},
                }
                for iri, display, meaning in VERBS.values()
            ],
            *[
                {
                    "id": iri,
                    "type": "ActivityType",
                    "inScheme": VERSION_ID,
                    "prefLabel": {"en": name},
                    "definition": {"en": f"A {name} of the Malaka curriculum."},
                }
                for name, iri in ACTIVITY_TYPES.items()
            ],
            *[
                {
                    "id": iri,
                    "type": "ContextExtension",
                    "inScheme": VERSION_ID,
                    "prefLabel": {"en": key.replace("_", " ")},
                    "definition": {"en": meaning},
                }
                for key, (iri, meaning) in EXTENSIONS.items()
            ],
        ],
    }
