"""The exploration notebooks: stored without outputs, and each runs top to bottom.

Every notebook in ``notebooks/`` is executed with nbclient from a copy in a temporary
folder (so nothing is written into the repository), in a kernel of this very interpreter
with this checkout first on ``PYTHONPATH``. The kernel is registered in a private
kernelspec folder for the test, so it neither depends on nor is shadowed by any
``python3`` kernelspec of the machine; ipykernel (the ``dev`` extra) must be installed.
An error in any cell fails the test, naming the cell and its traceback. The four take
about 1 to 1.5 minutes together on 2 cores (the longer with an empty Numba kernel cache);
the per-cell timeout only guards against a hang.
"""

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ("01_quickstart", "02_calibrating_clarke_skiba", "03_travel_and_jet_lag",
            "04_sweep_and_choice")
CELL_TIMEOUT_S = 300
KERNEL = "athlete-twin-tests"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory):
    """A Jupyter data folder holding one kernelspec: ipykernel on ``sys.executable``."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "athlete-twin tests (Python)",
        "language": "python",
    }))
    return root


@pytest.fixture
def kernel_env(kernel_dir, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # no migration warning from jupyter_core
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def execute(nb, workdir: Path):
    """Run every cell of ``nb`` in place, with ``workdir`` as the kernel's directory."""
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()
    return nb


def test_the_four_notebooks_are_there():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"
    names = [p.stem for p in NOTEBOOKS]
    for name in EXPECTED:
        assert name in names, f"notebooks/{name}.ipynb is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown", "a notebook opens with its story"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has stored outputs"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_error(path, tmp_path, kernel_env):
    before = {p.name: p.read_bytes() for p in NOTEBOOK_DIR.iterdir() if p.is_file()}
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    nb = execute(nbformat.read(copy, as_version=4), tmp_path)  # raises on a failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "not every cell ran"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    after = {p.name: p.read_bytes() for p in NOTEBOOK_DIR.iterdir() if p.is_file()}
    assert after == before, "running a notebook wrote into notebooks/"


def test_a_failing_cell_fails_the_run(tmp_path, kernel_env):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise ValueError('broken notebook')"),
                nbformat.v4.new_code_cell("never = True")]
    with pytest.raises(CellExecutionError, match="broken notebook"):
        execute(nb, tmp_path)
