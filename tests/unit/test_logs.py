"""The log format is 'text' or 'json', nothing else."""

from __future__ import annotations

import pytest

from app.logs import configure_logging


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="text' or 'json"):
        configure_logging("xml")
