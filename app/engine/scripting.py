"""The sandbox every diagram script, condition and timer expression runs in.

Code is compiled with RestrictedPython (``compile_restricted_exec/eval``): imports, names and
attributes starting with ``_`` are refused at compile time, builtins are a whitelist (no
``open``, ``eval``, ``exec``, ``getattr``), and attribute, item and iteration access go
through guards. Diagram authors call the whitelisted helpers passed in by the composition root.

A script runs inside a step that holds its case's lock, so it must finish quickly and small.
At deploy, code nested more than ``MAX_NESTING`` levels, ``while`` loops, classes, generators,
``with``, ``try ... finally``, bare ``except`` and ``*``/``**`` unpacking are refused, and so are
constant bombs (``10 ** 10 ** 10``). When it runs, every run has the budget of script_budget.py
(CPU time, iterations, what it builds, call depth), enforced for the builtins and methods too.
Writes reach only lists and dicts (the script's own or the case data), never a helper or a type.
What a script leaves in the case data must be data (text, numbers, lists, dicts), at most
``MAX_CASE_DATA`` bytes and ``MAX_DATA_DEPTH`` levels; a script that fails leaves the case data as
it found it. The environment is stateless apart from its compile cache and may be shared
between threads.
"""

from __future__ import annotations

import ast
import copy
import math
import operator
import threading
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from RestrictedPython import compile_restricted_eval
from RestrictedPython import compile_restricted_exec
from RestrictedPython import safe_builtins
from RestrictedPython.Guards import guarded_iter_unpack_sequence
from RestrictedPython.Guards import guarded_unpack_sequence
from RestrictedPython.Guards import raise_
from RestrictedPython.Guards import safer_getattr
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .script_budget import GUARDED_BUILTINS
from .script_budget import MAX_INT_BITS  # noqa: F401 - part of this module's interface
from .script_budget import MAX_ITERATIONS  # noqa: F401
from .script_budget import MAX_SEQUENCE  # noqa: F401
from .script_budget import REFUSED_ATTRIBUTES
from .script_budget import SCRIPT_FILENAME
from .script_budget import Run
from .script_budget import ScriptLimitExceeded
from .script_budget import _Abort
from .script_budget import guard_method
from .script_budget import guarded_add
from .script_budget import guarded_dict_display
from .script_budget import guarded_format
from .script_budget import guarded_getitem
from .script_budget import guarded_iter
from .script_budget import guarded_lshift
from .script_budget import guarded_mod
from .script_budget import guarded_mul
from .script_budget import guarded_pow
from .script_budget import guarded_set_display
from .script_budget import guarded_stored
from .script_budget import guarded_sub
from .script_budget import guarded_write
from .script_budget import spend_step_data
from .script_budget import step_budget  # noqa: F401

__all__ = ["ScriptLimitExceeded", "ScriptRejected", "SandboxEnvironment", "compile_sandboxed", "step_budget"]

MAX_NESTING = 100  # levels of nesting of diagram code (a 5 000-term 1+1+... is refused, not a RecursionError)
MAX_CASE_DATA = 1_000_000  # bytes (as JSON, about) of case data a script may leave
MAX_DATA_DEPTH = 32  # nesting of the case data a script may leave

_EXTRA_BUILTINS = {
    name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
    for name in ("len", "enumerate", "abs", "float", "bool", "zip", "map", "filter", "reversed")
}
# setattr/delattr would write around the write guard, __build_class__ is for the refused classes.
_UNSAFE_BUILTINS = frozenset({"__build_class__", "setattr", "delattr", "BaseException", "_getattr_"})


class ScriptRejected(Exception):
    """Diagram code that the sandbox refuses to compile (not a SyntaxError on purpose:
    SpiffWorkflow's error reporter crashes on a SyntaxError without a line number)."""


_GUARDED_OPERATORS = {
    ast.Mult: ("_mul_", guarded_mul),
    ast.Pow: ("_pow_", guarded_pow),
    ast.LShift: ("_lshift_", guarded_lshift),
    ast.Add: ("_add_", guarded_add),
    ast.Sub: ("_sub_", guarded_sub),
    ast.Mod: ("_mod_", guarded_mod),
}
_INPLACE = {
    "+=": guarded_add,
    "-=": guarded_sub,
    "*=": guarded_mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": guarded_mod,
    "**=": guarded_pow,
    "<<=": guarded_lshift,
    ">>=": operator.rshift,
    "&=": operator.and_,
    "|=": operator.or_,
    "^=": operator.xor,
}


def _inplace(op: str, target: Any, value: Any) -> Any:
    """``n += 1`` and friends (RestrictedPython turns them into a call of ``_inplacevar_``)."""
    return _INPLACE[op](target, value)


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


def _call(name: str, args: list[ast.expr], like: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, like))


def _stored(node: ast.expr) -> ast.expr:
    """A container built from values (a display, a comprehension): charged at its size once built."""
    return _call("_stored_", [node], node)


class _BoundedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus what a budget needs: the operators and f-strings go through
    guards, and what would escape a guard or swallow its refusal is not allowed."""

    def visit_While(self, node: ast.While) -> ast.AST:
        self.error(node, "while loops are not allowed in diagram scripts (loop with for over a list)")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "classes are not allowed in diagram scripts")
        return node

    def visit_With(self, node: ast.With) -> ast.AST:
        self.error(node, "with is not allowed in diagram scripts")
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        if node.finalbody:
            self.error(node, "try ... finally is not allowed in diagram scripts")
        for handler in node.handlers:
            if handler.type is None:
                self.error(handler, "a bare except is not allowed in diagram scripts (name the exception)")
        return self.node_contents_visit(node)

    def visit_Yield(self, node: ast.Yield) -> ast.AST:
        self.error(node, "generators (yield) are not allowed in diagram scripts")
        return node

    visit_YieldFrom = visit_Yield

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        if isinstance(node.ctx, ast.Load):
            self.error(node, "unpacking with * is not allowed in diagram scripts")
        return self.node_contents_visit(node)

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        if any(key is None for key in node.keys):
            self.error(node, "unpacking with ** is not allowed in diagram scripts")
            return node
        node = self.node_contents_visit(node)
        if all(isinstance(k, ast.Constant) for k in node.keys):
            return _stored(node)
        flat = [part for pair in zip(node.keys, node.values, strict=True) for part in pair]
        return _call("_dict_", [ast.Tuple(elts=flat, ctx=ast.Load())], node)

    def visit_Set(self, node: ast.Set) -> ast.AST:
        node = self.node_contents_visit(node)
        if all(isinstance(e, ast.Constant) for e in node.elts):
            return node
        return _call("_set_", [ast.Tuple(elts=node.elts, ctx=ast.Load())], node)

    def _sequence(self, node: ast.List | ast.Tuple) -> ast.AST:
        node = self.node_contents_visit(node)
        if not isinstance(node.ctx, ast.Load) or all(isinstance(e, ast.Constant) for e in node.elts):
            return node
        return _stored(node)

    visit_List = visit_Tuple = _sequence

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        return _stored(super().visit_ListComp(node))

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        return _stored(super().visit_SetComp(node))

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        return _stored(super().visit_DictComp(node))

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if any(keyword.arg is None for keyword in node.keywords):
            self.error(node, "unpacking with ** is not allowed in diagram scripts")
        return super().visit_Call(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        guarded = _GUARDED_OPERATORS.get(type(node.op))
        if guarded is not None:
            try:
                _constant(node)
            except _Abort as exc:
                self.error(node, str(exc))
            except (LookupError, TypeError, ValueError, ArithmeticError):
                pass  # not a constant expression: the guard checks it when it runs
        node = self.node_contents_visit(node)
        if guarded is None:
            return node
        return _call(guarded[0], [node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """``f"{value!r:>{width}}"``: the value is formatted by a guard that checks the width first."""
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(None)
        call = _call("_format_", [node.value, ast.Constant(node.conversion), spec], node)
        return ast.copy_location(ast.FormattedValue(value=call, conversion=-1, format_spec=None), node)


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
        "BaseException",
    }
)


# CPython 3.11's AST constructor counts its recursion depth per interpreter, not per thread: two
# threads building or compiling syntax trees at once fail with "SystemError: AST constructor
# recursion depth mismatch" (CPython gh-106905; seen with two deploys at the same moment). One at a time, then
# (re-entrant: compiling parses first).
_AST_LOCK = threading.RLock()


def parse_sandboxed(source: str, mode: str) -> ast.AST:
    """The syntax tree of diagram code, or ScriptRejected if it is nested too deeply to handle safely
    (SyntaxError if it is not Python)."""
    try:
        with _AST_LOCK:
            tree = ast.parse(source, mode=mode)
    except (RecursionError, MemoryError):
        raise ScriptRejected(f"the code is nested more than {MAX_NESTING} levels deep (split the expression)") from None
    stack = [(tree, 0, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > MAX_NESTING:
            raise ScriptRejected(
                f"line {line}: the code is nested more than {MAX_NESTING} levels deep (split the expression)"
            )
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return tree


def _refuse_host_access(tree: ast.AST) -> None:
    """Fail at deploy, not at run time, for what the sandbox would refuse anyway."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ScriptRejected(f"line {node.lineno}: imports are not allowed in diagram scripts")
        if isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES:
            raise ScriptRejected(f"line {node.lineno}: {node.id!r} is not available in diagram scripts")


@dataclass(frozen=True)
class _Compiled:
    code: Any
    mutates: bool  # may change lists or dicts it did not build (method calls, item writes)


def _compile(source: str, mode: str) -> _Compiled:
    with _AST_LOCK:
        return _compile_one(source, mode)


def _compile_one(source: str, mode: str) -> _Compiled:
    tree = parse_sandboxed(source, mode)
    _refuse_host_access(tree)
    mutates = any(
        isinstance(n, ast.Attribute) or (isinstance(n, ast.Subscript) and not isinstance(n.ctx, ast.Load))
        for n in ast.walk(tree)
    )
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(tree, filename=SCRIPT_FILENAME, policy=_BoundedPolicy)
    except RecursionError:
        raise ScriptRejected(f"the code is nested more than {MAX_NESTING} levels deep (split the expression)") from None
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return _Compiled(result.code, mutates)


def compile_sandboxed(source: str, mode: str) -> Any:
    """Compile ``source`` (mode ``exec`` or ``eval``) under RestrictedPython or raise ScriptRejected."""
    return _compile(source, mode).code


def _guarded_getattr(obj: Any, name: str) -> Any:
    if name in REFUSED_ATTRIBUTES:
        raise AttributeError(f'"{name}" is not available in diagram scripts')
    return guard_method(obj, name, safer_getattr(obj, name, raise_))


_BUILTINS = {
    **{k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS},
    **_EXTRA_BUILTINS,
    **GUARDED_BUILTINS,
}
BUILTIN_NAMES = frozenset({*_BUILTINS, "print"})  # what diagram code may name besides the helpers and the case data


class _DiscardedPrint:
    """``print`` in diagram code (other modelers' diagrams print as they go): accepted, and the output
    dropped — no console is there to read it, and nothing it collects could outgrow the budget."""

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def _call_print(self, *_objects: Any, **_options: Any) -> None:
        return None

    def __call__(self) -> str:  # ``printed``: what was printed, kept by no one
        return ""


_GUARDS = {
    "_print_": _DiscardedPrint,
    "_getattr_": _guarded_getattr,
    "_getitem_": guarded_getitem,
    "_getiter_": guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": guarded_write,
    "_inplacevar_": _inplace,
    "_format_": guarded_format,
    "_stored_": guarded_stored,
    "_set_": guarded_set_display,
    "_dict_": guarded_dict_display,
    **dict(_GUARDED_OPERATORS.values()),
}


def check_case_data(data: Mapping[str, Any], changed: set[str] | None = None) -> int:
    """What a script leaves must be storable data, at most MAX_CASE_DATA bytes and MAX_DATA_DEPTH deep;
    returns the size of the values under the ``changed`` keys (all if None), what the stored state grows by."""
    total = grown = 0
    for key, value in data.items():
        size = _data_size(key, value, MAX_CASE_DATA - total)
        total += size
        if total > MAX_CASE_DATA:
            raise ScriptLimitExceeded(f"a script may leave at most {MAX_CASE_DATA} bytes of case data ({key!r})")
        if changed is None or key in changed:
            grown += size
    return grown


def _data_size(key: str, value: Any, limit: int) -> int:
    """The size of ``value`` as JSON (about), counted until it passes ``limit``."""
    size = 0
    stack = [(value, 1)]
    while stack and size <= limit:
        value, depth = stack.pop()
        kind = type(value)
        if kind is str:
            if "\x00" in value:
                raise ValueError(f"a script may not leave a NUL character in the case data ({key!r})")
            plain = value.isascii() and value.isprintable()
            size += len(value) + 2 + (value.count('"') + value.count("\\") if plain else 5 * len(value))
        elif kind is int:
            size += value.bit_length() * 30103 // 100000 + 2
        elif kind is float:
            if not math.isfinite(value):
                raise ValueError(f"a script may not leave {value} in the case data ({key!r})")
            size += 24
        elif kind is bool or value is None:
            size += 5
        elif kind in (list, tuple, set, frozenset, dict):
            if depth >= MAX_DATA_DEPTH:
                raise ScriptLimitExceeded(f"the case data may nest at most {MAX_DATA_DEPTH} levels deep ({key!r})")
            if kind is dict:
                size += 2 + 4 * len(value)
                for k, v in value.items():
                    if type(k) not in (str, int):
                        raise TypeError(f"the case data may have only text or numbers as keys ({key!r})")
                    stack.append((k, depth + 1))
                    stack.append((v, depth + 1))
            else:
                size += 2 + 2 * len(value)
                stack.extend((item, depth + 1) for item in value)
        else:
            raise TypeError(
                f"a script may leave only text, numbers, lists and dicts in the case data"
                f" ({key!r} holds a {kind.__name__})"
            )
    return size


class SandboxEnvironment(TaskDataEnvironment):
    """Task data is the namespace (as in SpiffWorkflow's TaskDataEnvironment), code is restricted."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        env: dict[str, Any] = {"__builtins__": dict(_BUILTINS), **_GUARDS}
        env.update(helpers or {})
        super().__init__(env)
        self._cache: dict[tuple[str, str], _Compiled] = {}
        self._cache_lock = threading.Lock()

    def _compiled(self, source: str, mode: str) -> _Compiled:
        key = (source, mode)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = _compile(source, mode)
            with self._cache_lock:
                self._cache[key] = compiled
        return compiled

    def evaluate(self, expression, context, external_context=None):
        compiled = self._compiled(expression, "eval")
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        # An expression may not change the case: one that could (a method call) sees a copy.
        namespace.update(copy.deepcopy(context) if compiled.mutates else context)
        try:
            with Run():
                return eval(compiled.code, namespace)  # noqa: S307 - restricted code
        except _Abort as abort:
            raise ScriptLimitExceeded(str(abort)).with_traceback(abort.__traceback__) from None

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        compiled = self._compiled(script, "exec")
        saved = copy.deepcopy(context) if compiled.mutates else dict(context)
        context.update(self.globals)
        context.update(external_context or {})
        try:
            try:
                with Run():
                    exec(compiled.code, context)  # noqa: S102 - restricted code
            except _Abort as abort:
                raise ScriptLimitExceeded(str(abort)).with_traceback(abort.__traceback__) from None
            finally:
                self._remove_globals_and_functions_from_context(context, external_context)
                for key in [k for k in context if k.startswith("_")]:
                    context.pop(key)
            changed = {
                key
                for key, value in context.items()
                if key not in saved or (saved[key] != value if compiled.mutates else saved[key] is not value)
            }
            spend_step_data(check_case_data(context, changed))
        except BaseException:
            context.clear()  # a failed script leaves the case data as it found it
            context.update(saved)
            raise
        return True


class _SandboxScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine, with the reason of a failed expression in its message."""

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{_shorten(expression)}'")
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{_shorten(expression)}': {exc.__class__.__name__}: {exc}",
                task=task,
                exception=exc,
            ) from exc

    def get_error_line_number_and_content(self, script, err):
        line = 0
        traceback = err.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_code.co_filename == SCRIPT_FILENAME and traceback.tb_lineno:
                line = traceback.tb_lineno
            traceback = traceback.tb_next
        lines = script.splitlines()
        return line, lines[line - 1] if 0 < line <= len(lines) else ""


def _shorten(expression: str, limit: int = 80) -> str:
    return expression if len(expression) <= limit else expression[: limit - 1] + "…"


def make_script_engine(helpers: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    return _SandboxScriptEngine(environment=SandboxEnvironment(helpers))
