"""The engineer of a case as the customer is told: name and work phone (seed 004 §二.2: customer service
gives the customer the engineer's name and phone before the visit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...persistence.unit_of_work import UnitOfWork

# The case's own note of the phone wins (a stand-in's number given at dispatch) over the master record's.
CASE_PHONE_FIELDS = ("technician_phone", "engineer_phone")


@dataclass(frozen=True)
class EngineerContact:
    username: str
    name: str
    phone: str | None


def engineer_of(uow: UnitOfWork, data: dict[str, Any]) -> EngineerContact | None:
    """The engineer the case names in ``technician``, with the name and phone to give; None before dispatch."""
    username = data.get("technician")
    if not isinstance(username, str) or not username:
        return None
    technician = uow.master.technician(username)
    user = uow.users.get(username)
    name = (technician.name if technician is not None else None) or (user.display_name if user else None) or username
    noted = next((data[f] for f in CASE_PHONE_FIELDS if isinstance(data.get(f), str) and data[f]), None)
    return EngineerContact(username, name, noted or (technician.phone if technician is not None else None) or None)
