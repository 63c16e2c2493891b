"""The benchmark suite's quick mode runs, so the benchmarks cannot rot.

No timing is asserted here (speed claims live in benchmarks/RESULTS.md); the check is
that every case runs on both backends, agrees, and writes its outputs.
"""

import csv
import json

import numpy as np
import pytest

from benchmarks.common import RESULTS
from benchmarks.run import SECTIONS, main


def _kernels(out, text):
    rows = list(csv.DictReader((out / "kernels.csv").open()))
    timed = [r for r in rows if r["median_s"]]
    assert {r["backend"] for r in timed} == {"numba", "jax"}
    compared = [r for r in timed if r["max_abs_numba_minus_jax"]]
    assert {r["kernel"] for r in compared} >= {"banister", "busso", "perpot", "monotony"}
    # Absolute differences on outputs up to ~1e4 (Busso on random loads): the
    # 1e-10 relative agreement of tests/test_backends_agree.py, in absolute terms.
    assert all(float(r["max_abs_numba_minus_jax"]) < 1e-6 for r in compared)
    assert (out / "kernels.png").stat().st_size > 1000
    assert "| banister | numba |" in text


def _kernel_load(out, text):
    (load,) = csv.DictReader((out / "kernel_load.csv").open())
    assert load["backend"] == "numba" and float(load["twin_day_median_s"]) > 0


def _wbal(out, text):
    wbal = list(csv.DictReader((out / "wbal.csv").open()))
    assert {r["method"] for r in wbal if r["median_s"]} == {
        "skiba-integral", "skiba-differential", "bartram"}
    # W' balance in J with W' = 20 kJ: 1e-10 of W'.
    assert all(float(r["max_abs_numba_minus_jax_j"]) < 2e-6 for r in wbal if r["median_s"])
    assert float(next(r for r in wbal if r["max_rel_error"])["max_rel_error"]) < 1e-9
    assert "## W' balance" in text


def _circadian(out, text):
    circ = list(csv.DictReader((out / "circadian.csv").open()))
    assert {r["model"] for r in circ} == {"forger99", "jewett99", "hannay19"}
    # RK4 at 0.1 h against DOP853 after 2 days: fourth-order small (states are O(1)).
    assert all(float(r["rk4_error_dt0.1"]) < 1e-5 for r in circ if r["rk4_error_dt0.1"])


def _engine_baseline(out, text):
    loop = json.loads((out / "engine_baseline.json").read_text())[0]
    assert loop["loop_athlete_days_per_s"] > 0 and loop["chunk_athlete_days_per_s"] > 0


def _calibration(out, text):
    cal = {r["case"]: r for r in csv.DictReader((out / "calibration.csv").open())}
    # The exact projected fit of the Clarke & Skiba cyclist reaches the optimum 18.300 W^2
    # (to the refinement's 1e-3); SciPy's trust region with finite differences from 8
    # starts never gets below it (it may stop on the ridge above it).
    ours = float(cal["exact projection (point fit)"]["sse"])
    peer = float(cal["scipy trf 2-point from 8 starts (max_nfev 50)"]["sse"])
    assert abs(ours - 18.300) < 1e-3 and peer >= ours - 1e-6


def _travel(out, text):
    (trav,) = json.loads((out / "travel.json").read_text())
    assert trav["misalignment_twin_h"] < trav["misalignment_none_h"] and trav["squad_s"] > 0


def _work_precision(out, text):
    _check_work_precision(list(csv.DictReader((out / "work_precision.csv").open())))
    assert (out / "work_precision.png").stat().st_size > 1000
    assert "## Work-precision" in text


def _throughput(out, text):
    _check_throughput(list(csv.DictReader((out / "throughput.csv").open())))
    assert (out / "throughput.png").stat().st_size > 1000
    assert "## Throughput" in text


#: What each section's quick run must have written (sections without an entry must run
#: and print their section).
CHECKS = {"kernels": _kernels, "kernel_load": _kernel_load, "wbal": _wbal,
          "circadian": _circadian, "engine_baseline": _engine_baseline,
          "calibration": _calibration, "travel": _travel,
          "work_precision": _work_precision, "throughput": _throughput}


# One test per section, each its own pytest-xdist group, so the sections share the
# workers (run together, the quick suite was the longest test of the suite).
@pytest.mark.parametrize("section", [pytest.param(name, marks=pytest.mark.xdist_group(
    f"benchmarks.{name}")) for name in SECTIONS])
def test_quick_benchmark_section_runs_and_writes_outputs(section, tmp_path, capsys):
    before = RESULTS.read_text() if RESULTS.exists() else None
    assert main(["--quick", "--out", str(tmp_path), "--only", section]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"## {SECTIONS[section][0]}\n\nCommand: ")
    if section in CHECKS:
        CHECKS[section](tmp_path, text)
    assert (RESULTS.read_text() if RESULTS.exists() else None) == before  # quick never records


def test_every_section_with_outputs_is_checked():
    """A section added without a check of its outputs is noticed here, not silently
    run only (the sections that write no file of their own are listed)."""
    unchecked = {"scenarios", "engine", "plan_memory", "prescribe"}
    assert set(CHECKS) | unchecked == set(SECTIONS) and not set(CHECKS) & unchecked


def _order(rows: list[dict], model: str, impl: str) -> float:
    pts = np.array([(float(r["value"]), float(r["error"])) for r in rows
                    if r["model"] == model and r["impl"] == impl and r["setting"] == "dt"
                    and float(r["value"]) <= 0.2])
    return float(np.polyfit(np.log(pts[:, 0]), np.log(pts[:, 1]), 1)[0])


def _check_work_precision(rows: list[dict]) -> None:
    assert {r["model"] for r in rows} == {"forger99", "jewett99", "hannay19", "two_process"}
    for r in (r for r in rows if r["method"] == "reference"):
        # The references agree with an independent solution (DOP853 at 1e-12; for the
        # sleep model, solve_ivp with events against the closed form) far below the
        # smallest error measured against them (RK4 at 0.05 h: about 1e-7).
        assert float(r["error"]) < 1e-9, r
    for model in ("forger99", "jewett99", "hannay19"):
        for impl in ("numba", "jax (cpu)"):
            # Classical RK4 has global order 4, and keeps it here because the light
            # changes only on whole hours, which every dt divides (constant within each
            # step). The fit over dt <= 0.2 h lies in the asymptotic range (4.1-4.4
            # measured); +-0.5 allows the pre-asymptotic bend at the coarse end without
            # admitting order 3 or 5.
            assert 3.5 <= _order(rows, model, impl) <= 4.5, (model, impl)
        ours = {r["value"]: float(r["error"]) for r in rows
                if r["model"] == model and r["impl"] == "numba" and r["method"] == "RK4"}
        jax = {r["value"]: float(r["error"]) for r in rows
               if r["model"] == model and r["impl"] == "jax (cpu)" and r["method"] == "RK4"}
        # One kernel source, two compilers: the same error to rounding.
        assert all(abs(ours[v] - jax[v]) <= 1e-12 + 1e-9 * ours[v] for v in ours)
        peer = [r for r in rows if r["model"] == model and r["impl"] == "circadian (PyPI)"]
        # The circadian package steps the same equations by the same RK4 with the same
        # light: its error equals ours at the same dt (to rounding).
        assert all(abs(float(r["error"]) - ours[r["value"]]) <= 1e-9 * ours[r["value"]]
                   for r in peer)
    # The sleep kernel integrates exactly between grid points and switches at grid
    # points: its error is the switch delay, first order in dt (erratic: it depends on
    # where each crossing falls between grid points, so a wide band).
    assert 0.5 <= _order(rows, "two_process", "numba") <= 1.5
    adaptive = [r for r in rows if r["impl"] == "scipy" and r["model"] != "two_process"]
    # Tolerance-driven solvers meet a tolerance of 1e-7 to within a factor of 1 000
    # (global error accumulates over the 165 h; DOP853 is loosest, about 1e-4).
    assert all(float(r["error"]) < 1e-3 for r in adaptive if float(r["value"]) <= 1e-7)


def _check_throughput(rows: list[dict]) -> None:
    timed = [r for r in rows if r["batch"]]
    for impl in ("RK4, numba", "RK4, jax (cpu)"):
        assert sorted(int(r["batch"]) for r in timed if r["impl"] == impl) == [1, 10, 100]
    assert all(float(r["trajectories_per_s"]) > 0 for r in timed)
    errors = {r["impl"]: float(r["error"]) for r in rows if r["error"]}
    # RK4 at 0.1 h over 10 days against DOP853 at 1e-13: fourth-order small (about 2e-6).
    assert errors["RK4 dt 0.1 h"] < 1e-5
