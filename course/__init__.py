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
]


def load_program(name, library):
    """Execute course/<name>.py as a module, against `library` ('torch' or 'glasstorch')."""
    source = (Path(__file__).parent / f"{name}.py").read_text()
    if library == "glasstorch":
        for pattern, replacement in _IMPORT_RULES:
            source = re.sub(pattern, replacement, source, flags=re.MULTILINE)
    module = types.ModuleType(f"course_{name}_{library}")
    exec(compile(source, f"{name}[{library}]", "exec"), module.__dict__)
    return module
