"""The budget of one run of diagram code (a script, a condition, a timer expression), and the guards that spend it.

A run may use ``MAX_CPU_SECONDS`` of its thread's CPU time, iterate over ``MAX_ITERATIONS`` items,
build ``MAX_BUILT`` items and characters in all (no single value over ``MAX_SEQUENCE``, no integer
over ``MAX_INT_BITS`` bits) and nest its own calls ``MAX_CALL_DEPTH`` deep. All runs of one engine
step together may number ``MAX_STEP_RUNS``, use ``MAX_STEP_CPU_SECONDS`` and write ``MAX_STEP_DATA``
bytes of case data (a loop in the diagram, each round within its own budget, is stopped too).

How it is enforced, since the code is Python and much of its work happens in C:

- a trace function (``sys.settrace``), installed only while the run's code executes on this thread,
  follows the script's own frames opcode by opcode (the application's code and the guards are not
  traced inside): it reads the thread's CPU time every ``_CHECK_EVERY`` events and counts the
  nesting of the script's calls; once a limit is passed, the run stops at the script's next opcode;
- the compiled code calls guards instead of ``*``, ``**``, ``<<``, ``+``, ``%``, item access, item
  writes, f-string formatting and iteration (see scripting.py's policy);
- the builtins and methods that iterate or build in C (``sum``, ``sorted``, ``list``, ``str``,
  ``str.join``, ``str.ljust``, ``list.extend``, ...) are replaced by guarded versions, which count
  what they iterate and check what they would build *before* building it.

What is built is counted as the *tree size* of what gets stored: items and characters, each
reference counted again (``[s] * 1000`` costs 1000 times ``s``; displays, comprehensions, writes
and ``append`` count too). So no value a run holds is larger, unfolded, than its budget, and no
single opcode working on it in C (``==``, ``hash``, ``in``, ``sorted``) can run long: thirty
doublings of a list cost 2 ** 30, not 30. Iterations are tokens taken in C (``compress``), so a
loop is not slowed down by its counting.

A refusal is raised as ``_Abort`` (a BaseException, so the script's own ``except Exception``
cannot swallow it) and reaches the engine as ``ScriptLimitExceeded`` with a plain reason.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import math
import re
import sys
import time
import types
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextvars import ContextVar
from inspect import CO_GENERATOR
from typing import Any
from typing import NoReturn

MAX_SEQUENCE = 1_000_000  # items (or characters) of one value a script builds
MAX_INT_BITS = 4096  # bits of an integer a script may build
MAX_ITERATIONS = 100_000  # items one run may iterate over: its loops and what builtins iterate for it
MAX_BUILT = 4_000_000  # items and characters one run may build in all (what it may hold in memory)
MAX_CPU_SECONDS = 1.0  # CPU time of one run
MAX_CALL_DEPTH = 100  # nesting of a script's own calls (lambdas, functions)
MAX_STEP_RUNS = 1_000  # runs of diagram code in one engine step (a loop in the diagram without an end)
MAX_STEP_DATA = 4_000_000  # bytes of case data the scripts of one step may write (what the stored state grows by)
MAX_STEP_CPU_SECONDS = 2.0  # CPU time of one engine step, checked whenever one of its runs starts or runs
SCRIPT_FILENAME = "<diagram script>"  # the file name of compiled diagram code, by which its frames are known
_CHECK_EVERY = 16  # traced events (opcodes of the script, calls) between two reads of the CPU clock
_BIG = 1 << MAX_INT_BITS


class ScriptLimitExceeded(ValueError):
    """A script reached for more time or memory than a step may take."""


class _Abort(BaseException):
    """A limit was reached inside a run; not an Exception, so the script cannot catch it."""


class _Step:
    """What the runs of one engine step have left together."""

    __slots__ = ("data", "deadline", "runs")

    def __init__(self) -> None:
        self.runs = MAX_STEP_RUNS
        self.data = MAX_STEP_DATA
        self.deadline = time.thread_time() + MAX_STEP_CPU_SECONDS


_STEP: ContextVar[_Step | None] = ContextVar("sandbox_step", default=None)
_RUN: ContextVar[Run | None] = ContextVar("sandbox_run", default=None)


@contextlib.contextmanager
def step_budget() -> Iterator[None]:
    """The runs inside share one step's budget (``MAX_STEP_RUNS``, ``MAX_STEP_CPU_SECONDS``)."""
    if _STEP.get() is not None:  # already inside a step: it keeps its budget
        yield
        return
    token = _STEP.set(_Step())
    try:
        yield
    finally:
        _STEP.reset(token)


def spend_step_data(size: int) -> None:
    """A script of the current step changed ``size`` bytes of case data."""
    step = _STEP.get()
    if step is not None:
        step.data -= size
        if step.data < 0:
            raise ScriptLimitExceeded(
                f"the scripts of one step may write at most {MAX_STEP_DATA} bytes of case data in all"
            )


class Run:
    """The budget of one run; ``with Run():`` around the execution of compiled diagram code."""

    __slots__ = ("built", "deadline", "depth", "exceeded", "late", "ticks", "tokens", "_previous", "_token")

    def __init__(self) -> None:
        # One token per item the run may iterate over, taken in C by every loop and builtin (a
        # Python counter per item would cost more than most loops do).
        self.tokens = itertools.chain(itertools.repeat(True, MAX_ITERATIONS), self._out_of_tokens())
        self.built = MAX_BUILT
        self.depth = 0
        self.ticks = _CHECK_EVERY
        self.deadline = 0.0
        self.late = f"a script may use at most {MAX_CPU_SECONDS:g} s of CPU time in one run"
        self.exceeded: str | None = None

    def __enter__(self) -> Run:
        now = time.thread_time()
        self.deadline = now + MAX_CPU_SECONDS
        step = _STEP.get()
        if step is not None:
            step.runs -= 1
            if step.runs < 0:
                raise _Abort(
                    f"one step may run at most {MAX_STEP_RUNS} scripts and conditions"
                    " (a loop in the diagram without an end?)"
                )
            if step.deadline < self.deadline:
                self.deadline = step.deadline
                self.late = f"the scripts of one step may use at most {MAX_STEP_CPU_SECONDS:g} s of CPU time"
                if step.deadline <= now:
                    raise _Abort(self.late)
        self._token = _RUN.set(self)
        self._previous = sys.gettrace()
        sys.settrace(self._call)
        return self

    def __exit__(self, kind, error, traceback) -> None:
        sys.settrace(self._previous)
        _RUN.reset(self._token)
        if kind is None and self.exceeded is not None:
            # The refusal did not reach the top (something in C swallowed it): the run still fails.
            raise _Abort(self.exceeded)

    def _tick(self) -> None:
        self.ticks = _CHECK_EVERY
        if self.exceeded is None and time.thread_time() > self.deadline:
            self.exceeded = self.late

    def _call(self, frame, event: str, arg: Any) -> Callable[..., Any] | None:
        """The trace function, for every Python call while the run is active: the script's own
        frames are traced opcode by opcode, the application's code (helpers, guards) not at all."""
        self.ticks -= 1
        if self.ticks <= 0:
            self._tick()
        code = frame.f_code
        if code.co_filename != SCRIPT_FILENAME:
            return None
        self.depth += 1
        if self.depth > MAX_CALL_DEPTH and self.exceeded is None:
            self.exceeded = f"a script's calls may nest at most {MAX_CALL_DEPTH} deep (endless recursion?)"
        # A generator resumed here may be being closed by the garbage collector, where an exception
        # would be lost: it is stopped at its next opcode instead (none runs while it is closed).
        if self.exceeded is not None and not code.co_flags & CO_GENERATOR:
            raise _Abort(self.exceeded)
        frame.f_trace_lines = False
        frame.f_trace_opcodes = True
        return self._opcode

    def _opcode(self, frame, event: str, arg: Any) -> Callable[..., Any] | None:
        """The local trace function of the script's frames: between two opcodes, the run may stop."""
        if event == "opcode":
            self.ticks -= 1
            if self.ticks <= 0:
                self._tick()
            if self.exceeded is not None:
                raise _Abort(self.exceeded)
        elif event == "return":
            self.depth -= 1
        return self._opcode

    def _out_of_tokens(self) -> Iterator[None]:
        self.fail(f"a script may iterate over at most {MAX_ITERATIONS} items in one run")
        yield None  # pragma: no cover - a generator, resumed once, when the tokens run out

    # -- spending ----------------------------------------------------------------------------
    def fail(self, reason: str) -> NoReturn:
        if self.exceeded is None:
            self.exceeded = reason
        raise _Abort(reason)

    def iterate(self, items: int) -> None:
        """Take ``items`` tokens at once (a builtin about to iterate over a sized container)."""
        if items > 0:
            collections.deque(itertools.islice(self.tokens, items), maxlen=0)

    def reserve(self, size: int) -> None:
        """Refuse, before building it, a value of ``size`` items or characters."""
        if size > MAX_SEQUENCE:
            self.fail(f"a script may not build a sequence of {size} items (the limit is {MAX_SEQUENCE})")
        if size > self.built:
            self.fail(f"a script may build at most {MAX_BUILT} items and characters in one run")

    def build(self, size: int) -> None:
        self.reserve(size)
        self.built -= size


def current() -> Run:
    """The run of the code being executed; outside a run (deploy-time folding), a fresh budget per call."""
    return _RUN.get() or Run()


# -- sizes -------------------------------------------------------------------------------------
_SCALARS = frozenset({int, float, bool, complex, type(None), range, slice})
_FLAT = frozenset({list, tuple, set, frozenset, type({}.keys()), type({}.values())})
_TEXTS = (str, bytes)


def tree_size(value: Any, limit: int = MAX_BUILT) -> int:
    """Items and characters in ``value``, every reference counted (what C code recursing through it
    visits: ``[x, x]`` is twice ``x``), or more than ``limit``. Computed once per distinct container,
    so thirty doublings take thirty steps; a container holding itself counts as too large."""
    kind = type(value)
    if kind is str or kind is bytes:
        return len(value)
    if kind not in _CONTAINER_TYPES:
        return 0
    sizes: dict[int, int] = {}  # id -> tree size of the containers done
    stack: list[tuple[Any, list[Any] | None, int]] = [(value, None, 0)]
    open_ids: set[int] = set()
    while stack:
        node, inner, own = stack.pop()
        key = id(node)
        if inner is not None:  # its inner containers are done
            size = own + sum(sizes[id(c)] for c in inner)
            open_ids.discard(key)
            if size > limit:
                return limit + 1
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_ids:
            return limit + 1  # it holds itself
        own, inner = 0, []
        parts = (node.keys(), node.values()) if type(node) is dict else (node,)
        for part in parts:
            own += len(part)
            kinds = set(map(type, part))  # in C: most containers hold only numbers or only text
            if kinds <= _SCALARS:
                continue
            if kinds <= _TEXT_OR_NONE:
                own += sum(map(len, filter(None, part)))  # in C (a Python call per item is traced)
                continue
            for item in part:
                if type(item) in _CONTAINER_TYPES:
                    inner.append(item)
                elif type(item) is str or type(item) is bytes:
                    own += len(item)
        if own > limit:
            return limit + 1
        open_ids.add(key)
        stack.append((node, inner, own))
        stack.extend((c, None, 0) for c in inner if id(c) not in sizes)
    return sizes[id(value)]


_CONTAINER_TYPES = frozenset(
    {list, tuple, set, frozenset, dict, type({}.keys()), type({}.values()), type({}.items())}
)  # fmt: skip
_TEXT_OR_NONE = frozenset({str, bytes, type(None)})


def text_size(value: Any, limit: int = MAX_SEQUENCE) -> int:
    """An upper bound of ``len(str(value))`` (or of ``repr``), counted only until it passes ``limit``."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            total += len(item) + 2 + (item.count("\\") + item.count("'") if item.isprintable() else 9 * len(item))
        elif kind is int:
            total += item.bit_length() * 30103 // 100000 + 2
        elif kind in _SMALL_TEXT:
            total += _SMALL_TEXT[kind]
        elif kind is bytes:
            total += 4 * len(item) + 3
        elif kind is dict:
            total += 2 + 4 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif kind in _FLAT or kind is type({}.items()):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, BaseException):
            total += 40 + len(kind.__name__)
            stack.extend(item.args)
        elif kind is slice:
            total += 20
            stack.extend((item.start, item.stop, item.step))
        else:
            total += 100  # functions, types, lazy iterators: a short description
    return total


_SMALL_TEXT = {type(None): 4, bool: 5, float: 24, complex: 52, range: 40}


def _bits(value: Any) -> None:
    if type(value) is int and not -_BIG < value < _BIG:
        current().fail(f"a script may not build an integer beyond {MAX_INT_BITS} bits")


def _short(value: Any) -> str:
    return repr(value) if type(value) in (int, float, bool) and abs(value) < 10**30 else f"a {type(value).__name__}"


# -- operators ---------------------------------------------------------------------------------
_SEQUENCES = (str, bytes, list, tuple)


def guarded_mul(left: Any, right: Any) -> Any:
    if type(left) is int and type(right) is int:
        if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            current().fail(f"a script may not build an integer beyond {MAX_INT_BITS} bits")
        result = left * right
        _bits(result)
        return result
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, _SEQUENCES) and isinstance(times, int) and times > 0:
            run = current()
            run.reserve(len(sequence) * times)  # before measuring what a huge repetition would hold
            run.build(tree_size(sequence, MAX_BUILT // times + 1) * times)
    return left * right


def guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    if modulus is not None:
        for number in (base, exponent, modulus):
            _bits(number)
        return pow(base, exponent, modulus)
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent * math.log2(abs(base)) > MAX_INT_BITS:
            current().fail(
                f"a script may not build an integer beyond {MAX_INT_BITS} bits ({_short(base)} ** {_short(exponent)})"
            )
        return base**exponent
    return base**exponent


def guarded_lshift(value: Any, shift: Any) -> Any:
    if isinstance(value, int) and isinstance(shift, int) and value and value.bit_length() + shift > MAX_INT_BITS:
        current().fail(
            f"a script may not build an integer beyond {MAX_INT_BITS} bits ({_short(value)} << {_short(shift)})"
        )
    return value << shift


def guarded_add(left: Any, right: Any) -> Any:
    if type(left) is int and type(right) is int:
        result = left + right
        if -_BIG < result < _BIG:
            return result
    elif isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        current().build(tree_size(left) + tree_size(right))
        return left + right
    result = left + right
    _bits(result)
    return result


def guarded_sub(left: Any, right: Any) -> Any:
    result = left - right
    if type(result) is int and not -_BIG < result < _BIG:
        _bits(result)
    return result


def guarded_mod(left: Any, right: Any) -> Any:
    if isinstance(left, _TEXTS):
        run = current()
        run.reserve(_percent_size(left, right))
        result = left % right
        run.build(len(result))
        return result
    return left % right


_PERCENT_SPEC = re.compile(r"%(\((?:[^()]|\([^()]*\))*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)", re.S)


def _percent_size(template: str | bytes, values: Any) -> int:
    """An upper bound of the length of ``template % values`` (widths, precisions and values)."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    size, conversions, stars, keyed = len(text), 0, False, False
    for match in _PERCENT_SPEC.finditer(text):
        width, precision, conversion = match.group(2), match.group(3), match.group(4)
        if conversion == "%":
            continue
        conversions += 1
        keyed = keyed or match.group(1) is not None
        for number in (width, precision):
            if number == "*":
                stars = True
            elif number:
                if len(number) > 18:
                    current().fail("a format width or precision may not be that large")
                size += int(number)
    if not conversions:
        return size
    if keyed and isinstance(values, dict):  # '%(name)s' % {...}: any value, any number of times
        size += conversions * max((text_size(v) for v in values.values()), default=0)
    else:
        size += text_size(values)
        if stars:  # a width taken from the values: any of their integers may be one
            for value in values if type(values) is tuple else (values,):
                if type(value) is int:
                    size += abs(value)
    return size + 330 * conversions  # a float's digits ('%f' % 1e308)


_FORMAT_SPEC = re.compile(r"(?s)(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d*))?[a-zA-Z%]?")


def guarded_format(value: Any, conversion: int = -1, spec: str | None = None) -> str:
    """One ``{value!conversion:spec}`` of an f-string."""
    if conversion == ord("s"):
        value = guarded_str(value)
    elif conversion == ord("r"):
        value = guarded_repr(value)
    elif conversion == ord("a"):
        value = ascii(guarded_repr(value))
    spec = spec or ""
    run = current()
    if type(value) is str and not spec:
        run.build(len(value))
        return value
    size = len(value) if type(value) is str else text_size(value)
    match = _FORMAT_SPEC.fullmatch(spec)
    if match is not None:
        width, precision = match.group(1), match.group(2)
        if len(width) > 18 or len(precision or "") > 18:
            run.fail("a format width or precision may not be that large")
        if type(value) is int:
            size = 2 * size + value.bit_length()  # binary, grouping separators
        if type(value) is not str:
            size += int(precision or 0) + 330
        size = max(size, int(width or 0))
    run.reserve(size)
    result = format(value, spec)
    run.build(len(result))
    return result


def guarded_getitem(container: Any, key: Any) -> Any:
    value = container[key]
    if type(key) is slice and isinstance(value, _SEQUENCES):
        current().build(tree_size(value))
    return value


def guarded_item(value: Any) -> Any:
    """An element a list, tuple, set or dict display, or a comprehension, stores."""
    run = _RUN.get() or Run()
    kind = type(value)
    # Inline for numbers and text: under the trace function every extra call costs.
    if kind in _SCALARS:
        size = 1
    elif kind is str:
        size = 1 + len(value)
    else:
        size = 1 + tree_size(value, min(MAX_SEQUENCE, run.built))
    run.built -= size
    if run.built < 0:  # an element is a value already; only the run's budget applies
        run.fail(f"a script may build at most {MAX_BUILT} items and characters in one run")
    return value


def guarded_iter(iterable: Any) -> Iterator[Any]:
    """What a loop, a comprehension or an unpacking iterates: each item takes one of the run's tokens."""
    return itertools.compress(iterable, (_RUN.get() or Run()).tokens)


_COUNTED = (types.GeneratorType, itertools.compress)  # the script cannot make the latter


def _consume(iterable: Any) -> Any:
    """``iterable`` for a builtin that will iterate over it in C: its items are counted."""
    if type(iterable) in _COUNTED:
        return iterable  # a generator expression's own loop takes the tokens, or guarded_iter did
    try:
        size = len(iterable)
    except (TypeError, OverflowError):
        return guarded_iter(iterable)
    current().iterate(size)
    return iterable


def _stored(result: Any) -> Any:
    """``result``, a container just built from existing values, charged at its tree size."""
    run = current()
    run.build(tree_size(result, min(MAX_SEQUENCE, run.built)))
    return result


guarded_stored = _stored  # a list or tuple display, a comprehension


def guarded_set_display(elements: tuple) -> set:
    """``{a, b, ...}``: charged before its elements are hashed (hashing a tuple walks all of it)."""
    return set(_stored(elements))


def guarded_dict_display(items: tuple) -> dict:
    """``{k: v, ...}`` with keys computed at run time, as ``(k, v, ...)``: charged before hashing."""
    pairs = iter(_stored(items))
    return dict(zip(pairs, pairs, strict=False))


# -- writes --------------------------------------------------------------------------------------
class _Writable:
    """What ``obj[key] = value`` writes through for a list or a dict (the script's own, or the case data)."""

    __slots__ = ("_target",)

    def __init__(self, target: list | dict) -> None:
        object.__setattr__(self, "_target", target)

    def __setitem__(self, key: Any, value: Any) -> None:
        target = self._target
        if type(key) is slice and isinstance(target, list):
            value = _stored(list(_consume(value)))
            current().reserve(len(target) + len(value))
        else:
            guarded_item(value)
            if isinstance(target, dict):
                guarded_item(key)
        target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]

    def __setattr__(self, name: str, value: Any) -> None:
        _refuse_write(self._target)

    def __delattr__(self, name: str) -> None:
        _refuse_write(self._target)


class _ReadOnly(_Writable):
    """What a write to anything else meets: helpers, builtins and types are shared by every case."""

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        _refuse_write(self._target)

    def __delitem__(self, key: Any) -> None:
        _refuse_write(self._target)


def _refuse_write(target: Any) -> NoReturn:
    name = getattr(target, "__name__", None)
    if isinstance(target, type):
        what = f"the type {name}"
    elif isinstance(name, str):
        what = f"{name} (a {type(target).__name__})"
    else:
        what = f"a {type(target).__name__}"
    raise TypeError(f"a script may not change {what}: it may change only its own lists and dicts and the case data")


def guarded_write(target: Any) -> Any:
    return _Writable(target) if type(target) in (list, dict) else _ReadOnly(target)


# -- builtins ----------------------------------------------------------------------------------
def guarded_str(*args: Any, **kwargs: Any) -> str:
    if len(args) == 1 and not kwargs:
        value = args[0]
        if type(value) is str:
            return value
        run = current()
        if type(value) is not int:
            run.reserve(text_size(value))
        result = str(value)
        run.build(len(result))
        return result
    result = str(*args, **kwargs)
    current().build(len(result))
    return result


def guarded_repr(value: Any) -> str:
    run = current()
    run.reserve(text_size(value))
    result = repr(value)
    run.build(len(result))
    return result


def _collect(kind: type) -> Callable[..., Any]:
    def collect(iterable: Iterable[Any] = (), /) -> Any:
        return _stored(kind(_consume(iterable)))

    return collect


def _guarded_dict(*args: Any, **kwargs: Any) -> dict:
    if args and not isinstance(args[0], dict):
        args = (_consume(args[0]), *args[1:])
    elif args:
        current().iterate(len(args[0]))
    return _stored(dict(*args, **kwargs))


def _guarded_int(*args: Any, **kwargs: Any) -> int:
    result = int(*args, **kwargs)
    _bits(result)
    return result


class _GuardedType(type):
    """A builtin type whose calls are guarded; ``isinstance``, ``issubclass`` and its methods work as the type's."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.__bases__[0])

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.__bases__[0])

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.guard(*args, **kwargs)


def _guarded_type(base: type, guard: Callable[..., Any]) -> type:
    return _GuardedType(base.__name__, (base,), {"guard": staticmethod(guard), "__slots__": ()})


def guarded_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    items = _consume(iterable)
    if type(start) in (int, float, complex, bool):
        result = sum(items, start)
        _bits(result)
        return result
    total = start  # lists or tuples: each addition is checked (sum would copy quadratically in C)
    for item in items:
        total = guarded_add(total, item)
    return total


def _first_iterable(function: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1:
            args = (_consume(args[0]),)
        else:
            _stored(args)  # max(t, t, t, ...) compares them all in one call
        return function(*args, **kwargs)

    return guarded


def guarded_sorted(iterable: Iterable[Any], /, **kwargs: Any) -> list:
    return _stored(sorted(_consume(iterable), **kwargs))


def guarded_round(number: Any, ndigits: Any = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > MAX_INT_BITS:
        current().fail(f"a script may not round to {ndigits} digits")
    return round(number, ndigits)


def limited_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_SEQUENCE:
        current().fail(f"range of {len(numbers)} numbers (the limit is {MAX_SEQUENCE})")
    return numbers


GUARDED_BUILTINS: dict[str, Any] = {
    "str": _guarded_type(str, guarded_str),
    "list": _guarded_type(list, _collect(list)),
    "tuple": _guarded_type(tuple, _collect(tuple)),
    "set": _guarded_type(set, _collect(set)),
    "dict": _guarded_type(dict, _guarded_dict),
    "int": _guarded_type(int, _guarded_int),
    "repr": guarded_repr,
    "sum": guarded_sum,
    "min": _first_iterable(min),
    "max": _first_iterable(max),
    "any": _first_iterable(any),
    "all": _first_iterable(all),
    "sorted": guarded_sorted,
    "pow": guarded_pow,
    "round": guarded_round,
    "range": limited_range,
}


# -- methods -----------------------------------------------------------------------------------
# Each guard gets the method (``call``), the object it works on, and the arguments.
def _sized(call: Callable[..., Any], size: int, args: tuple, kwargs: dict) -> Any:
    run = current()
    run.reserve(size)
    result = call(*args, **kwargs)
    run.build(len(result))
    return result


def _built(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    return _stored(call(*args, **kwargs))


def _width(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    width = args[0] if args else 0
    return _sized(call, max(len(target), width if isinstance(width, int) else 0), args, kwargs)


def _expandtabs(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    tabsize = args[0] if args else kwargs.get("tabsize", 8)
    tab = "\t" if isinstance(target, str) else b"\t"
    extra = target.count(tab) * tabsize if isinstance(tabsize, int) and tabsize > 0 else 0
    return _sized(call, len(target) + extra, args, kwargs)


def _replace(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    if len(args) < 2:
        return call(*args, **kwargs)
    old, new = args[0], args[1]
    count = args[2] if len(args) > 2 else kwargs.get("count", -1)
    times = target.count(old) if len(old) else len(target) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return _sized(call, len(target) + times * max(0, len(new) - len(old)), args, kwargs)


def _join(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    if len(args) != 1:
        return call(*args, **kwargs)
    items = list(_consume(args[0]))
    try:
        size = sum(map(len, items)) + len(target) * max(len(items) - 1, 0)
    except TypeError:
        return call(items, **kwargs)  # not all text: join says so itself
    return _sized(call, size, (items,), kwargs)


def _translate(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    table = args[0] if args else None
    longest = 1
    if isinstance(target, str) and isinstance(table, dict | list | tuple | str):
        values = table.values() if isinstance(table, dict) else table
        current().iterate(len(values))
        longest = max([len(v) for v in values if isinstance(v, str)], default=1)
    return _sized(call, len(target) * max(longest, 1), args, kwargs)


def _each_iterable(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    result = call(*[_stored(list(_consume(a))) for a in args], **kwargs)
    return _stored(result) if isinstance(result, set | frozenset) else result


def _first_argument_stored(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    """append, insert, add: one more reference to what is stored."""
    for value in args:
        guarded_item(value)
    return call(*args, **kwargs)


def _extend(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    items = [_stored(list(_consume(a))) for a in args]
    if len(target) + sum(map(len, items)) > MAX_SEQUENCE:
        current().fail(f"a script may not build a sequence of more than {MAX_SEQUENCE} items")
    return call(*items, **kwargs)


def _fromkeys(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    if args:
        args = (_consume(args[0]), *args[1:])
    return _built(call, target, args, kwargs)


def _update(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    if args and isinstance(args[0], dict):
        current().iterate(len(args[0]))
    elif args:
        args = (_consume(args[0]), *args[1:])
    return call(_stored(dict(*args, **kwargs)))


def _sort(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    current().iterate(len(target))
    return call(*args, **kwargs)


def _to_bytes(call: Callable[..., Any], target: Any, args: tuple, kwargs: dict) -> Any:
    length = args[0] if args else kwargs.get("length", 1)
    return _sized(call, length if isinstance(length, int) else 0, args, kwargs)


_TEXT_METHODS = {
    **dict.fromkeys(("ljust", "rjust", "center", "zfill"), _width),
    "expandtabs": _expandtabs,
    "replace": _replace,
    "join": _join,
    "translate": _translate,
    **dict.fromkeys(
        (
            "upper",
            "lower",
            "casefold",
            "swapcase",
            "title",
            "capitalize",
            "split",
            "rsplit",
            "splitlines",
            "partition",
            "rpartition",
            "encode",
            "decode",
            "hex",
            "maketrans",
        ),
        _built,
    ),
}
_SET_METHODS = {
    **dict.fromkeys(
        (
            "union",
            "intersection",
            "difference",
            "symmetric_difference",
            "update",
            "intersection_update",
            "difference_update",
            "symmetric_difference_update",
            "issubset",
            "issuperset",
            "isdisjoint",
        ),
        _each_iterable,
    ),
    "add": _first_argument_stored,
    "copy": _built,
}
_METHOD_GUARDS: dict[type, dict[str, Callable[..., Any]]] = {
    str: _TEXT_METHODS,
    bytes: _TEXT_METHODS,
    list: {
        "append": _first_argument_stored,
        "insert": _first_argument_stored,
        "extend": _extend,
        "copy": _built,
        "sort": _sort,
    },
    dict: {
        "update": _update,
        "setdefault": _first_argument_stored,
        "copy": _built,
        "fromkeys": _fromkeys,
    },
    set: _SET_METHODS,
    frozenset: _SET_METHODS,
    int: {"to_bytes": _to_bytes},
}
REFUSED_ATTRIBUTES = frozenset({"mro"})  # mro() would hand out the unguarded types


def guard_method(owner: Any, name: str, value: Any) -> Any:
    """``owner.name`` (already fetched as ``value``), guarded if it is a method that iterates or builds in C."""
    kind = owner if isinstance(owner, type) else type(owner)
    for base in kind.__mro__:
        guards = _METHOD_GUARDS.get(base)
        if guards is not None:
            break
    else:
        return value
    guard = guards.get(name)
    if guard is None:
        return value
    if isinstance(value, types.MethodDescriptorType):  # str.ljust: the target is the first argument

        def unbound(*args: Any, **kwargs: Any) -> Any:
            if not args:
                return value(*args, **kwargs)
            target = args[0]
            return guard(lambda *a, **k: value(target, *a, **k), target, args[1:], kwargs)

        return unbound

    def bound(*args: Any, **kwargs: Any) -> Any:
        return guard(value, owner, args, kwargs)

    return bound
