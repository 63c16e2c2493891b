"""The ``report.html`` of each app: what a run, a plan or a calibration produced.

Each page says what was run in words (from the plan and the config as governance lets it
out, never the raw squad file: athletes appear by their public ids only), the numbers
with their Monte-Carlo errors (:mod:`twin.report.summary`), the figures the app wrote, and
the caveats the outputs carry (each variable's ``comment`` in
:mod:`twin.model.variables`, and the parameters whose source is an assumption).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin.model.variables import DAILY, SUMMARY
from twin.report import summary as _summary
from twin.report.html import esc, figure, page, table, write_page

__all__ = ["calibration_report", "compare_report", "plan_report", "run_report"]

#: The figures of a run, in the order the page shows them.
RUN_FIGURES = {"season.png": "the athlete's season at the chosen scenario point (title)",
               "jetlag.png": "body clock and sleep around the trip the point's itinerary adds",
               "fan.png": "scenario fan: the athlete's performance at every sweep point",
               "heatmap.png": "a summary outcome over the first and last sweep axes, squad "
                              "mean, other axes sliced (title)",
               "sensitivity.png": "sensitivity: ranked Sobol indices (sensitivity.base_samples)"}


def _config_section(plan, cfg, attrs: dict) -> str:
    from scenarios import SWEEP_AXES

    season = plan.season
    end = season.start + np.timedelta64(season.days - 1, "D")
    rows = [("squad", f"{plan.squad.name}: {plan.squad.size} athletes "
                      f"({', '.join(plan.public_ids)})"),
            ("season", f"{season.name}: {season.days} days, {season.start} to {end}")]
    sweep = plan.sweep
    if sweep.dims and sweep.mode == "grid":
        rows.append(("sweep", f"{sweep.name}: grid of {sweep.size} points"))
        for dim in sweep.dims:
            axis = SWEEP_AXES[dim]
            values = ", ".join(str(v) for v in sweep.coords[dim])
            unit = f" [{axis.units}]" if axis.units else ""
            rows.append((f"  {dim}", f"{axis.long_name}{unit}: {values}"))
    elif sweep.dims:
        rows.append(("sweep", f"{sweep.name}: {sweep.size} sampled points over "
                              f"{', '.join(sweep.coords)}"))
    else:
        rows.append(("sweep", "none (the season as planned)"))
    q = ", ".join(f"{v:g}" for v in plan.quantiles)
    rows += [("draws", f"{plan.draws} Monte-Carlo draws per athlete and point"
                       + (" (every draw kept)" if plan.keep_draws else f"; quantiles {q}")),
             ("seed", str(plan.seed)), ("backend", plan.backend),
             ("fitness-fatigue model", plan.model)]
    if cfg is not None and "model" in cfg:
        from omegaconf import OmegaConf

        model = OmegaConf.to_container(cfg.model, resolve=True, enum_to_str=True)
        for key, value in model.items():
            if key == "fitness_fatigue":
                continue
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            rows.append((f"model.{key}", str(value)))
    for key in ("source", "history"):
        if attrs.get(key):
            rows.append((key, str(attrs[key])))
    body = "<dl class=\"cfg\">" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>"
                                          for k, v in rows) + "</dl>"
    if attrs.get("config"):
        body += ("<details><summary>the resolved config, as the governance policy lets it "
                 f"out</summary><pre>{esc(attrs['config'])}</pre></details>")
    return body


def _cell(c: _summary.Cell):
    return (c.text, c.value)


def _summary_section(summary, dims) -> str:
    rows = []
    for name, best, best_at, worst, worst_at in _summary.best_worst(summary, dims):
        v = _summary.OUTCOMES[name]
        rows.append((name, v.long_name, v.shown_units, _cell(best), best_at, _cell(worst),
                     worst_at))
    best_worst = table(["outcome", "meaning", "units", "best", "scenario", "worst",
                        "scenario"], rows, text_columns=3)
    means = _summary.squad_means(summary, dims)
    labels = _summary.point_labels(summary, dims)
    names = list(means)
    per_point = table(["scenario point", *(f"{n} [{SUMMARY[n].shown_units}]" for n in names)],
                      [(label, *(_cell(means[n][i]) for n in names))
                       for i, label in enumerate(labels)], sortable=True,
                      table_id="points")
    n = summary.sizes["athlete"]
    return (f"<p>Squad means over the {n} athletes. An outcome that is a mean over draws "
            "is given as <i>mean ± Monte-Carlo standard error</i> (of the squad mean: the "
            "athletes' errors in quadrature, over their count); a quantile outcome as its "
            "median with, in brackets, the squad means of the outer quantiles (the spread "
            "over draws, not a Monte-Carlo error); a median or draw-free outcome as it is."
            f"</p>{best_worst}<h3>Every scenario point</h3>{per_point}")


def _squad_section(summary, dims) -> str:
    labels = _summary.point_labels(summary, dims)
    names = list(_summary.OUTCOMES)
    cells = {}
    for name in names:
        centre, lo, hi = _summary._centre(summary[name])
        se = summary.get(f"{name}_se")

        def flat(da):
            if da is None:
                return None
            da = da.transpose("athlete", *(d for d in da.dims if d != "athlete"))
            return np.asarray(da.values).reshape(da.sizes["athlete"], -1)

        cells[name] = (flat(centre), flat(se), flat(lo), flat(hi))
    rows = []
    for a, aid in enumerate(summary["athlete"].values):
        for i, label in enumerate(labels):
            row = [str(aid), label]
            for name in names:
                c, s, lo, hi = cells[name]
                cell = _summary.Cell(float(c[a, i]), None if s is None else float(s[a, i]),
                                     None if lo is None else (float(lo[a, i]),
                                                              float(hi[a, i])))
                row.append(_cell(cell))
            rows.append(row)
    return ("<p>Every athlete at every scenario point (click a column header to sort; "
            "cells as in the squad summary, per athlete). The same numbers are in "
            "<code>summary.csv</code> and <code>summary.parquet</code>.</p>"
            + table(["athlete", "scenario point",
                     *(f"{n} [{SUMMARY[n].shown_units}]" for n in names)], rows, sortable=True,
                    text_columns=2, table_id="squad"))


def _figures_section(out_dir: Path, captions: dict[str, str]) -> str:
    """Each figure named in ``captions`` that was written, and its per-athlete versions
    (``season_<id>.png`` with ``plots.athletes``)."""
    found = []
    for name, cap in captions.items():
        stem = Path(name).stem
        found += [(path, cap) for path in [out_dir / name,
                                           *sorted(out_dir.glob(f"{stem}_*.png"))]
                  if path.is_file()]
    if not found:
        return "<p class=\"note\">No figures were written.</p>"
    return "\n".join(figure(p, f"{p.name}: {cap}") for p, cap in found)


def _assumptions() -> list[tuple[str, str, str, str]]:
    """The parameters of the records ``docs/model.md`` lists whose source is an
    assumption: (record, field, units, the assumption)."""
    from twin.apps.docs import TABLES  # the same records the documentation lists

    out = []
    for _, record in TABLES:
        for name, p in record.spec().items():
            if p.source.lower().startswith("assumption") or "assumption:" in p.source:
                out.append((record.__name__, name, p.units, p.source))
    return out


def _caveats_section(extra: list[str] | None = None) -> str:
    by_caveat: dict[str, list[str]] = {}
    for v in (*DAILY.values(), *SUMMARY.values()):
        if v.comment:
            by_caveat.setdefault(v.comment, []).append(v.name)
    items = [f"<li><b>{esc(', '.join(names))}</b>: {esc(text)}.</li>"
             for text, names in by_caveat.items()]
    items += [f"<li>{esc(t)}</li>" for t in extra or []]
    rows = _assumptions()
    return (f"<ul>{''.join(items)}</ul><details><summary>{len(rows)} parameters rest on an "
            "assumption (their source says why; docs/model.md has the tables)</summary>"
            + table(["record", "parameter", "units", "source"], rows, text_columns=4)
            + "</details>")


_MC_NOTES = ["A Monte-Carlo standard error says how far the mean over these draws may be "
             "from the mean over infinitely many of the same model; it says nothing of "
             "whether the model is right (see twin-sensitivity for that).",
             "An injury risk of 0 or 1 has a standard error of 0 (no draw differed): with "
             "N draws the rule of three bounds the risk at 3/N (95 %)."]


def run_report(out_dir: Path, plan, summary, *, cfg=None, attrs: dict | None = None) -> Path:
    """Write ``report.html`` of a ``twin-run`` into ``out_dir``; returns its path.

    Args:
        plan: the run's :class:`twin.engine.Plan`.
        summary: the store's summary dataset (:func:`twin.store.datasets`).
        cfg: the composed config (only its ``model`` group is read), or None.
        attrs: the cube's attributes (``source``, ``history``, the governed ``config``).
    """
    out_dir = Path(out_dir)
    dims = plan.sweep.dims
    summary = summary.load()
    head = (f"{plan.squad.size} athletes x {plan.sweep.size} scenario points x "
            f"{plan.draws} draws x {plan.season.days} days")
    sections = [("Configuration", _config_section(plan, cfg, attrs or {})),
                ("Summary with Monte-Carlo uncertainty", _summary_section(summary, dims)),
                ("Squad view", _squad_section(summary, dims)),
                ("Figures", _figures_section(out_dir, RUN_FIGURES)),
                ("Caveats", _caveats_section(_MC_NOTES))]
    title = f"athlete-twin run: {plan.squad.name} x {plan.season.name} x {plan.sweep.name}"
    return write_page(out_dir / "report.html", page(title, sections, subtitle=head))


def plan_report(out_dir: Path, plan, results, lines: list[str]) -> Path:
    """Write ``report.html`` of a ``twin-plan`` into ``out_dir``: per athlete the plan's
    key-match performance and injury risk against the template's, over the parameter
    draws (mean ± Monte-Carlo standard error), the binding constraints, the messages,
    ``plan.png`` and the caveats."""
    out_dir = Path(out_dir)
    rows = []
    for r in results:
        mp, tp = r.match_performance

        def mean_se(x):
            x = np.asarray(x, dtype=float)
            se = x.std(ddof=1) / np.sqrt(x.size) if x.size > 1 else None
            return (_summary.format_error(float(x.mean()), se), float(x.mean()))

        rows.append((r.athlete, int(r.days.size), mean_se(mp), mean_se(tp),
                     mean_se(r.risk), mean_se(r.template_risk),
                     (f"{float(r.load.sum()):.0f}", float(r.load.sum())),
                     (f"{float(r.template.sum()):.0f}", float(r.template.sum())),
                     ", ".join(k for k, v in r.binding.items() if v) or "none"))
    window = ""
    if results:
        d = plan.season.dates[results[0].days]
        window = f"{d[0]} to {d[-1]} ({d.size} days)"
    cfg_rows = [("squad", f"{plan.squad.name}: {plan.squad.size} athletes"),
                ("season", f"{plan.season.name}"), ("window", window or "no plan made"),
                ("fitness-fatigue model", plan.model), ("backend", plan.backend)]
    sections = [
        ("What was planned", "<dl class=\"cfg\">" + "".join(
            f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in cfg_rows) + "</dl>"),
        ("Plan per athlete", table(
            ["athlete", "days", "key-match performance [%]", "template [%]",
             "injury risk in the window [1]", "template [1]", "plan load [AU]",
             "template load [AU]", "binding constraints"], rows, sortable=True,
            table_id="plans") + "<p class=\"note\">Means over the parameter draws ± their "
            "Monte-Carlo standard error.</p>"),
        ("Messages", "<ul>" + "".join(f"<li>{esc(t)}</li>" for t in lines) + "</ul>"),
        ("Figures", _figures_section(out_dir, {"plan.png": "the first athlete's plan "
                                               "against the template"})),
        ("Caveats", _caveats_section()),
    ]
    return write_page(out_dir / "report.html", page("athlete-twin plan", sections))


def calibration_report(out_dir: Path, ds, lines: list[str]) -> Path:
    """Write ``report.html`` of a ``twin-calibrate`` into ``out_dir``: per athlete and
    parameter the point estimate and the 5-95 % interval of the draws, with units, the
    fit messages and the figures written (``report_<athlete>.png``,
    ``injury_calibration.png``)."""
    out_dir = Path(out_dir)
    value, point = ds["value"].values, ds["point"].values
    rows = []
    for a, aid in enumerate(ds["athlete"].values):
        for j, name in enumerate(ds["parameter"].values):
            draws = value[a, :, j]
            draws = draws[np.isfinite(draws)]
            if not np.isfinite(point[a, j]) and not draws.size:
                continue
            lo, hi = (np.quantile(draws, [0.05, 0.95]) if draws.size else (np.nan, np.nan))
            rows.append((str(aid), str(name), str(ds["units"].values[j]),
                         (f"{point[a, j]:.4g}", float(point[a, j])),
                         (f"{lo:.4g}", float(lo)), (f"{hi:.4g}", float(hi)),
                         str(ds["long_name"].values[j])))
    figures = {p.name: "fit report" for p in sorted(out_dir.glob("report_*.png"))}
    figures["injury_calibration.png"] = "injury hazard: observed against predicted"
    sections = [
        ("Fitted parameters", table(["athlete", "parameter", "units", "estimate",
                                     "5 % of draws", "95 % of draws", "meaning"], rows,
                                    sortable=True, text_columns=3, table_id="params")),
        ("Fit messages", "<pre>" + esc("\n".join(lines)) + "</pre>"),
        ("Figures", _figures_section(out_dir, figures)),
    ]
    return write_page(out_dir / "report.html", page(
        "athlete-twin calibration", sections, subtitle=str(ds.attrs.get("history", ""))))


def compare_report(out_dir: Path, result) -> Path:
    """Write ``report.html`` of a ``twin-compare`` into ``out_dir``: the runs and what
    differs between their configs, the squad's difference per outcome and scenario point
    (± its Monte-Carlo error, paired over the runs' common draws where the stores hold
    them, :mod:`twin.compare`), ``compare.png`` and the caveats."""
    from twin.compare import SUMMARY as OUTCOMES

    out_dir = Path(out_dir)
    sq = result.squad
    point_dims = [d for d in sq.dims if d != "run"]
    stacked = sq.stack(point=point_dims) if point_dims else sq.expand_dims("point")
    labels = [", ".join(f"{stacked[d].values[i]}" for d in point_dims) or "as planned"
              for i in range(stacked.sizes["point"])]
    runs = "<ul>" + "".join(f"<li>{'baseline' if i == 0 else 'run'}: {esc(label)}</li>"
                            for i, label in enumerate(result.labels)) + "</ul>"
    if result.dropped:
        left = esc(", ".join(result.dropped))
        runs += f"<p class=\"note\">Not in every run, left out: {left}</p>"
    sections = [("Runs compared", runs)]
    for r, label in enumerate(result.labels[1:]):
        rows = []
        for j, point in enumerate(labels):
            row = [point]
            for name in OUTCOMES:
                d = float(stacked[name].isel(run=r, point=j))
                s = float(stacked[f"{name}_se"].isel(run=r, point=j))
                text = (f"{d:+.4g} (exact)" if s == 0 else ("+" if d > 0 else "")
                        + _summary.format_error(d, s if np.isfinite(s) else None))
                row.append((text if np.isfinite(d) else "n/a", d))
            rows.append(row)
        sections.append((f"{label} minus baseline", table(
            ["scenario point", *(f"{n} [{v.shown_units}]"
                                 + (" (indep.)" if "independent" in stacked[f"{n}_se"].attrs.get(
                                     "method", "") else "") for n, v in OUTCOMES.items())],
            rows, sortable=True, table_id=f"compare{r}") + "<p class=\"note\">Squad means; "
            "± one Monte-Carlo standard error of the difference, paired over the runs' "
            "common draws (one seed: the same athletes and injury draws in both), 'exact' "
            "where no draw differs; columns marked (indep.) have no per-draw values (the "
            "pooled incidences) and treat the runs as independent, which overstates the "
            "error (conservative).</p>"))
    sections += [("Figures", _figures_section(out_dir, {"compare.png": "squad-mean "
                                                        "difference per outcome and point, "
                                                        "coloured by difference / error"})),
                 ("Caveats", _caveats_section())]
    return write_page(out_dir / "report.html", page("athlete-twin comparison", sections,
                                                    subtitle=f"baseline {result.labels[0]}"))
