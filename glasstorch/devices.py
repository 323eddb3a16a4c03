"""torch.cuda, torch.accelerator and torch.backends as glasstorch sees them: no accelerator, CPU only."""
import contextlib
import types

import numpy as np


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


def _backend_with_flags(name, doc, values, flag_defaults):
    """A torch.backends.<name> module: its flags read and set as attributes (starting at `values`, PyTorch's
    CPU-only defaults), and flags(...) sets every flag for a with-block (those not given to flag_defaults, as
    PyTorch's does) and restores them after."""
    module = types.ModuleType(f"glasstorch.backends.{name}", doc)
    module.__dict__.update(values)
    module.is_available = _false

    @contextlib.contextmanager
    def flags(**changes):
        unknown = sorted(set(changes) - set(flag_defaults))
        if unknown:
            raise TypeError(f"torch.backends.{name}.flags() got unexpected keyword arguments {unknown}; it takes "
                            f"{list(flag_defaults)}")
        saved = {key: getattr(module, key) for key in flag_defaults}
        module.__dict__.update({key: value for key, value in {**flag_defaults, **changes}.items()
                                if values[key] is not None})    # None: a flag a CPU-only torch always reads None
        try:
            yield
        finally:
            module.__dict__.update(saved)

    module.flags = flags
    return module


# Flags only: glasstorch's kernels are its own (NumPy/OpenBLAS), so is_available() says False for each library;
# the flags are kept so a program can read and set them as on a CPU-only PyTorch.
cudnn = _backend_with_flags(
    "cudnn", "No cuDNN.",
    dict(enabled=True, benchmark=False, benchmark_limit=None, deterministic=False, allow_tf32=True,
         fp32_precision="none", depthwise_kernel="auto"),
    dict(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True,
         fp32_precision="none", depthwise_kernel="auto"))
mkldnn = _backend_with_flags(
    "mkldnn", "No oneDNN: glasstorch's own kernels.",
    dict(enabled=True, deterministic=False, allow_tf32=None, fp32_precision="none"),
    dict(enabled=False, deterministic=False, allow_tf32=True, fp32_precision="none"))
cudnn.version = _nothing
openmp = types.ModuleType("glasstorch.backends.openmp", "No OpenMP: glasstorch's threads are its own.")
openmp.is_available = _false
backend_cuda = types.ModuleType("glasstorch.backends.cuda", "No CUDA.")
backend_cuda.is_built = _false
backend_cuda.matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                                            allow_bf16_reduced_precision_reduction=True)
cpu = types.ModuleType("glasstorch.backends.cpu", "The CPU glasstorch computes on.")


def get_cpu_capability():
    """The widest vector instruction set NumPy's kernels use on this CPU, named as PyTorch names it: NumPy's
    x86-64-v4 (AVX-512) and v3 (AVX2) groups (AVX512_SKX and AVX2 before NumPy 2.4), which NPY_DISABLE_CPU_FEATURES
    can turn off as ATEN_CPU_CAPABILITY does PyTorch's."""
    features = getattr(getattr(np, "_core", None) or np.core, "_multiarray_umath").__cpu_features__
    if features.get("X86_V4", features.get("AVX512_SKX")):
        return "AVX512"
    return "AVX2" if features.get("X86_V3", features.get("AVX2")) else "DEFAULT"


cpu.get_cpu_capability = get_cpu_capability
backends = types.ModuleType("glasstorch.backends", "Back-end flags: no accelerator, glasstorch's own CPU kernels.")
backends.mps, backends.cudnn, backends.mkldnn, backends.openmp, backends.cuda, backends.cpu = (
    mps, cudnn, mkldnn, openmp, backend_cuda, cpu)

MODULES = {"cuda": cuda, "accelerator": accelerator, "backends": backends,
           **{f"backends.{name}": getattr(backends, name) for name in ("mps", "cudnn", "mkldnn", "openmp", "cuda",
                                                                       "cpu")}}
