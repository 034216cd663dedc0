"""The sandbox every diagram script, condition and timer expression runs in.

Code is compiled with RestrictedPython (``compile_restricted_exec/eval``): imports, names and
attributes starting with ``_`` are refused at compile time, builtins are a whitelist (no
``open``, ``eval``, ``exec``, ``getattr``), and attribute, item and iteration access go
through RestrictedPython's guards. Diagram authors call the whitelisted helpers passed in by
the composition root.

A script runs inside a step that holds its case's lock, so it must finish quickly and small:
``while`` loops are refused, ``*``, ``**`` and ``<<`` go through guards that refuse building a
sequence of more than ``MAX_SEQUENCE`` items or an integer of more than ``MAX_INT_BITS`` bits
(checked at deploy where the operands are constants, at run time otherwise), ``range`` is capped,
and one run may iterate at most ``MAX_ITERATIONS`` items. Heavy work belongs in the application.
The environment is stateless apart from its compile cache and may be shared between threads.
"""

from __future__ import annotations

import ast
import math
import operator
import threading
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from RestrictedPython import compile_restricted_eval
from RestrictedPython import compile_restricted_exec
from RestrictedPython import safe_globals
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Eval import default_guarded_getiter
from RestrictedPython.Guards import guarded_iter_unpack_sequence
from RestrictedPython.Guards import guarded_unpack_sequence
from RestrictedPython.Guards import safer_getattr
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

_EXTRA_BUILTINS = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in (
        "sum",
        "min",
        "max",
        "any",
        "all",
        "len",
        "sorted",
        "enumerate",
        "dict",
        "list",
        "set",
        "round",
        "abs",
        "str",
        "int",
        "float",
        "bool",
        "tuple",
        "range",
        "zip",
        "map",
        "filter",
        "reversed",
    )
}


class ScriptRejected(Exception):
    """Diagram code that the sandbox refuses to compile (not a SyntaxError on purpose:
    SpiffWorkflow's error reporter crashes on a SyntaxError without a line number)."""


MAX_SEQUENCE = 1_000_000  # items (or characters) a script may build by repetition or range()
MAX_INT_BITS = 4096  # bits of an integer a script may build with ** or <<
MAX_ITERATIONS = 100_000  # items one run of a script may iterate over, all loops together


class ScriptLimitExceeded(ValueError):
    """A script reached for more time or memory than a step may take."""


def _mul(left: Any, right: Any) -> Any:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int):
            if len(sequence) * times > MAX_SEQUENCE:
                raise ScriptLimitExceeded(
                    f"a script may not build a sequence of {len(sequence) * times} items (the limit is {MAX_SEQUENCE})"
                )
    return left * right


def _pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise ScriptLimitExceeded(
                f"a script may not build an integer beyond {MAX_INT_BITS} bits ({base} ** {exponent})"
            )
    return base**exponent


def _lshift(value: Any, shift: Any) -> Any:
    if isinstance(value, int) and isinstance(shift, int) and value and value.bit_length() + shift > MAX_INT_BITS:
        raise ScriptLimitExceeded(f"a script may not build an integer beyond {MAX_INT_BITS} bits ({value} << {shift})")
    return value << shift


_GUARDED_OPERATORS = {ast.Mult: ("_mul_", _mul), ast.Pow: ("_pow_", _pow), ast.LShift: ("_lshift_", _lshift)}
_INPLACE = {
    "+=": operator.add,
    "-=": operator.sub,
    "*=": _mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
    "**=": _pow,
    "<<=": _lshift,
    ">>=": operator.rshift,
    "&=": operator.and_,
    "|=": operator.or_,
    "^=": operator.xor,
}


def _inplace(op: str, target: Any, value: Any) -> Any:
    """``n += 1`` and friends (RestrictedPython turns them into a call of ``_inplacevar_``)."""
    return _INPLACE[op](target, value)


def _limited_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_SEQUENCE:
        raise ScriptLimitExceeded(f"range of {len(numbers)} numbers (the limit is {MAX_SEQUENCE})")
    return numbers


def _constant(node: ast.AST) -> Any:
    """The value of an expression made of literals and the guarded operators (deploy-time check);
    raises LookupError when it is not such an expression."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_constant(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _GUARDED_OPERATORS:
        return _GUARDED_OPERATORS[type(node.op)][1](_constant(node.left), _constant(node.right))
    raise LookupError


class _BoundedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no ``while``; ``*``, ``**`` and ``<<`` through size guards."""

    def visit_While(self, node: ast.While) -> ast.AST:
        self.error(node, "while loops are not allowed in diagram scripts (loop with for over a list)")
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        guarded = _GUARDED_OPERATORS.get(type(node.op))
        if guarded is not None:
            try:
                _constant(node)
            except ScriptLimitExceeded as exc:
                self.error(node, str(exc))
            except (LookupError, TypeError, ValueError, ArithmeticError):
                pass  # not a constant expression: the guard checks it when it runs
        node = self.node_contents_visit(node)
        if guarded is None:
            return node
        call = ast.Call(func=ast.Name(guarded[0], ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))


_FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "eval",
        "exec",
        "compile",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "input",
        "help",
        "memoryview",
        "type",
        "object",
    }
)


def _refuse_host_access(source: str, mode: str) -> None:
    """Fail at deploy, not at run time, for what the sandbox would refuse anyway."""
    for node in ast.walk(ast.parse(source, mode=mode)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ScriptRejected(f"line {node.lineno}: imports are not allowed in diagram scripts")
        if isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES:
            raise ScriptRejected(f"line {node.lineno}: {node.id!r} is not available in diagram scripts")


def compile_sandboxed(source: str, mode: str) -> Any:
    """Compile ``source`` (mode ``exec`` or ``eval``) under RestrictedPython or raise ScriptRejected."""
    _refuse_host_access(source, mode)
    result = (compile_restricted_eval if mode == "eval" else compile_restricted_exec)(source, policy=_BoundedPolicy)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


class SandboxEnvironment(TaskDataEnvironment):
    """Task data is the namespace (as in SpiffWorkflow's TaskDataEnvironment), code is restricted."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        env = dict(safe_globals)
        env["__builtins__"] = dict(safe_globals["__builtins__"], **_EXTRA_BUILTINS)
        env.update(
            _getattr_=safer_getattr,
            _getitem_=default_guarded_getitem,
            _getiter_=default_guarded_getiter,
            _iter_unpack_sequence_=guarded_iter_unpack_sequence,
            _unpack_sequence_=guarded_unpack_sequence,
            _write_=lambda obj: obj,
            _mul_=_mul,
            _pow_=_pow,
            _lshift_=_lshift,
            _inplacevar_=_inplace,
        )
        env["__builtins__"]["range"] = _limited_range
        env.update(helpers or {})
        super().__init__(env)
        self._cache: dict[tuple[str, str], Any] = {}
        self._cache_lock = threading.Lock()

    def _compiled(self, source: str, mode: str) -> Any:
        key = (source, mode)
        code = self._cache.get(key)
        if code is None:
            code = compile_sandboxed(source, mode)
            with self._cache_lock:
                self._cache[key] = code
        return code

    def evaluate(self, expression, context, external_context=None):
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        namespace["_getiter_"] = _counted_iteration()
        return eval(self._compiled(expression, "eval"), namespace)  # noqa: S307 - restricted code

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        context["_getiter_"] = _counted_iteration()
        try:
            exec(self._compiled(script, "exec"), context)  # noqa: S102 - restricted code
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
            for key in [k for k in context if k.startswith("_")]:
                context.pop(key)
        return True


def _counted_iteration() -> Callable[[Any], Any]:
    """An iteration guard for one run: all of the run's loops together take at most MAX_ITERATIONS items."""
    left = [MAX_ITERATIONS]

    def _getiter_(iterable: Any) -> Any:
        for item in default_guarded_getiter(iterable):
            left[0] -= 1
            if left[0] < 0:
                raise ScriptLimitExceeded(f"a script may iterate over at most {MAX_ITERATIONS} items in one run")
            yield item

    return _getiter_


def make_script_engine(helpers: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(helpers))
