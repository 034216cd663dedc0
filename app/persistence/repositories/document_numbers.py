"""Document numbers: the next number of a series in a year, taken inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from ..orm import DocumentNumber
from .base import Repository


class DocumentNumberRepository(Repository):
    def take(self, series: str, year: int) -> int:
        """The next number of ``series`` in ``year`` (1, 2, …). The row stays locked until the caller's
        transaction ends, so two steps never get the same number, and a rollback gives it back."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(insert(DocumentNumber).values(series=series, year=year, last=0).on_conflict_do_nothing())
        self.session.execute(
            update(DocumentNumber)
            .where(DocumentNumber.series == series, DocumentNumber.year == year)
            .values(last=DocumentNumber.last + 1)
        )
        return self.session.scalar(
            select(DocumentNumber.last).where(DocumentNumber.series == series, DocumentNumber.year == year)
        )
