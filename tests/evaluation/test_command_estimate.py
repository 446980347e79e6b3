"""`manage.py evaluation_estimate`: estimate on a panel in a CSV file, for scripts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evaluation import estimators, simulation

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"method", "att", "se", "ci_low", "ci_high", "event_study"}
ROW_KEYS = {"event_time", "att", "se", "ci_low", "ci_high"}


@pytest.fixture(scope="module")
def truth():
    return simulation.generate(0)


@pytest.fixture(scope="module")
def panel_csv(truth, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    truth.to_frame()[["unit", "period", "outcome", "first_treated"]].to_csv(path, index=False)
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluation_estimate", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("method", ["cs", "bjs", "sa", "twfe"])
def test_the_command_prints_the_estimate_as_json(method, panel_csv, truth):
    result = json.loads(
        run("--panel", str(panel_csv), "--method", method, "--json", "--bootstrap", "199")
    )
    assert set(result) == KEYS
    assert result["method"] == method
    assert result["ci_low"] < result["att"] < result["ci_high"]
    assert result["se"] > 0
    assert result["event_study"]
    for row in result["event_study"]:
        assert set(row) == ROW_KEYS
        assert isinstance(row["event_time"], int)
    _lo, hi = estimators.event_window(estimators.check_panel(truth.to_frame()))
    assert {r["event_time"] for r in result["event_study"] if r["event_time"] >= 0} == set(
        range(0, hi + 1)
    )
    if method == "cs":
        assert abs(result["att"] - truth.att) < 1.0


def test_the_command_prints_text_without_json(panel_csv):
    text = run("--panel", str(panel_csv), "--method", "twfe")
    lines = text.splitlines()
    assert lines[0].startswith("twfe: ATT ") and "95% CI" in lines[0]
    assert any(line.strip().startswith("e=+0:") for line in lines[1:])


def test_a_panel_without_a_column_is_refused_with_the_reason(tmp_path, truth):
    path = tmp_path / "panel.csv"
    truth.to_frame()[["unit", "period", "outcome"]].to_csv(path, index=False)
    with pytest.raises(CommandError, match=r"lacks the column\(s\) first_treated"):
        run("--panel", str(path), "--method", "cs", "--json")


def test_a_file_that_cannot_be_read_is_refused(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run("--panel", str(tmp_path / "absent.csv"), "--json")


def test_an_unknown_method_is_refused(panel_csv):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--panel", str(panel_csv), "--method", "ols")


def test_the_command_runs_from_the_shell(panel_csv, truth):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test"}
    done = subprocess.run(
        [
            sys.executable,  # the project's .venv/bin/python when the tests run in it
            "manage.py",
            "evaluation_estimate",
            "--panel",
            str(panel_csv),
            "--method",
            "cs",
            "--json",
            "--bootstrap",
            "199",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == KEYS and result["method"] == "cs"
    assert abs(result["att"] - truth.att) < 1.0
    assert all(set(row) == ROW_KEYS for row in result["event_study"])
