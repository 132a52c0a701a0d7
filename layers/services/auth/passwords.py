"""Argon2id password hashing (argon2-cffi defaults: RFC 9106 low-memory profile)."""
from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        # Same work as a real check, so an unknown email is not told apart by timing.
        _hasher().hash(password)
        return False
    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return bool(_hasher().check_needs_rehash(password_hash))
