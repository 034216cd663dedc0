"""Telling the dispatchers and the service manager that a technician's certificate runs out.

A certificate valid for at most CERTIFICATE_WARNING_DAYS more days, and one that has run out (the
technician is out of dispatch from the next day: domain/technicians.dispatch_refusal), are each told
once per expiry date: a ``CertificateNotice`` row remembers it, written in the same transaction as
the notifications. The alarm clock's round runs the check (services/timing/timer_firing.fire_due);
the table, not the scheduler, knows what was told, so a round missed or run twice changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ...domain.roles import Role
from ...domain.technicians import CERTIFICATE_WARNING_DAYS
from ...domain.technicians import CertificateStage
from ...domain.technicians import certificate_stage
from ...persistence.orm import CertificateNotice
from ...persistence.orm import Notification
from ...persistence.unit_of_work import Busy
from ..context import ServiceContext
from ..tasks.field_choices import dispatch_day

log = logging.getLogger(__name__)

NOTIFIED_ROLES = (Role.DISPATCHER, Role.SERVICE_MANAGER)
NOTIFICATION_KIND = "certificate"
TITLES = {
    CertificateStage.EXPIRING: (
        "上岗证即将到期：{name}（{username}），{expiry} / Certificate expires soon: {name} ({username}), {expiry}"
    ),
    CertificateStage.EXPIRED: (
        "上岗证已过期，不可派工：{name}（{username}），{expiry}"
        " / Certificate expired, not dispatched: {name} ({username}), {expiry}"
    ),
}


def notify_certificates(ctx: ServiceContext) -> int:
    """Notify what is due about certificates as of today (the service's time zone); returns how many
    technicians were told about. Another worker telling the same at the same moment wins; this one
    then tells nothing."""
    today = dispatch_day(ctx)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        technicians = uow.master.certificates_until(today + timedelta(days=CERTIFICATE_WARNING_DAYS))
        if not technicians:
            return 0
        users = uow.users.by_usernames({t.username for t in technicians})
        told = uow.notifications.certificate_notices({t.username for t in technicians})
        recipients = {u.username: u for role in NOTIFIED_ROLES for u in uow.users.with_role(role)}
        rows: list[object] = []
        count = 0
        for tech in technicians:
            user = users.get(tech.username)
            stage = certificate_stage(tech.cert_expiry, today)
            if stage is None or user is None or not user.active or (tech.username, tech.cert_expiry, stage) in told:
                continue
            count += 1
            rows.append(
                CertificateNotice(username=tech.username, cert_expiry=tech.cert_expiry, stage=stage, notified_at=now)
            )
            title = TITLES[stage].format(name=tech.name, username=tech.username, expiry=tech.cert_expiry.isoformat())
            body = f"{tech.name} · {tech.branch} · {tech.cert_no or ''} · {tech.cert_expiry.isoformat()}"
            rows.extend(
                Notification(
                    username=recipient.username,
                    kind=NOTIFICATION_KIND,
                    instance_id=None,
                    task_id=None,
                    title=title,
                    body=body,
                    email=recipient.email or None,
                    created_at=now,
                )
                for recipient in recipients.values()
            )
        if not rows:
            return 0
        uow.add_rows(rows)
        try:
            uow.commit()
        except Busy:
            log.info("certificate notices told by another worker meanwhile")
            return 0
    return count
