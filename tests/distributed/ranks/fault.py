"""Rank 1 fails (raises or is killed) while rank 0 waits in a collective; mpiexec must end both."""
import os
import signal
import sys
import time

import glasstorch as gt
from glasstorch import distributed as dist

dist.init_process_group("mpi")
if dist.get_rank() == 1:
    time.sleep(0.5)
    if sys.argv[1] == "raise":
        raise ValueError("a bad batch on rank 1")
    os.kill(os.getpid(), signal.SIGKILL)
dist.all_reduce(gt.zeros(3))
time.sleep(120)
