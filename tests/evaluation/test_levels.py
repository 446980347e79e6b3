"""Kirkpatrick's levels: the learning gain from pre/post tests, and the registry through which
other parts report reaction, learning and behaviour."""

import numpy as np
import pytest

from evaluation import levels

TRUE_GAIN = 0.4


def simulated_scores(seed: int, learners: int = 500, gain: float = TRUE_GAIN, noise: float = 3.0):
    """Pre ~ U(20, 70); post = pre + g·(100 − pre) + noise, clipped to 0..100."""
    rng = np.random.default_rng(seed)
    pre = rng.uniform(20, 70, learners)
    post = np.clip(pre + gain * (100 - pre) + rng.normal(0, noise, learners), 0, 100)
    return pre, post


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_hakes_gain_recovers_the_true_normalised_gain(seed):
    pre, post = simulated_scores(seed)
    result = levels.learning_gain(zip(pre.tolist(), post.tolist(), strict=True))
    # Without noise every learner gains exactly g, and so does the class average.
    assert abs(result.hake_gain - TRUE_GAIN) < 0.02
    assert abs(result.mean_individual_gain - TRUE_GAIN) < 0.02
    assert result.learners == result.paired == 500
    assert result.completion_rate == 1.0
    assert result.mean_pre == pytest.approx(pre.mean())
    assert result.mean_post == pytest.approx(post.mean())


def test_hakes_gain_is_the_gain_of_the_class_averages():
    result = levels.learning_gain([(40, 70), (60, 80)])
    # <g> = (75 − 50) / (100 − 50); individual gains 0.5 and 0.5.
    assert result.hake_gain == pytest.approx(0.5)
    assert result.mean_individual_gain == pytest.approx(0.5)
    uneven = levels.learning_gain([(20, 60), (80, 85)])
    assert uneven.hake_gain == pytest.approx((72.5 - 50) / 50)
    assert uneven.mean_individual_gain == pytest.approx((0.5 + 0.25) / 2)


def test_learners_without_a_post_test_count_in_the_completion_rate_only():
    result = levels.learning_gain([(40, 70), (60, 80), (30, None), (90, None)])
    assert result.learners == 4
    assert result.paired == 2
    assert result.completion_rate == 0.5
    assert result.mean_pre == 50  # the unpaired pre-tests are not averaged in
    assert result.hake_gain == pytest.approx(0.5)
    assert result.as_dict()["completion_rate"] == 0.5


def test_learners_at_the_maximum_on_the_pre_test_are_left_out_of_the_individual_mean():
    result = levels.learning_gain([(100, 100), (100, 90), (50, 75)])
    assert result.mean_individual_gain == pytest.approx(0.5)
    assert result.paired == 3  # they still count in the class averages
    assert result.mean_pre == pytest.approx(250 / 3)


def test_the_maximum_score_can_be_other_than_100():
    result = levels.learning_gain([(10, 15), (4, 16)], max_score=20)
    assert result.hake_gain == pytest.approx((15.5 - 7) / (20 - 7))
    assert result.mean_individual_gain == pytest.approx((0.5 + 0.75) / 2)


def test_no_pre_tests_give_no_learning_gain():
    assert levels.learning_gain([]) is None
    assert levels.learning_gain(iter([])) is None


# -- the registry ---------------------------------------------------------------------------------


@pytest.fixture
def sources(monkeypatch):
    """An empty registry for the test, so no source leaks into others."""
    monkeypatch.setattr(levels, "_SOURCES", {})
    return levels._SOURCES


def test_an_unregistered_level_is_reported_as_not_recorded(sources):
    assert levels.collect(["key"], None) == {"reaction": None, "learning": None, "behaviour": None}


def test_a_registered_source_is_asked_with_the_courses_and_units(sources):
    calls = []

    def reaction(course_keys, units_root):
        calls.append((course_keys, units_root))
        return {"respondents": 12, "satisfied": 0.8}

    root = object()
    levels.register("reaction", reaction)
    result = levels.collect(["a", "b"], root)
    assert calls == [(["a", "b"], root)]
    assert result == {
        "reaction": {"respondents": 12, "satisfied": 0.8},
        "learning": None,
        "behaviour": None,
    }
    levels.unregister("reaction")
    assert levels.collect(["a"], root)["reaction"] is None
    levels.unregister("reaction")  # unregistering twice is harmless


def test_only_the_known_levels_can_be_registered(sources):
    with pytest.raises(ValueError, match="unknown level 'results'"):
        levels.register("results", lambda keys, root: {})
    assert sources == {}
