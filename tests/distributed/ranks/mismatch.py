"""Rank 1 passes a tensor of another shape: every rank must get a clear error, none may hang."""
import glasstorch as gt
from glasstorch import distributed as dist

dist.init_process_group("mpi")
rank = dist.get_rank()
try:
    dist.all_reduce(gt.zeros(3 if rank == 0 else 4))
except dist.DistributedError as error:
    print(f"rank {rank}: {error}")
    dist.destroy_process_group()
