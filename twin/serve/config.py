"""``conf/serve.yaml``'s structured schema and :func:`load_config`.

The service's config is composed by Hydra from ``conf/serve.yaml`` (schema
:class:`ServeConfig`, registered as ``serve_schema``) and command-line overrides, as the
other apps' configs are (:func:`twin.apps.config.compose`): a misspelt key, a key added
with ``+`` that no schema declares, or a value of the wrong type fails naming the key
(:class:`scenarios.ConfigError`); values are checked by :func:`check_values`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hydra.core.config_store import ConfigStore
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from scenarios import ConfigError
from twin.apps.config import CONF_DIR

ROLES = ("coach", "medical", "analyst", "admin")


@dataclass
class TwinConf:
    """The twin the service forecasts with: ``twin-run``'s config (``conf/config.yaml``)
    with these overrides. The sweep axes are taken as planned (none swept)."""

    athletes: str = "demo_squad"
    scenario: str = "demo_season"
    draws: int = 16
    # Further twin-run overrides; the fatigue term of the hazard on (ln 1.5, the option
    # physiology.injury.HazardParams.beta_fatigue documents) so the filtered state moves
    # the forecast risk.
    overrides: list[str] = field(default_factory=lambda: ["model.hazard.beta_fatigue=0.405"])


@dataclass
class AssimilationConf:
    """The state-space model of :func:`calibration.kalman_filter` (performance units of
    the athlete's Banister parameters, the twin's draws' mean)."""

    obs_sd: float = 2.0  # SD of a performance test about the model
    process_sd: list[float] = field(default_factory=lambda: [0.5, 0.5])  # daily
    prior_sd: list[float] = field(default_factory=lambda: [2.0, 2.0])  # before day 0
    performance_test: str | None = None  # test kind read as performance (model units)
    # Readiness (0-10) = base - slope * (fatigue / habitual fatigue - 1) + noise
    readiness_base: float = 7.0
    readiness_slope: float = 2.0
    readiness_sd: float = 1.0


@dataclass
class RiskRule:
    enabled: bool = True
    budget: float = 0.2  # P(injury) in the coming window_days
    window_days: int = 14


@dataclass
class ReadinessRule:
    enabled: bool = True
    drop: float = 3.0  # points below the mean of the baseline_days before
    baseline_days: int = 7


@dataclass
class SleepRule:
    enabled: bool = True
    debt_h: float = 6.0  # sleep below need summed over the last `days` days (h)
    days: int = 7


@dataclass
class AlertsConf:
    risk_over_budget: RiskRule = field(default_factory=RiskRule)
    readiness_drop: ReadinessRule = field(default_factory=ReadinessRule)
    sleep_debt: SleepRule = field(default_factory=SleepRule)


@dataclass
class PlanConf:
    """The load plan proposed when an alert fires (:func:`twin.prescribe.optimise`)."""

    days: int = 14
    load_max: float = 900.0
    acwr_band: list[float] = field(default_factory=lambda: [0.3, 1.5])
    draws: int = 8
    lease_s: float = 300.0  # a worker's claim on an alert's plan job; expires if it dies


@dataclass
class WebhookConf:
    url: str = "http://127.0.0.1:9/"
    secret_env: str = "TWIN_WEBHOOK_SECRET"  # environment variable holding the HMAC key


@dataclass
class DeliveryConf:
    max_attempts: int = 8  # then the delivery is dead (GET /deliveries/dead)
    backoff_s: float = 1.0  # first retry after about this long, doubling
    backoff_cap_s: float = 300.0
    timeout_s: float = 5.0
    poll_s: float = 0.2
    lease_s: float = 60.0  # a worker's claim on an outbox row; expires if it dies


@dataclass
class AuthConf:
    token_file: str = "${run_dir}/tokens.yaml"  # YAML: [{name, role, sha256}]


@dataclass
class ServeConfig:
    """Schema of ``conf/serve.yaml`` (``twin-serve``)."""

    run_dir: str = "outputs/serve"
    database_url: str | None = None  # default sqlite:///<run_dir>/twin.db
    host: str = "127.0.0.1"
    port: int = 8000
    governance_dir: str = str(CONF_DIR / "governance")
    max_body_bytes: int = 65_536
    max_file_bytes: int = 20_000_000
    twin: TwinConf = field(default_factory=TwinConf)
    assimilation: AssimilationConf = field(default_factory=AssimilationConf)
    alerts: AlertsConf = field(default_factory=AlertsConf)
    plan: PlanConf = field(default_factory=PlanConf)
    webhooks: list[WebhookConf] = field(default_factory=list)
    delivery: DeliveryConf = field(default_factory=DeliveryConf)
    auth: AuthConf = field(default_factory=AuthConf)


def register() -> None:
    ConfigStore.instance().store(name="serve_schema", node=ServeConfig)


def load_config(*overrides: str, config_dir=CONF_DIR) -> DictConfig:
    """``<config_dir>/serve.yaml`` composed with ``overrides`` and checked.

    Raises:
        ConfigError: naming the key (unknown, wrong type, out of range).
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from twin.apps.config import check_known_keys

    register()
    outer = GlobalHydra.instance().hydra
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(Path(config_dir).resolve()),
                                   version_base="1.3"):
            cfg = compose("serve", overrides=list(overrides))
        OmegaConf.resolve(cfg)
    except (HydraException, OmegaConfBaseException) as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        raise ConfigError(f"{Path(config_dir) / 'serve.yaml'}: " + "; ".join(lines)) from None
    finally:
        GlobalHydra.instance().hydra = outer
    check_known_keys(cfg)
    check_values(cfg)
    return cfg


def _need(ok: bool, key: str, value, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{key} = {value!r}: expected {expected}")


def check_values(cfg) -> None:
    """Ranges of the values (``ConfigError`` naming the key)."""
    r = cfg.alerts.risk_over_budget
    _need(0 < r.budget <= 1, "alerts.risk_over_budget.budget", r.budget, "a probability in (0, 1]")
    _need(r.window_days >= 1, "alerts.risk_over_budget.window_days", r.window_days, "days >= 1")
    _need(cfg.alerts.sleep_debt.debt_h > 0, "alerts.sleep_debt.debt_h",
          cfg.alerts.sleep_debt.debt_h, "hours > 0")
    _need(cfg.alerts.readiness_drop.baseline_days >= 1, "alerts.readiness_drop.baseline_days",
          cfg.alerts.readiness_drop.baseline_days, "days >= 1")
    _need(cfg.twin.draws >= 1, "twin.draws", cfg.twin.draws, "draws >= 1")
    _need(cfg.plan.draws >= 1, "plan.draws", cfg.plan.draws, "draws >= 1")
    _need(len(cfg.plan.acwr_band) == 2 and cfg.plan.acwr_band[0] < cfg.plan.acwr_band[1],
          "plan.acwr_band", list(cfg.plan.acwr_band), "[low, high] with low < high")
    a = cfg.assimilation
    _need(a.obs_sd > 0, "assimilation.obs_sd", a.obs_sd, "an SD > 0")
    for key in ("process_sd", "prior_sd"):
        v = list(a[key])
        _need(len(v) == 2 and min(v) >= 0, f"assimilation.{key}", v, "[fitness, fatigue] >= 0")
    d = cfg.delivery
    _need(d.max_attempts >= 1, "delivery.max_attempts", d.max_attempts, "attempts >= 1")
    _need(0 < d.backoff_s <= d.backoff_cap_s, "delivery.backoff_s", d.backoff_s,
          "seconds in (0, delivery.backoff_cap_s]")
    _need(d.lease_s > d.timeout_s, "delivery.lease_s", d.lease_s,
          "seconds > delivery.timeout_s (a claim outlives the post it covers)")
    _need(cfg.plan.lease_s > 0, "plan.lease_s", cfg.plan.lease_s, "seconds > 0")
    for i, hook in enumerate(cfg.webhooks):
        _need(str(hook.url).startswith(("http://", "https://")), f"webhooks[{i}].url",
              hook.url, "an http(s) URL")


def database_url(cfg) -> str:
    """The configured URL, or the embedded default: an SQLite file under the run dir."""
    if cfg.database_url:
        return str(cfg.database_url)
    return f"sqlite:///{Path(cfg.run_dir).resolve() / 'twin.db'}"


def webhook_secret(cfg, i: int) -> bytes:
    """The HMAC key of webhook ``i`` from its environment variable (named in the error)."""
    name = cfg.webhooks[i].secret_env
    value = os.environ.get(name, "")
    if not value:
        raise ConfigError(f"webhooks[{i}].secret_env = {name!r}: the environment variable "
                          "is not set (the webhook's HMAC key)")
    return value.encode()
