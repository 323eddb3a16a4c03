"""Run a script as N MPI ranks from a test, in a subprocess, through glasstorch's own launcher."""
import subprocess
import sys
from pathlib import Path

import pytest

from glasstorch.distributed import launch

RANKS = Path(__file__).parent / "ranks"


def run_ranks(count, argv, timeout=120, cwd=None):
    """mpiexec -n count argv (a list; a name in ranks/ runs that script with this Python); the completed process."""
    if argv and argv[0].endswith(".py") and not Path(argv[0]).is_absolute():
        argv = [sys.executable, str(RANKS / argv[0]), *argv[1:]]
    return subprocess.run(launch.command(count, argv), env=launch.environment(), capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


@pytest.fixture
def ranks():
    return run_ranks
