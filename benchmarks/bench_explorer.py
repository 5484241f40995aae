"""Evidence explorer: building the page, and opening it in headless Chromium (issue 15).

Rows:
- building ``evidence-explorer.html`` for the 185 synthetic items (scripts already bundled
  in the process), against ``by_country`` on the same items (the cheapest breakdown the
  page counts from);
- opening the page until its views are drawn (``data-first-render-ms``, measured by the
  browser from navigation start), against opening an empty HTML page in the same browser;
  target under 2 s. Skipped (no row) when Chromium is not installed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from _common import best_of, row

import baby_room as br
from baby_room.evidence import breakdowns as bd
from baby_room.evidence.explorer import evidence_explorer


def _open_times(page: Path, empty: Path, repeat: int = 3):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        ours, base = [], []
        for _ in range(repeat):
            driver.get(page.as_uri())
            WebDriverWait(driver, 60).until(lambda d: d.find_element(
                By.TAG_NAME, "body").get_attribute("data-first-render-ms"))
            ours.append(float(driver.find_element(By.TAG_NAME, "body")
                              .get_attribute("data-first-render-ms")) / 1000)
            driver.get(empty.as_uri())
            base.append(driver.execute_script(
                "return performance.timing.loadEventEnd - performance.timing.navigationStart")
                / 1000)
        return min(ours), min(base)
    finally:
        driver.quit()


def run() -> list[dict]:
    items = br.synthetic.evidence()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        page = Path(d) / "explorer.html"
        t0 = time.perf_counter()
        evidence_explorer(items, page)  # first call also bundles the scripts
        first = time.perf_counter() - t0
        t_build = best_of(lambda: evidence_explorer(items, page))
        t_base = best_of(lambda: bd.by_country(items))
        rows.append(row(f"evidence explorer page, 185 items ({page.stat().st_size / 1e6:.1f} MB;"
                        f" first build with script bundling {first:.1f} s)", t_build,
                        "by_country on the same items", t_base, "-", None))
        if shutil.which("chromium") and shutil.which("chromedriver"):
            empty = Path(d) / "empty.html"
            empty.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
            t_open, t_empty = _open_times(page, empty)
            rows.append(row("open the explorer in headless Chromium until drawn", t_open,
                            "open an empty page in the same browser", t_empty, "< 2 s", None))
    return rows
