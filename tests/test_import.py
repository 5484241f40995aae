"""`import baby_room` stays light and changes no global state."""

import subprocess
import sys

HEAVY = ("matplotlib", "statsmodels", "scipy.stats", "seaborn", "nbclient", "pyogrio")


def test_import_does_not_load_heavy_modules():
    code = (
        "import sys, baby_room\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_leaves_matplotlib_style_alone():
    code = (
        "import matplotlib as mpl\nbefore = dict(mpl.rcParams)\n"
        "import baby_room, baby_room.style\n"
        "print(before == dict(mpl.rcParams))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
