"""``aftersales import-records`` and ``export-records``: the department's spreadsheets in and out of a
master-data table from the command line (the same import as the API's: dry run, all or nothing).

Named ``-records`` because ``aftersales export`` already writes a deployed process version back as files.
The commands act as the administrator ``cli`` (whoever runs them holds the database's credentials).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .domain.master_data import TABLES
from .domain.principal import Principal
from .domain.roles import Role
from .errors import AppError
from .errors import InvalidInput
from .services.master_data import imports

CLI_ADMIN = Principal("cli", frozenset({Role.ADMIN}), "command line")
PASSES = ("checked", "written")  # what apply_import reports progress of, in order


class ProgressLine:
    """One line on stderr, rewritten in place: "customers: checked 1500 / 20000 rows"."""

    def __init__(self, table: str) -> None:
        self.table, self.passes, self.shown = table, 0, False

    def __call__(self, done: int, total: int) -> None:
        label = PASSES[min(self.passes, len(PASSES) - 1)]
        click.echo(f"\r{self.table}: {label} {done} / {total} rows", nl=False, err=True)
        self.shown = True
        if done == total:  # the pass is over: the next one starts on a line of its own
            click.echo("", err=True)
            self.passes, self.shown = self.passes + 1, False

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)


def _mapping(text: str | None) -> dict[str, str | None] | None:
    if text is None:
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str | None) for v in mapping.values()):
        raise click.BadParameter('a JSON object of column → field, e.g. {"客户代码": "code", "备注": null}')
    return mapping


def _refusal(exc: AppError) -> None:
    """The reason, then every bad line (or column) with its problems; exit code 1."""
    click.echo(f"error: {exc.message}", err=True)
    errors = exc.errors if isinstance(exc, InvalidInput) else {}
    for where, problems in (errors or {}).items():
        click.echo(f"  {where}: {'; '.join(problems)}", err=True)
    sys.exit(1)


@click.command("import-records")
@click.argument("table", type=click.Choice(list(TABLES)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="only say what the import would do; nothing is written")
@click.option("--mapping", default=None, help='JSON: column header → field, e.g. \'{"Tel": "phone", "Note": null}\'')
@with_appcontext
def import_records_command(table: str, file: Path, dry_run: bool, mapping: str | None) -> None:
    """Import FILE (XLSX, XLS, ODS or CSV in UTF-8 or GB 18030) into TABLE: all rows, or none if one is bad."""
    ctx = current_app.extensions["aftersales"]
    chosen = _mapping(mapping)
    progress = ProgressLine(table)
    try:
        sheet = imports.read_upload(file.name, file.read_bytes())
        if dry_run:
            plan = imports.plan_import(ctx, CLI_ADMIN, table, sheet, chosen, progress=progress)
        else:
            plan = imports.apply_import(ctx, CLI_ADMIN, table, sheet, chosen, source=file.name[:128], progress=progress)
    except AppError as exc:
        progress.close()
        _refusal(exc)
    progress.close()
    ignored = [column for column, name in plan.mapping.items() if not name]
    if ignored:
        click.echo(f"columns ignored: {', '.join(ignored)}")
    counts = plan.counts
    if plan.applied:
        click.echo(f"{table}: {counts['create']} created, {counts['update']} updated, {counts['unchanged']} unchanged")
        return
    click.echo(
        f"{table} (dry run, nothing written): {counts['create']} to create, {counts['update']} to update,"
        f" {counts['unchanged']} unchanged, {counts['refused']} refused"
    )
    for row in plan.refused:
        click.echo(f"  line {row.line}: " + "; ".join(f"{k}: {v}" for k, v in row.problems.items()), err=True)
    if plan.refused:
        sys.exit(1)  # the file would be refused whole


@click.command("export-records")
@click.argument("table", type=click.Choice(list(TABLES)))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="default: TABLE.xlsx / .csv")
@with_appcontext
def export_records_command(table: str, fmt: str, output: Path | None) -> None:
    """Write every record of TABLE with the field names as headers (the import format, read back as is)."""
    try:
        download = imports.export_table(current_app.extensions["aftersales"], CLI_ADMIN, table, fmt)
    except AppError as exc:
        _refusal(exc)
    target = output or Path(download.filename)
    target.write_bytes(download.body)
    click.echo(f"wrote {target} ({len(download.body)} bytes)")


COMMANDS = (import_records_command, export_records_command)
