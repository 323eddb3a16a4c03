"""Which of PyTorch's and torchvision's public names glasstorch has, and with which parameters.

For each module below, every public name of PyTorch's (its __all__ where it has one, else its public callables
defined under torch/torchvision) is looked up in glasstorch and sorted into:
  implemented          glasstorch has it and accepts every parameter name PyTorch's signature has (or takes
                       **kwargs, or PyTorch's signature cannot be read: then the name alone counts);
  different signature  glasstorch has it but lacks some of PyTorch's parameter names (listed);
  missing              glasstorch does not have it.
PyTorch's parameters come from inspect.signature, or, for functions written in C, from the signature lines of the
docstring (every overload: `max(input)`, `max(input, dim, keepdim=False, *, out=None)`).

    python scripts/api_coverage.py            # rewrites docs/api-coverage.md
    python scripts/api_coverage.py --check    # exit 1 if docs/api-coverage.md is out of date

tests/test_api_coverage.py runs the check, so the table stays current.
"""
import argparse
import importlib
import inspect
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE = REPO / "docs" / "api-coverage.md"


@dataclass
class Coverage:
    """One module's comparison: names sorted into the three kinds, with the parameters each lacks."""
    module: str
    implemented: list = field(default_factory=list)
    different: dict = field(default_factory=dict)       # name -> PyTorch parameter names glasstorch lacks
    missing: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.implemented) + len(self.different) + len(self.missing)


def _split_top_level(text):
    """'a, b=(1, 2), *, c' -> ['a', 'b=(1, 2)', '*', 'c']: commas outside brackets."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p.strip() for p in parts + [current] if p.strip()]


def _docstring_parameters(obj, name):
    """Parameter names from the signature lines of a C function's docstring, `name(...) -> ...` and the other
    overloads' `.. function:: name(...) -> ...`, or its first line when that is a bare `name(...)`."""
    found = None
    for number, line in enumerate((inspect.getdoc(obj) or "").replace("\\", "").splitlines()):
        match = re.match(rf"\s*(?:\.\. function:: )?(?:Tensor\.|torch\.)?{re.escape(name)}\((.*?)\)\s*(->.*)?$", line)
        if not match or (match.group(2) is None and number > 0):
            continue
        found = found if found is not None else []
        for part in _split_top_level(match.group(1)):
            word = re.split(r"[=:\s]", part)[0]
            if word.isidentifier() and word != "self" and word not in found:
                found.append(word)
    return found


def parameters(obj, name):
    """(parameter names, takes **kwargs) of a function or a class's constructor; (None, False) when unreadable."""
    target = obj.__init__ if isinstance(obj, type) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return _docstring_parameters(obj, name), False
    names = [p.name for p in signature.parameters.values()
             if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"]
    takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
    if takes_kwargs and not names and isinstance(obj, type) is False:
        documented = _docstring_parameters(obj, name)
        if documented is not None:
            return documented, False
    return names, takes_kwargs


def _public_callables(module, root):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
        names = [n for n in names if callable(getattr(module, n))
                 and not isinstance(getattr(module, n), types.ModuleType)
                 and getattr(getattr(module, n), "__module__", "").startswith(root)]
    return sorted(set(n for n in names if not n.startswith("_")))


def _tensor_members(cls):
    return sorted(n for n in dir(cls) if not n.startswith("_"))


def compare(title, theirs, ours, names, is_method=False):
    coverage = Coverage(title)
    for name in names:
        if not hasattr(ours, name):
            coverage.missing.append(name)
            continue
        their_obj, our_obj = getattr(theirs, name), getattr(ours, name)
        if not callable(their_obj) or not callable(our_obj):
            coverage.implemented.append(name)
            continue
        their_params, _ = parameters(their_obj, name)
        our_params, our_kwargs = parameters(our_obj, name)
        if their_params is None or our_params is None or our_kwargs:
            coverage.implemented.append(name)
            continue
        if is_method and our_params[:1] == ["self"]:
            our_params = our_params[1:]
        lacking = [p for p in their_params if p not in our_params]
        if lacking:
            coverage.different[name] = lacking
        else:
            coverage.implemented.append(name)
    return coverage


def modules():
    """(title, PyTorch's object, glasstorch's object, names, is_method) for every module the table covers."""
    sys.path.insert(0, str(REPO / "tests"))
    import torch
    import torch.nn.functional
    import torch.optim
    import torch.utils.data
    from torchvision_import import import_torchvision

    torchvision = import_torchvision()
    import torchvision.transforms

    import glasstorch

    def ours(name):
        """A glasstorch module, or an empty one where this version lacks it (so every name counts as missing)."""
        try:
            return importlib.import_module(name)
        except ImportError:
            return types.SimpleNamespace()

    return [
        ("torch", torch, glasstorch, sorted(set(torch.__all__) - {"Tensor"}), False),
        ("torch.Tensor", torch.Tensor, glasstorch.Tensor, _tensor_members(torch.Tensor), True),
        ("torch.nn", torch.nn, glasstorch.nn, _public_callables(torch.nn, "torch"), False),
        ("torch.nn.functional", torch.nn.functional, ours("glasstorch.nn.functional"),
         _public_callables(torch.nn.functional, "torch"), False),
        ("torch.optim", torch.optim, glasstorch.optim, _public_callables(torch.optim, "torch"), False),
        ("torch.optim.lr_scheduler", torch.optim.lr_scheduler, ours("glasstorch.optim.lr_scheduler"),
         _public_callables(torch.optim.lr_scheduler, "torch"), False),
        ("torch.utils.data", torch.utils.data, ours("glasstorch.utils.data"),
         _public_callables(torch.utils.data, "torch"), False),
        ("torchvision.transforms", torchvision.transforms, ours("glasstorch.vision.transforms"),
         _public_callables(torchvision.transforms, "torchvision"), False),
        ("torchvision.datasets", torchvision.datasets, ours("glasstorch.vision.datasets"),
         _public_callables(torchvision.datasets, "torchvision"), False),
        ("torchvision.models", torchvision.models, ours("glasstorch.vision.models"),
         _public_callables(torchvision.models, "torchvision"), False),
    ]


def _names(items):
    return ", ".join(f"`{n}`" for n in items) or "none"


def render(coverages, versions):
    rows = [(c.module, c.total, len(c.implemented), len(c.different), len(c.missing)) for c in coverages]
    total = tuple(sum(r[i] for r in rows) for i in range(1, 5))
    lines = [f"# API coverage: glasstorch against {versions}", "",
             "Generated by `python scripts/api_coverage.py`; `tests/test_api_coverage.py` fails when it is out of "
             "date. A name is *implemented* when glasstorch has it and accepts every parameter name of PyTorch's "
             "signature, *different* when it lacks some (listed below), *missing* when glasstorch does not have "
             "it.", "",
             "| module | names | implemented | different signature | missing |", "|---|---:|---:|---:|---:|"]
    lines += [f"| `{m}` | {n} | {i} | {d} | {x} |" for m, n, i, d, x in rows]
    lines += [f"| **total** | **{total[0]}** | **{total[1]}** | **{total[2]}** | **{total[3]}** |", ""]
    for c in coverages:
        lines += [f"## `{c.module}`", "",
                  f"Different signature ({len(c.different)}): "
                  + (", ".join(f"`{n}` (lacks {', '.join(p)})" for n, p in sorted(c.different.items())) or "none"),
                  "", f"Missing ({len(c.missing)}): {_names(c.missing)}", ""]
    return "\n".join(lines), total


def build():
    coverages = [compare(*spec) for spec in modules()]      # modules() imports torchvision beside this torch
    import torch
    import torchvision

    return render(coverages, f"PyTorch {torch.__version__.split('+')[0]} and torchvision "
                             f"{torchvision.__version__.split('+')[0]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/api-coverage.md is out of date")
    args = parser.parse_args(argv)
    text, total = build()
    if args.check:
        current = TABLE.read_text() if TABLE.exists() else ""
        if current != text:
            print(f"{TABLE} is out of date: run python scripts/api_coverage.py", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text)
    print(f"{TABLE.relative_to(REPO)}: {total[0]} names, {total[1]} implemented, {total[2]} different signature, "
          f"{total[3]} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
