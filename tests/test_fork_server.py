"""The fork server (baby_room._fork_server): a child forked from the warm interpreter must
behave as ``python -m module`` started afresh would — same arguments, working folder,
environment, streams and exit code — and must never outlive whoever asked for it. The
reference is the plain interpreter run with the same command, in the same test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from baby_room import _fork_server

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

PROBE = textwrap.dedent("""
    import gc, json, os, sys
    line = sys.stdin.readline().strip()
    print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "path0": sys.path[0],
                      "probe": os.environ.get("PROBE"), "stdin": line,
                      "name": __name__, "gc": gc.isenabled()}))
    print("to stderr", file=sys.stderr)
    sys.exit(int(sys.argv[1]))
""")


@pytest.fixture(scope="module")
def server():
    started = _fork_server.ForkServer(env=dict(os.environ, PYTHONHASHSEED="0"),
                                      preload=["json"])
    yield started
    started.stop()


@pytest.fixture
def light_server(monkeypatch):
    """A server of its own that imports nothing ahead (quick to start), for the tests
    that stop it."""
    monkeypatch.setattr(_fork_server, "DATA_STACK", ())
    monkeypatch.setattr(_fork_server, "KERNEL_STACK", ())
    started = _fork_server.ForkServer(env=dict(os.environ, PYTHONHASHSEED="0"))
    yield started
    started.stop()


def _run(command, folder, **kwargs):
    return subprocess.run(command, cwd=folder, input="hello\n", capture_output=True,
                          text=True, env=dict(os.environ, PROBE="x"), timeout=60, **kwargs)


def test_child_is_what_python_m_gives(server, tmp_path):
    (tmp_path / "probe_module.py").write_text(PROBE)
    forked = _run(server.command("probe_module", "3", "two words"), tmp_path)
    plain = _run([sys.executable, "-m", "probe_module", "3", "two words"], tmp_path)
    assert forked.returncode == plain.returncode == 3
    assert forked.stdout == plain.stdout
    assert forked.stderr == plain.stderr == "to stderr\n"
    assert '"stdin": "hello"' in forked.stdout and '"probe": "x"' in forked.stdout
    assert '"gc": true' in forked.stdout  # the server runs without it; a child has it again


def test_child_is_forked_from_the_server(server, tmp_path):
    (tmp_path / "parent_module.py").write_text(
        "import os, sys; print(os.getppid(), 'pandas' in sys.modules)")
    done = _run(server.command("parent_module"), tmp_path)
    assert done.stdout.split() == [str(server.process.pid), "True"]  # pandas: DATA_STACK


def test_a_child_collects_garbage_but_never_scans_what_it_inherits(server, tmp_path):
    (tmp_path / "gc_module.py").write_text(textwrap.dedent("""
        import gc, sys
        inherited = gc.get_freeze_count()
        class Node:
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector frees
        del a, b
        print(gc.isenabled(), inherited, gc.collect() >= 2, 'pandas' in sys.modules)
    """))
    enabled, frozen, collected, pandas = _run(server.command("gc_module"),
                                              tmp_path).stdout.split()
    assert (enabled, collected, pandas) == ("True", "True", "True")
    # the server's imports (pandas and the rest) are in the permanent generation
    assert int(frozen) > 50_000


def test_signals_reach_the_child_and_a_killed_launcher_takes_it_along(server, tmp_path):
    (tmp_path / "waits.py").write_text(textwrap.dedent("""
        import os, signal, sys, time
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))
        print(os.getpid(), flush=True)
        time.sleep(60)
    """))
    launcher = subprocess.Popen(server.command("waits"), cwd=tmp_path, stdout=subprocess.PIPE,
                                text=True)
    child = int(launcher.stdout.readline())
    launcher.send_signal(signal.SIGTERM)
    # this wait timed out once in about ten loaded full-suite runs and was never reproduced
    # alone: if it does again, the failure says where each process stood
    try:
        code = launcher.wait(timeout=30)
    except subprocess.TimeoutExpired:
        launcher.kill()
        pytest.fail(f"launcher did not exit: {_states(server.process.pid, launcher.pid, child)}")
    assert code == 7  # the child's own exit code

    launcher = subprocess.Popen(server.command("waits"), cwd=tmp_path, stdout=subprocess.PIPE,
                                text=True)
    child = int(launcher.stdout.readline())
    launcher.kill()
    launcher.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _exists(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _exists(child), _states(server.process.pid, child)


def _states(*pids: int) -> str:
    """Each process's state, wait channel and pending/blocked/caught signal masks."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as fh:
                fields = dict(line.split(":\t", 1) for line in fh.read().splitlines()
                              if ":\t" in line)
            with open(f"/proc/{pid}/wchan") as fh:
                wchan = fh.read()
        except OSError:
            out.append(f"{pid}: gone")
            continue
        out.append(f"{pid}: {fields.get('State')} wchan={wchan} "
                   + " ".join(f"{k}={fields.get(k)}" for k in ("SigPnd", "ShdPnd", "SigBlk",
                                                               "SigCgt")))
    return "; ".join(out)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie waiting to be reaped is gone too
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_without_a_server_the_launcher_runs_the_module_itself(light_server, tmp_path):
    (tmp_path / "probe_module.py").write_text(PROBE)
    command = light_server.command("probe_module", "0")
    light_server.stop()
    alone = _run(command, tmp_path)
    plain = _run([sys.executable, "-m", "probe_module", "0"], tmp_path)
    assert alone.returncode == 0 and alone.stdout == plain.stdout


def test_a_request_for_an_imported_module_is_served_while_the_server_still_imports(
        monkeypatch, tmp_path):
    # the server imports "early_module" (which waits for the file "go"), then
    # "blocking_module" (which waits for "release"): a request for early_module made before
    # "go" is served as soon as it is imported, those for other modules only after them all
    monkeypatch.setattr(_fork_server, "DATA_STACK", ())
    monkeypatch.setattr(_fork_server, "KERNEL_STACK", ())
    wait = textwrap.dedent("""
        import os, sys, time
        def wait_for(path):
            deadline = time.monotonic() + 60
            while not os.path.exists(path) and time.monotonic() < deadline:
                time.sleep(0.02)
        """)
    go, release = tmp_path / "go", tmp_path / "release"
    done = tmp_path / "early-done"
    (tmp_path / "early_module.py").write_text(
        wait + f"wait_for({str(go)!r})\n"
        "if __name__ == '__main__':\n    print('blocking_module' in sys.modules)\n"
        f"    open({str(done)!r}, 'w').close()\n")
    (tmp_path / "blocking_module.py").write_text(wait + f"wait_for({str(release)!r})\n")
    (tmp_path / "later_module.py").write_text(
        "import sys; print('blocking_module' in sys.modules)")
    finish = tmp_path / "finish"
    (tmp_path / "slow_module.py").write_text(wait + f"wait_for({str(finish)!r})\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PYTHONHASHSEED="0")
    started = _fork_server.ForkServer(env=env, early=["early_module"],
                                      preload=["blocking_module"])

    def start(module):
        return subprocess.Popen(started.command(module), cwd=tmp_path,
                                stdout=subprocess.PIPE, text=True)

    try:
        early, slow = start("early_module"), start("slow_module")
        time.sleep(0.3)  # slow_module's request is taken before later_module's
        later = start("later_module")
        time.sleep(0.5)  # the requests wait in the listener's queue
        go.touch()
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert done.exists()  # early_module ran while blocking_module was being imported
        assert later.poll() is None  # waits for the server's imports
        release.touch()
        out, _ = early.communicate(timeout=30)
        assert early.returncode == 0 and out == "False\n"
        # slow_module, forked first and still running, holds none of later_module's
        # streams: its output ends when it does
        out, _ = later.communicate(timeout=30)
        assert later.returncode == 0 and out == "True\n" and slow.poll() is None
        finish.touch()
        assert slow.wait(timeout=30) == 0
    finally:
        for path in (go, release, finish):
            path.touch()
        started.stop()


def test_an_idle_server_exits_and_shared_starts_another(monkeypatch):
    monkeypatch.setattr(_fork_server, "DATA_STACK", ())  # nothing to import: quick to start
    monkeypatch.setattr(_fork_server, "KERNEL_STACK", ())
    idle = _fork_server.ForkServer(env=dict(os.environ), idle=0.5)
    try:
        assert idle.process.wait(timeout=60) == 0
    finally:
        idle.stop()
    env = dict(os.environ, PYTHONHASHSEED="0")
    first = _fork_server.shared(env=env, source="a")
    assert _fork_server.shared(env=env, source="a") is first
    first.process.kill()
    first.process.wait()
    second = _fork_server.shared(env=env, source="a")
    assert second is not first and second.alive()
    volatile = dict(env, PYTEST_CURRENT_TEST="another test")
    assert _fork_server.shared(env=volatile, source="a") is second
    third = _fork_server.shared(env=dict(env, MPLBACKEND="agg"), source="a")
    assert third is not second and not second.alive()  # imports may read the environment
    fourth = _fork_server.shared(env=env, source="b")  # the package changed
    assert fourth is not third and not third.alive()
    fourth.stop()


def test_a_kernel_forked_from_the_server_runs_a_notebook_as_a_fresh_one(server, tmp_path):
    from jupyter_core.utils import run_sync

    from baby_room.report import _nbformat, execute_notebook_async

    nbformat = _nbformat()
    params = nbformat.v4.new_code_cell("DATA_DIR = None\nOUTPUT_DIR = None")
    params.metadata["tags"] = ["parameters"]
    code = ("import os, sys\n"
            "print(os.environ['BABY_ROOM_MIN_CELL_COUNT'], DATA_DIR, os.getcwd(), sys.path,\n"
            "      os.environ['PYTHONHASHSEED'], hash('baby room'))\n"
            "print('pandas' in sys.modules, os.getppid())")
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, tmp_path / "01-probe.ipynb")
    outputs = []
    for fork_server in (None, server):
        done = run_sync(execute_notebook_async)(
            tmp_path / "01-probe.ipynb", data_dir=tmp_path / "data", output_dir=tmp_path / "o",
            threshold=7, fork_server=fork_server)
        outputs.append(done.cells[2].outputs[0]["text"].splitlines())
    fresh, forked = outputs
    assert fresh[0] == forked[0] and fresh[0].startswith(f"7 data {tmp_path} [")
    assert fresh[1].split()[0] == "False"  # a fresh kernel had not imported pandas ...
    assert forked[1].split() == ["True", str(server.process.pid)]  # ... the server had
