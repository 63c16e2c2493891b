"""The Hydra app shared by the command-line tools (``twin-run``, ``twin-plan``,
``twin-scenario``, ``twin-calibrate``).

Each tool is a plain function ``body(cfg, out_dir) -> str`` that reads the composed config,
writes into ``out_dir`` (Hydra's run directory, or the job's directory in a multirun) and
returns the text to print; :func:`hydra_app` turns it into the console entry point. A bad
config value (a :class:`scenarios.ConfigError`, or the tool's own error types) is one line
on stderr, ``<name>: <message>``, and exit status 2, with no traceback; so is what Hydra
itself refuses while composing (an unknown key, a wrong type, an override it cannot
parse), naming the key, with any value holding a raw id, name or birth date of an athlete
whose policy pseudonymises redacted (:mod:`twin.apps._compose_errors`).

stdout carries what the tool returns and nothing else: log records (Ray's, JAX's, Numba's,
zarr's) go to the job's log file, and to stderr from WARNING up
(``conf/hydra/job_logging/twin.yaml``); ``hydra.verbose=true`` shows them all on stderr.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from physiology.kernels import keep_jax_compilations
from scenarios import ConfigError
from twin.apps._compose_errors import athletes_of, mark_job_error, reporting
from twin.apps.config import CONF_DIR, VERSION_BASE, check_known_keys, register

Body = Callable[[DictConfig, Path], str]

#: First line of a multirun.yaml that governance has rewritten.
GOVERNED = "# twin governance: the sweep's config as the athletes' policies let it out"


class GovernedMultirun(Callback):
    """Replace Hydra's ``multirun.yaml`` (the raw composed config, with athletes' raw ids,
    names and birth dates) by the config as governance lets it out, before the first job
    runs (registered in ``conf/config.yaml`` under ``hydra.callbacks``).

    Hydra's basic sweeper writes that file unconditionally, from the master config it is
    given. So, first, at the start of the multirun, the master config's athletes get their
    public ids and lose the fields their policy drops (where the squad cannot be built, or
    there is no key, the raw ids and names of athletes whose policy pseudonymises are
    withheld; the jobs are composed afresh from the config files and overrides, so they
    are unaffected): the file is governed from the moment it is written, and no crash
    leaves raw fields on disk. Then, at the start of
    the first job, the file is rewritten from the job's resolved config (every later job
    sees the governed header and leaves it); the user's own command-line overrides,
    which Hydra keeps under ``hydra.overrides``, go with that rewrite. If the squad cannot
    be read, the file is replaced by a note that it was withheld, as it is when a job's
    config cannot be composed (:func:`withhold_unrewritten`: no job starts, and the
    overrides Hydra recorded may carry raw ids).
    """

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from twin.apps._compose_errors import protected

        try:
            raw = protected(athletes_of(config))
        except Exception:
            raw = []
        _LAUNCHER_FILTER.raw = raw  # the launcher's "#0 : overrides" lines, redacted
        with read_write(config), open_dict(config):
            try:
                from calibration import load_policies, policy_for
                from scenarios import build_squad
                from twin.store.governance import GOVERNANCE_DIR, public_ids

                squad = build_squad(config.athletes)
                ids, policies = public_ids(squad), load_policies(GOVERNANCE_DIR)
                for i, athlete in enumerate(config.athletes.athletes):
                    athlete.id = ids[i]
                    for field in policy_for(squad.jurisdiction[i], policies).drop:
                        if field in athlete:
                            athlete[field] = None
            except Exception:  # a bad squad (its error comes later), or no key: withheld
                with contextlib.suppress(Exception):
                    for athlete in config.athletes.athletes:
                        if str(athlete.id) in raw:
                            athlete.id, athlete.name = "<withheld>", None
        with contextlib.suppress(Exception):
            _PENDING.add(Path(config.hydra.sweep.dir) / "multirun.yaml")

    def on_job_start(self, config: DictConfig, **kwargs) -> None:
        hc = HydraConfig.get()
        if hc.mode != RunMode.MULTIRUN:
            return
        path = Path(hc.sweep.dir) / "multirun.yaml"
        _PENDING.discard(path)
        if not path.exists() or path.read_text().startswith(GOVERNED):
            return
        try:
            from scenarios import build_squad
            from twin.store.governance import public_config, public_ids

            job = OmegaConf.masked_copy(config, [k for k in config if k != "hydra"])
            squad = build_squad(job.athletes)
            text = public_config(job, squad, public_ids(squad))
        except Exception as exc:  # never leave the raw file behind
            text = f"# withheld: the squad could not be checked ({type(exc).__name__})\n"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(f"{GOVERNED} (raw ids, names and birth dates withheld; each job's "
                       "cube records its own)\n" + text)
        os.replace(tmp, path)


class _Redacting(logging.Filter):
    """Replaces the protected raw ids, names and birth dates (:attr:`raw`, set at each
    multirun's start), and the value of any override of an athlete's id, name or birth
    date, in the records of a logger: Hydra's launcher prints every job's overrides."""

    def __init__(self):
        super().__init__()
        self.raw: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if self.raw:
            text = record.getMessage()
            for value in self.raw:  # as typed, and as Hydra escapes it in an override
                for form in (re.sub(r"([\\()\[\]{}:=, \t])", r"\\\1", value), value):
                    text = text.replace(form, "<redacted>")
            # an identifying field set by an override names an athlete whatever its value
            text = _IDENTIFYING.sub(r"\1<redacted>", text)
            record.msg, record.args = text, ()
        return True


#: An override of an athlete's id, name or birth date, and its (Hydra-escaped) value.
_IDENTIFYING = re.compile(r"(athletes\.athletes\.\d+\.(?:id|name|date_of_birth)=)"
                          r"((?:\\.|[^\s\\])+)")
_LAUNCHER_FILTER = _Redacting()
logging.getLogger("hydra._internal.core_plugins.basic_launcher").addFilter(_LAUNCHER_FILTER)


#: multirun.yaml files written at a multirun's start and not yet rewritten by a job.
_PENDING: set[Path] = set()


def withhold_unrewritten() -> None:
    """Replace each multirun.yaml no job has rewritten (a job's config could not be
    composed) by a note that it was withheld."""
    while _PENDING:
        path = _PENDING.pop()
        with contextlib.suppress(OSError):
            if path.exists() and not path.read_text().startswith(GOVERNED):
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_text(f"{GOVERNED}\n# withheld: a job's config could not be "
                               "composed (the overrides may carry raw ids)\n")
                os.replace(tmp, path)


def redact(message: str, cfg) -> str:
    """``message`` with the raw ids, names and birth dates of athletes whose policy
    pseudonymises them replaced (by the public id where the key is at hand, else
    ``<withheld>``), so an error line on stderr names no one. The athletes are the
    squad's or, for twin-calibrate, its athletes table's. Best effort: a config naming
    no athletes, or none readable, leaves the message as it is."""
    try:
        from calibration import load_policies
        from twin.store.governance import GOVERNANCE_DIR

        policies = {j: p for p in load_policies(GOVERNANCE_DIR).values()
                    for j in p.jurisdictions}
    except Exception:
        return message
    for athlete in athletes_of(cfg):
        policy = policies.get(str(athlete.get("jurisdiction")))
        if policy is None or not policy.pseudonymise or not athlete.get("id"):
            continue
        try:
            public = policy.public_id(str(athlete["id"]))
        except ValueError:  # no key: nothing to map to
            public = "<withheld>"
        for field, value in (("id", public), ("name", "<withheld>"),
                             ("date_of_birth", "<withheld>")):
            raw = athlete.get(field)
            if raw and str(raw) not in ("None", "nan"):
                message = message.replace(str(raw), value)
    return message


def _console_verbosity(verbose) -> None:
    """With ``hydra.verbose`` set, the console handler of ``conf/hydra/job_logging/twin.yaml``
    (stderr, WARNING and up otherwise) passes every record Hydra lets through."""
    if verbose:
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler:
                handler.setLevel(logging.NOTSET)


#: Command-line options that change where configs are found (a config there could set
#: ``hydra.mode``): with any of them Hydra reads the mode its own way.
_CONFIG_SOURCE_FLAGS = ("--config-dir", "-cd", "--config-path", "-cp", "--config-name", "-cn")


def _override_key(override: str) -> str:
    return override.lstrip("+~").split("=", 1)[0].strip()


@contextlib.contextmanager
def _mode_unread():
    """Hydra's launcher composes the whole config once only to read ``hydra.mode``
    (``Hydra.get_mode``), then again for the job: about 0.3 s of every app's start.
    None of the project's configs sets ``hydra.mode`` (a test checks every primary
    config), so, unless an override names it or the configs come from elsewhere, the
    mode is what that composition would give, None: ``-m`` then means a multirun and
    its absence a single run, as in Hydra. Anything else takes Hydra's own path."""
    try:
        from hydra._internal.hydra import Hydra
    except ImportError:  # another Hydra: its own way
        yield
        return
    original = getattr(Hydra, "get_mode", None)
    argv = sys.argv[1:]
    if original is None or any(a.split("=", 1)[0] in _CONFIG_SOURCE_FLAGS for a in argv):
        yield
        return

    def get_mode(self, config_name, overrides):
        if any(_override_key(o) == "hydra.mode" for o in overrides):
            return original(self, config_name, overrides)
        return None

    Hydra.get_mode = get_mode
    try:
        yield
    finally:
        Hydra.get_mode = original


def hydra_app(name: str, body: Body, *, config_name: str = "config",
              errors: tuple[type[BaseException], ...] = (ConfigError,)) -> Callable[[], None]:
    """The console entry point of the Hydra app ``name`` that runs ``body``.

    Args:
        name: the command (``"twin-run"``), the prefix of its error lines.
        body: ``body(cfg, out_dir) -> str``: the job, given the composed config and the
            job's output directory; what it returns is printed.
        config_name: the primary config in ``conf/`` (``"config"`` or ``"calibrate"``).
        errors: the exception types reported as ``<name>: <message>`` on stderr with
            exit status 2 (default: :class:`scenarios.ConfigError`).

    Returns:
        ``main()``: registers the schemas and runs the app on ``sys.argv`` (Hydra's
        overrides, ``-m``, ``--cfg job``, ``--help``).
    """

    # functools.wraps sets __wrapped__, from which Hydra takes the job's name (and so the
    # log file's) as the module of ``body``: ``run.log``, ``plan.log``, ...
    @hydra.main(config_path=str(CONF_DIR), config_name=config_name,
                version_base=VERSION_BASE)
    @functools.wraps(body)
    def job(cfg: DictConfig) -> None:
        try:
            _console_verbosity(HydraConfig.get().verbose)
            check_known_keys(cfg)
            print(body(cfg, Path(HydraConfig.get().runtime.output_dir)))
        except errors as exc:
            print(f"{name}: {redact(str(exc), cfg)}", file=sys.stderr)
            sys.exit(2)
        except Exception as exc:  # not a bad input: Hydra's own report
            mark_job_error(exc)
            raise

    def main() -> None:
        register()
        keep_jax_compilations()
        with reporting(name, config_name, on_error=withhold_unrewritten), _mode_unread():
            job()

    main.__doc__ = f"Console entry point ``{name}``."
    return main
