"""The evidence explorer page (baby_room.evidence.explorer), in a real browser.

The page is opened in headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
driven by selenium) with the network switched off (Chrome DevTools Protocol
``Network.emulateNetworkConditions(offline=True)``), and the numbers it shows are checked
against pandas: selections written out with ``str.contains`` on the raw columns of the
extraction table (independent of the package's normalisers) and the public functions
``gap_map``, ``by_country`` and ``prisma_counts``. Where Chromium is not installed the
browser tests skip and say so; ``.ci/run`` installs it so CI always runs them.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

import baby_room as br
from baby_room.errors import ArgumentError
from baby_room.evidence import breakdowns as bd
from baby_room.evidence.explorer import evidence_explorer
from baby_room.evidence.prisma import prisma_counts

# one xdist worker runs this module (make test: --dist loadgroup), so the page and the browser
# (module fixtures) are made once
pytestmark = pytest.mark.xdist_group("test_explorer")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def items():
    return br.synthetic.evidence()


@pytest.fixture(scope="module")
def flow():
    # illustrative numbers with the shape of the notebook's (synthetic)
    return prisma_counts(
        databases={"identified": {"ERIC": 1120, "Scopus": 1346}, "duplicates_removed": 900,
                   "excluded": 1300, "not_retrieved": 9,
                   "excluded_with_reasons": {"children older than 3 years": 60,
                                             "not empirical research": 32}},
        other={"identified": 88, "not_retrieved": 4,
               "excluded_with_reasons": {"opinion piece": 64}},
        synthetic=True, description="Illustrative PRISMA counts (synthetic)")


@pytest.fixture(scope="module")
def page(items, flow, tmp_path_factory):
    return evidence_explorer(items, tmp_path_factory.mktemp("explorer") / "explorer.html",
                             prisma=flow)


def _payload(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html,
                  re.S)
    return json.loads(m.group(1))


# --------------------------------------------------------------------------- the file


def test_page_is_one_self_contained_file(page):
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < 5_000_000
    # no external script, style, font or image in the markup (script bodies set aside:
    # the inlined libraries hold such strings as text); the browser test below checks
    # that nothing is requested at all
    markup = re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", html, flags=re.S | re.I)
    assert markup.count("<script") == 3  # the libraries, the data, the page's own script
    assert not re.search(r"<(script|img|iframe|source|embed)[^>]*\ssrc=", markup, re.I)
    assert not re.search(r"<link[^>]*\shref=", markup, re.I)
    assert "@import" not in markup and not re.search(r"url\(", markup)
    assert "SYNTHETIC DATA" in html and "Baby Room Project evidence review (synthetic)" in html


def test_nothing_personal_reaches_the_page(items, tmp_path):
    data = items.copy()
    data["reviewer"] = "Reviewer Zqxjv"
    data["notes"] = "note zzkrw: call the author"
    html = evidence_explorer(data, tmp_path / "e.html").read_text(encoding="utf-8")
    assert "Zqxjv" not in html and "zzkrw" not in html
    assert "Synthetic review item 001" in html  # the bibliographic fields are there


def test_page_data_without_filters_equal_gap_map(page, items):
    # the counts the page starts from, recounted here from its own embedded membership
    data = _payload(page.read_text(encoding="utf-8"))
    members = data["members"]
    g = bd.gap_map(items, rows="continent")
    for row in g.itertuples():
        got = sum(1 for r, c in zip(members["continent"], members["dimension"], strict=True)
                  if row.continent in r and row.dimension in c)
        assert got == row.count, (row.continent, row.dimension)


def test_arguments_are_checked(items, tmp_path):
    with pytest.raises(ArgumentError, match=r"^evidence_explorer: rows must be one of"):
        evidence_explorer(items, tmp_path / "x.html", rows="colour")
    with pytest.raises(ArgumentError, match=r"^evidence_explorer: columns must be a facet not"):
        evidence_explorer(items, tmp_path / "x.html", rows="dimension")
    with pytest.raises(ArgumentError, match=r"^evidence_explorer: data must be a pandas"):
        evidence_explorer([1, 2], tmp_path / "x.html")


# --------------------------------------------------------------------------- in Chromium

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium is not installed: apt-get install chromium chromium-driver "
           "(.ci/run does) to run the explorer's browser tests",
)


@pytest.fixture(scope="module")
def browser(page):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,2400", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # an explicit driver path: selenium-manager never looks for (or downloads) a driver
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        driver.get(page.as_uri())
        _wait_render(driver, 1)
        yield driver
    finally:
        driver.quit()


def _wait_render(driver, at_least):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(d):
        value = d.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
        return value is not None and int(value) >= at_least

    WebDriverWait(driver, 30).until(ready)
    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))


def _renders(driver):
    from selenium.webdriver.common.by import By

    return int(driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))


def _choose(driver, element_id, value):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    before = _renders(driver)
    Select(driver.find_element(By.ID, element_id)).select_by_value(value)
    _wait_render(driver, before + 1)


def _bubbles(driver) -> dict:
    """{(row, column): count} as the gap map's bubbles label themselves."""
    from selenium.webdriver.common.by import By

    out = {}
    for e in driver.find_elements(By.CSS_SELECTOR, "#gap path[aria-label]"):
        m = re.fullmatch(r"(.+) × (.+): (\d+) items", e.get_attribute("aria-label"))
        if m:
            out[(m.group(1), m.group(2))] = int(m.group(3))
    return out


def _click(driver, css, label):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    target = next(e for e in driver.find_elements(By.CSS_SELECTOR, css)
                  if e.get_attribute("aria-label") == label)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    ActionChains(driver).move_to_element(target).click().perform()


def _listed_titles(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [r.find_element(By.TAG_NAME, "td").text
            for r in driver.find_elements(By.CSS_SELECTOR, "#items-table tr[data-item]")]


@needs_chromium
def test_clicking_a_cell_lists_the_items_of_gap_map_s_cell(browser, items):
    from selenium.webdriver.support.ui import WebDriverWait

    cell = bd.gap_map(items)
    want = int(cell.loc[(cell["instrument_family"] == "ITERS")
                        & (cell["dimension"] == "ratio"), "count"].item())
    # the same items by hand: any ITERS edition named, and "ratio" among the dimensions
    mask = (items["instruments"].str.contains("ITERS", case=False, na=False)
            & items["dimensions"].str.contains(r"(?:^|;)\s*ratio\s*(?:$|;)", case=False,
                                               regex=True, na=False))
    assert int(mask.sum()) == want
    assert _bubbles(browser)[("ITERS", "ratio")] == want
    _click(browser, "#gap path[aria-label]", f"ITERS × ratio: {want} items")
    WebDriverWait(browser, 10).until(lambda d: len(_listed_titles(d)) == want)
    assert sorted(_listed_titles(browser)) == sorted(items.loc[mask, "title"].tolist())


@needs_chromium
def test_a_filter_changes_every_count_as_pandas_says(browser, items, tmp_path_factory):
    from selenium.webdriver.common.by import By

    grey = items[items["publication_type"] == "grey"]
    try:
        _choose(browser, "f-publication_type", "grey")
        shown = browser.find_element(By.ID, "shown").text
        assert shown == f"{len(grey)} of {len(items)} items shown"
        want = bd.gap_map(grey.reset_index(drop=True))
        got = _bubbles(browser)
        expected = {(r, c): n for r, c, n in zip(want["instrument_family"], want["dimension"],
                                                 want["count"], strict=True)}
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}
        assert sum(got.values()) == sum(expected.values())
        assert browser.find_element(By.ID, "prisma-shown").text.startswith(
            f"of which {len(grey)} match the filters")
        browser.save_screenshot(str(tmp_path_factory.mktemp("shots") / "filtered.png"))
    finally:
        _choose(browser, "f-publication_type", "")
    assert browser.find_element(By.ID, "shown").text == f"{len(items)} of {len(items)} items shown"


@needs_chromium
def test_title_search_and_year_range(browser, items):
    from selenium.webdriver.common.by import By

    box = browser.find_element(By.ID, "f-search")
    before = _renders(browser)
    box.send_keys("item 01")
    _wait_render(browser, before + len("item 01"))
    want = int(items["title"].str.lower().str.contains("item 01", regex=False).sum())
    assert browser.find_element(By.ID, "shown").text.startswith(f"{want} of ")
    before = _renders(browser)
    browser.find_element(By.ID, "f-reset").click()
    _wait_render(browser, before + 1)
    low = browser.find_element(By.ID, "f-year-min")
    before = _renders(browser)
    low.send_keys("2015\t")
    _wait_render(browser, before + 1)
    want = int((items["year"] >= 2015).sum())
    assert browser.find_element(By.ID, "shown").text.startswith(f"{want} of ")
    before = _renders(browser)
    browser.find_element(By.ID, "f-reset").click()
    _wait_render(browser, before + 1)


@needs_chromium
def test_world_map_counts_and_click_through_equal_by_country(browser, items):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    table = bd.by_country(items)
    usa = int(table.loc[table["iso3"] == "USA", "count"].item())
    _click(browser, "#world path[aria-label]", "United States of America")
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "items-title").text.startswith("United States"))
    assert len(_listed_titles(browser)) == usa
    # the spellings of the United States in the synthetic data, by hand
    mask = items["countries"].str.contains(r"United States|USA|U\.S\.A\.|\bUS\b",
                                           regex=True, na=False)
    assert int(mask.sum()) == usa


@needs_chromium
def test_prisma_boxes_show_prisma_counts(browser, flow):
    from selenium.webdriver.common.by import By

    for arm in ("databases", "other"):
        for box in ("identified", "included", "excluded_with_reasons"):
            want = int(flow.loc[(flow["arm"] == arm) & (flow["box"] == box), "count"].sum())
            e = browser.find_element(
                By.CSS_SELECTOR, f'.arm[data-arm="{arm}"] .box[data-box="{box}"] .count')
            assert e.text == f"(n = {want:,})", (arm, box)
    reasons = browser.find_element(
        By.CSS_SELECTOR, '.arm[data-arm="databases"] .box[data-box="excluded_with_reasons"]')
    assert "children older than 3 years (n = 60)" in reasons.text


@needs_chromium
def test_no_request_leaves_the_page(browser):
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    assert urls, "the performance log recorded no request at all (not even the page)"
    outside = [u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert not outside, outside
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


@needs_chromium
def test_every_view_says_synthetic_and_names_its_source(browser):
    from selenium.webdriver.common.by import By

    for section in ("gap-section", "items-section", "world-section", "prisma-section"):
        text = browser.find_element(By.CSS_SELECTOR, f"#{section} .source").text
        assert text.startswith("SYNTHETIC DATA · Source: "), (section, text)
    world = browser.find_element(By.ID, "world-label").text
    assert "Baby Room Project evidence review (synthetic)" in world
    assert "Natural Earth 1:110m" in world


def test_vega_bundle_is_kept_once_per_machine(tmp_path, monkeypatch):
    """The Vega bundle is vl-convert's own (the reference); it is written to the user's cache
    folder once and read back, and a cache folder that cannot be used only costs time."""
    import vl_convert

    from baby_room.evidence import explorer

    reference = vl_convert.javascript_bundle()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    explorer._vega_scripts.cache_clear()
    assert explorer._vega_scripts() == reference
    (kept,) = (tmp_path / "cache" / "baby_room").glob("vega-bundle-vl-convert-*.js")
    kept.write_text("// a bundle read from the cache", encoding="utf-8")
    explorer._vega_scripts.cache_clear()
    assert explorer._vega_scripts() == "// a bundle read from the cache"
    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    explorer._vega_scripts.cache_clear()
    assert explorer._vega_scripts() == reference
    explorer._vega_scripts.cache_clear()


def test_world_features_are_kept_under_a_key_of_their_inputs(tmp_path, monkeypatch):
    """The projected countries are kept once per machine under a hash of the files and
    library versions they come from: a kept copy is read back, and a changed input (a
    data file, a version) gives another key, so a stale copy is never used."""
    import importlib.metadata

    from baby_room.evidence import explorer

    fresh = explorer._project_world()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    explorer._world_features.cache_clear()
    assert explorer._world_features() == fresh
    (kept,) = (tmp_path / "cache" / "baby_room").glob("world-features-*.json")
    assert kept.name == f"world-features-{explorer._world_key()}.json"
    kept.write_text("[]", encoding="utf-8")
    explorer._world_features.cache_clear()
    assert explorer._world_features() == "[]"  # read back, not computed again

    inputs = explorer._world_inputs()
    assert any(p.suffix == ".shp" for p in inputs) and explorer.__file__ in map(str, inputs)
    copy = tmp_path / "shapes.shp"
    copy.write_bytes(next(p for p in inputs if p.suffix == ".shp").read_bytes())
    monkeypatch.setattr(explorer, "_world_inputs", lambda: [*inputs, copy])
    before = explorer._world_key()
    copy.write_bytes(copy.read_bytes()[:-1] + b"\x00")
    assert explorer._world_key() != before
    explorer._world_features.cache_clear()
    assert explorer._world_features() == fresh  # the stale "[]" is not used...
    assert [p.name for p in kept.parent.glob("world-features-*.json")] == [
        f"world-features-{explorer._world_key()}.json"]  # ...and is replaced
    current, real_version = explorer._world_key(), importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda p: "0.0" if p == "shapely" else real_version(p))
    assert explorer._world_key() != current

    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    explorer._world_features.cache_clear()
    assert explorer._world_features() == fresh
    explorer._world_features.cache_clear()


def test_world_features_are_written_into_the_page_data_as_kept(tmp_path):
    """The page's data holds the world features as kept, beside items whose titles hold
    what a script element must escape."""
    import pandas as pd

    from baby_room.evidence import explorer

    features = json.loads(explorer._world_features())
    items = pd.DataFrame({"title": ["A study", "</script> & <b>more</b>"],
                          "countries": ["Norway", "France"], "year": [2020, 2021]})
    for rows in (items.head(1), items):
        page = explorer.evidence_explorer(rows, tmp_path / "x.html", rows=["country"],
                                          filters=["country"])
        data = _payload(page.read_text(encoding="utf-8"))
        assert data["world"]["features"] == features
        assert [i["title"] for i in data["items"]] == rows["title"].tolist()
