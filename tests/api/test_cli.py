"""The ``aftersales`` command: set up, deploy, refuse bad diagrams, move the simulated clock."""

from __future__ import annotations

from app.cli import main
from tests.conftest import make_app
from tests.diagrams import TINY
from tests.diagrams import write_tiny


def run(app, *args):
    with app.app_context():  # this app's, whatever another test left behind
        return app.test_cli_runner().invoke(args=list(args))


def test_init_db_deploy_and_redeploy(tmp_path, clock):
    processes = tmp_path / "processes"
    write_tiny(processes)
    app = make_app(f"sqlite:///{tmp_path / 'fresh.db'}", clock, processes, create=False)  # init-db migrates
    assert run(app, "init-db").exit_code == 0
    first = run(app, "deploy")
    assert first.exit_code == 0 and "tiny: version 1" in first.output
    again = run(app, "deploy")
    assert "tiny: version 1 (unchanged)" in again.output
    write_tiny(processes, TINY.replace("做事 / Do it", "做事情 / Do the thing"))
    assert "tiny: version 2" in run(app, "deploy").output
    app.extensions["aftersales.db"].dispose()


def test_a_broken_convention_deploys_with_a_warning_and_strict_refuses_it(tmp_path, database_url, clock):
    processes = tmp_path / "processes"
    write_tiny(processes, TINY.replace('name="计算 / Compute"', ""))
    app = make_app(database_url, clock, processes)
    strict = run(app, "deploy", "--strict")
    assert strict.exit_code == 1 and "[compute]: warning: scriptTask has no name" in strict.output
    with app.extensions["aftersales"].uow() as uow:
        assert uow.versions.all_versions() == []
    advised = run(app, "deploy")
    assert advised.exit_code == 0 and "tiny: version 1" in advised.output
    assert "tiny.bpmn:43 [compute]: warning: scriptTask has no name" in advised.output
    app.extensions["aftersales.db"].dispose()


def test_a_bad_diagram_is_refused_with_file_line_and_reason(tmp_path, database_url, clock):
    processes = tmp_path / "processes"
    write_tiny(processes, TINY.replace('"PT24H"', "P3X"))
    app = make_app(database_url, clock, processes)
    result = run(app, "deploy")
    assert result.exit_code == 1
    assert "tiny.bpmn:" in result.output and "[late]" in result.output and "neither a valid ISO 8601" in result.output
    with app.extensions["aftersales"].uow() as uow:
        assert uow.versions.all_versions() == []
    app.extensions["aftersales.db"].dispose()


def test_clock_advance_fires_the_timers_that_fall_due(tiny):
    from app.domain.principal import Principal
    from app.services.cases.opening import start_case

    start_case(tiny.extensions["aftersales"], "tiny", None, Principal("agent", frozenset({"cs_agent"})))
    result = run(tiny, "clock", "advance", "PT25H")
    assert result.exit_code == 0 and "fired 1 timer(s)" in result.output


def test_the_console_script_offers_the_commands():
    # Closed contexts: listing the commands loads the console script's app and pushes its app context,
    # which would otherwise stay current for the tests that run after this one.
    with main.make_context("aftersales", [], resilient_parsing=True) as context:
        help_text = main.get_help(context)
    for command in ("init-db", "deploy", "demo", "serve", "clock", "fire-timers"):
        assert command in help_text


def test_fire_timers_runs_on_the_simulated_clock_where_it_was_moved_to(tiny, database_url, tmp_path):
    from app.clock import SimulatedClock
    from app.domain.principal import Principal
    from app.services.cases.opening import start_case
    from app.services.timing.time_travel import OFFSET_KEY

    # A running simulated clock (not the tests' frozen one): the timer is due 24 h from now.
    first = make_app(database_url, SimulatedClock(), tmp_path / "processes", create=False)
    ctx = first.extensions["aftersales"]
    start_case(ctx, "tiny", None, Principal("agent", frozenset({"cs_agent"})))
    assert "fired 0 timer(s)" in run(first, "fire-timers").output
    with ctx.uow() as uow:  # the clock was moved 25 h ahead by an earlier command
        uow.settings.put(OFFSET_KEY, str(25 * 3600))
        uow.commit()
    later = make_app(database_url, SimulatedClock(), tmp_path / "processes", create=False)
    try:
        result = run(later, "fire-timers")
        assert result.exit_code == 0 and "fired 1 timer(s)" in result.output, result.output
    finally:
        later.extensions["aftersales.db"].dispose()
        first.extensions["aftersales.db"].dispose()


def test_a_deployed_version_exported_to_files_deploys_again_unchanged(app, tmp_path):
    from app.services.processes.deployments import deploy_directory
    from tests.conftest import PROCESSES

    result = run(app, "export", "repair", "--version", "1", "--to", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "repair.bpmn").read_bytes() == (PROCESSES / "repair.bpmn").read_bytes()
    forms = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.json"))
    assert forms == sorted(p.relative_to(PROCESSES) for p in (PROCESSES / "forms" / "repair").glob("*.json"))
    [again] = deploy_directory(app.extensions["aftersales"], tmp_path / "out")
    assert (again.process_key, again.version, again.created) == ("repair", 1, False)
    assert "no deployed process 'nothing'" in run(app, "export", "nothing", "--to", str(tmp_path)).output
