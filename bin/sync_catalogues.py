#!/usr/bin/env python
"""Keep the four interface catalogues consistent after `makemessages`:

- set each catalogue's language and plural rule;
- English (the source language): every msgstr is its msgid;
- Uzbek Cyrillic: every msgstr is the Uzbek Latin translation, transliterated by the project's
  own transliterator (content/transliteration.py), so the two scripts never drift apart.

Run: .venv/bin/python bin/sync_catalogues.py  (then `manage.py compile_translations`).
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content.transliteration import to_cyrillic  # noqa: E402

LOCALE = ROOT / "locale"
PLURALS = {
    "uz": "nplurals=1; plural=0;",
    "uz_Cyrl": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
    "ru": (
        "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<12 || n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || "
        "(n%100>=11 && n%100<=14)? 2 : 3);"
    ),
}
LANGUAGE = {"uz": "uz", "uz_Cyrl": "uz-Cyrl", "en": "en", "ru": "ru"}


def load(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"), wrapwidth=100)


def set_header(po: polib.POFile, code: str) -> None:
    po.metadata["Language"] = LANGUAGE[code]
    po.metadata["Plural-Forms"] = PLURALS[code]
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Project-Id-Version"] = "Malaka"
    po.metadata.pop("Language-Team", None)
    po.metadata.pop("Last-Translator", None)


def main() -> int:
    uz = load("uz")
    set_header(uz, "uz")
    uz.save()

    en = load("en")
    set_header(en, "en")
    for entry in en:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    en.save()

    latin = {(e.msgctxt, e.msgid): e for e in uz}
    cyrl = load("uz_Cyrl")
    set_header(cyrl, "uz_Cyrl")
    missing = 0
    for entry in cyrl:
        source = latin.get((entry.msgctxt, entry.msgid))
        if source is None or not source.translated():
            missing += 1
            entry.msgstr = ""
            entry.msgstr_plural = {0: ""} if entry.msgid_plural else {}
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: to_cyrillic(source.msgstr_plural[0])}
        else:
            entry.msgstr = to_cyrillic(source.msgstr)
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    cyrl.save()
    for code in ("uz", "ru"):
        po = load(code)
        if code == "ru":
            set_header(po, "ru")
            po.save()
        untranslated = len(po.untranslated_entries()) + len(po.fuzzy_entries())
        print(f"{code}: {po.percent_translated()}% translated, {untranslated} to do")
    print(f"uz_Cyrl: transliterated from uz, {missing} waiting for an Uzbek Latin translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
