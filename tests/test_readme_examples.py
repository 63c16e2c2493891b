"""Every example command of the README runs to success (issue 21).

Each ``.venv/bin/twin-*`` line of the README's bash blocks is run here through the app's
real entry point (Hydra's main, in process), as a small variant where the real one takes
minutes: the overrides of :data:`SMALL` are appended (the mini squad, a few draws, no
figures) and the placeholders (``outputs/<date>/<time>/plan.csv``, the runs to compare)
are the outputs of the commands before it. A command that needs a Ray cluster or Ray, or
whose small variant another module runs already (twin-travel: one JAX compilation of the
optimiser is enough for the suite), is named in :data:`ELSEWHERE` with that test; a
README example in neither place fails the test, so a new example cannot go unrun.
"""

from __future__ import annotations

import importlib
import re
import shlex
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

#: The small variant of each app's commands (appended: the last value of a key wins).
SMALL = {
    "twin-run": ["athletes=mini_squad", "draws=4", "output.plots=false", "scenario.days=120",
                 "scenario.rest_days=[]", "scenario.shift_trip.depart=2026-09-08T11:00"],
    "twin-plan": ["plan.draws=2"],
    "twin-scenario": [],
    "twin-sensitivity": ["athletes=mini_squad", "sweep=demo", "draws=4", "scenario.days=60",
                         "sweep.axes.itinerary=[home,east_6]", "sensitivity.base_samples=2",
                         "sensitivity.draws=4", "scenario.rest_days=[]",
                         "scenario.shift_trip.depart=2026-09-08T11:00"],
    "twin-compare": [],
}
#: Per command, more of a small variant (the README's command as the key).
MORE = {
    # the tour runs until the season's end; keep the season, cut the points
    "twin-run scenario=intercontinental_tour output.keep_draws=true":
        ["scenario.days=365", "sweep.axes.training_volume=[1.0]"],
    "twin-run sweep=standard sensitivity.base_samples=8":
        ["sensitivity.base_samples=2", "sensitivity.draws=4", "sensitivity.models=[banister]",
         "sweep.axes.itinerary=[home,east_6]"],
    # the planning window of the first example, on the season the replay runs
    "twin-plan athletes=mini_squad plan.start=2026-09-01 plan.days=42": ["plan.days=14"],
    "twin-plan plan.risk_budget=0.25 plan.only_alerts=true": ["plan.days=28"],
}
#: Commands run elsewhere, with the test that runs their small variant.
ELSEWHERE = {
    "twin-travel scenario=intercontinental_tour":
        "tests/test_travel_copilot.py::test_the_app_writes_governed_outputs_people_use (the "
        "app's body on the mini squad; its refusals through main() in the same module)",
    "twin-travel scenario=intercontinental_tour athletes=mini_squad travel.light_box=false":
        "tests/test_travel_copilot.py::test_without_a_light_box_bright_light_is_daylight_only",
    "twin-run scenario=intercontinental_tour "
    "scenario.travel_plan=outputs/<date>/<time>/travel_plan.csv":
        "tests/test_travel_replay.py::test_twin_run_replays_a_travel_plan",
    "twin-run sweep=standard backend=jax draws=200":
        "tests/test_twin.py::test_twin_run_cli (JAX end to end in a real process; the "
        "standard sweep is run here by 'twin-run sweep=standard')",
    "twin-sensitivity runner=ray sensitivity.base_samples=128":
        "tests/test_ray.py::test_twin_sensitivity_on_ray_gives_the_in_process_indices",
    "twin-run sweep=standard runner=ray":
        "tests/test_ray.py::test_ray_gives_the_local_cube_bit_for_bit",
    "twin-serve --demo --days 60":
        "tests/test_serve_units.py::test_the_demo_replays_a_season_and_alerts_fire (30 days "
        "of the mini squad)",
    "twin-serve port=8080 alerts.risk_over_budget.budget=0.25":
        "tests/test_serve.py::test_the_openapi_docs_are_served (its module's fixture starts "
        "a real twin-serve process with overrides, an alert budget among them)",
    'twin-serve --hash-token "$TOKEN" --role medical --name dr-lee':
        "tests/test_serve_units.py::test_hash_token_prints_an_entry_the_token_file_reads",
    "twin-run sweep=standard runner.address=auto":
        "tests/test_ray_cluster.py::test_a_sweep_submitted_as_a_job_to_a_two_node_cluster",
}


def readme_commands() -> list[str]:
    """The ``.venv/bin/twin-*`` lines of the README's bash blocks, comments dropped."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line.removeprefix(".venv/bin/") for line in lines
            if line.startswith(".venv/bin/twin-")]


def _main(app: str, args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    module = {"twin-run": "run", "twin-plan": "plan", "twin-scenario": "scenario",
              "twin-sensitivity": "sensitivity", "twin-compare": "compare"}[app]
    main = importlib.import_module(f"twin.apps.{module}").main
    if app == "twin-compare":
        code = main(args)
    else:
        monkeypatch.setattr(sys, "argv", [app, *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code or 0
    out = capsys.readouterr()
    assert code == 0, f"{app} {' '.join(args)}: exit {code}\n{out.err}"
    return code, out.out


def test_every_readme_example_runs_to_success(tmp_path, monkeypatch, capsys):
    commands = readme_commands()
    assert len(commands) >= 15, commands  # the README's examples were found
    done: dict[str, Path] = {}  # what earlier commands wrote, for the placeholders
    for i, command in enumerate(commands):
        if command in ELSEWHERE:
            continue
        app, *args = shlex.split(command)
        assert app in SMALL, f"README example {command!r}: no small variant for {app}"
        out = tmp_path / f"cmd{i}"
        if app == "twin-compare":
            runs = (["multirun/<date>/<time>"] if "multirun" in command else
                    ["outputs/<date>/<time-a>", "outputs/<date>/<time-b>"])
            assert args == runs, command
            # the multirun's two jobs: two runs of one squad and seed, other scenarios
            jobs = done["multirun"]
            args = ([str(jobs)] if "multirun" in command else
                    [str(jobs / "0"), str(jobs / "1")]) + ["--out", str(out)]
            _main(app, args, monkeypatch, capsys)
            assert (out / "report.html").exists()
            continue
        args = [a.replace("outputs/<date>/<time>/plan.csv", str(done.get("plan_csv")))
                for a in args]
        multirun = "-m" in args
        where = f"hydra.sweep.dir={out}" if multirun else f"hydra.run.dir={out}"
        small = SMALL[app] + MORE.get(command, [])
        _, printed = _main(app, [*args, *small, where], monkeypatch, capsys)
        if "--cfg" in args:
            assert "athletes:" in printed
        elif app == "twin-run":
            if multirun:
                done["multirun"] = out
            else:
                assert (out / "report.html").exists() and (out / "summary.csv").exists()
        elif app == "twin-plan" and "plan_csv" not in done:
            done["plan_csv"] = out / "plan.csv"
    missing = [c for c in ELSEWHERE if c not in commands]
    assert not missing, f"ELSEWHERE names commands the README no longer has: {missing}"


@pytest.mark.parametrize("command", list(ELSEWHERE))
def test_the_examples_run_elsewhere_name_a_test_that_exists(command):
    where = ELSEWHERE[command].split(" ")[0]
    path, _, name = where.partition("::")
    assert name, f"{command}: name the test that runs it ({where})"
    assert f"def {name}(" in (README.parent / path).read_text(), where
