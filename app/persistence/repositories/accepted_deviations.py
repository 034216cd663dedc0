"""Conformance deviations accepted per process element."""

from __future__ import annotations

from sqlalchemy import select

from ..orm import AcceptedDeviation
from .base import Repository


class AcceptedDeviationRepository(Repository):
    def list(self, process_key: str | None = None) -> list[AcceptedDeviation]:
        query = select(AcceptedDeviation).order_by(AcceptedDeviation.process_key, AcceptedDeviation.element_id)
        if process_key:
            query = query.where(AcceptedDeviation.process_key == process_key)
        return list(self.session.scalars(query))

    def get(self, row_id: int) -> AcceptedDeviation | None:
        return self.session.get(AcceptedDeviation, row_id)

    def find(self, process_key: str, element_id: str, kind: str) -> AcceptedDeviation | None:
        return self.session.scalars(
            select(AcceptedDeviation).where(
                AcceptedDeviation.process_key == process_key,
                AcceptedDeviation.element_id == element_id,
                AcceptedDeviation.kind == kind,
            )
        ).first()

    def delete(self, row: AcceptedDeviation) -> None:
        self.session.delete(row)
