"""Figures people would rather look at than read: PMC chart and model response."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def pmc_chart(dates, load, ctl, atl, tsb, acwr, *, title: str, load_units: str = "AU"):
    """Daily load with CTL and ATL; TSB; ACWR with the 0.8-1.3 band. Returns the figure."""
    fig, (ax, ax_b, ax_r) = plt.subplots(3, 1, figsize=(10, 7.5), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 1.3, 1.3]})
    ax.bar(dates, load, width=1.0, color="0.8", label=f"daily load ({load_units})")
    ax.plot(dates, ctl, color="tab:blue", lw=2, label=f"CTL, chronic load ({load_units}/d)")
    ax.plot(dates, atl, color="tab:pink", lw=1.5, label=f"ATL, acute load ({load_units}/d)")
    ax.set_ylabel(f"load ({load_units}/d)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    ax_b.fill_between(dates, tsb, 0, where=tsb >= 0, color="tab:orange", alpha=0.5,
                      step="mid", label="fresh (TSB > 0)")
    ax_b.fill_between(dates, tsb, 0, where=tsb < 0, color="tab:gray", alpha=0.5,
                      step="mid", label="loaded (TSB < 0)")
    ax_b.axhline(0, color="k", lw=0.5)
    ax_b.set_ylabel(f"TSB ({load_units}/d)")
    ax_b.legend(loc="upper left", fontsize=8)
    ax_r.axhspan(0.8, 1.3, color="tab:green", alpha=0.12, label="0.8-1.3 (Gabbett 2016)")
    ax_r.plot(dates, acwr, color="k", lw=1.2, label="ACWR")
    ax_r.set_ylabel("ACWR (1)")
    ax_r.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def response_chart(dates, performance, fitness, fatigue, measured, *, title: str,
                   units: str = "W"):
    """Modelled performance with its fitness and fatigue components, and measured tests."""
    fig, (ax, ax_c) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 2]})
    ax.plot(dates, performance, color="tab:blue", lw=2, label=f"model performance ({units})")
    tested = np.isfinite(measured)
    ax.plot(dates[tested], measured[tested], "o", color="tab:red", label=f"test ({units})")
    ax.set_ylabel(f"performance ({units})")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    ax_c.plot(dates, fitness, color="tab:green", label=f"fitness k1·g ({units})")
    ax_c.plot(dates, fatigue, color="tab:purple", label=f"fatigue k2·h ({units})")
    ax_c.set_ylabel(f"component ({units})")
    ax_c.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
