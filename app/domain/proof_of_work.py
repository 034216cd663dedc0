"""Proof of work for the public request form: a bot pays for each request with computing time.

The server hands out a challenge (a signed, expiring text; services/cases/public_request.py); the
page's script (static/js/request-form.js) searches a nonce — a decimal counter — such that
``sha256(challenge + nonce)`` begins with ``bits`` zero bits. Checking one costs one hash; finding
one costs about ``2 ** bits`` of them (16 bits: ~65 000 hashes, about a second on a phone).
"""

from __future__ import annotations

import hashlib

MAX_NONCE_LENGTH = 20  # a decimal counter; 2**64 has 20 digits


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits ``digest`` begins with."""
    count = 0
    for byte in digest:
        if byte:
            return count + 8 - byte.bit_length()
        count += 8
    return count


def solves(challenge: str, nonce: str, bits: int) -> bool:
    """Is ``nonce`` (decimal digits) a proof of ``bits`` bits of work for ``challenge``?"""
    if not nonce.isascii() or not nonce.isdigit() or len(nonce) > MAX_NONCE_LENGTH:
        return False
    return leading_zero_bits(hashlib.sha256((challenge + nonce).encode()).digest()) >= bits


def solve(challenge: str, bits: int) -> str:
    """The first nonce that proves ``bits`` bits of work (what the page's script does; tests use it)."""
    nonce = 0
    while not solves(challenge, str(nonce), bits):
        nonce += 1
    return str(nonce)
