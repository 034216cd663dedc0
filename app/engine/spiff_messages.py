"""SpiffWorkflow's parser messages, said in words a process owner understands.

SpiffWorkflow 3.2.0 refuses some diagrams with messages written for its developers: raw XML of the
element, Python object addresses, "operator", "SubWorkflow". ``plain`` turns each known one into a
sentence; an unknown one is passed on without what no reader can use (XML dumps, addresses).
"""

from __future__ import annotations

import re

PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), sentence)
    for pattern, sentence in (
        (
            r"A Service Task must have an operator",
            "service task names no operator (spiffworkflow:serviceTaskOperator) nor a topic for outside"
            " workers (spiffworkflow:property topic, camunda:topic); this engine runs no Java class or"
            " connector, so a service task must name an operator it knows or a topic",
        ),
        (
            r"The process '([^']*)' was not found",
            "call activity calls process '\\1', which is neither in this file nor deployed; deploy the file"
            " that defines it first, or together with this one",
        ),
        (
            r"No DMN Diagram available with id \"([^\"]*)\"",
            "business rule task uses DMN decision '\\1'; DMN is not supported",
        ),
        (r"Data Store with name (.*?) has no implementation", "data store '\\1' is not supported"),
        (r"Unknown Time Specification", "timer has no ISO 8601 value or expression"),
        (r"Time Specification Error", "timer value is not ISO 8601"),
        (r"Unsupported Catch Event", "this kind of catch event is not supported"),
        (r"Multiple outgoing flows are not supported", "this task has several outgoing flows; put a gateway after it"),
        (r"Cannot resolve data(Input|Output)Association", "a data association names data that is not in the diagram"),
        (
            r"multiinstance task must specify",
            "a multi-instance task must give either a cardinality or a collection to loop over, not both nor neither",
        ),
        (r"A loopMaximum or loopCondition must be specified", "a loop task needs a loop maximum or a loop condition"),
        (r"Exactly one start event is required in a SubWorkflow", "a subprocess needs exactly one start event"),
        (r"A SubWorkflow Must contain an End event", "a subprocess needs an end event"),
        (r"Cancel Events may only be used with transactions", "a cancel event must sit in a transaction subprocess"),
        (r"No start event found", "the process has no start event"),
        (r"There is no support implemented for this task type", "this kind of task is not supported"),
        (r"Duplicate process ID: (\S+)", "process id \\1 is used twice"),
    )
)
NOISE = (re.compile(r"b?'<[^>]*>.*?'", re.S), re.compile(r"<[^<>]* at 0x[0-9a-f]+>"), re.compile(r" at 0x[0-9a-f]+"))


def plain(message: str) -> str:
    """A plain sentence for SpiffWorkflow's ``message`` (its first line if it knows no better)."""
    for pattern, sentence in PLAIN:
        found = pattern.search(message)
        if found:
            return found.expand(sentence)
    text = message.strip().splitlines()[0].strip() if message.strip() else "SpiffWorkflow cannot read the diagram"
    for noise in NOISE:
        text = noise.sub("…", text)
    return text
