"""Every interface string is in the catalogues and translated in all four locales."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from content.transliteration import to_cyrillic

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
CODES = ("uz", "uz_Cyrl", "ru", "en")
SOURCES = ("lms", "content", "courses")


def _catalogue(code: str, locale: Path = LOCALE) -> polib.POFile:
    return polib.pofile(str(locale / code / "LC_MESSAGES" / "django.po"))


def _keys(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


@pytest.mark.parametrize("code", CODES)
def test_catalogue_is_fully_translated(code):
    po = _catalogue(code)
    assert len(po) > 100
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]


def test_uzbek_cyrillic_is_the_transliterated_latin():
    latin = {(e.msgctxt, e.msgid): e for e in _catalogue("uz")}
    for entry in _catalogue("uz_Cyrl"):
        source = latin[(entry.msgctxt, entry.msgid)]
        assert entry.msgstr == to_cyrillic(source.msgstr), entry.msgid


def test_catalogues_hold_every_string_in_the_code(tmp_path):
    """makemessages over a copy of the code finds no string the catalogues lack."""
    for name in SOURCES:
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "vendor")
        )
    (tmp_path / "locale").mkdir()
    (tmp_path / "scan_settings.py").write_text(
        f"from lms.settings.test import *  # noqa\nLOCALE_PATHS = [{str(tmp_path / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scan_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ru", "-v0"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    found = _keys(_catalogue("ru", tmp_path / "locale"))
    assert len(found) > 100
    missing = found - _keys(_catalogue("ru"))
    assert not missing, f"run `make messages-update`: {sorted(m[1] for m in missing)[:10]}"
