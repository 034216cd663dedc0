"""Files of a case: a submitted data URL (a drawn signature, a scanned one) is stored as an
attachment and the case data keeps only ``attachment:<id>`` — big blobs stay out of the engine's
state and the audit trail, as SpiffWorkflow's maintainers advise."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ...domain.principal import Principal
from ...errors import InvalidInput
from ...errors import NotFound
from ...persistence.orm import Attachment
from ...persistence.orm import Instance
from ...persistence.unit_of_work import UnitOfWork
from ..context import ServiceContext
from .opening import load_visible

DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+);base64,(?P<data>[A-Za-z0-9+/=\s]*)$")
# The accepted types and how their content begins: a file is served under the type its data URL named,
# so HTML or SVG sent as "image/png" is refused rather than kept (no type a browser runs is accepted).
SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/png": lambda content: content.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda content: content.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda content: content[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": lambda content: content[:4] == b"RIFF" and content[8:12] == b"WEBP",
    "application/pdf": lambda content: content.startswith(b"%PDF-"),
}
ALLOWED_TYPES = frozenset(SIGNATURES)
MAX_BYTES = 5 * 1024 * 1024
REFERENCE = "attachment:"
# The refusals shown on the file field, "English / 中文" (the page shows the user's half).
TYPED = "draw or upload it: a typed text is not a signature or a scan / 请手写签名或上传扫描件，不能输入文字"
BAD_BASE64 = "not valid base64 / 文件编码无效"
BAD_SIZE = "empty or too large / 文件为空或过大"
OTHER_CASE = "not a file of this case / 不是本案件的文件"
NOT_ACCEPTED = "not an accepted file / 不接受的文件类型（PNG、JPEG、GIF、WebP 图片或 PDF）"


def file_fields(schema: dict[str, Any] | None) -> list[str]:
    """Top-level fields of a form that carry files (``"x-widget": "signature"`` or ``"contentMediaType"``)."""
    properties = (schema or {}).get("properties", {})
    return [
        name
        for name, prop in properties.items()
        if isinstance(prop, dict) and (prop.get("x-widget") == "signature" or "contentMediaType" in prop)
    ]


def store_files(
    uow: UnitOfWork,
    instance: Instance,
    task_id: str,
    schema: dict[str, Any] | None,
    data: dict[str, Any],
    *,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """The form data with each file field's data URL replaced by a reference to a new attachment."""
    result = dict(data)
    for name in file_fields(schema):
        value = result.get(name)
        if not isinstance(value, str) or not value:
            continue  # absent or empty: the form's own schema says whether it is required
        if value.startswith(REFERENCE):
            _check_reference(uow, instance, name, value)
            continue  # a file of this case already stored, sent back as it was
        if not value.startswith("data:"):
            raise InvalidInput(
                f"{name} must be drawn or uploaded (an image or a PDF), not typed",
                errors={name: [TYPED]},
            )
        match = DATA_URL.match(value)
        if match is None or match["type"] not in ALLOWED_TYPES:
            raise InvalidInput(
                f"{name} must be a PNG, JPEG, GIF, WebP image or a PDF as a data URL",
                errors={name: [NOT_ACCEPTED]},
            )
        try:
            content = base64.b64decode(match["data"], validate=False)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"{name} is not valid base64", errors={name: [BAD_BASE64]}) from None
        if not content or len(content) > MAX_BYTES:
            raise InvalidInput(f"{name} must hold 1 byte to {MAX_BYTES // 1024 // 1024} MB", errors={name: [BAD_SIZE]})
        if not SIGNATURES[match["type"]](content):
            raise InvalidInput(
                f"{name} is not the {match['type']} file its data URL says", errors={name: [NOT_ACCEPTED]}
            )
        row = Attachment(
            instance_id=instance.id,
            task_id=task_id,
            field=name,
            media_type=match["type"],
            content=content,
            size=len(content),
            created_by=actor,
            created_at=now,
        )
        uow.attachments.add(row)
        uow.flush()
        result[name] = f"{REFERENCE}{row.id}"
    return result


def _check_reference(uow: UnitOfWork, instance: Instance, name: str, value: str) -> None:
    number = value.removeprefix(REFERENCE)
    row = uow.attachments.get(int(number)) if number.isdigit() else None
    if row is None or row.instance_id != instance.id:
        raise InvalidInput(f"{name} names no file of this case", errors={name: [OTHER_CASE]})


def case_attachments(ctx: ServiceContext, instance_id: int, actor: Principal) -> list[Attachment]:
    with ctx.uow() as uow:
        load_visible(ctx, uow, instance_id, actor)
        return uow.attachments.for_instance(instance_id)


def attachment_content(ctx: ServiceContext, instance_id: int, attachment_id: int, actor: Principal) -> Attachment:
    """One file of case ``instance_id`` with its content; a file of another case is not found."""
    with ctx.uow() as uow:
        load_visible(ctx, uow, instance_id, actor)
        row = uow.attachments.get(attachment_id, with_content=True)
        if row is None or row.instance_id != instance_id:
            raise NotFound(f"attachment {attachment_id} is not of case {instance_id}")
        return row
