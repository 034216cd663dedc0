"""Files attached to cases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..orm import Attachment
from .base import Repository


class AttachmentRepository(Repository):
    def get(self, attachment_id: int, *, with_content: bool = False) -> Attachment | None:
        options = [undefer(Attachment.content)] if with_content else []
        return self.session.get(Attachment, attachment_id, options=options)

    def for_instance(self, instance_id: int) -> list[Attachment]:
        return list(
            self.session.scalars(
                select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)
            )
        )
