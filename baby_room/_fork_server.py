"""Processes forked from one warm interpreter, so a report build imports its stack once.

A report build starts one Jupyter kernel per notebook and a process for the front page's
data step. Each used to be a fresh interpreter importing the same stack (ipykernel,
pandas, matplotlib, baby_room: about 1.5 s of CPU each on the 2-core reference machine,
against 30 s for the whole build). The fork server is one interpreter that imports that
stack once (:data:`DATA_STACK`, :data:`KERNEL_STACK` and the modules the notebooks and the
data step import) and then, for each request, forks a child that runs ``python -m MODULE
ARG...`` as a fresh process would, in the requester's working folder, environment and
standard streams. The data step is forked as soon as what it imports is imported, while the
server goes on importing the kernels' stack.

Requests come through :mod:`baby_room._fork_launcher`, a standard-library script that
stands in for the child wherever a command is expected (jupyter_client's kernel command,
the page step's ``subprocess.Popen``): :meth:`ForkServer.command` gives that command. The
launcher passes signals on and exits with the child's code; if the launcher dies, the
server kills the child; if the server is gone, the launcher runs the module plainly.

One server is kept per process (:func:`shared`) and reused by later builds while the
package source, the interpreter and the environment it was started with are unchanged;
it exits with the process that started it (it watches its standard input). A forked
child differs from a fresh process only in what was already imported: modules read their
environment at import time with the server's environment, which is the kernels' own
(:func:`baby_room.report.build_report` starts it with the kernel environment, and a
different environment starts a new server). Linux and macOS only (``os.fork``); elsewhere
:func:`shared` returns None and the build starts plain processes.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import json
import os
import select
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

#: Modules every report build's processes import, in the order the server imports them:
#: what the data step needs first (its preloads follow), then what the kernels need.
DATA_STACK = ("pandas", "openpyxl", "baby_room", "baby_room.project", "baby_room.outputs",
              # what loading and the survey statistics import on first use
              "pyarrow.csv", "charset_normalizer", "scipy.special")
KERNEL_STACK = ("ipykernel.kernelapp", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
                # what a kernel imports while it starts (its debugger, the IPython shell's
                # magics, tornado's queues, ...): 0.27 s of CPU per kernel, 0.13 s with these
                "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.debugger",
                "IPython.core.completerlib", "IPython.extensions.storemagic", "cProfile",
                "sqlite3", "psutil", "tornado.queues", "tornado.platform.asyncio")

LAUNCHER = Path(__file__).with_name("_fork_launcher.py")

#: A server with no child and no request for this long exits (a later build starts another).
IDLE_SECONDS = 600.0


class ForkServer:
    """A running fork server (see the module docstring); :meth:`command` starts a child."""

    def __init__(self, *, env: dict, early=(), preload=(), key: str = "",
                 idle: float = IDLE_SECONDS):
        self.key = key
        self.folder = Path(tempfile.mkdtemp(prefix="baby_room-fork-"))
        self.socket = self.folder / "server.sock"
        # listening before the server starts: a request made while it imports waits
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket))
        listener.listen(64)
        with listener:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "baby_room._fork_server", str(listener.fileno()),
                 str(idle), *dict.fromkeys([*DATA_STACK, *early, *KERNEL_STACK, *preload])],
                env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, cwd=self.folder, pass_fds=[listener.fileno()])

    def command(self, module: str, *args: str) -> list[str]:
        """The command that runs ``python -m module args...`` as a child of this server."""
        return [sys.executable, "-S", "-I", str(LAUNCHER), str(self.socket), module, *args]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """End the server and every child it still has; remove its folder (the socket)."""
        if self.process.poll() is None:
            self.process.stdin.close()  # the server's signal to kill its children and exit
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVER: ForkServer | None = None

#: Environment variables that change within a process and bear on no import: a change in
#: them does not start a new server (pytest names the running test in one).
VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})


def shared(*, env: dict, source: str, early=(), preload=()) -> ForkServer | None:
    """The process's fork server for ``env``, started now or reused; None without fork.

    It imports :data:`DATA_STACK`, ``early``, :data:`KERNEL_STACK` and ``preload`` in that
    order, and forks a child for a module it has imported (one of ``early``, say) as soon
    as it has, while it goes on importing the rest: the child runs on a core the imports
    leave idle.

    Reused while ``source`` (the package source hash), the interpreter and ``env`` are
    those it was started with: a changed package or environment starts a new one, so a
    child never runs code or settings older than the build's.
    """
    global _SERVER
    if not hasattr(os, "fork") or sys.platform == "win32":
        return None
    settled = sorted((k, v) for k, v in env.items() if k not in VOLATILE)
    key = hashlib.sha256(json.dumps([sys.executable, source, settled]).encode()).hexdigest()
    if _SERVER is not None and (_SERVER.key != key or not _SERVER.alive()):
        _SERVER.stop()
        _SERVER = None
    if _SERVER is None:
        _SERVER = ForkServer(env=env, early=early, preload=preload, key=key)
    return _SERVER


@atexit.register
def _stop_shared() -> None:
    if _SERVER is not None:
        _SERVER.stop()


# ---------------------------------------------------------------- the server process


def _read_request(conn: socket.socket):
    """One request: a length-prefixed JSON object, with the requester's three streams."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    if len(data) < 4 or len(fds) != 3:
        raise ValueError("malformed request")
    (size,) = struct.unpack("!I", data[:4])
    body = data[4:]
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            raise ValueError("truncated request")
        body += chunk
    return json.loads(body), fds


def _run_child(request: dict, fds: list[int]) -> int:
    """In the forked child: become ``python -m module argv...``; return its exit code."""
    import runpy

    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = request["cwd"]  # as for ``python -m`` started there
    sys.argv = [request["module"], *request["argv"]]
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException:
        import traceback

        traceback.print_exc()
        return 1
    return 0


def serve(listener: socket.socket, preload: list[str], *, idle: float = IDLE_SECONDS) -> None:
    """Import ``preload``; fork a child per request on ``listener`` until stdin ends or
    nothing has happened for ``idle`` seconds with no child running.

    Between two imports, a request for a module already imported is served at once;
    the others wait until every import is done.

    The server runs with the garbage collector off (importing the stack allocates
    hundreds of thousands of objects that live as long as the process; the collector's
    passes over them cost about 15% of the imports) and freezes what it holds before each
    fork, so a child, which turns the collector back on, never scans the inherited
    objects (:func:`gc.freeze`, the pattern Python's documentation gives for a process
    that forks without exec).
    """
    import importlib

    gc.disable()
    server = _Server(listener)
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a child imports it again and reports it there
            pass
        server.take_requests(ready=lambda request: request["module"] in sys.modules)
    server.run(idle)


class _Server:
    """The server's loop: requests, children's exits, launchers that go away, the end.

    Every event is handled on its own: a requester or launcher that went away (an
    ``OSError`` on its socket) costs at most its own child, never the server, whose death
    would take every running kernel with it.
    """

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.children: dict[int, socket.socket] = {}
        self.waiting: list[tuple] = []  # requests received while importing, not yet served
        self.running = True
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        self.selector.register(self.wake_read, selectors.EVENT_READ, "child")

    def take_requests(self, ready) -> None:
        """While still importing: receive the requests made so far; serve those ``ready``
        says can be, keep the others waiting (as in :meth:`run`, a requester that went
        away costs only its own request)."""
        try:
            while select.select([self.listener], [], [], 0)[0]:
                received = self.receive()
                if received is not None:
                    self.waiting.append(received)
            self.reap()
        except OSError:
            pass
        for item in list(self.waiting):
            conn, request, fds = item
            if not ready(request):
                continue
            self.waiting.remove(item)  # the others stay listed: a child closes them all
            try:
                self.start(conn, request, fds)
            except OSError:  # no child (fork failed): its launcher runs the module itself
                conn.close()
                for fd in fds:
                    _close(fd)

    def run(self, idle: float) -> None:
        self.take_requests(ready=lambda request: True)
        while self.running or self.children:
            events = self.selector.select(timeout=None if self.children else idle)
            if not events and not self.children:
                break  # idle
            for key, _ in events:
                try:
                    self.handle(key)
                except OSError:
                    pass
        self.listener.close()

    def handle(self, key) -> None:
        what = key.data
        if what == "stdin":
            if not os.read(sys.stdin.fileno(), 4096):  # the parent is gone
                self.stop()
        elif what == "accept":
            if self.running:
                self.accept()
        elif what == "child":
            os.read(self.wake_read, 4096)
            self.reap()
        elif self.children.get(what) is key.fileobj and not key.fileobj.recv(1):
            _kill(what)  # its launcher was killed: the child goes too, and is reaped later
            self.selector.unregister(key.fileobj)

    def stop(self) -> None:
        self.running = False
        self.selector.unregister(sys.stdin.fileno())
        self.selector.unregister(self.listener)
        for pid in self.children:
            _kill(pid)

    def accept(self) -> None:
        received = self.receive()
        if received is not None:
            self.start(*received)

    def receive(self):
        """The next request on the listener: ``(connection, request, fds)``, or None for
        one that was malformed or whose requester went away."""
        conn, _ = self.listener.accept()
        try:
            request, fds = _read_request(conn)
        except (OSError, ValueError):
            conn.close()
            return None
        return conn, request, fds

    def start(self, conn, request: dict, fds: list[int]) -> None:
        """Fork the child ``request`` asks for; tell its launcher the child's pid."""
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # the child's collections skip what it inherits (see :func:`serve`)
        pid = os.fork()
        if pid == 0:
            self._become_child(conn, request, fds)
        for fd in fds:
            os.close(fd)
        self.children[pid] = conn
        try:
            conn.sendall(b"pid %d\n" % pid)
            self.selector.register(conn, selectors.EVENT_READ, pid)
        except OSError:  # the launcher is gone already
            _kill(pid)

    def _become_child(self, conn, request: dict, fds: list[int]):
        gc.enable()  # off in the server (see :func:`serve`); a fresh process has it on
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        self.selector.close()
        for sock in (self.listener, conn, *self.children.values()):
            sock.close()
        for other, _, other_fds in self.waiting:  # requests still waiting are not its own
            other.close()
            for fd in other_fds:
                _close(fd)
        os.close(self.wake_read)
        os.close(self.wake_write)
        code = _run_child(request, fds)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            try:
                self.selector.unregister(conn)
            except (KeyError, ValueError):
                pass
            try:
                conn.sendall(b"exit %d\n" % os.waitstatus_to_exitcode(status))
            except OSError:
                pass
            conn.close()


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])), sys.argv[3:], idle=float(sys.argv[2]))
