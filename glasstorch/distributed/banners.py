"""Open MPI's end-of-job banners, folded into one line each (what `glasstorch train --nproc N` shows).

When a rank fails, the failing rank has already printed one line naming itself and the cause; Open MPI then
adds two boxed banners of 10-15 lines (MPI_ABORT was invoked ..., prterun has exited due to process rank ...).
A killed rank prints nothing itself, and Open MPI's banner is the only word of it. BannerFilter passes
mpiexec's stderr through as it comes (a progress bar stays live) and holds back only a box between two rules
of dashes: a box that repeats an abort is dropped, a killed rank's box becomes one line, any other box is
passed on unchanged.
"""
import re

RULE = b"-" * 74 + b"\n"
_KILLED = re.compile(rb"process rank (\d+) with PID \d+ on node (\S+) exited on\s+signal (\d+)(?: \(([^)]*)\))?")
_REPEATS_AN_ABORT = (b"MPI_ABORT was invoked", b"calling\n\"abort\"", b"calling \"abort\"")


def fold(box):
    """The text to show for one banner `box` (its bytes between the rules, rules included)."""
    killed = _KILLED.search(box)
    if killed:
        rank, node, signal, name = (part.decode() if part else None for part in killed.groups())
        cause = f"signal {signal}" + (f" ({name})" if name else "")
        return f"glasstorch.distributed: rank {rank} (on {node}) was killed by {cause}; every rank was stopped\n" \
            .encode()
    if any(phrase in box for phrase in _REPEATS_AN_ABORT):
        return b""
    return box


class BannerFilter:
    """feed(bytes) -> the bytes to write now; close() -> what is still held back."""

    def __init__(self):
        self._held = b""        # an open box (from its first rule), or a partial line that may start one
        self._in_box = False
        self._dropped = False   # a box was just dropped: skip the blank lines (" ", NULs) Open MPI prints after it

    def feed(self, data):
        self._held += data
        out = []
        while self._held:
            if self._in_box:
                end = self._held.find(RULE, len(RULE))
                if end < 0:
                    break
                box, self._held = self._held[:end + len(RULE)], self._held[end + len(RULE):]
                self._in_box = False
                folded = fold(box)
                self._dropped = folded != box
                out.append(folded)
                continue
            if self._dropped:       # hold blanks and NULs after a dropped box: they are its tail
                line, newline, rest = self._held.partition(b"\n")
                if not line.strip(b" \0"):
                    if not newline:
                        break
                    self._held = rest
                    continue
                self._dropped = False
            start = self._held.find(RULE)
            if start >= 0 and (start == 0 or self._held[start - 1:start] == b"\n"):
                out.append(self._held[:start])
                self._held, self._in_box = self._held[start:], True
                continue
            # keep back a trailing partial line that could still become a rule
            tail = self._held.rfind(b"\n") + 1
            partial = self._held[tail:]
            if partial and RULE.startswith(partial):
                out.append(self._held[:tail])
                self._held = partial
            else:
                out.append(self._held)
                self._held = b""
            break
        return b"".join(out)

    def close(self):
        held, self._held, self._in_box = self._held, b"", False
        return b"" if self._dropped and not held.strip(b" \n\0") else held
