"""What a diagram's problems say, as message codes with parameters: the engine and the deploy's lint
name a code and its values (``problem(...)``), never a sentence; the English text (``Problem.reason``,
what the CLI prints and API clients of the first release read) and the user's language (the handlers
render ``MESSAGES[code]`` through gettext, zh_Hans in the catalogue) come from the one table here.

A parameter named ``type`` is an element's BPMN type (``userTask``) and ``what`` a kind of diagram
code (``condition``, with its text in ``snippet``): both are shown through their own tables, so a
Chinese user reads 用户任务 and 条件, not the XML's words.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from ..errors import Problem


def N_(text: str) -> str:
    """Marks a text for the catalogue (pybabel's default keyword) without translating it here."""
    return text


MESSAGES: dict[str, str] = {
    # loading the file
    "diagram-too-large": N_("diagram is %(size)s bytes; the limit is %(limit)s"),
    "diagram-unsafe": N_("the diagram cannot be read: %(detail)s"),
    "diagram-dtd": N_("%(detail)s in a diagram"),
    "diagram-not-bpmn": N_("root element is %(tag)s, expected bpmn:definitions"),
    "diagram-not-utf8": N_("the diagram is not UTF-8 text"),
    "one-process-expected": N_("expected one executable process here, found %(count)s: %(keys)s"),
    "process-id-in-set": N_("process id %(key)s is also in another file of the set"),
    # the rules (engine/rules.py)
    "no-executable-process": N_('the diagram has no executable process (isExecutable="true")'),
    "process-id-not-file-name": N_("process id %(key)s should equal the file name %(stem)s"),
    "link-event": N_("link events are accepted by SpiffWorkflow 3.2.0 but leave the case stuck"),
    "compensation": N_("compensation is not supported by SpiffWorkflow 3.2.0"),
    "complex-gateway": N_("complex gateways are not supported"),
    "spiffworkflow-refused": N_("SpiffWorkflow refuses the diagram: %(detail)s"),
    "recursive-call": N_("call activity calls process %(called)s, which is already calling it (endless recursion)"),
    "script-language": N_("script task is written in %(language)s; scripts here are Python"),
    "script-missing": N_("script task has no script, so every case reaching it would fail"),
    "lane-no-role": N_(
        "lane id %(lane)s does not name a role (lane_<role>) and no role is mapped to it (the workbench's lane roles)"
    ),
    "element-id-reserved": N_("element id %(id)s collides with SpiffWorkflow internals; rename it"),
    "element-unnamed": N_("%(type)s has no name; every element needs a readable name (中文 / English)"),
    "element-lanes": N_("%(type)s must sit in exactly one lane (found %(count)s)"),
    "user-task-no-form-camunda": N_(
        "user task has no %(property)s property naming its form; its Camunda form fields are used"
    ),
    "user-task-no-form": N_(
        "user task has no %(property)s property naming its form; a generic completion form is used"
    ),
    "same-performer-unknown": N_("%(property)s names %(step)s, which is no other user task of the diagram"),
    "user-task-no-role": N_(
        "user task is not in a lane named after a role (nor has camunda:candidateGroups naming one), "
        "so only an administrator may work it"
    ),
    "no-incoming-flow": N_("%(type)s has no incoming flow, so it can never be reached"),
    "no-outgoing-flow": N_("%(type)s has no outgoing flow, so the case would stop there"),
    "unreachable": N_("%(type)s cannot be reached from a start event"),
    "no-path-to-end": N_(
        "%(type)s has no path to an end event, so a case reaching it could never finish (a loop without a way out?)"
    ),
    "gateway-no-default": N_("gateway with several outgoing flows needs a default flow"),
    "active-content": N_(
        "%(kind)s element <%(tag)s> in the diagram: a diagram holds BPMN, not web markup a browser would run"
    ),
    "style-sheet": N_("xml-stylesheet instruction: a diagram has no style sheet"),
    # what a missing flow leaves behind, folded into the problem that causes it (engine/problem_folding.py)
    "no-incoming-flow-cascade": N_(
        "%(type)s has no incoming flow, so it can never be reached, nor %(count)s element(s) only it leads to"
    ),
    "no-outgoing-flow-cascade": N_(
        "%(type)s has no outgoing flow, so the case would stop there; %(count)s element(s) before it "
        "have no other way to an end event"
    ),
    "unreachable-cascade": N_(
        "%(type)s cannot be reached from a start event, nor %(count)s element(s) it leads to (no flow enters them)"
    ),
    "no-path-to-end-cascade": N_(
        "%(type)s has no path to an end event, nor %(count)s element(s) leading to it (a loop without a way out?)"
    ),
    # forms (engine/diagram_forms.py)
    "form-not-found": N_("form %(form)s not found"),
    "form-visible-if": N_(
        "form %(form)s: field %(field)s: x-visible-if must map other fields of the form to a value, a list of"
        " values, true or false (got %(got)s)"
    ),
    "form-lookup-unknown": N_("form %(form)s: field %(field)s: x-lookup %(lookup)s is none of %(known)s"),
    "form-not-json": N_("form %(form)s is not valid JSON: %(detail)s"),
    "form-not-schema": N_("form %(form)s is not a valid JSON Schema: %(detail)s"),
    "form-markup": N_(
        "form %(form)s: %(pointer)s holds markup (%(text)s); a form's texts are shown as plain"
        ' text, so write them without tags ("a < b" is fine)'
    ),
    "start-form-in-subprocess": N_("only the process's own start event takes a start form, not a subprocess's"),
    "start-form-open": N_('start form %(form)s must refuse fields it does not name: "additionalProperties": false'),
    "start-forms-several": N_("a process has at most one start form"),
    "start-form-field-reserved": N_("start form field %(name)s %(detail)s"),
    # diagram code (engine/script_lint.py, engine/name_lint.py)
    "code-juel": N_("%(what)s is a JUEL expression (Camunda); write it in Python, e.g. approved == True"),
    "code-refused": N_("%(what)s refused by the sandbox: %(detail)s"),
    "code-syntax": N_("%(what)s is not valid Python: %(detail)s"),
    "code-empty": N_("%(what)s is empty"),
    "timer-empty": N_("timer has no value; give an ISO 8601 value (P7D, R6/P1D, 2027-01-31T09:00:00) or an expression"),
    "timer-not-iso-or-code": N_(
        "timer value %(value)s is neither a valid ISO 8601 value (P7D, R6/P1D, 2027-01-31T09:00:00) nor an expression"
    ),
    "timer-not-iso": N_("timer value %(value)s is not ISO 8601: %(detail)s"),
    "name-undefined": N_(
        "%(what)s uses %(name)s, which no form field, script, start data or helper defines"
        " (a typo? the case would stop in error when it reaches this)"
    ),
    "helper-unknown": N_("%(what)s calls %(name)s(), which is not a diagram helper (the helpers: %(helpers)s)"),
    "helper-arguments": N_("%(what)s: %(name)s() %(detail)s; it is %(name)s%(signature)s"),
    "helper-argument-type": N_(
        "%(what)s: %(name)s() takes %(parameter)s as %(wanted)s, not %(got)s %(value)s; it is %(name)s%(signature)s"
    ),
}

# BPMN element types as a problem names them (the English is the XML's own word).
ELEMENT_TYPES: dict[str, str] = {
    "userTask": N_("userTask"),
    "scriptTask": N_("scriptTask"),
    "serviceTask": N_("serviceTask"),
    "manualTask": N_("manualTask"),
    "task": N_("task"),
    "sendTask": N_("sendTask"),
    "receiveTask": N_("receiveTask"),
    "businessRuleTask": N_("businessRuleTask"),
    "callActivity": N_("callActivity"),
    "subProcess": N_("subProcess"),
    "startEvent": N_("startEvent"),
    "endEvent": N_("endEvent"),
    "intermediateCatchEvent": N_("intermediateCatchEvent"),
    "intermediateThrowEvent": N_("intermediateThrowEvent"),
    "boundaryEvent": N_("boundaryEvent"),
    "exclusiveGateway": N_("exclusiveGateway"),
    "inclusiveGateway": N_("inclusiveGateway"),
    "parallelGateway": N_("parallelGateway"),
    "eventBasedGateway": N_("eventBasedGateway"),
}
# Kinds of diagram code; ``%(snippet)s`` is the code itself, quoted and cut short.
CODE_KINDS: dict[str, str] = {
    "script": N_("script"),
    "prescript": N_("prescript"),
    "postscript": N_("postscript"),
    "condition": N_("condition"),
    "condition-code": N_("condition %(snippet)s"),
    "timer expression": N_("timer expression"),
    "timer-code": N_("timer expression %(snippet)s"),
}


def problem(file: str, code: str, element_id: str | None = None, line: int | None = None, **params: Any) -> Problem:
    """A problem of ``file`` saying message ``code`` with ``params`` (any value, kept as text)."""
    kept = tuple((key, str(value)) for key, value in params.items())
    return Problem(file, render(code, dict(kept)), element_id, line, code=code, params=kept)


def render(code: str, params: Mapping[str, str], translate: Callable[[str], str] = N_) -> str:
    """The message ``code`` with its ``params``, each text passed through ``translate`` (gettext in the
    handlers: the user's language; by default the English)."""
    shown = dict(params)
    if shown.get("type") in ELEMENT_TYPES:
        shown["type"] = translate(ELEMENT_TYPES[shown["type"]])
    if shown.get("what") in CODE_KINDS:
        shown["what"] = translate(CODE_KINDS[shown["what"]]) % {"snippet": shown.get("snippet", "")}
    return translate(MESSAGES[code]) % shown


def localised(item: Problem, translate: Callable[[str], str]) -> str:
    """A problem's text in the user's language (one without a code: its reason as it is)."""
    return render(item.code, dict(item.params), translate) if item.code in MESSAGES else item.reason
