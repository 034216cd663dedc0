"""The ``aftersales`` command: init-db, deploy, export, demo, serve, clock advance, fire-timers, create-user,
deactivate-user; import-records and export-records (master data) are in cli_master_data.py."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import with_appcontext

from .cli_master_data import COMMANDS as MASTER_DATA_COMMANDS
from .config import InsecureConfiguration
from .config import load_config
from .demo import loader as demo_service
from .errors import AppError
from .logs import configure_logging
from .persistence.schema import upgrade
from .services.cases.papers import store_pending
from .services.customers.messages import send_customer_messages
from .services.integration import webhooks
from .services.people import users as user_service
from .services.people.mail_outbox import send_pending
from .services.planning.default_schedules import ensure_default_schedules
from .services.processes import version_admin
from .services.processes.deployments import deploy_directory
from .services.timing import time_travel as clock_service
from .services.timing import work_calendar as calendar_service
from .services.timing.timer_firing import fire_due
from .services.timing.work_calendar import seed_official


def _ctx():
    return current_app.extensions["aftersales"]


def _fail(exc: AppError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(1)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the tables with the migrations (idempotent)."""
    upgrade(current_app.extensions["aftersales.db"])
    ctx = _ctx()
    with ctx.uow() as uow:
        added = seed_official(uow, now=ctx.clock.now())
        uow.commit()
    years = calendar_service.official_years()
    click.echo(f"database ready: {current_app.config['DATABASE_URL'].split('@')[-1]}")
    click.echo(f"work calendar: {added} day(s) added from chinesecalendar ({years.start}–{years.stop - 1})")


@click.command("deploy")
@click.option("--dir", "directory", default=None, help="folder of *.bpmn files (default: processes/)")
@click.option("--strict", is_flag=True, help="a broken house convention refuses the diagrams (not only a warning)")
@with_appcontext
def deploy_command(directory: str | None, strict: bool) -> None:
    """Validate every diagram and deploy the changed ones as new versions (all or nothing)."""
    try:
        results = deploy_directory(_ctx(), directory, actor="cli", strict=strict)
    except AppError as exc:
        _fail(exc)
    for r in results:
        click.echo(f"{r.process_key}: version {r.version}{'' if r.created else ' (unchanged)'}")
        for warning in r.warnings:
            click.echo(f"  - {warning}")
    for name in ensure_default_schedules(_ctx()):
        click.echo(f"schedule added: {name}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Demo users (password = user name), customers, units, technicians and open cases."""
    summary = demo_service.load_demo(_ctx())
    for line in summary:
        click.echo(line)


@click.command("create-user")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, required=True)
@with_appcontext
def create_user_command(username: str, password: str, roles: tuple[str, ...]) -> None:
    try:
        user_service.create_user(_ctx(), username, password, list(roles))
    except AppError as exc:
        _fail(exc)
    click.echo(f"user {username} saved with roles {', '.join(sorted(roles))}")


@click.command("deactivate-user")
@click.argument("username")
@with_appcontext
def deactivate_user_command(username: str) -> None:
    """The user can no longer log in and is logged out everywhere at once."""
    try:
        user_service.deactivate_user(_ctx(), username)
    except AppError as exc:
        _fail(exc)
    click.echo(f"user {username} deactivated; every session of theirs has ended")


@click.group("calendar")
def calendar_group() -> None:
    """The work calendar (public holidays and make-up working days)."""


@calendar_group.command("status")
@click.argument("years", nargs=-1, type=int)
@with_appcontext
def calendar_status_command(years: tuple[int, ...]) -> None:
    """Which years are official, entered by an administrator, or estimated."""
    ctx = _ctx()
    wanted = list(years) or [ctx.clock.now().year, ctx.clock.now().year + 1]
    for status in calendar_service.year_status(ctx, wanted):
        state = "ESTIMATED from weekdays (enter the official arrangement)" if status.estimated else "complete"
        click.echo(f"{status.year}: {status.official_days} official, {status.admin_days} admin day(s) — {state}")


@calendar_group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("kind", type=click.Choice(["workday", "holiday"]))
@click.option("--note", default="")
@with_appcontext
def calendar_set_command(day, kind: str, note: str) -> None:
    """Mark DAY as a working day or a holiday, e.g. ``aftersales calendar set 2027-02-06 holiday``."""
    from .domain.principal import Principal

    calendar_service.set_day(_ctx(), day.date(), kind == "workday", note, Principal("cli", frozenset({"admin"})))
    click.echo(f"{day.date()}: {kind}")


@click.group("report")
def report_group() -> None:
    """Reports computed from the cases."""


@report_group.command("complaints")
@click.option("--month", required=True, help="YYYY-MM")
@with_appcontext
def report_complaints_command(month: str) -> None:
    """Complaints of a month by category × urgency, severity, status, and hot spots."""
    from .domain.principal import Principal
    from .services.qa.reports import complaint_statistics

    try:
        stats = complaint_statistics(_ctx(), month, Principal("cli", frozenset({"auditor"})))
    except AppError as exc:
        _fail(exc)
    click.echo(f"complaints {stats['month']}: {stats['total']} received, {stats['registered']} registered")
    for row in stats["by_category_urgency"]:
        click.echo(f"  {row['category']:<10} {row['urgency']:<7} {row['count']:>4}")
    click.echo("  severity: " + ", ".join(f"{k} {v}" for k, v in stats["by_severity"].items()))
    click.echo("  status:   " + ", ".join(f"{k} {v}" for k, v in stats["by_status"].items()))
    for spot in stats["hot_spots"]:
        click.echo(f"  HOT SPOT: {spot['product_model'] or '(no model)'} / {spot['category']}: {spot['count']} times")


@click.command("export")
@click.argument("key")
@click.option("--version", "number", type=int, default=None, help="a deployed version (default: the latest)")
@click.option("--to", "directory", default=None, help="where to write (default: the processes folder)")
@with_appcontext
def export_command(key: str, number: int | None, directory: str | None) -> None:
    """Write a deployed version back as files: the diagram and its forms (e.g. after editing in the workbench)."""
    ctx = _ctx()
    try:
        written = version_admin.export_version(ctx, key, number, directory or ctx.processes_dir)
    except AppError as exc:
        _fail(exc)
    for path in written:
        click.echo(f"wrote {path}")


@click.command("fire-timers")
@with_appcontext
def fire_timers_command() -> None:
    """Fire every timer and schedule that is due now (what the alarm clock does)."""
    ctx = _ctx()
    clock_service.restore_offset(ctx)  # a simulated clock is where `clock advance` left it
    report = fire_due(ctx)
    click.echo(
        f"fired {report.timers} timer(s) in {report.instances} case(s); opened {report.opened} scheduled case(s)"
    )


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the notification e-mail waiting in the outbox (what the alarm clock does)."""
    ctx = _ctx()
    if not ctx.mail.host:
        click.echo("mail is off: set AFTERSALES_SMTP_HOST")
        return
    click.echo(f"sent {send_pending(ctx, ctx.mail)} mail(s)")


@click.command("send-customer-messages")
@with_appcontext
def send_customer_messages_command() -> None:
    """Send the messages to customers waiting in their outbox (what the alarm clock does)."""
    click.echo(f"sent {send_customer_messages(_ctx())} message(s) to customers")


@click.command("deliver-webhooks")
@with_appcontext
def deliver_webhooks_command() -> None:
    """Queue the new events for the webhook subscriptions and post those due (what the alarm clock does)."""
    ctx = _ctx()
    clock_service.restore_offset(ctx)
    click.echo(f"{webhooks.deliver(ctx)} webhook delivery(ies) accepted")


@click.command("store-papers")
@with_appcontext
def store_papers_command() -> None:
    """Render and store the case papers still pending whose attempt is due (what the alarm clock does)."""
    ctx = _ctx()
    clock_service.restore_offset(ctx)
    click.echo(f"stored {store_pending(ctx, limit=1000)} paper(s)")


@click.group("clock")
def clock_group() -> None:
    """The application clock (simulated mode only can be moved)."""


@clock_group.command("advance")
@click.argument("duration")
@with_appcontext
def clock_advance_command(duration: str) -> None:
    """Move the simulated clock forward, e.g. ``aftersales clock advance PT25H``."""
    ctx = _ctx()
    clock_service.restore_offset(ctx)
    try:
        now, report = clock_service.advance_clock(ctx, duration, None)
    except AppError as exc:
        _fail(exc)
    click.echo(f"now {now.isoformat()}; fired {report.timers} timer(s); opened {report.opened} scheduled case(s)")


@clock_group.command("show")
@with_appcontext
def clock_show_command() -> None:
    ctx = _ctx()
    clock_service.restore_offset(ctx)
    click.echo(ctx.clock.now().isoformat())


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, envvar="PORT", type=int)
@click.option("--threads", default=8, type=int)
@click.option(
    "--workers",
    default=1,
    type=int,
    envvar="WEB_CONCURRENCY",
    help="gunicorn worker processes; each fires due timers (the database decides who fires which)",
)
def serve_command(host: str, port: int, threads: int, workers: int) -> None:
    """Serve HTTP with gunicorn and run the timer alarm clock in every worker."""
    from gunicorn.app.base import BaseApplication

    from . import create_app

    try:
        load_config()  # refused here, with the reason, rather than as a worker that fails to boot
    except InsecureConfiguration as exc:
        click.echo(f"error: refusing to serve: {exc}", err=True)
        sys.exit(1)

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            # Our own request log (handlers/request_log.py) replaces gunicorn's access log.

        def load(self) -> Flask:
            app = create_app({"SCHEDULER_ENABLED": True})
            configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
            clock_service.restore_offset(app.extensions["aftersales"])
            return app

    click.echo(f"serving on http://{host}:{port}")
    _Server().run()


def init_app(app: Flask) -> None:
    for command in (
        init_db_command,
        deploy_command,
        demo_command,
        export_command,
        create_user_command,
        deactivate_user_command,
        fire_timers_command,
        send_mail_command,
        send_customer_messages_command,
        deliver_webhooks_command,
        store_papers_command,
        clock_group,
        calendar_group,
        report_group,
        *MASTER_DATA_COMMANDS,
    ):
        app.cli.add_command(command)


def _create_app_for_cli() -> Flask:
    from . import create_app

    return create_app(serves_http=False)  # maintenance commands sign no cookie (``serve`` builds its own app)


main = FlaskGroup(
    create_app=_create_app_for_cli,
    add_default_commands=False,
    add_version_option=False,
    help="After-sales service engine.",
)
main.add_command(serve_command)
