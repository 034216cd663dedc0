"""Which new task takes an old task's place when a case moves to another version: the one of the same
element (as the mapping calls it there), one each, in order; a task still ready or without a
counterpart is paired with nothing."""

from __future__ import annotations

from app.services.cases.repair import task_successors


def test_each_replaced_task_is_paired_with_a_new_task_of_its_element_as_the_mapping_names_it():
    before = [("a1", "contact"), ("b1", "review"), ("b2", "review"), ("c1", "gone"), ("k1", "kept")]
    after = [("k1", "kept"), ("n1", "call"), ("n2", "review"), ("n3", "review"), ("n4", "new_step")]
    pairs = task_successors(before, after, {"contact": "call"})
    assert pairs == {"a1": "n1", "b1": "n2", "b2": "n3"}  # kept stays itself; gone has no counterpart


def test_a_multi_instance_step_with_fewer_instances_on_the_target_pairs_only_as_many():
    pairs = task_successors([("x1", "visit"), ("x2", "visit")], [("y1", "visit")], {})
    assert pairs == {"x1": "y1"}
