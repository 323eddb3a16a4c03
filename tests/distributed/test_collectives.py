"""torch.distributed's collectives over MPI with two ranks: results, clear errors, and no hang when a rank fails."""
import subprocess
import sys
import time

import pytest

import glasstorch as gt
from glasstorch import distributed as dist
from glasstorch.distributed import launch


def test_every_collective_gives_numpys_result_on_every_rank(ranks):
    result = ranks(2, ["collectives.py"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rank 0 ok" in result.stdout and "rank 1 ok" in result.stdout


def test_mismatched_shapes_raise_a_clear_error_on_every_rank(ranks):
    result = ranks(2, ["mismatch.py"], timeout=60)
    assert result.returncode == 0, result.stderr
    for rank in (0, 1):
        assert (f"rank {rank}: all_reduce: the ranks called it differently: rank 0 with ((3,), 'float32', 'SUM'), "
                f"rank 1 with ((4,), 'float32', 'SUM')") in result.stdout


@pytest.mark.parametrize("how", ["raise", "kill"])
def test_a_failing_rank_ends_every_rank_within_seconds(ranks, how):
    started = time.monotonic()
    result = ranks(2, ["fault.py", how], timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode != 0
    if how == "raise":
        assert "glasstorch.distributed: rank 1 of 2 failed with ValueError: a bad batch on rank 1" in result.stderr
    else:
        assert "rank 1" in result.stderr and "signal 9" in result.stderr


def test_without_a_process_group_collectives_say_what_to_do():
    with pytest.raises(dist.DistributedError, match="has not been initialized"):
        dist.all_reduce(gt.zeros(2))
    with pytest.raises(ValueError, match="runs on MPI only"):
        dist.init_process_group("nccl")
    assert not dist.is_initialized()


def test_a_single_rank_group_works_without_mpiexec():
    """mpi4py started without mpiexec is a world of one (a subprocess: MPI stays out of the test process)."""
    script = """
import glasstorch as gt
from glasstorch import distributed as dist
dist.init_process_group("mpi")
assert (dist.get_rank(), dist.get_world_size()) == (0, 1)
t = gt.tensor([1.0, 2.0])
dist.all_reduce(t, op=dist.ReduceOp.AVG)
assert t.tolist() == [1.0, 2.0]
try:
    dist.init_process_group("mpi")
except dist.DistributedError as error:
    assert "twice" in str(error)
else:
    raise AssertionError("a second init_process_group did not raise")
dist.destroy_process_group()
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            env=launch.environment())
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
