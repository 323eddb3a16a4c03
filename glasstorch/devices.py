"""torch.cuda, torch.accelerator and torch.backends.mps as glasstorch sees them: no accelerator, CPU only."""
import types


def _false(*args, **kwargs):
    return False


def _zero(*args, **kwargs):
    return 0


def _nothing(*args, **kwargs):
    return None


def _no_device(*args, **kwargs):
    raise RuntimeError("glasstorch computes on the CPU: there is no accelerator device (check "
                       "torch.accelerator.is_available() or torch.cuda.is_available() first)")


cuda = types.ModuleType("glasstorch.cuda", "No CUDA: glasstorch runs on the CPU.")
cuda.is_available, cuda.device_count, cuda.is_initialized = _false, _zero, _false
cuda.manual_seed = cuda.manual_seed_all = cuda.synchronize = cuda.empty_cache = _nothing
cuda.current_device = cuda.get_device_name = cuda.set_device = _no_device

accelerator = types.ModuleType("glasstorch.accelerator", "No accelerator: glasstorch runs on the CPU.")
accelerator.is_available, accelerator.device_count = _false, _zero
accelerator.current_accelerator = accelerator.synchronize = _nothing
accelerator.current_device_index = accelerator.set_device_index = _no_device

mps = types.ModuleType("glasstorch.backends.mps", "No Apple GPU.")
mps.is_available = mps.is_built = _false
cudnn = types.ModuleType("glasstorch.backends.cudnn", "No cuDNN.")
cudnn.is_available, cudnn.enabled, cudnn.benchmark, cudnn.deterministic = _false, False, False, False
backends = types.ModuleType("glasstorch.backends", "Accelerator back-ends: none.")
backends.mps, backends.cudnn = mps, cudnn

MODULES = {"cuda": cuda, "accelerator": accelerator, "backends": backends, "backends.mps": mps,
           "backends.cudnn": cudnn}
