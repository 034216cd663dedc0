"""The layers of app/ point one way (README, Architecture): a test reads every import.

engine is the only importer of SpiffWorkflow, persistence the only importer of SQLAlchemy,
services and domain know nothing of Flask, domain does no I/O and reads no wall clock, and no
layer imports one above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# What each layer may import of the project's own packages (besides itself and the standard library).
ALLOWED = {
    "domain": {"errors"},
    "engine": {"domain", "errors", "clock"},
    "persistence": {"domain", "errors"},
    "integrations": {"domain", "errors", "engine"},
    "services": {"domain", "engine", "persistence", "integrations", "errors", "clock"},
    "handlers": {"services", "domain", "integrations", "errors", "config", "logs"},
    "demo": {"services", "domain", "persistence", "errors", "clock"},
}
# Third-party packages only one layer may import.
OWNED = {
    "SpiffWorkflow": "engine",
    "sqlalchemy": "persistence",
    "alembic": "persistence",
    "weasyprint": "integrations",
}
NO_FLASK = {"domain", "engine", "persistence", "services", "integrations"}


def _imports() -> list[tuple[str, str, str]]:
    """(layer, module file, imported module) for every import under app/."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        layer = parts[1] if len(parts) > 1 else "app"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                found.append((layer, str(path.relative_to(APP.parent)), target))
            elif isinstance(node, ast.Import):
                found.extend((layer, str(path.relative_to(APP.parent)), alias.name) for alias in node.names)
    return found


IMPORTS = _imports()


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    wrong = [
        f"{where} imports {target}"
        for own, where, target in IMPORTS
        if own == layer
        and target.startswith("app.")
        and (other := target.split(".")[1]) != layer
        and other not in ALLOWED[layer]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(OWNED))
def test_third_party_packages_are_owned_by_one_layer(package: str) -> None:
    wrong = [
        f"{where} imports {target}"
        for layer, where, target in IMPORTS
        if target.split(".")[0] == package and layer != OWNED[package]
    ]
    assert wrong == []


def test_only_handlers_and_the_composition_root_know_flask() -> None:
    # werkzeug.security is the password hashing the users service keeps (no request or app in it).
    wrong = [
        f"{where} imports {target}"
        for layer, where, target in IMPORTS
        if layer in NO_FLASK and target.split(".")[0] in {"flask", "werkzeug"} and target != "werkzeug.security"
    ]
    assert wrong == []


IO_MODULES = {"socket", "smtplib", "sqlite3", "urllib", "http", "subprocess", "requests", "shutil", "tempfile"}
WALL_CLOCK = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("time", "time"), ("time", "monotonic")}


def test_the_domain_reads_no_wall_clock_and_does_no_io() -> None:
    wrong = [
        f"{where} imports {target}"
        for layer, where, target in IMPORTS
        if layer == "domain" and target.split(".")[0] in IO_MODULES
    ]
    for path in sorted((APP / "domain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                wrong.append(f"{path.name}:{node.lineno} open()")
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in WALL_CLOCK
            ):
                wrong.append(f"{path.name}:{node.lineno} {func.value.id}.{func.attr}()")
    assert wrong == []


def test_handlers_open_no_unit_of_work_and_services_no_session() -> None:
    """Handlers call services; services call repositories (the session is the unit of work's own)."""
    wrong = []
    for folder, forbidden in (("handlers", ".uow("), ("services", "uow.session"), ("demo", "uow.session")):
        for path in sorted((APP / folder).rglob("*.py")):
            if forbidden in path.read_text(encoding="utf-8"):
                wrong.append(f"{path.relative_to(APP.parent)} uses {forbidden}")
    assert wrong == []


# --- the test levels (README, Testing) ---------------------------------------------------------------

TESTS = APP.parent / "tests"
FLASK_PACKAGES = {"flask", "flask_babel", "werkzeug"}
HTTP_FIXTURES = {"app", "client", "as_user", "tiny_api"}
DATABASE_FIXTURES = HTTP_FIXTURES | {"ctx", "tiny", "app_with_diagram", "database_url", "seeded_templates"}


def _level(folder: str) -> list[tuple[str, set[str], set[str]]]:
    """(file, top-level packages it imports, fixtures its tests and fixtures ask for) per module of a level."""
    modules = []
    for path in sorted((TESTS / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        packages, fixtures = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                packages.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                packages.add(node.module.split(".")[0])
            elif isinstance(node, ast.FunctionDef) and (
                node.name.startswith("test_") or any("fixture" in ast.unparse(d) for d in node.decorator_list)
            ):
                fixtures.update(arg.arg for arg in node.args.args)
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "getfixturevalue" and node.args:
                fixtures.add(getattr(node.args[0], "value", ""))
        modules.append((str(path.relative_to(TESTS)), packages, fixtures))
    return modules


def test_service_tests_drive_use_cases_without_flask_or_http() -> None:
    """tests/services/ calls the use cases on a context bootstrap.py builds: no Flask import, no client."""
    modules = _level("services")
    assert len(modules) > 5  # the folder is read
    wrong = [
        f"{where}: {sorted((packages & FLASK_PACKAGES) | (fixtures & HTTP_FIXTURES))}"
        for where, packages, fixtures in modules
        if packages & FLASK_PACKAGES or fixtures & HTTP_FIXTURES
    ]
    assert wrong == []


def test_unit_tests_need_no_database_and_no_flask() -> None:
    modules = _level("unit")
    assert len(modules) > 5
    wrong = [
        f"{where}: {sorted((packages & (FLASK_PACKAGES | {'sqlalchemy'})) | (fixtures & DATABASE_FIXTURES))}"
        for where, packages, fixtures in modules
        if packages & (FLASK_PACKAGES | {"sqlalchemy"}) or fixtures & DATABASE_FIXTURES
    ]
    assert wrong == []
