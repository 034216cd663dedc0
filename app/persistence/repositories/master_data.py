"""Master data: technicians, customers, units and contracts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_
from sqlalchemy import select

from ..orm import Contract
from ..orm import Customer
from ..orm import Technician
from ..orm import Unit
from .base import Repository


class MasterDataRepository(Repository):
    def technicians(self) -> list[Technician]:
        return list(self.session.scalars(select(Technician).order_by(Technician.username)))

    def certificates_until(self, last_day: date) -> list[Technician]:
        """Technicians whose certificate runs out on ``last_day`` or before (or ran out)."""
        return list(
            self.session.scalars(
                select(Technician).where(Technician.cert_expiry <= last_day).order_by(Technician.username)
            )
        )

    def technicians_matching(self, query: str, limit: int) -> list[Technician]:
        """Technicians whose user name or name contains ``query`` (its wildcards taken literally)."""
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        return list(
            self.session.scalars(
                select(Technician)
                .where(or_(Technician.username.ilike(like, escape="\\"), Technician.name.ilike(like, escape="\\")))
                .order_by(Technician.username)
                .limit(limit)
            )
        )

    def technician(self, username: str) -> Technician | None:
        return self.session.scalars(select(Technician).where(Technician.username == username)).first()

    def customers(self, query: str | None = None, limit: int = 50) -> list[Customer]:
        stmt = select(Customer).order_by(Customer.code).limit(limit)
        if query:
            like = f"%{query}%"
            stmt = stmt.where(or_(Customer.name.ilike(like), Customer.code.ilike(like), Customer.phone.ilike(like)))
        return list(self.session.scalars(stmt))

    def unit(self, serial_no: str) -> Unit | None:
        return self.session.scalars(select(Unit).where(Unit.serial_no == serial_no)).first()

    def units_by_serial_prefix(self, prefix: str, limit: int) -> list[Unit]:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(
            self.session.scalars(
                select(Unit)
                .where(Unit.serial_no.like(escaped + "%", escape="\\"))
                .order_by(Unit.serial_no)
                .limit(limit)
            )
        )

    def units(self, customer_id: int | None = None, limit: int = 100) -> list[Unit]:
        stmt = select(Unit).order_by(Unit.serial_no).limit(limit)
        if customer_id is not None:
            stmt = stmt.where(Unit.customer_id == customer_id)
        return list(self.session.scalars(stmt))

    def contracts(self) -> list[Contract]:
        return list(self.session.scalars(select(Contract).order_by(Contract.ends_on)))

    def customer_by_code(self, code: str) -> Customer | None:
        return self.session.scalars(select(Customer).where(Customer.code == code)).first()
