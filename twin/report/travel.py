"""``report.html`` of a ``twin-travel`` run: the three strategies side by side, per squad
and per athlete, the chart and the caveats (self-contained, as every report here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin.report import summary as _summary
from twin.report.html import esc, page, table, write_page
from twin.report.pages import _caveats_section, _figures_section

_LABELS = {"none": "doing nothing", "rule": "Eastman & Burgess protocol",
           "twin": "twin-optimised"}

_CAVEATS = [
    "Misalignment at kickoff is scored over the pacemaker draws (intrinsic period and "
    "light sensitivity, one prior for every athlete: no athlete's pacemaker has been "
    "measured); the replay through the twin runs its nominal pacemaker.",
    "The optimiser's sleep term is a surrogate (the body clock's propensity to sleep in "
    "the planned window), because the two-process model has no gradient; the sleep shown "
    "here is the two-process model's, from the replay. Its weight is an assumption "
    "(travel.sleep_weight).",
    "The rule-based protocol is this project's reading of Eastman & Burgess's published "
    "rules (twin.travel.rules); their protocol also uses melatonin, which the twin does "
    "not model.",
]


def _mean_se(x) -> tuple[str, float]:
    x = np.asarray(x, float)
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else None
    return _summary.format_error(float(x.mean()), se), float(x.mean())


def travel_report(out_dir: Path, problem, plans, scores, replays, lines) -> Path:
    """Write ``report.html`` of ``twin-travel`` into ``out_dir``; returns its path."""
    out_dir = Path(out_dir)
    n_a, n_d = problem.draws.tau.shape
    squad_rows = []
    for k, s in scores.items():
        r = replays[k]
        mis = np.abs(s.kickoff_misalignment).mean(axis=(0, 2))  # per draw
        squad_rows.append((_LABELS[k], _mean_se(mis),
                           (", ".join(f"{v:.2f}" for v in
                                      np.abs(s.kickoff_misalignment).mean(axis=(0, 1))),
                            None),
                           (f"{r['sleep_h'].mean():.2f}", float(r["sleep_h"].mean())),
                           _mean_se(r["performance_draws"].mean(axis=0)),
                           _mean_se(r["risk_draws"].mean(axis=0)),
                           (str(len(plans[k].actions)), float(len(plans[k].actions)))))
    athlete_rows = []
    for a, aid in enumerate(problem.ids):
        row = [aid]
        for k in scores:
            m = float(np.abs(scores[k].kickoff_misalignment[a]).mean())
            row.append((f"{m:.2f}", m))
        for k in scores:
            p = float(replays[k]["match_performance"][a])
            row.append((f"{p:.2f}", p))
        for k in scores:
            v = float(replays[k]["sleep_h"][a])
            row.append((f"{v:.2f}", v))
        athlete_rows.append(row)
    names = list(scores)
    sections = [
        ("What was planned", "<ul>" + "".join(f"<li>{esc(t)}</li>" for t in lines[:1])
         + "</ul>"),
        ("Strategies", table(
            ["strategy", "mean |misalignment| at kickoff [h]", "per kickoff [h]",
             "sleep a night, twin replay [h]", "tour match performance [%]",
             "injury risk in the window [1]", "actions"], squad_rows)
         + f"<p class=\"note\">Squad means; ± the Monte-Carlo standard error over the "
           f"{n_d} pacemaker draws (misalignment) or the replay's draws (performance, "
           "risk).</p>"),
        ("Per athlete", table(
            ["athlete", *(f"|misalignment| {k} [h]" for k in names),
             *(f"match performance {k} [%]" for k in names),
             *(f"sleep {k} [h]" for k in names)], athlete_rows, sortable=True,
            table_id="athletes")),
        ("Messages", "<ul>" + "".join(f"<li>{esc(t)}</li>" for t in lines[1:]) + "</ul>"),
        ("Figures", _figures_section(out_dir, {
            "travel_plan.png": "body clock (the local hour of the body's temperature "
                               "minimum) and the twin plan's actions against local night"})),
        ("Caveats", _caveats_section(_CAVEATS)),
    ]
    return write_page(out_dir / "report.html",
                      page("athlete-twin travel plan", sections,
                           subtitle=f"{n_a} athletes x {n_d} pacemaker draws"))
