"""Certificate codes: 80 random bits and a 40-bit HMAC of them, in 24 base32 characters.

The random part makes a code unguessable; the MAC lets a forged or mistyped code be refused
before any query, so guessing cannot be used to probe the table.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

RANDOM_BYTES = 10
MAC_BYTES = 5
CODE_LENGTH = 8 * (RANDOM_BYTES + MAC_BYTES) // 5  # base32: 5 bits a character, no padding


def signing_key(certificate_secret: str | None, jwt_secret: str) -> bytes:
    """The configured secret, or a key derived from JWT_SECRET (distinct from the JWT key itself)."""
    if certificate_secret:
        return certificate_secret.encode()
    return hmac.new(jwt_secret.encode(), b"certificate-codes", hashlib.sha256).digest()


def _mac(key: bytes, nonce: bytes) -> bytes:
    return hmac.new(key, nonce, hashlib.sha256).digest()[:MAC_BYTES]


def new_code(key: bytes) -> str:
    nonce = secrets.token_bytes(RANDOM_BYTES)
    return base64.b32encode(nonce + _mac(key, nonce)).decode()


def canonical(code: str) -> str:
    """Codes are shown in upper case; people may type them in lower case or with dashes."""
    return code.replace("-", "").replace(" ", "").upper()


def is_authentic(key: bytes, code: str) -> bool:
    if len(code) != CODE_LENGTH:
        return False
    try:
        raw = base64.b32decode(code)
    except (binascii.Error, ValueError):
        return False
    nonce, mac = raw[:RANDOM_BYTES], raw[RANDOM_BYTES:]
    return hmac.compare_digest(mac, _mac(key, nonce))
