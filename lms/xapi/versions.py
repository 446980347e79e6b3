"""The xAPI version a request speaks, from its X-Experience-API-Version header.

1.0.3 §6.2 / 2.0 §4.1.2: every request carries the header; the LRS answers in the version
asked for and rejects a version it does not support with 400."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = "X-Experience-API-Version"
SUPPORTED = ("1.0.3", "2.0.0")


class UnsupportedVersion(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    number: str  # "1.0.3" or "2.0.0": the behaviour, whatever patch level was asked for

    @property
    def is_2(self) -> bool:
        return self.number.startswith("2.")

    @classmethod
    def parse(cls, header: str | None) -> Version:
        if not header:
            raise UnsupportedVersion(f"the {HEADER} header is required")
        value = header.strip()
        if re.fullmatch(r"1\.0(\.\d+)?", value):
            return cls("1.0.3")
        if re.fullmatch(r"2\.0(\.\d+)?", value):
            return cls("2.0.0")
        raise UnsupportedVersion(
            f"{HEADER} {value!r} is not supported; use one of {', '.join(SUPPORTED)}"
        )


V1 = Version("1.0.3")
V2 = Version("2.0.0")
