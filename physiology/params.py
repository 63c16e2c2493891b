"""Parameter records: immutable, and every field says what it means.

A model's parameters are a frozen dataclass deriving from :class:`ParamRecord`, whose
fields are declared with :func:`param`. Each field carries its units, default, plausible
bounds (what calibration searches), hard domain (what the equations accept), a source
(a citation, or ``"assumption: <reason>"``) and a one-line description. Configs read the
defaults, calibration reads the bounds, documentation and cube attributes read the rest,
all from this one record (DESIGN.md principle 2).

A field may hold a scalar or an array: arrays give a batch of parameter sets that
broadcasts against the leading (batch) dimensions of a model's inputs.

Example
-------
>>> from physiology.fitness_fatigue import BanisterParams
>>> BanisterParams.spec()["tau1"].units
'd'
>>> BanisterParams(tau1=35.0).tau1
35.0
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

__all__ = ["Interval", "Param", "ParamRecord", "param", "params_from"]


@dataclass(frozen=True)
class Interval:
    """A real interval such as ``(0, inf)`` or ``[0, 1]``; open or closed at each end."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = True
    high_open: bool = True

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Read ``"(0, inf)"``, ``"[0, 1]"``, ``"[1, inf)"`` and the like."""
        text = text.strip()
        if len(text) < 5 or text[0] not in "([" or text[-1] not in ")]" or "," not in text:
            raise ValueError(f"interval {text!r}: expected a form like '(0, inf)' or '[0, 1]'")
        low, high = (float(part) for part in text[1:-1].split(","))
        if not low <= high:
            raise ValueError(f"interval {text!r}: lower end above upper end")
        return cls(low, high, text[0] == "(", text[-1] == ")")

    def contains(self, x: np.ndarray) -> np.ndarray:
        """Elementwise membership (NaN is never a member)."""
        x = np.asarray(x, dtype=float)
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above & below

    def __str__(self) -> str:
        def end(v: float) -> str:
            return "inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:g}"

        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{end(self.low)}, {end(self.high)}{right}"


@dataclass(frozen=True)
class Param:
    """What one parameter means: units, default, bounds, domain, source, description."""

    name: str
    default: float
    units: str
    bounds: tuple[float, float]
    domain: Interval
    source: str
    description: str
    #: The range a sensitivity analysis varies the parameter over (what we believe of it,
    #: where ``bounds`` is what calibration may search); the bounds unless narrowed.
    plausible: tuple[float, float] | None = None


def param(
    default: float,
    *,
    units: str,
    bounds: tuple[float, float],
    source: str,
    description: str,
    domain: str = "(-inf, inf)",
    plausible: tuple[float, float] | None = None,
) -> Any:
    """Declare a parameter field of a :class:`ParamRecord`.

    Args:
        default: the value used when none is given (units as ``units``).
        units: UDUNITS-style unit string (``"d"``, ``"W"``, ``"W/AU"``, ``"1"``).
        bounds: plausible range ``(low, high)``; calibration searches inside it.
        source: a citation, or ``"assumption: <reason>"``.
        description: one line saying what the parameter is.
        domain: the hard domain the equations accept, as an interval string; values
            outside it raise ``ValueError`` when the record is built.
        plausible: the range a sensitivity analysis varies it over
            (:mod:`twin.sensitivity`), inside ``bounds`` and holding the default; default
            the bounds. Narrow it where the bounds are a calibration search box wider
            than what is believed (an option's off value up to its documented strength).
    """
    interval = Interval.parse(domain)
    low, high = bounds
    if not (low <= default <= high and interval.contains(default)):
        raise ValueError(f"default {default} outside bounds {bounds} or domain {domain}")
    p_low, p_high = (low, high) if plausible is None else plausible
    if not (low <= p_low <= default <= p_high <= high):
        raise ValueError(f"plausible range {plausible} must hold the default {default} and "
                         f"lie inside the bounds {bounds}")
    meta = {"units": units, "bounds": (float(low), float(high)), "domain": interval,
            "source": source, "description": description,
            "plausible": (float(p_low), float(p_high))}
    return dataclasses.field(default=default, metadata={"param": meta})


def params_from(source: str):
    """A :func:`param` declarer with a fixed source, for records whose fields share one:
    ``declare(default, units, bounds, description, domain="(-inf, inf)")``."""

    def declare(default: float, units: str, bounds: tuple[float, float], description: str,
                domain: str = "(-inf, inf)") -> Any:
        return param(default, units=units, bounds=bounds, source=source,
                     description=description, domain=domain)

    return declare


@dataclass(frozen=True)
class ParamRecord:
    """Base class of parameter records (frozen dataclasses of :func:`param` fields).

    Values are validated against each field's domain when the record is built; a value
    outside it raises ``ValueError`` naming the record, the field, the offending index
    (for array-valued fields) and the value. Array fields are stored as read-only copies.
    Subclasses add checks across fields in ``_check(values)``.
    """

    _cite: ClassVar[str] = ""

    def __post_init__(self) -> None:
        cls = type(self).__name__
        for p in self.spec().values():
            raw = getattr(self, p.name)
            try:
                value = np.array(raw, dtype=float)  # a copy: later edits to raw can't leak in
            except (TypeError, ValueError):
                raise ValueError(f"{cls}.{p.name} = {raw!r}: expected a real number "
                                 f"in {p.units}") from None
            bad = ~p.domain.contains(value)
            if bad.any():
                index = tuple(int(i) for i in np.argwhere(bad)[0])
                where = f"[{', '.join(map(str, index))}]" if index else ""
                shown = value[index] if index else value
                raise ValueError(f"{cls}.{p.name}{where} = {float(shown)!r}: expected a value "
                                 f"in {p.domain} {p.units} ({p.description})")
            if value.ndim:
                value.flags.writeable = False
                object.__setattr__(self, p.name, value)
        self._check()

    def _check(self) -> None:
        """Checks across fields (override; raise ``ValueError`` naming the fields)."""

    @classmethod
    def spec(cls) -> dict[str, Param]:
        """The meaning of every field, in declaration order."""
        out = {}
        for f in dataclasses.fields(cls):
            meta = f.metadata.get("param")
            if meta is not None:
                out[f.name] = Param(name=f.name, default=f.default, **meta)
        return out

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(cls.spec())

    @classmethod
    def table(cls) -> str:
        """A Markdown table of the record's fields (for docs and reports); the bounds
        column adds the plausible range where it is narrower."""
        rows = ["| parameter | units | default | bounds | domain | description | source |",
                "|---|---|---|---|---|---|---|"]
        for p in cls.spec().values():
            bounds = f"[{p.bounds[0]:g}, {p.bounds[1]:g}]"
            if p.plausible != p.bounds:
                bounds += f"; plausible [{p.plausible[0]:g}, {p.plausible[1]:g}]"
            rows.append(f"| `{p.name}` | {p.units} | {p.default:g} | "
                        f"{bounds} | {p.domain} | {p.description} | {p.source} |")
        return "\n".join(rows)

    @classmethod
    def config_schema(cls) -> type:
        """A mutable dataclass of the same fields and defaults, for Hydra structured configs.

        (Hydra makes frozen dataclasses read-only, so overrides need this twin; build the
        record from the composed node with ``cls(**node)``, which validates it.)
        """
        fields = [(name, float, dataclasses.field(default=p.default))
                  for name, p in cls.spec().items()]
        doc = f"Config schema of {cls.__name__}."
        return dataclasses.make_dataclass(f"{cls.__name__}Config", fields,
                                          namespace={"__doc__": doc})

    @classmethod
    def kernel_params(cls, *options: str, module: str) -> type:
        """The kernel's ``Params`` named tuple: the record's fields in order, then the
        kernel's options (the day convention's ``lag``, the grid step ``dt``), so a
        record and its kernel declare their names once. ``module``: the kernel's module
        (``__name__``), where the class must be importable as ``Params``."""
        fields = [(name, float) for name in (*cls.names(), *options)]
        params = typing.NamedTuple("Params", fields)
        params.__module__ = module
        extra = f", then {', '.join(options)}" if options else ""
        params.__doc__ = f"Kernel parameters: the fields of :class:`{cls.__name__}`{extra}."
        return params

    def values(self) -> tuple[Any, ...]:
        """Field values in declaration order (scalars or arrays)."""
        return tuple(getattr(self, name) for name in self.names())

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (validated like a new record)."""
        return dataclasses.replace(self, **changes)

    def batch_shape(self) -> tuple[int, ...]:
        """Broadcast shape of the array-valued fields (``()`` for a single set)."""
        return np.broadcast_shapes(*(np.shape(v) for v in self.values()))
