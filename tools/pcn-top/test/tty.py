#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive pcn-top's curses view in a pseudo terminal.

Usage: tty.py ROWSxCOLS STEP... -- CMD [ARG...]

Steps, in order: a key ("k:2", "k:tab", "k:q"), a pause ("p:0.5"), a new
window size ("r:6x20": the kernel sends SIGWINCH), a text the output must
contain by the end ("e:q_quit", '_' standing for a blank). Every cursor address
the program sends (CSI row;col H) must lie inside the window; after a
resize, output counts against the new size once it has settled (0.5 s and
a key). The program must exit by itself within 5 s of the last step, with
status 0. Prints "ok: ..." and exits 0, or "FAIL: ..." and exits 1.
"""
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

CUP = re.compile(rb"\x1b\[(\d+)(?:;(\d+))?H")
KEYS = {"tab": b"\t", "esc": b"\x1b", "enter": b"\r", "pgup": b"\x1b[5~",
        "pgdn": b"\x1b[6~", "up": b"\x1b[A", "down": b"\x1bOB"}


def winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def size(arg):
    r, c = arg.split("x")
    return int(r), int(c)


class Tty:
    def __init__(self, rows, cols, cmd):
        self.master, slave = os.openpty()
        winsize(self.master, rows, cols)
        self.rows, self.cols = rows, cols
        self.bad = []
        self.out = b""
        self.checking = True
        self.proc = subprocess.Popen(
            cmd, stdin=slave, stdout=slave, stderr=slave,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)

    def pump(self, secs):
        end = time.time() + secs
        while True:
            left = end - time.time()
            if left <= 0:
                return
            r, _, _ = select.select([self.master], [], [], left)
            if not r:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.out += data
            if not self.checking:
                continue
            for m in CUP.finditer(data):
                row, col = int(m.group(1)), int(m.group(2) or 1)
                if row > self.rows or col > self.cols:
                    self.bad.append("cursor to %d;%d in a %dx%d window" %
                                    (row, col, self.rows, self.cols))

    def key(self, name):
        os.write(self.master, KEYS.get(name, name.encode()))

    def resize(self, rows, cols):
        self.checking = False
        winsize(self.master, rows, cols)
        self.rows, self.cols = rows, cols
        self.pump(0.5)
        self.key("1")	# a redraw at the new size
        self.pump(0.3)
        self.checking = True


def main():
    args = sys.argv[1:]
    if "--" not in args or not args:
        sys.exit(__doc__)
    cut = args.index("--")
    rows, cols = size(args[0])
    steps, cmd = args[1:cut], args[cut + 1:]
    expect = []
    t = Tty(rows, cols, cmd)
    t.pump(0.8)
    for s in steps:
        kind, _, val = s.partition(":")
        if kind == "k":
            t.key(val)
            t.pump(0.15)
        elif kind == "p":
            t.pump(float(val))
        elif kind == "r":
            t.resize(*size(val))
        elif kind == "e":
            expect.append(val.replace("_", " ").encode())
    end = time.time() + 5
    while t.proc.poll() is None and time.time() < end:
        t.pump(0.1)
    rc = t.proc.poll()
    if rc is None:
        os.killpg(t.proc.pid, signal.SIGKILL)
        t.proc.wait()
        print("FAIL: still running 5 s after the last step")
        sys.exit(1)
    if rc != 0:
        print("FAIL: exit status %d" % rc)
        print(t.out[-2000:].decode("ascii", "replace"))
        sys.exit(1)
    if t.bad:
        print("FAIL: " + "; ".join(sorted(set(t.bad))[:5]))
        sys.exit(1)
    if b"NODES" not in t.out and b"PROCESSES" not in t.out:
        print("FAIL: no table drawn")
        sys.exit(1)
    for e in expect:
        if e not in t.out:
            print("FAIL: never drew '%s'" % e.decode())
            sys.exit(1)
    print("ok: %d bytes drawn" % len(t.out))


if __name__ == "__main__":
    main()
