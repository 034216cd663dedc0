"""The proof of work of the public request form: counting zero bits, and what counts as a proof."""

from __future__ import annotations

import hashlib

from app.domain.proof_of_work import leading_zero_bits
from app.domain.proof_of_work import solve
from app.domain.proof_of_work import solves


def test_leading_zero_bits_counts_across_bytes():
    assert leading_zero_bits(b"\x80") == 0
    assert leading_zero_bits(b"\x01") == 7
    assert leading_zero_bits(b"\x00\x00\x10") == 19
    assert leading_zero_bits(b"\x00\x00") == 16


def test_a_solution_has_the_zero_bits_and_nothing_else_passes():
    challenge = "eyJpZCI6ImFiYyJ9.sig"
    nonce = solve(challenge, 12)
    digest = hashlib.sha256((challenge + nonce).encode()).digest()
    assert leading_zero_bits(digest) >= 12 and solves(challenge, nonce, 12)
    short = next(
        str(n) for n in range(1000) if leading_zero_bits(hashlib.sha256(f"{challenge}{n}".encode()).digest()) < 12
    )
    assert not solves(challenge, short, 12)
    # Only a decimal counter of at most 20 digits: no padding, signs, spaces or other digits.
    for bad in ("", " " + nonce, "+" + nonce, "0" * 21, "١٢", nonce + "\n"):
        assert not solves(challenge, bad, 0)
    assert solves(challenge, "0" * 20, 0)
