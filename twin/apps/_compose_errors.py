"""What Hydra refuses while composing, as one line naming the key, naming no one (issue 22).

Hydra reports its own composition errors (a key no schema declares, a value of the wrong
type, an override it cannot parse, a config group option that does not exist) over
several lines, with the override's text verbatim: ``Could not override 'athletes.ids'.
To append to your config use +athletes.ids=[...]``. An override may carry an athlete's
raw id, name or birth date, which a governance policy that pseudonymises
(``conf/governance/eu_gdpr.yaml``) never lets reach stderr. Within :func:`reporting`,
such an error is instead one line, ``<tool>: <key>: <what was expected>``, exit status 2
(as for every bad input), whatever ``HYDRA_FULL_ERROR`` says; any quoted value that
holds a raw id, name or birth date of an athlete whose policy pseudonymises (or whose
jurisdiction no policy covers) is ``'<redacted>'``, as is any other occurrence of one.

The athletes are those the config would name (:func:`athletes_of`: the squad, or
twin-calibrate's athletes table), composed from the config files and the overrides that
choose them (``athletes=<squad>``, ``inputs.athletes=<file>``, ``hydra.searchpath``),
together with the ids, names and jurisdictions the overrides themselves give
(``athletes.athletes=[...]``, ``athletes.athletes.<i>.<field>=...``), whether or not
they compose. An athlete with any jurisdiction whose policy pseudonymises, or that no
policy covers, is protected.

Hydra has no hook for these errors: :func:`reporting` wraps
``hydra._internal.utils.run_and_report`` (through which ``hydra.main`` runs the
composition and the job) while the app runs. An exception the job itself raises
(:func:`mark_job_error`) is left to Hydra's own report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
from collections.abc import Callable, Iterator

from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf import OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

REDACTED = "<redacted>"

#: An override of one athlete's identifying field or jurisdiction.
_FIELD = re.compile(r"^[+~]*athletes\.athletes\.(\d+)\.(id|name|date_of_birth|jurisdiction)"
                    r"(?:=(.*))?$")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def athletes_of(cfg) -> list[dict]:
    """Id, name, birth date and jurisdiction of the athletes a config names: its squad
    (``athletes.athletes``), or the athletes table twin-calibrate reads
    (``inputs.athletes``, read raw: the error may be about that very file)."""
    try:
        return [{k: a.get(k) for k in ("id", "name", "date_of_birth", "jurisdiction")}
                for a in cfg.athletes.athletes]
    except Exception:
        pass
    try:
        import pandas as pd

        path = str(cfg.inputs.athletes)
        frame = (pd.read_parquet(path) if path.endswith(".parquet")
                 else pd.read_csv(path, dtype=str, keep_default_na=False)).astype(str)
        return [{"id": r.get("athlete_id"), "name": r.get("name"),
                 "date_of_birth": r.get("date_of_birth"), "jurisdiction": r.get("jurisdiction")}
                for r in frame.to_dict("records")]
    except Exception:
        return []


def mark_job_error(exc: BaseException) -> None:
    """Mark an exception raised by the job (not by the composition): Hydra reports it."""
    with contextlib.suppress(Exception):
        exc.__twin_job_error__ = True


def _leaves(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _leaves(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _leaves(v)]
    return [] if value is None else [str(value)]


def _composed(config_name: str | None, parsed) -> object | None:
    """The config composed from the overrides that choose the squad (or the athletes
    table) and where configs are found, else from none: one composition, two at most."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    hydra = GlobalHydra.instance().hydra
    if hydra is None:
        return None
    chosen = [o.input_line for o in parsed if not o.is_sweep_override() and (
        o.key_or_group in ("athletes", "inputs.athletes") or o.key_or_group.startswith(
            "hydra."))]
    for overrides in dict.fromkeys((tuple(chosen), ())):
        try:
            return hydra.compose_config(config_name, list(overrides), run_mode=RunMode.RUN,
                                        with_log_configuration=False)
        except Exception:
            continue
    return None


def identifiers(config_name: str | None, overrides: list[str]) -> list[str]:
    """Raw ids, names and birth dates of the athletes whose policy pseudonymises, or whose
    jurisdiction no policy covers (module docstring), longest first."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser, parsed = OverridesParser.create(), []
    for text in overrides:
        with contextlib.suppress(Exception):
            parsed.extend(parser.parse_overrides([text]))
    cfg = _composed(config_name, parsed)
    path = next((o.value() for o in parsed if o.key_or_group == "inputs.athletes"), None)
    squad = athletes_of(cfg) if cfg is not None else []
    whole = next((o.value() for o in parsed if o.key_or_group == "athletes.athletes"
                  and not o.is_sweep_override()), None)
    if isinstance(whole, list):  # the squad given on the command line
        squad = [{k: a.get(k) for k in ("id", "name", "jurisdiction")} if isinstance(a, dict)
                 else {"id": a} for a in whole]
    if not squad and path:
        squad = athletes_of(OmegaConf.create({"inputs": {"athletes": str(path)}}))
    athletes = [{k: _leaves(v) for k, v in a.items()} for a in squad]
    for text in overrides:  # the overrides' own: given, whether or not they compose
        m = _FIELD.match(text)
        if not m or m[3] is None:
            continue
        i, field = int(m[1]), m[2]
        try:
            values = _leaves(parser.parse_overrides([text])[0].value())
        except Exception:
            values = [m[3]]
        athletes += [{} for _ in range(i + 1 - len(athletes))]
        athletes[i].setdefault(field, []).extend(values)
    return protected(athletes)


def protected(athletes: list[dict]) -> list[str]:
    """Raw ids, names and birth dates (each field a value or a list of values) of the
    athletes with a jurisdiction whose policy pseudonymises, or that no policy covers,
    or with none; longest first."""
    athletes = [{k: _leaves(v) for k, v in a.items()} for a in athletes]
    try:
        from calibration import load_policies
        from twin.store.governance import GOVERNANCE_DIR

        open_ = {j for p in load_policies(GOVERNANCE_DIR).values() if not p.pseudonymise
                 for j in p.jurisdictions}
    except Exception:  # no policies to read: everyone is protected
        open_ = set()
    raw = set()
    for a in athletes:
        if not a.get("jurisdiction") or not set(a["jurisdiction"]) <= open_:
            raw.update(v for f in ("id", "name", "date_of_birth") for v in a.get(f, ())
                       if v.strip() and v not in ("None", "nan"))
    return sorted(raw, key=len, reverse=True)


def redact_values(text: str, raw: list[str], values: tuple[str, ...] = ()) -> str:
    """``text`` with each of ``values`` (the values it echoes), and each quoted value,
    that holds one of ``raw`` replaced by ``<redacted>``, and any other occurrence of
    one of ``raw`` too."""
    if not raw:
        return text
    for v in sorted(values, key=len, reverse=True):
        if v and any(r in v for r in raw):
            text = text.replace(v, REDACTED)
    text = _QUOTED.sub(lambda m: f"'{REDACTED}'" if any(r in m[0] for r in raw) else m[0],
                       text)
    for r in raw:
        text = text.replace(r, REDACTED)
    return text


def _line(text: str) -> str:
    return "; ".join(s.strip().rstrip(".") for s in str(text).splitlines() if s.strip())


def echoed(exc: BaseException) -> tuple[str, ...]:
    """The values a composition error's message may echo: the override's value, the
    value OmegaConf refused (as it prints it)."""
    cause = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    out = []
    if isinstance(exc, OverrideParseException):
        out.append(exc.override.partition("=")[2])
    if isinstance(cause, OmegaConfBaseException) and cause.value is not None:
        with contextlib.suppress(Exception):
            value = cause.value
            if OmegaConf.is_config(value):
                value = OmegaConf.to_container(value)
            out.append(str(value))
    return tuple(out)


def describe(exc: BaseException) -> str:
    """One line for what Hydra refused while composing: the key, then what was wrong and,
    where the schema says, what was expected. Not yet redacted."""
    cause = exc if isinstance(exc, OmegaConfBaseException) else exc.__cause__
    if isinstance(cause, OmegaConfBaseException) and cause.full_key:
        what = str(cause).splitlines()[0].strip()
        kind = cause.object_type
        if isinstance(cause, ConfigAttributeError | ConfigKeyError) and \
                dataclasses.is_dataclass(kind):
            what += f"; expected one of {sorted(f.name for f in dataclasses.fields(kind))}"
        return f"{cause.full_key}: {what}"
    if isinstance(exc, OverrideParseException):
        key = exc.override.partition("=")[0].lstrip("+~")
        return f"{key}: the override cannot be parsed: {_line(exc.message)}"
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file:
        group = exc.missing_cfg_file.rpartition("/")[0] or exc.missing_cfg_file
        first = str(exc).splitlines()[0].strip()
        options = f"; expected one of {sorted(exc.options)}" if exc.options else ""
        return f"{group}: {first}{options}"
    text = _line(exc)
    m = re.search(r"(?:at|delete from config\.) '([^']+)'", text)
    return f"{m[1]}: {text}" if m else text


@contextlib.contextmanager
def reporting(name: str, config_name: str | None, *,
              on_error: Callable[[], None] | None = None) -> Iterator[None]:
    """While in this block, what Hydra refuses while composing is one line on stderr,
    ``<name>: <key>: <message>`` with raw identifiers redacted, and exit status 2;
    ``on_error()`` is called first (it withholds what a multirun wrote)."""
    try:
        from hydra._internal import utils
        hydra_report = utils.run_and_report
    except (ImportError, AttributeError):  # another Hydra: its own report
        yield
        return

    def run_and_report(func):
        def guarded():
            try:
                return func()
            except Exception as exc:
                if getattr(exc, "__twin_job_error__", False) or not isinstance(
                        exc, HydraException | OmegaConfBaseException):
                    raise
                overrides, config = [], config_name
                with contextlib.suppress(BaseException):
                    args = utils.get_args_parser().parse_args(sys.argv[1:])
                    overrides, config = list(args.overrides), args.config_name or config
                try:
                    line = redact_values(describe(exc), identifiers(config, overrides),
                                         echoed(exc))
                except Exception:  # nothing to tell apart: say only where
                    line = f"{type(exc).__name__} while composing the config (withheld)"
                if on_error is not None:
                    with contextlib.suppress(Exception):
                        on_error()
                print(f"{name}: {line}", file=sys.stderr)
                sys.exit(2)

        return hydra_report(guarded)

    utils.run_and_report = run_and_report
    try:
        yield
    finally:
        utils.run_and_report = hydra_report
