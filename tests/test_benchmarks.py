"""The benchmark suite's quick mode runs, so the benchmarks cannot rot.

No timing is asserted here (speed claims live in benchmarks/RESULTS.md); the check is
that every case runs on both backends, agrees, and writes its outputs.
"""

import csv

from benchmarks.run import RESULTS, main


def test_quick_benchmark_runs_and_writes_outputs(tmp_path, capsys):
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
    assert "| banister | numba |" in capsys.readouterr().out
    assert (RESULTS.read_text() if RESULTS.exists() else None) == before  # quick never records
