"""The alarm clock: APScheduler wakes the timer service; the database stays the truth.

Two jobs: a one-shot alarm at the earliest waiting timer (re-armed after every change) and a
periodic sweep that also catches timers written by other processes and anything missed
while the service was down (it runs once at start-up). A third posts the webhooks, apart, so that
a slow receiver never holds a timer up. A step that issues a paper rings a one-shot job that renders
and stores it at once in the scheduler's paper thread (the step's answer waits for nothing); the sweep
rings it too, for whatever that missed or failed (services/cases/papers.py). Papers are rendered on
that one thread, one at a time: WeasyPrint's renderings on several threads at once held a gigabyte
(each thread's allocations in an arena of its own), on one thread about 200 MiB.
"""

from __future__ import annotations

import atexit
import logging
import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from .services.cases.papers import store_pending
from .services.context import ServiceContext
from .services.customers.messages import send_customer_messages
from .services.integration import webhooks
from .services.people.mail_outbox import send_pending
from .services.signals import papers_queued
from .services.signals import timers_changed
from .services.timing.timer_firing import fire_due

log = logging.getLogger(__name__)
PAPERS_EXECUTOR = "papers"  # one thread: the papers are rendered one after the other


class AlarmClock:
    def __init__(self, ctx: ServiceContext, sweep_seconds: int) -> None:
        self.ctx = ctx
        executors = {"default": ThreadPoolExecutor(10), PAPERS_EXECUTOR: ThreadPoolExecutor(1)}
        self.scheduler = BackgroundScheduler(timezone=UTC, executors=executors)
        self.sweep_seconds = sweep_seconds
        self._lock = threading.Lock()
        self._armed_for: datetime | None = None

    def start(self) -> None:
        self.scheduler.add_job(
            self.fire,
            "interval",
            seconds=self.sweep_seconds,
            id="sweep",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
        )
        # Webhooks in a job of their own: a slow receiver (5 s time-out per delivery) never delays a timer.
        self.scheduler.add_job(
            self.deliver_webhooks,
            "interval",
            seconds=self.sweep_seconds,
            id="webhooks",
            coalesce=True,
            max_instances=1,
        )
        # Messages to customers in a job of their own too: an SMS or WeChat gateway is someone else's server.
        self.scheduler.add_job(
            self.send_customer_messages,
            "interval",
            seconds=self.sweep_seconds,
            id="customer_messages",
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()
        timers_changed.connect(self.on_timers_changed, sender=self.ctx)
        papers_queued.connect(self.on_papers_queued, sender=self.ctx)

    def on_timers_changed(self, _ctx: object, due: datetime | None) -> None:
        """The receiver of signals.timers_changed for this context."""
        self.arm(due)

    def on_papers_queued(self, _ctx: object, instance_id: int) -> None:
        """The receiver of signals.papers_queued: render the papers due now, on the paper thread."""
        self.ring_papers()

    def ring_papers(self) -> None:
        self.scheduler.add_job(
            self.store_papers,
            "date",
            run_date=datetime.now(UTC),
            id="papers",
            replace_existing=True,
            misfire_grace_time=None,
            executor=PAPERS_EXECUTOR,
            max_instances=2,  # one rung while another renders waits for the thread, then stores the rest
        )

    def store_papers(self) -> None:
        try:
            store_pending(self.ctx)
        except Exception:  # noqa: BLE001 - the rows stay pending; the sweep tries again
            log.exception("paper round failed")

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def fire(self) -> None:
        try:
            report = fire_due(self.ctx)
            send_pending(self.ctx, self.ctx.mail)
            self.ring_papers()  # papers not rendered after their step's commit (failed, or left to the alarm)
            if report.timers or report.opened:
                log.info(
                    "fired %d timer(s) in %d case(s); opened %d scheduled case(s)",
                    report.timers,
                    report.instances,
                    report.opened,
                )
        except Exception:  # noqa: BLE001 - the alarm must survive a bad round; the rows stay due
            log.exception("timer round failed")

    def deliver_webhooks(self) -> None:
        try:
            webhooks.deliver(self.ctx)
        except Exception:  # noqa: BLE001 - the next round tries again; the deliveries stay queued
            log.exception("webhook round failed")

    def send_customer_messages(self) -> None:
        try:
            send_customer_messages(self.ctx)
        except Exception:  # noqa: BLE001 - the next round tries again; the messages stay queued
            log.exception("customer message round failed")

    def arm(self, due: datetime | None) -> None:
        """Wake up when ``due`` (application time) arrives, unless an earlier alarm is set."""
        if due is None:
            return
        with self._lock:
            now = self.ctx.clock.now()
            if self._armed_for is not None and now < self._armed_for <= due:
                return
            self._armed_for = due
            wall = datetime.now(UTC) + max(due - now, timedelta(0))
        # A round re-arms the alarm for the next due time before it has finished (mail, certificate
        # notices still to do): with one instance allowed, an alarm falling due meanwhile would be
        # skipped and its timers left to the sweep. Rounds may overlap: firing locks each case.
        self.scheduler.add_job(
            self.fire,
            "date",
            run_date=wall,
            id="alarm",
            replace_existing=True,
            misfire_grace_time=None,
            max_instances=2,
        )


def init_app(app: Flask) -> AlarmClock:
    alarm = AlarmClock(app.extensions["aftersales"], app.config["TIMER_SWEEP_SECONDS"])
    alarm.start()
    atexit.register(alarm.shutdown)
    app.extensions["aftersales.alarm"] = alarm
    return alarm
