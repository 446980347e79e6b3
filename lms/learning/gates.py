"""Lesson gates: activities inside a lesson (a quiz, a scored H5P exercise) that must be done
before the lesson counts as complete.

The parts owning those activities register a provider (as criteria providers do for courses):
``register(name, provider)`` where ``provider(enrolment, lesson)`` returns the lesson's gates of
that kind, each with its label and whether the learner has met it. ``learning`` never imports
those parts. When a learner finishes such an activity, its part calls
``services.activity_done(learner, lesson)``: the lesson is completed once every gate is met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Gate:
    label: str
    met: bool


#: name → provider(enrolment, lesson) → list[Gate]
_PROVIDERS: dict[str, Callable[..., list[Gate]]] = {}


def register(name: str, provider: Callable[..., list[Gate]]) -> None:
    _PROVIDERS[name] = provider


def gates(enrolment, lesson) -> list[Gate]:
    """Every gate of the lesson (the default-locale page), in provider order."""
    found: list[Gate] = []
    for provider in _PROVIDERS.values():
        found.extend(provider(enrolment, lesson))
    return found


def unmet(enrolment, lesson) -> list[Gate]:
    return [gate for gate in gates(enrolment, lesson) if not gate.met]
