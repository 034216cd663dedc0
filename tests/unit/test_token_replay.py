"""Token replay on flow graphs, construct by construct (plain Python: no database, no engine).

p produced (the start token included), c consumed (the end tokens included), m missing, r remaining;
fitness = ½(1 − m/c) + ½(1 − r/p).
"""

from __future__ import annotations

from pathlib import Path

from app.domain.flowgraph import FlowEdge
from app.domain.flowgraph import FlowGraph
from app.domain.flowgraph import FlowNode
from app.domain.replay_net import build_net
from app.domain.token_replay import LogStep
from app.domain.token_replay import activity_index
from app.domain.token_replay import match_activity
from app.domain.token_replay import replay_trace
from app.engine import flow_graph

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def graph(nodes: list[FlowNode], flows: str) -> FlowGraph:
    """``flows``: "a>b b>c ..." as sequence flows."""
    edges = tuple(FlowEdge(f"f{i}", *pair.split(">")) for i, pair in enumerate(flows.split()))
    return FlowGraph("t", {n.id: n for n in nodes}, edges)


def node(id_: str, type_: str = "userTask", **kw) -> FlowNode:
    return FlowNode(id_, type_, name=kw.pop("name", f"{id_} / {id_.upper()}"), **kw)


def check(g: FlowGraph, *trace: str, complete: bool = True):
    index = activity_index(g)
    result = replay_trace(build_net(g), [LogStep(a, match_activity(g, index, a)) for a in trace], complete=complete)
    deviations = [(d.kind, d.activity, d.position) for d in result.deviations]
    return result.fitness, (result.produced, result.consumed, result.missing, result.remaining), deviations


PARALLEL = graph(
    [
        node("s", "startEvent"),
        node("split", "parallelGateway"),
        node("a"),
        node("b"),
        node("join", "parallelGateway"),
        node("c"),
        node("e", "endEvent"),
    ],
    "s>split split>a split>b a>join b>join join>c c>e",
)


def test_a_parallel_gateway_splits_and_joins_in_any_order():
    # start 1→1, split 1→2, a, b, join 2→1, c, end: p = 1 + 8 = 9, c = 8 + 1 = 9
    assert check(PARALLEL, "a", "b", "c") == (1.0, (9, 9, 0, 0), [])
    assert check(PARALLEL, "B", "A", "C")[0] == 1.0
    # b skipped: c lacks its token (m = 1); a's token at the join and b's input are left (r = 2);
    # fired: start, split, a, c, end → p = 1 + 1 + 2 + 1 + 1 + 1 = 7, c = 5 + 1 = 6
    # → ½(1 − 1/6) + ½(1 − 2/7) = 0.7738
    assert check(PARALLEL, "a", "c") == (0.7738, (7, 6, 1, 2), [("missing", "b", 1)])


def boundary_graph(interrupting: bool) -> FlowGraph:
    return graph(
        [
            node("s", "startEvent"),
            node("t"),
            node("done", "endEvent"),
            node("timer", "boundaryEvent", attached_to="t", interrupting=interrupting),
            node("chase"),
            node("chased", "endEvent"),
        ],
        "s>t t>done timer>chase chase>chased",
    )


def test_an_interrupting_boundary_event_is_an_alternative_path_from_its_activity():
    g = boundary_graph(interrupting=True)
    assert check(g, "t")[0] == 1.0
    # the timer is not in the log: it fires silently, taking t's token
    assert check(g, "chase") == (1.0, (5, 5, 0, 0), [])
    # once t is done the timer can no longer fire: chasing afterwards is inserted
    assert check(g, "t", "chase")[2] == [("inserted", "chase", 1)]


def test_a_non_interrupting_boundary_event_adds_a_path_and_keeps_the_activity():
    g = boundary_graph(interrupting=False)
    # start, timer (t's token back, one to chase), chase, chased, t, done: p = 1 + 1 + 2 + 1 + 1 + 1 + 1 = 8;
    # c = 6 + 2 end tokens = 8
    assert check(g, "timer", "chase", "t") == (1.0, (8, 8, 0, 0), [])
    assert check(g, "chase", "t")[0] == 1.0  # the timer fired silently
    assert check(g, "t")[0] == 1.0  # it need not fire


SUBPROCESS = graph(
    [
        node("s", "startEvent"),
        node("sub", "subProcess"),
        node("sub_s", "startEvent", parent="sub"),
        node("a", parent="sub"),
        node("b", parent="sub"),
        node("sub_e", "endEvent", parent="sub"),
        node("c"),
        node("e", "endEvent"),
        node("cancel", "boundaryEvent", attached_to="sub"),
        node("d"),
        node("e2", "endEvent"),
    ],
    "s>sub sub_s>a a>b b>sub_e sub>c c>e cancel>d d>e2",
)


def test_an_embedded_subprocess_is_flattened():
    # start, enter (1→2: its start and "running"), sub_s, a, b, sub_e, leave (2→1), c, end
    # p = 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 = 11, c = 1 + 1 + 1 + 1 + 1 + 1 + 2 + 1 + 1 + 1 = 11
    assert check(SUBPROCESS, "a", "b", "c") == (1.0, (11, 11, 0, 0), [])
    assert check(SUBPROCESS, "a", "b", "sub", "c")[0] == 1.0  # the subprocess's own completion event
    assert check(SUBPROCESS, "b", "c")[2] == [("missing", "a", 0)]


def test_an_interrupting_boundary_event_on_a_subprocess_clears_it():
    # a done, then the subprocess is interrupted: b's waiting token is cleared, nothing remains
    fitness, (_, _, missing, remaining), deviations = check(SUBPROCESS, "a", "d")
    assert (fitness, missing, remaining, deviations) == (1.0, 0, 0, [])


def test_an_inclusive_gateway_takes_any_non_empty_subset():
    g = graph(
        [
            node("s", "startEvent"),
            node("or", "inclusiveGateway"),
            node("a"),
            node("b"),
            node("join", "inclusiveGateway"),
            node("c"),
            node("e", "endEvent"),
        ],
        "s>or or>a or>b a>join b>join join>c c>e",
    )
    for trace in (("a", "c"), ("b", "c"), ("a", "b", "c"), ("b", "a", "c")):
        assert check(g, *trace)[0] == 1.0, trace
    assert check(g, "c")[2] == [("missing", "a", 0)]


def test_an_exclusive_choice_is_free_and_a_loop_marker_repeats():
    g = graph(
        [
            node("s", "startEvent"),
            node("x", "exclusiveGateway"),
            node("a", loop=True),
            node("b"),
            node("m", "exclusiveGateway"),
            node("e", "endEvent"),
        ],
        "s>x x>a x>b a>m b>m m>e",
    )
    assert check(g, "a", "a", "a")[0] == check(g, "b")[0] == 1.0
    assert check(g, "b", "b")[2] == [("inserted", "b", 1)]


def test_a_terminate_end_event_ends_the_other_branches():
    g = graph(
        [
            node("s", "startEvent"),
            node("split", "parallelGateway"),
            node("a"),
            node("b"),
            node("stop", "endEvent", terminate=True),
            node("e", "endEvent"),
        ],
        "s>split split>a split>b a>stop b>e",
    )
    # start, split (1→2), a, stop (1→1, and b's waiting token cleared: consumed): p = 1 + 1 + 2 + 1 + 1 = 6,
    # c = 1 + 1 + 1 + 1 + 1 + the end token = 6
    assert check(g, "a") == (1.0, (6, 6, 0, 0), [])
    assert check(g, "b")[2] == [("missing", "a", 1)]


def test_a_call_activity_is_one_activity_the_log_must_name():
    g = graph(
        [node("s", "startEvent"), node("call", "callActivity"), node("z"), node("e", "endEvent")],
        "s>call call>z z>e",
    )
    assert check(g, "call", "z")[0] == 1.0
    assert check(g, "z")[2] == [("missing", "call", 0)]


def test_annual_plan_subprocess_with_a_reminder_replays_from_the_deployed_xml():
    g = flow_graph((PROCESSES / "annual_plan.bpmn").read_bytes(), "annual_plan")
    assert g.nodes["draft_plan"].parent == "plan_approval" and g.is_expanded_subprocess("plan_approval")
    returned = ["draft_plan", "review_plan", "draft_plan", "review_plan", "approve_plan", "approve_major_support"]
    assert check(g, *returned)[0] == 1.0  # the review sent it back once, then a major support action
    # the 14-day reminder (non-interrupting, on the subprocess) while drafting, by the English name
    assert check(g, "draft_plan", "14-day reminder", "review_plan", "approve_plan")[0] == 1.0
    assert check(g, "review_plan", "draft_plan", "approve_plan")[2] == [("out_of_order", "review_plan", 0)]
    # the draft is missing once, not again at each later step that needed it
    assert check(g, "approve_plan", "review_plan")[2] == [("missing", "draft_plan", 0)]


def test_names_match_by_either_half_ignoring_case_and_width():
    g = flow_graph((PROCESSES / "repair.bpmn").read_bytes(), "repair")
    index = activity_index(g)
    assert match_activity(g, index, "回访客户") == ("callback",)
    assert match_activity(g, index, "  customer   CALLBACK ") == ("callback",)
    assert match_activity(g, index, "回访客户 ／ Customer callback") == ("callback",)  # full-width slash
    assert match_activity(g, index, "whatever", "callback") == ("callback",)  # an element id column wins
    assert set(match_activity(g, index, "Follow-up done")) == {
        "contact_followup_done",
        "report_followup_done",
        "appointment_followup_done",
        "payment_followup_done",
    }
    assert match_activity(g, index, "Tea break") == ()
