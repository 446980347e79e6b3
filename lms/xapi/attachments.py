"""Attachments sent in multipart/mixed requests and returned with ``attachments=true``
(1.0.3 §2.4.11 and §4.1.11, 2.0 §4.1.6.1 / §2.4.11), and signed statements (1.0.3 §2.6).

The parser is written here rather than borrowed from `email`: the LRS must see each part's
bytes exactly as sent (hashes are computed over them) and its headers as given.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .store import XAPIError, comparable_statement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_ALGORITHMS = {"RS256": "sha256", "RS384": "sha384", "RS512": "sha512"}
DIGESTS = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


@dataclass
class Part:
    headers: dict[str, str]
    content: bytes


@dataclass
class Parsed:
    body: object  # the JSON of the first part
    parts: dict[str, Part] = field(default_factory=dict)  # by lower-case sha2


def boundary_of(content_type: str) -> str:
    match = re.search(r'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    if not match:
        raise XAPIError("multipart/mixed needs a boundary parameter")
    return match.group(1)


def split(body: bytes, boundary: str) -> list[Part]:
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise XAPIError("the multipart body is not closed by its boundary")
    parts = []
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n"):
            raise XAPIError("a multipart boundary must be followed by CRLF")
        head, separator, content = chunk[2:].partition(b"\r\n\r\n")
        if not separator:
            raise XAPIError("a multipart part has no blank line after its headers")
        if not content.endswith(b"\r\n"):
            raise XAPIError("a multipart part must end with CRLF before the boundary")
        headers = {}
        for line in head.split(b"\r\n"):
            if not line.strip():
                continue
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise XAPIError(f"malformed multipart header {name!r}")
            headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers=headers, content=content[:-2]))
    return parts


def parse(body: bytes, content_type: str) -> Parsed:
    parts = split(body, boundary_of(content_type))
    if not parts:
        raise XAPIError("the multipart body is empty")
    first, rest = parts[0], parts[1:]
    if first.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise XAPIError("the first part of a multipart request must be application/json")
    try:
        statements = json.loads(first.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise XAPIError(f"the statement part is not valid JSON: {error}") from error
    parsed = Parsed(body=statements)
    for index, part in enumerate(rest, start=2):
        sha2 = part.headers.get("x-experience-api-hash")
        if not sha2:
            raise XAPIError(f"multipart part {index} has no X-Experience-API-Hash header")
        encoding = part.headers.get("content-transfer-encoding")
        if encoding is None or encoding.lower() != "binary":
            raise XAPIError(f"multipart part {index} must have Content-Transfer-Encoding: binary")
        digest = DIGESTS.get(len(sha2))
        if digest is None or digest(part.content).hexdigest() != sha2.lower():
            raise XAPIError(f"multipart part {index}: the content does not match its hash")
        parsed.parts[sha2.lower()] = part
    return parsed


def check(statements: list[dict], parts: dict[str, Part]) -> None:
    """Every attachment without fileUrl has its part; every part belongs to an attachment;
    signatures are checked."""
    declared: set[str] = set()
    for statement in statements:
        for attachment in statement.get("attachments", []):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if "fileUrl" not in attachment and sha2 not in parts:
                raise XAPIError(f"attachment {sha2[:12]}… has neither a fileUrl nor a part")
            if attachment["usageType"] == SIGNATURE:
                if sha2 not in parts:
                    raise XAPIError("a signature attachment must be sent as a part")
                if attachment["contentType"] != "application/octet-stream":
                    raise XAPIError(
                        "a signature attachment's contentType is application/octet-stream"
                    )
                verify_signature(statement, parts[sha2].content)
    unused = set(parts) - declared
    if unused:
        raise XAPIError("a multipart part matches no attachment of the statements")


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_signature(statement: dict, jws: bytes) -> None:
    """1.0.3 §2.6: a JWS (compact form) whose payload is the statement as it was before the
    signature attachment was added; RS256/384/512; if it carries an X.509 chain (x5c), the
    signature must verify with that certificate's key."""
    try:
        header_b64, payload_b64, signature_b64 = jws.decode("ascii").strip().split(".")
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
        signature = _b64url(signature_b64)
    except (UnicodeDecodeError, ValueError) as error:
        raise XAPIError("the signature is not a JWS in compact form") from error
    if not isinstance(header, dict) or header.get("alg") not in SIGNATURE_ALGORITHMS:
        raise XAPIError("a statement signature must use RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise XAPIError("the signature's payload is not a statement")
    original = {
        **statement,
        "attachments": [a for a in statement.get("attachments", []) if a["usageType"] != SIGNATURE],
    }
    if not original["attachments"]:
        del original["attachments"]
    if "id" in payload and "id" not in original:
        original["id"] = payload["id"]
    if comparable_statement(payload) != comparable_statement(original):
        raise XAPIError("the signature's payload differs from the statement")
    if "x5c" in header:
        _verify_rsa(header, header_b64, payload_b64, signature)


def _verify_rsa(header: dict, header_b64: str, payload_b64: str, signature: bytes) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        key = certificate.public_key()
        algorithm = getattr(hashes, SIGNATURE_ALGORITHMS[header["alg"]].upper())()
        key.verify(
            signature,
            f"{header_b64}.{payload_b64}".encode("ascii"),
            padding.PKCS1v15(),
            algorithm,
        )
    except (InvalidSignature, ValueError, TypeError, IndexError, KeyError) as error:
        raise XAPIError(
            "the statement signature does not verify with its x5c certificate"
        ) from error


def path_of(sha2: str) -> str:
    return f"xapi/attachments/{sha2[:2]}/{sha2}"


def save_parts(parts: dict[str, Part]) -> None:
    """File storage addressed by SHA-2: the same content is stored once."""
    for sha2, part in parts.items():
        path = path_of(sha2)
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(part.content))


def multipart_response(body: dict, statements: list[dict]) -> tuple[bytes, str]:
    """A StatementResult (or one statement) followed by the attachments it names that the
    LRS holds (attachments=true)."""
    boundary = (
        "malaka-" + hashlib.sha1(json.dumps(body).encode(), usedforsecurity=False).hexdigest()
    )
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        b"\r\n",
    ]
    seen = set()
    for statement in statements:
        for attachment in statement.get("attachments", []):
            sha2 = attachment["sha2"].lower()
            if sha2 in seen or not default_storage.exists(path_of(sha2)):
                continue
            seen.add(sha2)
            with default_storage.open(path_of(sha2), "rb") as handle:
                content = handle.read()
            head = (
                f"--{boundary}\r\nContent-Type: {attachment['contentType']}\r\n"
                f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n"
            )
            chunks += [
                head.encode(),
                content,
                b"\r\n",
            ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'
