"""A pseudo-terminal for the modem tests: prints the terminal's path on the first
line of stdout, then copies bytes the program on the terminal writes to stdout and
bytes read from stdin to the terminal, until stdin closes."""
import os
import select
import sys
import tty

master, slave = os.openpty()
tty.setraw(slave)
sys.stdout.write(os.ttyname(slave) + "\n")
sys.stdout.flush()
out = sys.stdout.fileno()
while True:
    ready, _, _ = select.select([master, 0], [], [])
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        if data:
            os.write(out, data)
    if 0 in ready:
        data = os.read(0, 4096)
        if not data:
            break
        os.write(master, data)
