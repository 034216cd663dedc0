"""Posting one webhook body to its receiver (httpx); the answer is reduced to what the outbox records."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

TIMEOUT_SECONDS = 5.0  # a receiver slower than this is retried later, the sender is not held up


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused, timed out, bad address)
    error: str | None  # None: accepted (2xx)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    try:
        response = httpx.post(
            url,
            content=body,
            headers={"Content-Type": "application/json", **headers},
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return Answer(None, f"{exc.__class__.__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Answer(response.status_code, None)
    return Answer(response.status_code, f"HTTP {response.status_code}: {response.text[:200]}"[:500])
