"""The course's programs, verbatim for PyTorch. Tests run them with only the imports switched to glasstorch;
the benchmarks run them as the PyTorch reference."""
import re
import types
from pathlib import Path

_IMPORT_RULES = [
    (r"^import torch\.nn\.functional as F$", "import glasstorch.nn.functional as F"),
    (r"^import torch\.nn as nn$", "import glasstorch.nn as nn"),
    (r"^import torch$", "import glasstorch as torch"),
    (r"^from torch(\.\S+)? import", r"from glasstorch\1 import"),
    (r"^import torch\.(\S+) as (\S+)$", r"import glasstorch.\1 as \2"),
    (r"^from torchvision(\.\S+)? import", r"from glasstorch.vision\1 import"),
]


def _torchvision_installed():
    import importlib.util

    return importlib.util.find_spec("torchvision") is not None


def load_program(name, library):
    """Execute course/<name>.py (name may be "examples/vae") as a module, against `library` ('torch' or
    'glasstorch'). On the torch side, torchvision's imports go to glasstorch.vision when torchvision is not
    installed (the tests compare the networks, which never touch it)."""
    path = Path(__file__).parent / f"{name}.py"
    source = path.read_text()
    if library == "glasstorch":
        for pattern, replacement in _IMPORT_RULES:
            source = re.sub(pattern, replacement, source, flags=re.MULTILINE)
    elif not _torchvision_installed():
        source = re.sub(*_IMPORT_RULES[-1], source, flags=re.MULTILINE)
    module = types.ModuleType(f"course_{name.replace('/', '_')}_{library}")
    module.__file__ = str(path)
    exec(compile(source, f"{name}[{library}]", "exec"), module.__dict__)
    return module
