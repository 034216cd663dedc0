"""The base every repository shares: the unit of work's session and ``add``."""

from __future__ import annotations

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row) -> None:
        self.session.add(row)
