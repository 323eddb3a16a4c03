"""torchvision as a test oracle beside the CPU build of torch that CI installs.

PyPI's torchvision wheels carry compiled detection ops (nms, roi_align ...) built against PyPI's torch; beside
another build of the same torch version they fail to load, and `import torchvision` then stops at the one place
that needs them unconditionally: registering fake kernels for `torchvision::nms` and `torchvision::qnms`.
glasstorch compares itself only with torchvision's Python code (models, transforms, datasets), so when the
compiled library is missing those two schemas are declared (with no kernel: calling them raises), and the
import goes on. Every torchvision function the tests use is then torchvision's own.
"""
import importlib
import sys

import torch

_DETECTION_SCHEMAS = ("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
                      "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
_library = None


def import_torchvision():
    """torchvision, with its detection op schemas declared first when its compiled library does not load."""
    global _library
    try:
        return importlib.import_module("torchvision")
    except RuntimeError as error:
        if "torchvision::nms does not exist" not in str(error) or _library is not None:
            raise
    for name in [name for name in sys.modules if name == "torchvision" or name.startswith("torchvision.")]:
        del sys.modules[name]           # the half-imported package, so that the next import starts afresh
    _library = torch.library.Library("torchvision", "DEF")
    for schema in _DETECTION_SCHEMAS:
        _library.define(schema)
    return importlib.import_module("torchvision")
