"""Estimators as plug-ins: the ``Estimator`` protocol, its registry and typed options.

An estimator has a ``name``, a one-line ``description``, an options dataclass whose fields
say their type, default and help (``option``), the modules it ``requires`` and a ``run``
returning the one result type, ``EstimateResult``. ``register`` adds one; the three built-in
methods register themselves when their package is imported, which ``estimators`` does on first
use. The run, the command line and the workbench all read this registry, so a new method is
one package and one ``register`` call.

This module imports no numerical library: the command line builds its flags from it at
start-up.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from inquest.errors import ConfigError, InputError

if TYPE_CHECKING:
    from inquest.estimate.histories import CaptureHistories
    from inquest.estimate.result import EstimateResult

#: Progress of one estimator on one table: (what it is doing, advance, total).
Step = Callable[[str, int, int], None]

#: The packages of the methods that come with inquest (each registers itself on import).
BUILTIN = ("inquest.estimate.loglinear", "inquest.estimate.dga", "inquest.estimate.lcmcr")

OptionsT_contra = TypeVar("OptionsT_contra", contravariant=True)
T = TypeVar("T")


class Estimator(Protocol[OptionsT_contra]):
    """One method of multiple systems estimation."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def options_type(self) -> type[Any]:
        """The options dataclass (fields made with ``option``)."""
        ...

    @property
    def requires(self) -> tuple[str, ...]:
        """Modules that must be importable for the method to run (optional dependencies)."""
        ...

    def run(
        self,
        histories: CaptureHistories,
        options: OptionsT_contra,
        *,
        seed: int,
        level: float,
        progress: Step | None,
    ) -> EstimateResult:
        """Estimate N from one table; draws and plot data go in the result."""
        ...


def running(progress: Step | None, work: Callable[[], T]) -> T:
    """``work()`` reported as one step, for a method that does not report its own progress."""
    if progress is not None:
        progress("running", 0, 1)
    out = work()
    if progress is not None:
        progress("running", 1, 1)
    return out


def option(
    default: Any,
    help: str,
    *,
    flag: str | None = None,
    choices: tuple[str, ...] | None = None,
    parse: Callable[[str], Any] | None = None,
) -> Any:
    """A field of an options dataclass: its default, help text and how to read it from text.

    ``flag`` is a short command-line flag of its own (e.g. ``--K``); every option can also be
    set as ``--option METHOD.NAME=VALUE``. ``choices`` lists the allowed strings; ``parse``
    reads a value whose type the generic reader does not know.
    """
    meta = {"help": help, "flag": flag, "choices": choices, "parse": parse}
    if isinstance(default, (list, dict, set)):
        raise TypeError("option defaults must be immutable (use a tuple)")
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class OptionSpec:
    """One option of one method, as clients show and read it."""

    method: str
    name: str
    type: Any
    default: Any
    help: str
    flag: str | None
    choices: tuple[str, ...] | None
    parse: Callable[[str], Any] | None

    @property
    def key(self) -> str:
        """``method.name``, as ``--option`` and error messages spell it."""
        return f"{self.method}.{self.name}"

    @property
    def allowed(self) -> tuple[str, ...] | None:
        """The strings the option accepts, when it is a choice (``choices`` or a Literal)."""
        if self.choices is not None:
            return self.choices
        kinds = [self.type, *typing.get_args(self.type)]
        for kind in kinds:
            if typing.get_origin(kind) is Literal:
                return tuple(str(a) for a in typing.get_args(kind))
        return None

    def read(self, value: Any) -> Any:
        """The value checked against the field's type and choices (text is parsed)."""
        try:
            out = _coerce(self, value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{exc} (got {value!r})", key=self.key) from None
        if self.choices is not None and out is not None and out not in self.choices:
            raise ConfigError(
                f"unknown value {out!r}; choose one of {', '.join(self.choices)}", key=self.key
            )
        return out


_REGISTRY: dict[str, Estimator[Any]] = {}
_loaded = False


def register(estimator: Estimator[Any], *, replace: bool = False) -> Estimator[Any]:
    """Add ``estimator`` under its name (again with ``replace=True`` to swap one)."""
    if not dataclasses.is_dataclass(estimator.options_type):
        raise TypeError(f"{estimator.name}: options_type must be a dataclass")
    if estimator.name in _REGISTRY and not replace and _REGISTRY[estimator.name] is not estimator:
        raise ValueError(f"an estimator named {estimator.name!r} is registered already")
    if not estimator.name.isidentifier():
        raise ValueError(f"estimator name {estimator.name!r} must be an identifier")
    _REGISTRY[estimator.name] = estimator
    return estimator


def unregister(name: str) -> None:
    """Remove an estimator (tests register toy ones)."""
    _REGISTRY.pop(name, None)


def estimators() -> dict[str, Estimator[Any]]:
    """Every registered estimator by name, the built-in ones first."""
    global _loaded
    if not _loaded:
        for module in BUILTIN:
            importlib.import_module(module)
        _loaded = True
    first = [m.rsplit(".", 1)[-1] for m in BUILTIN]
    ranked = sorted(_REGISTRY, key=lambda n: first.index(n) if n in first else len(first))
    return {name: _REGISTRY[name] for name in ranked}


def get(name: str) -> Estimator[Any]:
    """The estimator called ``name``; ``InputError`` naming the choices otherwise."""
    found = estimators().get(name)
    if found is None:
        raise InputError(
            f"unknown method {name!r}; choose from {', '.join(estimators())}", field="method"
        )
    return found


def unavailable(estimator: Estimator[Any]) -> list[str]:
    """The modules ``estimator`` requires that are not installed."""
    return [m for m in estimator.requires if importlib.util.find_spec(m) is None]


def available_methods() -> dict[str, bool]:
    """Whether each registered method can run in this installation."""
    return {name: not unavailable(e) for name, e in estimators().items()}


def resolve_methods(method: str) -> tuple[list[str], list[str]]:
    """(methods to run, warnings) for a method name, a comma-separated list of them, or all."""
    known = estimators()
    if method == "all":
        avail = available_methods()
        missing = [m for m, ok in avail.items() if not ok]
        warnings = [f"method {m} is not installed in this build; skipped" for m in missing]
        return [m for m, ok in avail.items() if ok], warnings
    chosen = [m.strip() for m in method.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in known]
    if unknown or not chosen:
        raise InputError(
            f"unknown method {', '.join(unknown) or method!r}; choose from "
            f"{', '.join(known)}, a comma-separated list of them, or all",
            field="method",
        )
    return list(dict.fromkeys(chosen)), []


def option_specs(method: str) -> list[OptionSpec]:
    """The options of ``method`` in the order its dataclass declares them."""
    kind = get(method).options_type
    hints = typing.get_type_hints(kind)
    return [
        OptionSpec(
            method=method,
            name=f.name,
            type=hints[f.name],
            default=f.default,
            help=str(f.metadata.get("help", "")),
            flag=f.metadata.get("flag"),
            choices=f.metadata.get("choices"),
            parse=f.metadata.get("parse"),
        )
        for f in dataclasses.fields(kind)
    ]


def make_options(method: str, values: Any = None) -> Any:
    """``method``'s options dataclass from ``values``: an instance of it (returned as is),
    or a mapping of option names to values or text (checked; unknown names are refused)."""
    kind = get(method).options_type
    if isinstance(values, kind):
        return values
    given = dict(values or {})
    specs = {s.name: s for s in option_specs(method)}
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise ConfigError(
            f"no such option; {method} has {', '.join(specs) or 'none'}",
            key=f"{method}.{unknown[0]}",
        )
    return kind(**{name: specs[name].read(v) for name, v in given.items()})


def parse_assignments(items: Iterable[str]) -> dict[str, dict[str, str]]:
    """``["lcmcr.K=10", "loglinear.n_boot=200"]`` as ``{method: {name: text}}``."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        method, dot, name = key.strip().partition(".")
        if not sep or not dot or not method or not name:
            raise ConfigError(f"expected METHOD.NAME=VALUE, got {item!r}", key=key.strip())
        get(method)
        out.setdefault(method, {})[name.strip()] = value.strip()
    return out


def keywords(options: Any) -> dict[str, Any]:
    """An options dataclass as keyword arguments (its fields are named after the method
    function's parameters)."""
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}


def options_dict(options: Any) -> dict[str, Any]:
    """An options dataclass as a JSON-ready dict (tuples become lists)."""
    return {f.name: _plain(getattr(options, f.name)) for f in dataclasses.fields(options)}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


_NONE_WORDS = frozenset({"none", "null", ""})
_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _coerce(spec: OptionSpec, value: Any) -> Any:
    """Check or parse ``value`` for the field's type: int, float, str, bool, Literal, tuples
    of them, and ``X | None``; other types need the option's ``parse``."""
    if isinstance(value, str) and spec.parse is not None:
        return None if value.strip().lower() in _NONE_WORDS else spec.parse(value)
    return _as_type(spec.type, value)


def _as_optional(kind: Any, args: tuple[Any, ...], value: Any) -> Any:
    inner = [a for a in args if a is not type(None)]
    word = value.strip().lower() if isinstance(value, str) else None
    listed = len(inner) == 1 and typing.get_origin(inner[0]) is tuple
    empty = value is None or word in _NONE_WORDS - ({""} if listed else set())
    if empty and type(None) in args:
        return None
    if len(inner) == 1:
        return _as_type(inner[0], value)
    raise TypeError(f"cannot read a value of type {kind}")


def _as_literal(args: tuple[Any, ...], value: Any) -> Any:
    text = str(value).strip() if isinstance(value, str) else value
    if text not in args:
        raise ValueError(f"choose one of {', '.join(map(str, args))}")
    return text


def _as_tuple(args: tuple[Any, ...], value: Any) -> tuple[Any, ...]:
    items = [v for v in value.split(",") if v.strip()] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise TypeError("expected a sequence")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_as_type(args[0], v) for v in items)
    if len(items) != len(args):
        raise ValueError(f"expected {len(args)} values")
    return tuple(_as_type(a, v) for a, v in zip(args, items, strict=True))


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS | _FALSE_WORDS:
        return word in _TRUE_WORDS
    raise ValueError("expected true or false")


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("expected a whole number")
    try:
        return int(value.strip().replace("_", "")) if isinstance(value, str) else int(value)
    except ValueError:
        raise ValueError("expected a whole number") from None


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        return float(value.strip()) if isinstance(value, str) else float(value)
    except ValueError:
        raise ValueError("expected a number") from None


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value.strip()


_SCALARS: dict[Any, Callable[[Any], Any]] = {
    bool: _as_bool,
    int: _as_int,
    float: _as_float,
    str: _as_str,
}


def _as_type(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _as_optional(kind, args, value)
    if origin is Literal:
        return _as_literal(args, value)
    if origin is tuple:
        return _as_tuple(args, value)
    if kind in _SCALARS:
        return _SCALARS[kind](value)
    if isinstance(kind, type) and isinstance(value, kind):
        return value
    raise TypeError(f"cannot read a value of type {kind}")
