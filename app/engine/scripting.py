"""The sandbox every diagram script, condition and timer expression runs in.

Code is compiled with RestrictedPython (``compile_restricted_exec/eval``): imports, names and
attributes starting with ``_`` are refused at compile time, builtins are a whitelist (no
``open``, ``eval``, ``exec``, ``getattr``), and attribute, item and iteration access go
through RestrictedPython's guards. Diagram authors call the whitelisted helpers passed in by
the composition root. There is no timeout: scripts must stay trivial, heavy work belongs in
the application. The environment is stateless apart from its compile cache and may be shared
between threads.
"""

from __future__ import annotations

import ast
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
    result = (compile_restricted_eval if mode == "eval" else compile_restricted_exec)(source)
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
        )
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
        return eval(self._compiled(expression, "eval"), namespace)  # noqa: S307 - restricted code

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        try:
            exec(self._compiled(script, "exec"), context)  # noqa: S102 - restricted code
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
            for key in [k for k in context if k.startswith("_")]:
                context.pop(key)
        return True


def make_script_engine(helpers: Mapping[str, Callable[..., Any]] | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=SandboxEnvironment(helpers))
