"""Open MPI's end-of-job banners folded into one line (glasstorch.distributed.banners), unit by unit and through
the launcher with two real ranks."""
import subprocess
import sys
from pathlib import Path

import pytest

from glasstorch.distributed import launch
from glasstorch.distributed.banners import RULE, BannerFilter

RANKS = Path(__file__).parent / "ranks"
R = RULE.decode()
ABORT = (f"{R}MPI_ABORT was invoked on rank 1 in communicator MPI COMM 3 DUP FROM 0\n  Proc: [[1459,1],1]\n"
         f"  Errorcode: 1\n\nNOTE: invoking MPI_ABORT causes Open MPI to kill all MPI processes.\n{R}"
         f"{R}prterun has exited due to process rank 1 with PID 0 on node vm calling\n\"abort\". This may have "
         f"caused other processes in the application to be\nterminated by signals sent by prterun.\n{R} \n\0")
KILLED = f"{R}prterun noticed that process rank 1 with PID 5289 on node vm exited on\nsignal 9 (Killed).\n{R}"
OUR_LINE = "glasstorch.distributed: rank 1 of 2 failed with ValueError: bad; aborting every rank\n"


def folded(text, chunk=None):
    banners = BannerFilter()
    data = text.encode()
    step = chunk or len(data) or 1
    return (b"".join(banners.feed(data[i:i + step]) for i in range(0, len(data), step)) + banners.close()).decode()


@pytest.mark.parametrize("chunk", [None, 1, 7, 80])
def test_an_abort_keeps_only_the_ranks_own_line(chunk):
    assert folded("epoch 1/3\r  40%|####\r" + OUR_LINE + ABORT, chunk) == "epoch 1/3\r  40%|####\r" + OUR_LINE


@pytest.mark.parametrize("chunk", [None, 1, 13])
def test_a_killed_rank_becomes_one_line_naming_rank_node_and_signal(chunk):
    assert folded(KILLED, chunk) == ("glasstorch.distributed: rank 1 (on vm) was killed by signal 9 (Killed); every "
                                     "rank was stopped\n")


def test_other_text_and_other_banners_pass_unchanged():
    other = f"{R}There are not enough slots available in the system\n{R}"
    text = "a line\n---- not a rule\n" + other + "after\n" + "-" * 20
    assert folded(text) == text
    assert folded(text, 3) == text


def test_a_progress_bar_is_passed_on_at_once():
    banners = BannerFilter()
    assert banners.feed(b"\r 10%|#") == b"\r 10%|#"          # nothing held back: the bar stays live
    assert banners.feed(b"---") == b""                        # might be the start of a rule ...
    assert banners.feed(b"x\n") == b"---x\n"                  # ... it was not


@pytest.mark.parametrize("how, expected", [
    ("raise", "glasstorch.distributed: rank 1 of 2 failed with ValueError: a bad batch on rank 1; aborting every rank"),
    ("kill", "glasstorch.distributed: rank 1 (on "),
])
def test_the_launcher_shows_one_line_for_a_failed_rank(how, expected):
    code = ("import sys; from glasstorch.distributed import launch; "
            f"sys.exit(launch.run(2, [sys.executable, {str(RANKS / 'fault.py')!r}, {how!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=launch.environment())
    assert result.returncode != 0
    assert expected in result.stderr
    assert "-----" not in result.stderr and "MPI_ABORT" not in result.stderr, result.stderr
