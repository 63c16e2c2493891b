"""The benchmark suite's quick mode runs, so the benchmarks cannot rot.

No timing is asserted here (speed claims live in benchmarks/RESULTS.md); the check is
that every case runs on both backends, agrees, and writes its outputs.
"""

import csv

from benchmarks.common import RESULTS
from benchmarks.run import main


def test_quick_benchmarks_run_and_write_outputs(tmp_path, capsys):
    before = RESULTS.read_text() if RESULTS.exists() else None
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "kernels.csv").open()))
    timed = [r for r in rows if r["median_s"]]
    assert {r["backend"] for r in timed} == {"numba", "jax"}
    compared = [r for r in timed if r["max_abs_numba_minus_jax"]]
    assert {r["kernel"] for r in compared} >= {"banister", "busso", "perpot", "monotony"}
    # Absolute differences on outputs up to ~1e4 (Busso on random loads): the
    # 1e-10 relative agreement of tests/test_backends_agree.py, in absolute terms.
    assert all(float(r["max_abs_numba_minus_jax"]) < 1e-6 for r in compared)
    assert (tmp_path / "kernels.png").stat().st_size > 1000
    wbal = list(csv.DictReader((tmp_path / "wbal.csv").open()))
    assert {r["method"] for r in wbal if r["median_s"]} == {
        "skiba-integral", "skiba-differential", "bartram"}
    # W' balance in J with W' = 20 kJ: 1e-10 of W'.
    assert all(float(r["max_abs_numba_minus_jax_j"]) < 2e-6 for r in wbal if r["median_s"])
    assert float(next(r for r in wbal if r["max_rel_error"])["max_rel_error"]) < 1e-9
    circ = list(csv.DictReader((tmp_path / "circadian.csv").open()))
    assert {r["model"] for r in circ} == {"forger99", "jewett99", "hannay19"}
    # RK4 at 0.1 h against DOP853 after 2 days: fourth-order small (states are O(1)).
    assert all(float(r["rk4_error_dt0.1"]) < 1e-5 for r in circ if r["rk4_error_dt0.1"])
    out = capsys.readouterr().out
    assert "| banister | numba |" in out and "## W' balance" in out
    assert (RESULTS.read_text() if RESULTS.exists() else None) == before  # quick never records
