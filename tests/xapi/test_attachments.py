"""Attachments in multipart/mixed, returned with attachments=true; signed statements."""

import base64
import datetime
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.xapi.conftest import new_id, statement

pytestmark = pytest.mark.django_db
BOUNDARY = "malaka-test-boundary"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def attachment(
    content: bytes, usage="https://malaka.uz/xapi/attachments/certificate", kind="text/plain"
):
    return {
        "usageType": usage,
        "display": {"en": "file"},
        "contentType": kind,
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }


def multipart(body, *parts, encoding="binary"):
    chunks = [
        f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(body).encode(),
        b"\r\n",
    ]
    for content, sha2 in parts:
        chunks += [
            f"--{BOUNDARY}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: {encoding}\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode(),
            content,
            b"\r\n",
        ]
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def post(lrs, body, content_type=f"multipart/mixed; boundary={BOUNDARY}"):
    return lrs.client.post("/xapi/statements", body, content_type=content_type, headers=lrs.headers)


def test_an_attachment_travels_in_and_out(lrs):
    content = "Sertifikat: CM-101 — oʻqish yakunlandi\r\n".encode()
    data = statement(attachments=[attachment(content)])
    response = post(lrs, multipart(data, (content, hashlib.sha256(content).hexdigest())))
    assert response.status_code == 200, response.content
    [statement_id] = response.json()

    plain = lrs.get({"statementId": statement_id})
    assert plain["Content-Type"] == "application/json"
    full = lrs.get({"statementId": statement_id, "attachments": "true"})
    assert full["Content-Type"].startswith("multipart/mixed")
    assert content in full.content
    assert f"X-Experience-API-Hash: {hashlib.sha256(content).hexdigest()}".encode() in full.content


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda c, s: (statement(attachments=[attachment(c)]), []), "neither a fileUrl nor a part"),
        (lambda c, s: (statement(), [(c, s)]), "matches no attachment"),
        (
            lambda c, s: (statement(attachments=[attachment(c)]), [(c + b"!", s)]),
            "does not match its hash",
        ),
    ],
)
def test_parts_and_attachments_must_match(lrs, build, message):
    content = b"hello"
    body, parts = build(content, hashlib.sha256(content).hexdigest())
    response = post(lrs, multipart(body, *parts))
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_attachment_data_needs_multipart(lrs):
    response = lrs.post(statement(attachments=[attachment(b"x")]))
    assert response.status_code == 400
    with_url = attachment(b"x") | {"fileUrl": "https://malaka.uz/files/x.txt"}
    assert lrs.post(statement(attachments=[with_url])).status_code == 200


def test_a_part_must_be_binary_encoded(lrs):
    content = b"hello"
    body = statement(attachments=[attachment(content)])
    response = post(
        lrs, multipart(body, (content, hashlib.sha256(content).hexdigest()), encoding="base64")
    )
    assert response.status_code == 400
    assert "binary" in response.json()["error"]["message"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Malaka test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def _jws(payload: dict, key, x5c: str, alg="RS256") -> bytes:
    header = _b64(json.dumps({"alg": alg, "x5c": [x5c]}).encode())
    body = _b64(json.dumps(payload).encode())
    signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{_b64(signature)}".encode()


def _signed(payload: dict, jws: bytes) -> bytes:
    signature = attachment(jws, usage=SIGNATURE, kind="application/octet-stream")
    data = {**payload, "attachments": [signature]}
    return multipart(data, (jws, signature["sha2"]))


def test_signed_statements(lrs):
    key, x5c = _signer()
    payload = statement(id=new_id())
    good = post(lrs, _signed(payload, _jws(payload, key, x5c)))
    assert good.status_code == 200, good.content

    other = statement(id=new_id())
    tampered = post(
        lrs,
        _signed(
            other, _jws(payload | {"id": other["id"]} | {"verb": {"id": "http://x.uz/v"}}, key, x5c)
        ),
    )
    assert tampered.status_code == 400
    assert "differs" in tampered.json()["error"]["message"]

    wrong_key, _ = _signer()
    third = statement(id=new_id())
    forged = post(lrs, _signed(third, _jws(third, wrong_key, x5c)))
    assert forged.status_code == 400
    assert "does not verify" in forged.json()["error"]["message"]

    fourth = statement(id=new_id())
    header = _b64(json.dumps({"alg": "HS256"}).encode())
    hs = f"{header}.{_b64(json.dumps(fourth).encode())}.{_b64(b'x')}".encode()
    assert post(lrs, _signed(fourth, hs)).status_code == 400
