"""Shared fixtures: the bundled synthetic data in file form and a headless matplotlib."""

import os

import matplotlib
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
matplotlib.use("Agg")


@pytest.fixture
def survey_raw():
    from baby_room import synthetic

    return synthetic.raw("survey")


@pytest.fixture
def tmp_csv(tmp_path):
    """Write text to a CSV file and return its path."""

    def write(text: str, name: str = "survey.csv", encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
