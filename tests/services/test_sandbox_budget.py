"""The budget of diagram code: every bomb ends its step with a clear reason, the case goes to error
with that reason in instance.error and in its audit trail, and the service goes on.

Each bomb is deployed as a new version of the tiny diagram (tests/diagrams.TINY: a user task, then
the script under test) and run through the service layer as a user would. No test here measures
time: a bomb must be stopped by the budget's own reason (the numbers are in the README).
"""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

import pytest

from app.domain.principal import Principal
from app.engine import script_budget
from app.engine.loader import load_definition
from app.errors import DiagramError
from app.services.cases.opening import case_events
from app.services.cases.opening import start_case
from app.services.processes.deployments import deploy_definitions
from app.services.tasks.work import complete_task
from app.services.tasks.work import list_tasks
from app.services.timing.timer_firing import fire_due_timers
from tests.diagrams import TINY
from tests.diagrams import read_form

AGENT = Principal("agent", frozenset({"cs_agent"}))
ADMIN = Principal("admin", frozenset({"admin"}))
SCRIPT = 'result = "yes" if ok else "no"'
ITERATE = "a script may iterate over at most 100000 items in one run"
SEQUENCE = "a script may not build a sequence of"
BUILT = "a script may build at most 4000000 items and characters in one run"
INTEGER = "a script may not build an integer beyond 4096 bits"
CPU = "a script may use at most 1 s of CPU time in one run"

# tiny, with an exclusive gateway after the user task: CONDITION leads to the script, else to the end.
GATED = (
    TINY.replace(
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>check</bpmn:flowNodeRef>",
    )
    .replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="compute"/>',
        '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="check"/>\n'
        '    <bpmn:sequenceFlow id="f2c" sourceRef="check" targetRef="compute">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">CONDITION</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>\n"
        '    <bpmn:sequenceFlow id="f2d" sourceRef="check" targetRef="finish"/>',
    )
    .replace(
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
        "<bpmn:incoming>f2c</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
    )
    .replace(
        '<bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:exclusiveGateway id="check" name="检查 / Check" default="f2d">'
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2c</bpmn:outgoing><bpmn:outgoing>f2d</bpmn:outgoing>"
        "</bpmn:exclusiveGateway>\n"
        '    <bpmn:endEvent id="finish" name="结束 / Finish">'
        "<bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f2d</bpmn:incoming></bpmn:endEvent>",
    )
)
# tiny, where the script loops back to itself while CONDITION holds.
LOOPING = (
    TINY.replace(
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>again</bpmn:flowNodeRef>",
    )
    .replace(
        '<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="finish"/>',
        '<bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="again"/>\n'
        '    <bpmn:sequenceFlow id="f3a" sourceRef="again" targetRef="compute">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">CONDITION</bpmn:conditionExpression>'
        "</bpmn:sequenceFlow>\n"
        '    <bpmn:sequenceFlow id="f3b" sourceRef="again" targetRef="finish"/>',
    )
    .replace(
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f3a</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
    )
    .replace(
        '<bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:exclusiveGateway id="again" name="再来 / Again" default="f3b">'
        "<bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f3a</bpmn:outgoing><bpmn:outgoing>f3b</bpmn:outgoing>"
        "</bpmn:exclusiveGateway>\n"
        '    <bpmn:endEvent id="finish" name="结束 / Finish"><bpmn:incoming>f3b</bpmn:incoming></bpmn:endEvent>',
    )
)


def with_script(script: str, xml: str = TINY) -> str:
    assert SCRIPT in xml
    return xml.replace(SCRIPT, escape(script))


def with_condition(condition: str, xml: str = GATED) -> str:
    return xml.replace("CONDITION", escape(condition))


def with_timer(expression: str) -> str:
    return TINY.replace('"PT24H"', escape(expression))


@pytest.fixture
def ctx(app_with_diagram):
    return app_with_diagram(TINY, ("admin", "agent")).extensions["aftersales"]


def deploy(ctx, xml: str) -> None:
    deploy_definitions(ctx, [load_definition("tiny.bpmn", xml.encode(), read_form)], actor="tests")


def run_case(ctx, xml: str | None = None, ok: bool = True):
    """Deploy ``xml`` (if given), open a case, do its user task; the case and its events afterwards."""
    if xml is not None:
        deploy(ctx, xml)
    instance = start_case(ctx, "tiny", None, AGENT)
    tasks = list_tasks(ctx, AGENT, instance_id=instance.id)
    if tasks and instance.status == "running":
        [(task, _)] = tasks
        complete_task(ctx, task.id, {"ok": ok}, AGENT)
    return case_of(ctx, instance.id)


def case_of(ctx, instance_id):
    with ctx.uow() as uow:
        instance = uow.instances.get(instance_id)
        uow.session.expunge(instance)
    return instance, case_events(ctx, instance_id, ADMIN)


def assert_stopped(ctx, xml: str, reason: str, ok: bool = True):
    """The case is in error with ``reason``, in instance.error and in its error event; nothing else is lost."""
    instance, events = run_case(ctx, xml, ok)
    assert instance.status == "error", (instance.status, instance.error, instance.data)
    assert reason in instance.error, instance.error
    [error] = [e for e in events if e.type == "error"]
    assert reason in error.data["message"], error.data
    return instance


def assert_service_goes_on(ctx) -> None:
    instance, _ = run_case(ctx, TINY)
    assert instance.status == "completed" and instance.data["result"] == "yes", instance.error


# -- scripts: builtins and methods that iterated or built in C around the guards --------------
SCRIPT_BOMBS = {
    "sum over map": ("x = sum(map(lambda i: i, range(10 ** 6)))", ITERATE),
    "sorted list of map": ("x = sorted(list(map(lambda i: -i, range(10 ** 6))))", ITERATE),
    "sum of a range": ("x = sum(range(10 ** 6))", ITERATE),
    "list of a range, repeated": ("x = list(range(10 ** 6)) * 1", ITERATE),
    "dict.fromkeys": ("x = dict.fromkeys(range(10 ** 6))", ITERATE),
    "max of zip": ("x = max(zip(range(10 ** 6), range(10 ** 6)))", ITERATE),
    "list doubling by extend": ("l = [1]\nfor _ in range(40):\n    l.extend(l)", ITERATE),
    "str.ljust": ('x = "a".ljust(10 ** 9)', SEQUENCE + " 1000000000 items"),
    "str.rjust, unbound": ("x = str.rjust('a', 10 ** 9)", SEQUENCE + " 1000000000 items"),
    "str.center": ('x = "a".center(10 ** 9)', SEQUENCE + " 1000000000 items"),
    "str.zfill": ('x = "1".zfill(10 ** 9)', SEQUENCE + " 1000000000 items"),
    "str.expandtabs": ('x = ("\\t" * 1000).expandtabs(10 ** 6)', SEQUENCE),
    "str.replace, repeated": (
        's = "a" * 1000\ns = s.replace("a", "a" * 1000)\ns = s.replace("a", "a" * 1000)',
        SEQUENCE,
    ),
    "str.join": ('x = ",".join("a" * 1000 for _ in range(2000))', SEQUENCE),
    "str.translate": ('x = ("a" * 1000).translate({97: "b" * 10000})', SEQUENCE),
    "bytes by encode": ('x = "a".encode() * 10 ** 9', SEQUENCE + " 1000000000 items"),
    "int.to_bytes": ("x = (1).to_bytes(10 ** 9, 'big')", SEQUENCE + " 1000000000 items"),
    "percent format with a star width": ('w = 10 ** 9\nx = "%*s" % (w, "a")', SEQUENCE),
    "percent format of a shared list": ('s = "a" * 1000\nx = "%s" % ([s] * 999,)', SEQUENCE),
    "f-string width": ("w = 10 ** 9\nx = f'{1:>{w}}'", SEQUENCE + " 1000000000 items"),
    "f-string precision": ("p = 10 ** 8\nx = f'{1.5:.{p}f}'", SEQUENCE),
    "str of a list": ('x = str(["ab"] * 300000)', SEQUENCE),
    "string doubling": ('s = "x" * 1000000\ns = s + s', SEQUENCE + " 2000000 items"),
    "string doubling in place": ('s = "x" * 1000000\ns += s', SEQUENCE + " 2000000 items"),
    "builtin pow": ("x = pow(2, 10 ** 7)", INTEGER),
    "integer squaring": ("n = 2 ** 4000\nn = n * n", INTEGER),
    "integer doubling": ("n = 2 ** 4000\nfor _ in range(200):\n    n = n + n", INTEGER),
    "integer from text": ('x = int("9" * 4000)', INTEGER),
    "integer digits": ('x = int("9" * 5000)', "Exceeds the limit (4300 digits)"),
    "round to a huge precision": ("x = round(5, -10 ** 8)", "may not round to"),
    "nested comprehension": ("x = [[0] * 10000 for _ in range(1000)]", BUILT),
    "slice copies": ('s = "a" * 1000000\nl = [s[1:] for _ in range(10)]', BUILT),
    "appending one string many times": ('s = "a" * 1000000\nl = []\nfor _ in range(10):\n    l.append(s)', BUILT),
    "slice assignment doubling": ("l = [0]\nfor _ in range(40):\n    l[0:0] = l", ITERATE),
    # 2 ** 40 references: compared or hashed in C, it would never end; building it is refused.
    "doubling a nested list": ("x = [0]\nfor _ in range(40):\n    x = [x, x]\ny = x == [x, x]", SEQUENCE),
    "doubling a nested dict": ('x = {}\nfor _ in range(40):\n    x = {"a": x, "b": x}', SEQUENCE),
    "doubling a nested tuple, hashed": ("t = (0,)\nfor _ in range(40):\n    t = (t, t)\nh = hash(t)", SEQUENCE),
    "a set display of a big tuple": ('t = tuple(["a" * 100000] * 9)\ns = {t, t, t}', SEQUENCE),
    "exponential recursion": ("f = lambda f, n: n and (f(f, n - 1) or f(f, n - 1))\nx = f(f, 40)", CPU),
    "endless recursion": ("f = lambda f: f(f)\nx = f(f)", "a script's calls may nest at most 100 deep"),
    "recursion through sorted": (
        "f = lambda n: sorted([1, 2], key=lambda i: f(n + 1))\nx = f(0)",
        "a script's calls may nest at most 100 deep",
    ),
    "many comparisons of big lists": (
        "a = [0] * 1000000\nb = [0] * 999999 + [1]\nfor _ in range(100000):\n    same = a == b",
        CPU,
    ),
    "the refusal caught with except Exception": (
        "try:\n    x = pow(2, 10 ** 7)\nexcept Exception:\n    x = 0",
        INTEGER,
    ),
    "CPU bomb caught with except Exception": (
        "f = lambda f, n: n and (f(f, n - 1) or f(f, n - 1))\ntry:\n    x = f(f, 40)\nexcept Exception:\n    x = 0",
        CPU,
    ),
    "the unguarded types through mro": ("x = list.mro()", '"mro" is not available'),
    "str.format": ('x = "{:>1000000000}".format(1)', "format"),
}


@pytest.mark.parametrize("name", sorted(SCRIPT_BOMBS))
def test_a_script_bomb_stops_its_step_with_the_reason_and_the_service_goes_on(ctx, name):
    script, reason = SCRIPT_BOMBS[name]
    instance = assert_stopped(ctx, with_script(script), reason)
    assert "x" not in instance.data and "l" not in instance.data  # a failed script leaves nothing
    assert instance.data["ok"] is True  # what the user submitted is kept
    assert_service_goes_on(ctx)


def test_what_a_script_leaves_in_the_case_must_be_small_plain_data(ctx):
    cases = {
        'a = "a" * 900000\nb = "b" * 900000': "a script may leave at most 1000000 bytes of case data",
        "x = []\nfor _ in range(100):\n    x = [x]": "the case data may nest at most 32 levels deep",
        "x = range(3)": "a script may leave only text, numbers, lists and dicts in the case data ('x' holds a range)",
        'x = {"f": lambda: 1}': "('x' holds a function)",
        'x = float("nan")': "a script may not leave nan in the case data",
        "x = [chr(0)]": "a script may not leave a NUL character in the case data",
        'x = "a".encode()': "('x' holds a bytes)",
    }
    for script, reason in cases.items():
        assert_stopped(ctx, with_script(script), reason)
    assert_service_goes_on(ctx)


def test_a_failed_script_leaves_the_case_data_as_it_found_it(ctx):
    script = 'note = "half done"\nresult = "partial"\nx = pow(2, 10 ** 7)'
    instance = assert_stopped(ctx, with_script(script), INTEGER)
    assert "note" not in instance.data and "result" not in instance.data, instance.data


@pytest.mark.parametrize(
    "condition, reason",
    [
        ("sum(range(10 ** 6)) > 0", ITERATE),
        ('len("a".ljust(10 ** 9)) > 0', SEQUENCE + " 1000000000 items"),
        ("pow(2, 10 ** 7) > 0", INTEGER),
        ("(lambda f: f(f))(lambda f: f(f))", "a script's calls may nest at most 100 deep"),
    ],
)
def test_a_condition_bomb_stops_with_the_reason(ctx, condition, reason):
    instance = assert_stopped(ctx, with_condition(condition), reason)
    assert "Error evaluating expression" in instance.error  # and the reason follows (not only the expression)
    assert_service_goes_on(ctx)


def test_a_timer_expression_bomb_stops_with_the_reason(ctx):
    instance = assert_stopped(ctx, with_timer('"PT" + str(pow(2, 10 ** 7)) + "H"'), INTEGER)
    assert instance.error.startswith("Error evaluating expression")
    assert_service_goes_on(ctx)


COUNT = "try:\n    n = n + 1\nexcept NameError:\n    n = 1"


def test_a_loop_in_the_diagram_is_stopped_by_the_step_budget(ctx, monkeypatch):
    """Lowered limits: SpiffWorkflow 3.2.0 itself stops seeing a case's tasks 1 000 levels deep,
    so a loop of one script and one condition never reaches 1 000 runs in one step."""
    monkeypatch.setattr(script_budget, "MAX_STEP_RUNS", 100)
    assert_stopped(
        ctx, with_condition("n < 10 ** 9", with_script(COUNT, LOOPING)), "one step may run at most 100 scripts"
    )
    instance, _ = run_case(ctx, with_condition("n < 10", with_script(COUNT, LOOPING)))
    assert instance.status == "completed" and instance.data["n"] == 10, instance.error


def test_a_loop_of_heavy_scripts_is_stopped_by_the_step_cpu_budget(ctx, monkeypatch):
    """Each run within its own budget, together more than a step may take."""
    monkeypatch.setattr(script_budget, "MAX_STEP_CPU_SECONDS", 0.3)
    heavy = COUNT + "\nx = len(sorted(range(50000), key=lambda i: -i))"
    assert_stopped(
        ctx,
        with_condition("n < 10 ** 9", with_script(heavy, LOOPING)),
        "the scripts of one step may use at most 0.3 s of CPU time",
    )


def test_a_loop_growing_the_case_data_is_stopped_by_the_step_data_budget(ctx, monkeypatch):
    """Each round leaves less than a script may; together they would grow the stored state without end."""
    monkeypatch.setattr(script_budget, "MAX_STEP_DATA", 300_000)
    growing = COUNT + '\nlatest = str(n) + "x" * 100000'
    assert_stopped(
        ctx,
        with_condition("n < 20", with_script(growing, LOOPING)),
        "the scripts of one step may write at most 300000 bytes of case data in all",
    )
    instance, _ = run_case(ctx, with_condition("n < 20", with_script(COUNT + "\nlatest = n", LOOPING)))
    assert instance.status == "completed" and instance.data["latest"] == 20, instance.error


def test_a_bomb_after_a_timer_fails_its_case_and_the_timer_worker_goes_on(ctx, clock):
    """A script after an intermediate timer runs in the timer worker: it fails that case only."""
    waiting = (
        TINY.replace(
            "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>compute</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>wait</bpmn:flowNodeRef>",
        )
        .replace(
            '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="compute"/>',
            '<bpmn:sequenceFlow id="f2" sourceRef="do_it" targetRef="wait"/>\n'
            '    <bpmn:sequenceFlow id="f2w" sourceRef="wait" targetRef="compute"/>',
        )
        .replace(
            "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
            "<bpmn:incoming>f2w</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
        )
        .replace(
            '<bpmn:endEvent id="finish"',
            '<bpmn:intermediateCatchEvent id="wait" name="等一天 / Wait a day">\n'
            "      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2w</bpmn:outgoing>\n"
            '      <bpmn:timerEventDefinition id="wait_timer">\n'
            '        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"</bpmn:timeDuration>\n'
            "      </bpmn:timerEventDefinition>\n"
            "    </bpmn:intermediateCatchEvent>\n"
            '    <bpmn:endEvent id="finish"',
        )
    )
    script = 'result = "yes" if ok else sum(map(lambda i: i, range(10 ** 6)))'
    deploy(ctx, with_script(script, waiting))
    bomb, _ = run_case(ctx, ok=False)
    fine, _ = run_case(ctx, ok=True)
    clock.advance(timedelta(days=1, minutes=1))
    assert fire_due_timers(ctx).timers == 2
    bomb, _ = case_of(ctx, bomb.id)
    fine, _ = case_of(ctx, fine.id)
    assert bomb.status == "error" and ITERATE in bomb.error, bomb.error
    assert fine.status == "completed" and fine.data["result"] == "yes", fine.error


def test_a_script_cannot_plant_anything_on_a_helper_for_another_case(ctx):
    script = (
        "if ok:\n"
        '    add_days.planted = "by the first case"\n'
        "try:\n"
        "    seen = add_days.planted\n"
        "except AttributeError:\n"
        '    seen = "nothing"'
    )
    deploy(ctx, with_script(script))
    first, _ = run_case(ctx, ok=True)
    assert first.status == "error", first.data
    assert "a script may not change add_days (a function)" in first.error, first.error
    second, _ = run_case(ctx, ok=False)
    assert second.status == "completed" and second.data["seen"] == "nothing", second.data
    refusals = {
        'add_days["planted"] = 1': "a script may not change add_days (a function)",
        "str.planted = 1": "a script may not change the type str",
        "del now.planted": "a script may not change now_iso (a function)",
        "x = (1, 2)\nx[0] = 5": "a script may not change a tuple",
    }
    for script, reason in refusals.items():
        assert_stopped(ctx, with_script(script), reason)


def test_writes_to_the_scripts_own_lists_and_dicts_and_to_the_case_data_work(ctx):
    deploy(ctx, with_script(SCRIPT))
    script = (
        'totals = {"a": 0}\n'
        "items = [3, 1, 2]\n"
        "items[0] = 4\n"
        "items[1:2] = [5, 6]\n"
        'totals["a"] = sum(items)\n'
        "del items[0]\n"
        "ok_flags = [ok]\n"
        "ok_flags.append(not ok)\n"
        'result = f"{totals[\'a\']:>3}|" + ",".join(str(i) for i in sorted(items)) + "|" + "%d" % len(ok_flags)'
    )
    instance, _ = run_case(ctx, with_script(script))
    assert instance.status == "completed", instance.error
    assert instance.data["result"] == " 17|2,5,6|2" and instance.data["items"] == [5, 6, 2]


def test_ordinary_scripts_and_conditions_still_work(ctx):
    script = (
        'labels = {"A": "paid", "B": "contract", "C": "free"}\n'
        'rows = [{"part": p, "qty": q} for p, q in zip(["pump", "belt", "fan"], [2, 1, 3])]\n'
        'total = sum(r["qty"] for r in rows)\n'
        'names = ", ".join(sorted(r["part"].upper() for r in rows))\n'
        "biggest = max(rows, key=lambda r: r['qty'])['part']\n"
        'due = add_days("2026-03-02T09:00:00+08:00", 3)\n'
        "kinds = len({type_ for type_ in labels.values() if len(type_) > 4})\n"
        "result = f\"{names} ({total}) {biggest} {due[:10]} {labels.get('A')} {kinds}\"\n"
        "isinstance(result, str) or fail\n"
        'padded = "7".zfill(3) + "x".ljust(3, "-") + "%05.1f" % 2.5 + str([1, 2]) + repr("q")'
    )
    instance, _ = run_case(
        ctx, with_condition("ok and len(str(ok)) == 4 and 'T' in str(ok)", with_script(script, GATED))
    )
    assert instance.status == "completed", instance.error
    assert instance.data["result"] == "BELT, FAN, PUMP (6) fan 2026-03-05 paid 1", instance.data
    assert instance.data["padded"] == "007x--002.5[1, 2]'q'"


def test_deploy_refuses_code_nested_too_deeply_and_what_would_escape_the_budget():
    refused = {
        "result = " + "+".join(["1"] * 5000): "nested more than 100 levels deep",
        "result = " + "+".join(["x"] * 100000): "nested more than 100 levels deep",
        "result = " + "[" * 150 + "]" * 150: "nested more than 100 levels deep",
        "result = " + "**".join(["2"] * 5000): "nested more than 100 levels deep",
        "result = " + "-" * 5000 + "1": "nested more than 100 levels deep",
        "result = ''" + ".upper()" * 3000: "nested more than 100 levels deep",
        "result = 10 ** 10 ** 10": "integer beyond 4096 bits",
        'result = "%1000000000s" % "a"': "a script may not build a sequence of 1000000",
        'result = "a" * 10 ** 6 + "b" * 10 ** 6': "sequence of 2000000 items",
        "try:\n    x = 1\nfinally:\n    x = 2": "try ... finally is not allowed",
        "try:\n    x = 1\nexcept:\n    x = 2": "a bare except is not allowed",
        "try:\n    x = 1\nexcept BaseException:\n    x = 2": "'BaseException' is not available",
        "class A:\n    pass": "classes are not allowed",
        "def g():\n    yield 1": "generators (yield) are not allowed",
        "with ok:\n    x = 1": "with is not allowed",
        "x = [*range(3)]": "unpacking with * is not allowed",
        "x = {**{}}": "unpacking with ** is not allowed",
        "x = dict(**{})": "unpacking with ** is not allowed",
    }
    for script, reason in refused.items():
        with pytest.raises(DiagramError) as caught:
            load_definition("tiny.bpmn", with_script(script).encode(), read_form)
        messages = [p.reason for p in caught.value.problems]
        assert any(reason in m for m in messages), (script[:40], messages)
        assert all(len(m) < 400 for m in messages), messages  # a 100 000-term expression is not quoted whole
    for condition in ("1 " + "+ 1 " * 5000 + "> 0", "[" * 150 + "ok" + "]" * 150 + " != []"):
        with pytest.raises(DiagramError) as caught:
            load_definition("tiny.bpmn", with_condition(condition).encode(), read_form)
        assert any("nested" in p.reason for p in caught.value.problems), caught.value.problems
    with pytest.raises(DiagramError) as caught:
        load_definition("tiny.bpmn", with_timer(" + ".join(['"P"'] * 5000)).encode(), read_form)
    assert any("nested more than 100 levels deep" in p.reason for p in caught.value.problems)
