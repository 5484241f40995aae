"""Safe export: no personal columns, small-cell suppression, formula neutralising, safe names."""

import numpy as np
import pandas as pd
import pytest

import baby_room as br
from baby_room.outputs import Outputs, neutralise_formulas, suppress_small_counts


def test_refuses_personal_and_identifier_columns(tmp_path):
    out = Outputs(tmp_path)
    for col in ("comments", "speaker", "text", "respondent_id", "setting_id", "segment_id"):
        with pytest.raises(br.BabyRoomError, match=f"refusing to export personal or identifier columns: {col}"):
            out.table(pd.DataFrame({col: ["x"], "n": [10]}), "t")
    assert not (tmp_path / "tables").exists()


def test_primary_and_secondary_suppression_in_a_grid():
    # rows x columns of counts; the 3 must go, and then enough others that no row or
    # column total reveals it (hand-worked: the 3 is alone in its row and its column)
    t = pd.DataFrame({"group": ["a", "b", "c"], "n_yes": [3, 20, 30], "n_no": [12, 25, 40]})
    got = suppress_small_counts(t)
    mask = got[["n_yes", "n_no"]].isna().to_numpy()
    assert mask.tolist() == [[True, True], [True, True], [False, False]]
    assert (mask.sum(axis=0) != 1).all() and (mask.sum(axis=1) != 1).all()


def test_zero_is_not_suppressed():
    got = suppress_small_counts(pd.DataFrame({"n": [0, 10, 12]}))
    assert got["n"].tolist() == [0, 10, 12]
    assert not got["suppressed"].any()


def test_threshold_is_configurable():
    got = suppress_small_counts(pd.DataFrame({"n": [7, 10, 12]}), threshold=8)
    assert got["n"].isna().tolist() == [True, True, False]


def test_formulas_neutralised_numbers_kept():
    t = pd.DataFrame({"label": ["=1+1", "+cmd", "@SUM(A1)", "-x", "safe"], "v": [-1, 2, 3, 4, 5]})
    got = neutralise_formulas(t)
    assert got["label"].tolist() == ["'=1+1", "'+cmd", "'@SUM(A1)", "'-x", "safe"]
    assert got["v"].tolist() == [-1, 2, 3, 4, 5]


def test_table_written_as_csv_and_excel(tmp_path):
    out = Outputs(tmp_path)
    t = pd.DataFrame({"region": ["London", "=HYPERLINK()"], "n": [40, 50], "share": [0.4, 0.5]})
    out.table(t, "regions")
    csv = pd.read_csv(tmp_path / "tables" / "regions.csv")
    assert csv["region"].tolist() == ["London", "'=HYPERLINK()"]
    xlsx = pd.read_excel(tmp_path / "tables" / "regions.xlsx")
    assert xlsx["n"].tolist() == [40, 50]


def test_excel_output_is_byte_identical(tmp_path):
    t = pd.DataFrame({"x": ["a", "b"], "n": [10, 20]})
    Outputs(tmp_path / "1").table(t, "t")
    Outputs(tmp_path / "2").table(t, "t")
    assert (tmp_path / "1/tables/t.xlsx").read_bytes() == (tmp_path / "2/tables/t.xlsx").read_bytes()


@pytest.mark.parametrize("name", ["../escape", "/abs", "a/b", "", ".hidden", "x..y"])
def test_output_names_cannot_escape(tmp_path, name):
    with pytest.raises(br.BabyRoomError, match="output name must be a plain file name"):
        Outputs(tmp_path).table(pd.DataFrame({"n": [10]}), name)


def test_figure_saved_png_and_svg(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot(np.arange(3))
    paths = Outputs(tmp_path).figure(fig, "demo")
    plt.close(fig)
    assert [p.name for p in paths] == ["demo.png", "demo.svg"]
    assert b"Date" not in (tmp_path / "figures/demo.svg").read_bytes()[:2000]


def test_percentages_beside_a_suppressed_count_are_suppressed():
    # a hidden count must not be recoverable as pct x total (helper C2's observation)
    t = pd.DataFrame({"code": ["a", "b", "c"], "count": [3, 40, 50], "n": [93, 93, 93],
                      "unit_pct": [3.2258, 43.01, 53.76]})
    got = suppress_small_counts(t, count_columns=["count"])
    assert got["unit_pct"].isna().tolist() == [True, True, False]
