"""Settings: key-value pairs kept in the database."""

from __future__ import annotations

from ..orm import Setting
from .base import Repository


class SettingRepository(Repository):
    def get(self, key: str) -> str | None:
        row = self.session.get(Setting, key)
        return row.value if row else None

    def put(self, key: str, value: str) -> None:
        row = self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=value))
        else:
            row.value = value
