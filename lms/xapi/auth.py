"""Who is calling: HTTP Basic key and secret, checked against the credential's keyed hash."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Credential

_credentials: dict[str, tuple[float, Credential | None]] = {}
CREDENTIAL_TTL = 30.0


def known_credential(key: str) -> Credential | None:
    """Credentials are read once per process and key for CREDENTIAL_TTL seconds (a change in
    this process clears it at once, see models): one query fewer on every request."""
    now = time.monotonic()
    hit = _credentials.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    from .models import Credential

    credential = Credential.objects.filter(key=key, is_active=True).first()
    if len(_credentials) > 10_000:
        _credentials.clear()
    _credentials[key] = (now + CREDENTIAL_TTL, credential)
    return credential


def forget_credential(key: str) -> None:
    _credentials.pop(key, None)
