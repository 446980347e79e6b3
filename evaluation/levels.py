"""Kirkpatrick's levels beside the effects: reaction (surveys), learning (pre/post gain),
behaviour (follow-up surveys) and results (the indicator effects).

The assessments part records surveys and pre/post tests; it reports them here through
``register`` (as the completion engine does), so evaluation never imports it. Until a source is
registered for a level, the study says that level is not recorded rather than showing zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: level → function(course_keys, units_root) → dict of figures for that level
_SOURCES: dict[str, Callable[..., dict[str, Any] | None]] = {}

LEVELS = ("reaction", "learning", "behaviour")


def register(level: str, source: Callable[..., dict[str, Any] | None]) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    _SOURCES[level] = source


def unregister(level: str) -> None:
    _SOURCES.pop(level, None)


def collect(course_keys: Sequence[str], units_root: Any) -> dict[str, dict[str, Any] | None]:
    """Each level's figures for these courses and units, or None where nothing records it."""
    return {
        level: (_SOURCES[level](course_keys, units_root) if level in _SOURCES else None)
        for level in LEVELS
    }


@dataclass(frozen=True)
class LearningGain:
    """Pre/post gain of a group on a test scored out of ``max_score``."""

    learners: int  # took the pre-test
    paired: int  # took both
    completion_rate: float  # paired / learners
    mean_pre: float
    mean_post: float
    hake_gain: float  # class-average normalised gain <g> = (post − pre) / (max − pre)
    mean_individual_gain: float  # mean of each learner's (post − pre) / (max − pre)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def learning_gain(
    pairs: Iterable[tuple[float, float | None]], max_score: float = 100.0
) -> LearningGain | None:
    """Hake's normalised gain on matched pairs (pre, post); a learner without a post-test
    counts in the completion rate only. Learners already at the maximum on the pre-test have no
    room to gain and are left out of the individual mean (their gain is undefined)."""
    rows = list(pairs)
    if not rows:
        return None
    paired = [(pre, post) for pre, post in rows if post is not None]
    if not paired:
        return None
    mean_pre = sum(p for p, _ in paired) / len(paired)
    mean_post = sum(q for _, q in paired) / len(paired)
    room = max_score - mean_pre
    individual = [(q - p) / (max_score - p) for p, q in paired if p < max_score]
    return LearningGain(
        learners=len(rows),
        paired=len(paired),
        completion_rate=len(paired) / len(rows),
        mean_pre=mean_pre,
        mean_post=mean_post,
        hake_gain=(mean_post - mean_pre) / room if room > 0 else 0.0,
        mean_individual_gain=sum(individual) / len(individual) if individual else 0.0,
    )
