"""Uzbek Latin → Uzbek Cyrillic transliteration.

Used to pre-fill the `uz-cyrl` translation of a page from its `uz` source, as a draft for an
editor to review (see content/translation.py). The rules follow the 1995 Latin alphabet and
its Cyrillic counterpart:

- oʻ and gʻ → ў and ғ, whatever apostrophe the author typed (U+02BB, U+2018, U+2019, U+02BC,
  U+0060 or U+0027);
- sh, ch → ш, ч; ng is н + г; sʼh (as in Isʼhoq) → сҳ;
- yo, yu, ya, ye → ё, ю, я, е (but yoʻ → йў);
- e → э at the start of a word and after a vowel, е elsewhere;
- ts → ц at the start of a word and in loanwords (-tsiya, -tsion, sotsial, protsess …);
- the tutuq belgisi (ʼ) between letters → ъ;
- all-capital Latin abbreviations (ISO, HAUS, SMART) and URLs are kept as they are.

HTML is transliterated in its text only; tags, attributes and entities are left untouched.
"""

from __future__ import annotations

import re

#: Characters authors use for the oʻ/gʻ mark and the tutuq belgisi.
APOSTROPHES = "\u02bb\u02bc\u2018\u2019\u0060\u0027\u02b9\u00b4"
VOWELS = set("aeiouʻ") | set("аеиоуўэюяё")

_SINGLE = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "ҳ",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "в",
    "x": "х",
    "y": "й",
    "z": "з",
}
_IOTATED = {"yo": "ё", "yu": "ю", "ya": "я", "ye": "е"}

#: Whole words whose Cyrillic spelling the rules cannot derive (Russian loanwords with ъ or ь).
EXCEPTIONS = {
    "obyekt": "объект",
    "obyektiv": "объектив",
    "subyekt": "субъект",
    "subyektiv": "субъектив",
    "podyezd": "подъезд",
    "inyeksiya": "инъекция",
    "yanvar": "январь",
    "fevral": "февраль",
    "aprel": "апрель",
    "iyun": "июнь",
    "iyul": "июль",
    "sentyabr": "сентябрь",
    "oktyabr": "октябрь",
    "noyabr": "ноябрь",
    "dekabr": "декабрь",
}
#: Loanword stems in which "ts" is the letter ц even between a vowel and a consonant.
_TS_STEMS = ("protsess", "protsedur", "pretsedent", "dotsent", "kvitsa", "sotsial", "sitsenz")
#: Loanwords whose ц the Latin alphabet writes as a plain "s" before -iya/-ion (kompetensiya →
#: компетенция, korrupsiya → коррупция). Listed by the letters before that "s"; the short ones
#: count only at the start of a word, so that refleksiya and pensiya keep their с.
_S_TSE_STEMS = (
    "kompeten",
    "konferen",
    "tenden",
    "interven",
    "distan",
    "instan",
    "korrup",
    "konsep",
    "funk",
    "reak",
    "instruk",
    "konstruk",
    "infek",
    "kollek",
    "inspek",
    "redak",
    "direk",
    "produk",
    "frak",
)
_S_TSE_INITIAL_STEMS = ("ak", "sek", "lek", "stan")

_WORD_RE = re.compile(r"[^\W\d_][\w" + re.escape(APOSTROPHES) + r"]*")
#: Foreign proper names kept in Latin script (the statistical methods named after their
#: authors, the HTTP scheme word): a letter-by-letter rendering would be wrong.
_LATIN_NAMES = (
    "Callaway",
    "Sant[ʼ’']Anna",
    "Borusyak",
    "Jaravel",
    "Spiess",
    "Sun",
    "Abraham",
    "Goodman",
    "Bacon",
    "Bearer",
    "H5P",
    "Moodle",
    "Hake",
    "Likert",
)
#: Kept as written: URLs, e-mail addresses, format placeholders, XML element names such as
#: <quiz>, the names a program reads
#: (`code`, snake_case identifiers, "quoted" lower-case ASCII words such as API values),
#: period codes such as 2025-Q1, and the names above.
_PROTECTED_RE = re.compile(
    r"(https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|\{[^}]*\}|%\([^)]*\)[sd]|%[sd]"
    r"|`[^`]*`|\b[A-Za-z]+(?:_[A-Za-z]+)+\b|\"[a-z][a-z_]*\"|\b\d{4}-Q[1-4]\b"
    r"|\b(?:" + "|".join(_LATIN_NAMES) + r")\b|<[a-z]+>"
    r"|(?:\b[\w.-]+)?\.(?:json|h5p|js|css|csv|xlsx|gift|txt|xml)\b"
    r"|\b[a-z]+[A-Z][A-Za-z]*\b|\bcontent/)"
)
_HTML_RE = re.compile(r"(<[^>]*>|&#?\w+;)")


def _is_letter(ch: str) -> bool:
    return ch.isalpha() or ch == "\u02bb"


def _recase(source: str, target: str) -> str:
    if source.isupper() and len(source) > 1 and target:
        return target.upper()
    if source[:1].isupper():
        return target[:1].upper() + target[1:]
    return target


def _word(word: str) -> str:
    """Transliterate one word (letters and apostrophes)."""
    letters = [c for c in word if c.isalpha()]
    if (
        len(letters) >= 2
        and all(c.isupper() for c in letters)
        and not any(c in APOSTROPHES for c in word)
    ):
        return word  # an abbreviation: ISO, HAUS, SMART
    lower = word.lower()
    if lower in EXCEPTIONS:
        return _recase(word, EXCEPTIONS[lower])

    out: list[str] = []
    i, n = 0, len(word)
    prev_letter = ""  # the last Latin letter consumed, lowercase
    while i < n:
        ch = word[i]
        low = lower[i]
        nxt = lower[i + 1] if i + 1 < n else ""
        nxt2 = lower[i + 2] if i + 2 < n else ""
        if low in "og" and nxt and nxt in APOSTROPHES:
            out.append(_recase(ch, "ў" if low == "o" else "ғ"))
            i, prev_letter = i + 2, "oʻ" if low == "o" else "g"
            continue
        if low == "s" and nxt in APOSTROPHES and nxt2 == "h":
            out.append(_recase(ch, "с") + _recase(word[i + 2], "ҳ"))
            i, prev_letter = i + 3, "h"
            continue
        if low in "sc" and nxt == "h":
            out.append(_recase(word[i : i + 2], "ш" if low == "s" else "ч"))
            i, prev_letter = i + 2, "h"
            continue
        if low == "y" and nxt in "ouae" and nxt:
            if nxt == "o" and nxt2 and nxt2 in APOSTROPHES:
                out.append(_recase(ch, "й"))  # yoʻl → йўл
                i, prev_letter = i + 1, "y"
                continue
            out.append(_recase(word[i : i + 2], _IOTATED[low + nxt]))
            i, prev_letter = i + 2, nxt
            continue
        if low == "t" and nxt == "s" and nxt2 != "h" and _ts_is_tse(lower, i):
            out.append(_recase(word[i : i + 2], "ц"))
            i, prev_letter = i + 2, "s"
            continue
        if low == "s" and _s_is_tse(lower, i):
            out.append(_recase(ch, "ц"))
            i, prev_letter = i + 1, "s"
            continue
        if low == "e":
            initial = i == 0 or not _is_letter(word[i - 1])
            after_vowel = prev_letter in {"a", "e", "i", "o", "u", "oʻ"}
            out.append(_recase(ch, "э" if initial or after_vowel else "е"))
            i, prev_letter = i + 1, "e"
            continue
        if ch in APOSTROPHES:
            between = 0 < i < n - 1 and word[i - 1].isalpha() and word[i + 1].isalpha()
            out.append("ъ" if between else ch)
            i += 1
            continue
        mapped = _SINGLE.get(low)
        if mapped is None:
            out.append(ch)
        else:
            out.append(_recase(ch, mapped))
            prev_letter = low
        i += 1
    return "".join(out)


def _ts_is_tse(lower: str, i: int) -> bool:
    """Whether "ts" at position i of a lowercase word is the letter ц."""
    if i == 0:
        return True  # tsex, tsikl, tsement
    rest = lower[i + 2 :]
    if rest.startswith(("iya", "io", "ia", "iy")):
        return True  # operatsiya, ratsional, sotsial
    for stem in _TS_STEMS:
        start = lower.find(stem)
        if start >= 0 and start + stem.index("ts") == i:
            return True
    return False


def _s_is_tse(lower: str, i: int) -> bool:
    """Whether a plain "s" at position i of a lowercase word is the letter ц (kompetensiya)."""
    if not lower.startswith(("iya", "ion"), i + 1):
        return False
    before = lower[:i]
    if before in _S_TSE_INITIAL_STEMS:
        return True
    return before.endswith(_S_TSE_STEMS)


def _text(text: str) -> str:
    """Transliterate plain text, keeping URLs, e-mail addresses and format placeholders."""
    parts = _PROTECTED_RE.split(text)
    for k in range(0, len(parts), 2):
        parts[k] = _WORD_RE.sub(lambda m: _word(m.group(0)), parts[k])
    return "".join(parts)


def to_cyrillic(text: str) -> str:
    """Uzbek Latin plain text → Uzbek Cyrillic."""
    return _text(text)


def html_to_cyrillic(html: str) -> str:
    """Uzbek Latin HTML → Uzbek Cyrillic, touching text nodes only."""
    parts = _HTML_RE.split(html)
    for k in range(0, len(parts), 2):
        parts[k] = _text(parts[k])
    return "".join(parts)
