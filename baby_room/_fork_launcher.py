"""Stand-in for one process forked by :mod:`baby_room._fork_server` (standard library only).

Run as ``python -S -I _fork_launcher.py SOCKET MODULE ARG...`` by whoever expects a child
process running ``python -m MODULE ARG...`` (jupyter_client's kernel manager, the report's
page step): it asks the fork server listening on ``SOCKET`` for that child, lends it its
standard streams, passes on SIGINT/SIGTERM/SIGHUP, and exits with the child's exit code.
If this launcher is killed, the server kills the child. When no server answers, it becomes
``python -m MODULE ARG...`` itself (``exec``), so the caller is never left without its
process.

It imports nothing from ``baby_room`` and starts in about 20 ms.
"""

import json
import os
import signal
import socket
import struct
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _exec_plainly(module, args):
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    os.execv(sys.executable, [sys.executable, "-m", module, *args])


def main(argv):
    path, module, args = argv[0], argv[1], argv[2:]
    # a signal that comes before the child's pid is known waits, then goes to the child
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    request = json.dumps({"module": module, "argv": args, "cwd": os.getcwd(),
                          "env": dict(os.environ)}).encode()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        socket.send_fds(conn, [struct.pack("!I", len(request)) + request], [0, 1, 2])
        reply = conn.makefile("rb")
        first = reply.readline().split()
    except OSError:
        first = []
    if len(first) != 2 or first[0] != b"pid":  # no server, or it refused: start plainly
        conn.close()
        _exec_plainly(module, args)
    pid = int(first[1])

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    last = reply.readline().split()  # b"exit CODE", or nothing if the server went away
    return int(last[1]) if len(last) == 2 and last[0] == b"exit" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
