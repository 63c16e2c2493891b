"""What a run hands a sports scientist: report.html, summary.csv / .parquet, and the
Monte-Carlo standard errors of the summary, checked against the per-draw outputs.

The run is the tiny sweep of :mod:`tests.test_twin` (3 athletes x 12 points x 8 draws),
shared with that module (:func:`tests.test_twin.cached_run`). The browser test drives
Debian's Chromium (``/usr/bin/chromium``, or ``$TWIN_BROWSER``) through Playwright (a dev
dependency); where it is missing, the test installs it from Debian's packages (apt-get,
as root or through sudo: about 25 s and 350 MB once), and fails, never skips, where it
cannot.
"""

import html
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import twin
from tests.system_packages import apt_install
from tests.test_twin import cached_plan, cached_run
from twin import engine
from twin.report import format_error
from twin.store import datasets

SHAPE = (3, 3, 4)  # athletes x training volume x itinerary of the tiny sweep


@pytest.fixture(scope="module")
def run_dir():
    return cached_run()[0]


@pytest.fixture(scope="module")
def summary(run_dir):
    return datasets(twin.open_cube(run_dir / "cube.zarr"))[1].load()


@pytest.mark.parametrize("value, se, text", [
    (0.31412, 0.01234, "0.314 ± 0.012"), (245.3, 12.4, "245 ± 12"),
    (2453.0, 123.0, "2450 ± 120"), (0.5, 0.1767, "0.50 ± 0.18"), (12.0, 0.0, "12.00 ± 0"),
    (96.0, None, "96.00"), (0.48679, float("nan"), "0.4868"), (float("nan"), 0.1, "n/a")])
def test_a_value_is_rounded_to_its_errors_second_significant_figure(value, se, text):
    assert format_error(value, se) == text


def test_the_standard_errors_equal_a_direct_computation_from_the_draws(summary):
    """The ``_se`` arrays against the day kernel's per-draw outputs of the first
    training volume (4 points): sample sd / sqrt(N) for days lost and exposure,
    sqrt(p (1 - p) / N) for the injury risk, the ratio estimator's for the incidence."""
    plan = cached_plan()
    out = engine.simulate_block(plan, slice(None), slice(0, 4))._asdict()
    n = plan.draws
    out_days = out["available"] < 0.5  # (a, p, N, D)
    days_lost = out_days.sum(axis=-1)
    hit = out_days.any(axis=-1)
    injuries, hours = out["injury_probability"].sum(-1), out["exposure_h"].sum(-1)
    p = hit.mean(axis=2)
    ratio = injuries.sum(2) / hours.sum(2)
    want = {
        "days_lost_se": np.std(days_lost, axis=2, ddof=1) / np.sqrt(n),
        "exposure_hours_se": np.std(hours, axis=2, ddof=1) / np.sqrt(n),
        "injury_risk_se": np.sqrt(p * (1 - p) / n),
        "incidence_se": 1000 * np.sqrt(((injuries - ratio[..., None] * hours) ** 2).sum(2)
                                       / (n - 1) / n) / hours.mean(2),
    }
    got = {k: summary[k].values[:, 0, :] for k in want}  # training_volume = 0.8
    for name, value in want.items():
        # 1e-12 relative: the same sums over draws, taken in another order
        np.testing.assert_allclose(got[name], value, rtol=1e-12, err_msg=name)
        assert summary[name].attrs["units"] == twin.SUMMARY[name.removesuffix("_se")].units
    assert np.all(got["days_lost_se"] > 0) and np.all(got["injury_risk_se"] > 0)
    np.testing.assert_array_equal(summary["days_lost"].values[:, 0, :], days_lost.mean(2))


def test_summary_csv_and_parquet_hold_the_stores_summary(run_dir, summary):
    csv = pd.read_csv(run_dir / "summary.csv")
    parquet = pd.read_parquet(run_dir / "summary.parquet")
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    assert len(csv) == int(np.prod(SHAPE))  # one row per athlete x scenario point
    assert list(csv.columns[:3]) == ["athlete", "training_volume", "itinerary"]
    row = csv[(csv.athlete == "m02") & (csv.training_volume == 1.2) & (csv.itinerary ==
                                                                      "east_6")].iloc[0]
    at = {"athlete": "m02", "training_volume": 1.2, "itinerary": "east_6"}
    for name in twin.SUMMARY:
        attrs = summary[name].attrs  # units as the store says, never spelled here
        units = attrs.get("units_symbol", attrs["units"])
        if "quantile" in summary[name].dims:
            for q, col in ((0.05, "p5"), (0.5, "median"), (0.95, "p95")):
                assert row[f"{name}_{col} [{units}]"] == float(
                    summary[name].sel(**at, quantile=q))
        else:
            want = float(summary[name].sel(**at))
            got = row[f"{name} [{units}]"]
            assert got == want or (np.isnan(got) and np.isnan(want)), name


def test_the_report_is_self_contained(run_dir):
    text = (run_dir / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # no network
    assert "<link" not in text and text.count("data:image/png;base64,") == 4
    for caveat in {v.comment for v in twin.DAILY.values() if v.comment}:
        assert html.escape(caveat) in text
    assert "seed" in text and "numba" in text and "east_9" in text


def _chromium() -> str | None:
    for path in (os.environ.get("TWIN_BROWSER"), "/usr/bin/chromium",
                 shutil.which("chromium"), shutil.which("chromium-browser")):
        if path and Path(path).is_file():
            return path
    return None


def _install_chromium() -> str:
    """Debian's chromium, from its packages, where no Chromium is found (module docstring);
    the reason it cannot be had otherwise, as the test's failure."""
    apt_install("chromium", "install Debian's chromium or set TWIN_BROWSER to a Chromium "
                            "binary")
    path = _chromium()
    if path is None:
        pytest.fail("apt-get installed chromium but no Chromium binary is on the PATH")
    return path


def test_the_report_renders_in_a_headless_browser(run_dir, tmp_path):
    """Open report.html in headless Chromium: no console error, no request leaves the
    file, the squad table has a row per athlete x scenario point and sorts on a click."""
    from playwright.sync_api import sync_playwright  # the dev extra's

    browser_path = _chromium() or _install_chromium()
    errors, requests = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1600})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((run_dir / "report.html").resolve().as_uri())
            page.wait_for_load_state("load")
            for path in (tmp_path / "report.png", Path("/tmp/report_screenshot.png")):
                page.screenshot(path=str(path))
            assert page.locator("#squad tbody tr").count() == int(np.prod(SHAPE))
            assert page.locator("#points tbody tr").count() == int(np.prod(SHAPE[1:]))
            assert page.locator("img").count() == 4
            assert all(page.locator("img").evaluate_all("e => e.map(i => i.naturalWidth)"))
            header = page.locator("#squad th", has_text="days_lost")
            column = int(header.evaluate("th => th.cellIndex"))
            header.click()
            values = page.locator(f"#squad tbody td:nth-child({column + 1})").evaluate_all(
                "cells => cells.map(c => parseFloat(c.dataset.v))")
        finally:
            browser.close()
    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert values == sorted(values) and values[0] < values[-1]
    assert (tmp_path / "report.png").stat().st_size > 10_000
