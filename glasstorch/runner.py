"""`glasstorch run SCRIPT [ARGS...]`: run an unmodified PyTorch program on glasstorch.

An import hook resolves `torch` and every `torch.X.Y` to `glasstorch.X.Y`, and `torchvision[.X]` to
`glasstorch.vision[.X]`: the very same module objects, so `torch.nn is glasstorch.nn`. The program runs as
__main__ with its own sys.argv and directory, as `python SCRIPT ARGS` would run it.

When the program reaches something glasstorch lacks (a module, a function, a class, a Tensor method), the run
stops with one line that names it with torch's name and the program's file and line, e.g.
    glasstorch run: rnn.py:14 uses torch.nn.LSTM, which glasstorch does not have
Any other error shows the traceback of the program's own frames only.

With track_gradients, every model an optimizer steps gets a GradientFlowRecorder (per-layer gradient norms at
every step) and its figures are written when the program ends.
"""
import contextlib
import importlib
import importlib.abc
import importlib.util
import os
import re
import runpy
import sys
import traceback
import types

from .errors import UserError
from .i18n import t
from .ops.out import KEYWORD_WRAPPERS

ALIASES = {"torch": "glasstorch", "torchvision": "glasstorch.vision"}
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def glasstorch_to_torch_name(name):
    """glasstorch.vision.datasets -> torchvision.datasets, glasstorch.nn -> torch.nn."""
    if name == "glasstorch.vision" or name.startswith("glasstorch.vision."):
        return "torchvision" + name[len("glasstorch.vision"):]
    if name == "glasstorch" or name.startswith("glasstorch."):
        return "torch" + name[len("glasstorch"):]
    return name


def torch_to_glasstorch_name(name):
    top, dot, rest = name.partition(".")
    return ALIASES[top] + dot + rest if top in ALIASES else None


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system the glasstorch module itself (no second copy is executed)."""

    def __init__(self, module):
        self.module, self.original_spec = module, module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        module.__spec__ = self.original_spec      # the import system set the alias's spec; keep the real one


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        target_name = torch_to_glasstorch_name(fullname)
        if target_name is None:
            return None
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as error:
            if error.name and target_name.startswith(error.name):
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


def install():
    """Make `import torch` / `import torchvision` give glasstorch in this process."""
    for name in list(sys.modules):
        if name.split(".")[0] in ALIASES:
            del sys.modules[name]        # a real torch imported earlier must not shadow the aliases
    if not any(isinstance(f, TorchAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAliasFinder())


def _program_frame(tb, script_dir):
    """The deepest frame of the traceback that is the program's own code (not glasstorch's, not Python's)."""
    frame = None
    for summary in traceback.extract_tb(tb):
        filename = os.path.abspath(summary.filename)
        if filename.startswith(_PACKAGE_DIR) or summary.filename.startswith("<frozen"):
            continue
        if filename.startswith(os.path.dirname(os.__file__)) and not filename.startswith(script_dir):
            continue
        frame = summary
    return frame


def missing_name(error):
    """torch's name for what an AttributeError/ImportError says glasstorch lacks, or None for other errors."""
    if isinstance(error, ModuleNotFoundError):
        name = error.name or ""
        return name if name.split(".")[0] in ALIASES else None
    if isinstance(error, ImportError):
        module = getattr(error, "name", None) or ""
        found = re.search(r"cannot import name '([^']+)'", str(error))
        if found and module.startswith("glasstorch"):
            return f"{glasstorch_to_torch_name(module)}.{found.group(1)}"
        return None
    if isinstance(error, AttributeError):
        obj, attribute = getattr(error, "obj", None), getattr(error, "name", None)
        if attribute is None or obj is None:
            return None
        if isinstance(obj, types.ModuleType):
            return f"{glasstorch_to_torch_name(obj.__name__)}.{attribute}" if obj.__name__.startswith("glasstorch") \
                else None
        cls = obj if isinstance(obj, type) else type(obj)
        if cls.__module__.startswith("glasstorch"):
            public = _public_path(cls)
            return f"{public}.{attribute}"
    return None


def missing_keyword(error):
    """(torch's name of the function, the keyword) when a TypeError says a glasstorch function was called, from the
    program's own line, with a keyword it does not take; else None."""
    found = re.fullmatch(r"([\w.]+)\(\) got an unexpected keyword argument '(\w+)'", str(error))
    # the call itself: the program's line, past the wrappers that add keywords (out=, layout=) and pass the rest on
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__) if frame.f_code not in KEYWORD_WRAPPERS]
    last = [frame.f_code.co_filename for frame in frames[-1:]]
    if not isinstance(error, TypeError) or not found or not last or last[0].startswith(_PACKAGE_DIR):
        return None
    qualname, keyword = found.groups()
    import glasstorch

    owner_name, _, function_name = qualname.rpartition(".")
    if not owner_name:
        return (f"torch.{function_name}", keyword) if callable(getattr(glasstorch, function_name, None)) else None
    for module, prefix in ((glasstorch, "torch"), (glasstorch.nn, "torch.nn"), (glasstorch.optim, "torch.optim")):
        owner = getattr(module, owner_name, None)
        if isinstance(owner, type) and hasattr(owner, function_name):
            return f"{_public_path(owner)}.{function_name}", keyword
    return None


def _public_path(cls):
    """torch.Tensor, torch.nn.Linear, torch.optim.SGD: the shortest public module path that exports cls."""
    from . import nn, optim
    from .tensor import Tensor

    if issubclass(cls, Tensor):
        return "torch.Tensor"
    for module, prefix in ((nn, "torch.nn"), (optim, "torch.optim")):
        if getattr(module, cls.__name__, None) is cls:
            return f"{prefix}.{cls.__name__}"
    return f"{glasstorch_to_torch_name(cls.__module__)}.{cls.__name__}"


def report(error, script):
    """Print what stopped the program: one line for a missing feature or one of glasstorch's own user errors, else
    the program's own traceback."""
    script_dir = os.path.dirname(os.path.abspath(script))
    frame = _program_frame(error.__traceback__, script_dir)
    where = f"{os.path.relpath(frame.filename)}:{frame.lineno}" if frame else os.path.relpath(script)
    name = missing_name(error)
    if name is not None:
        print(t("run.missing", where=where, name=name), file=sys.stderr)
        return
    keyword = missing_keyword(error)
    if keyword is not None:
        print(t("run.keyword", where=where, function=keyword[0], keyword=keyword[1]), file=sys.stderr)
        return
    if isinstance(error, UserError):        # glasstorch's own one-line errors (a file, an option, weights)
        print(f"glasstorch run: {where}: {error}", file=sys.stderr)
        return
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR) and not f.filename.startswith("<frozen")
              and os.path.abspath(f.filename) != os.path.abspath(runpy.__file__)]
    print("Traceback (most recent call last, the program's frames):", file=sys.stderr)
    print("".join(traceback.format_list(frames)), end="", file=sys.stderr)
    print("".join(traceback.format_exception_only(type(error), error)), end="", file=sys.stderr)


class GradientTracker:
    """Records the gradient flow of every model that an optimizer steps (roots of the module trees whose
    parameters the optimizer holds) and writes each one's figures at the end. It sees the program's modules and
    optimizers through PyTorch's global hooks (every module's forward, every optimizer's step): nothing is patched."""

    def __init__(self, out_dir):
        import weakref

        self.out_dir = out_dir
        self.modules = weakref.WeakSet()        # every module that ran forward
        self.recorders = {}            # id(optimizer) -> [recorder, ...]
        self._handles = []

    def __enter__(self):
        from .nn.module import register_module_forward_pre_hook
        from .optim.optimizer import register_optimizer_step_pre_hook

        def ran_forward(module, inputs):
            self.modules.add(module)

        def before_step(optimizer, args, kwargs):
            for recorder in self._recorders_of(optimizer):
                recorder.step()

        self._handles = [register_module_forward_pre_hook(ran_forward),
                         register_optimizer_step_pre_hook(before_step)]
        return self

    def _recorders_of(self, optimizer):
        from .diagnostics import GradientFlowRecorder
        from .diagnostics.gradient_flow import stepped_models

        if id(optimizer) not in self.recorders:
            self.recorders[id(optimizer)] = [GradientFlowRecorder(m) for m in stepped_models(optimizer, self.modules)]
        return self.recorders[id(optimizer)]

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        self.write()
        return False

    def write(self):
        recorders = [r for group in self.recorders.values() for r in group if r.records]
        if not recorders:
            print("glasstorch run: --track-gradients found no optimizer step to record", file=sys.stderr)
            return
        from .serialization import make_folder

        make_folder(self.out_dir, "--out")
        for k, recorder in enumerate(recorders):
            name = type(recorder.model).__name__ + (f"-{k}" if len(recorders) > 1 else "")
            paths = recorder.save_figures(self.out_dir, prefix=f"gradient_flow_{name}")
            print(f"\ngradient flow of {name} over {len(recorder.records)} steps:\n{recorder.summary()}\nwrote "
                  f"{', '.join(paths)}", file=sys.stderr)


class BackwardExplainer:
    """Writes the explain page of the program's Nth backward call (counting from 1): the graph, values and
    gradients of the loss it was called on, seen through autograd's backward pre-hook (nothing is patched)."""

    def __init__(self, path, script, call=1):
        self.path, self.script, self.call = path, os.path.abspath(script), call
        self.calls, self.written, self._handle = 0, None, None

    def __enter__(self):
        from .autograd import register_backward_pre_hook

        self._handle = register_backward_pre_hook(self._on_backward)
        return self

    def _on_backward(self, tensors):
        self.calls += 1
        if self.calls != self.call or self.written is not None:
            return
        from .explain import explain

        loss = tensors[0]
        self.written = explain(loss, names=self._names_in_program()).save(self.path)
        print(f"glasstorch run: wrote {self.written} (the graph of backward call {self.call}, loss "
              f"{float(loss.item()):.6g})", file=sys.stderr)

    def _names_in_program(self):
        """The program's own names for its tensors and its models' parameters ("w", "model.fc1.weight"), from the
        variables of its frames that are running now."""
        from .nn.module import Module
        from .tensor import Tensor

        names = {}
        frame = sys._getframe()
        while frame is not None:
            if os.path.abspath(frame.f_code.co_filename) == self.script:
                for name, value in {**frame.f_globals, **frame.f_locals}.items():
                    if isinstance(value, Tensor):
                        names.setdefault(name, value)
                    elif isinstance(value, Module):
                        for inner, parameter in value.named_parameters():
                            names.setdefault(f"{name}.{inner}", parameter)
            frame = frame.f_back
        return names

    def __exit__(self, *exc):
        self._handle.remove()
        if self.written is None and exc[0] is None:
            print(f"glasstorch run: --explain: the program made {self.calls} backward call"
                  f"{'s' * (self.calls != 1)}, so there was no call {self.call} to explain", file=sys.stderr)
        return False


def run(script, args=(), track_gradients=False, out_dir=None, explain_out=None, explain_call=1, tensorboard=False):
    """Run `script` as __main__ on glasstorch; returns the exit code. explain_out: write the explain page of its
    explain_call-th backward call there; tensorboard: TensorBoard logs of its training into out_dir."""
    if not os.path.isfile(script):
        print(f"glasstorch run: no such program: {script}", file=sys.stderr)
        return 2
    install()
    argv, path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    out_dir = out_dir or os.path.join("runs", "run-" + os.path.splitext(os.path.basename(script))[0])
    try:
        with contextlib.ExitStack() as watching:
            if track_gradients:
                watching.enter_context(GradientTracker(out_dir))
            if tensorboard:
                from .utils.tensorboard.program import ProgramBoard

                watching.enter_context(ProgramBoard(out_dir))
            if explain_out is not None:
                watching.enter_context(BackwardExplainer(explain_out, script, explain_call))
            runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)       # sys.exit("message"), as Python shows it
        return 1
    except KeyboardInterrupt:
        print("glasstorch run: interrupted", file=sys.stderr)
        return 130
    except Exception as error:      # the program's failure, reported without glasstorch's internals
        report(error, script)
        return 1
    finally:
        sys.argv = argv
        if path0 is not None and sys.path and sys.path[0] != path0:
            sys.path.pop(0)
    return 0
