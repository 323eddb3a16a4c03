"""Module: the base of every layer. Assigning a Parameter, a Module or a buffer to an attribute registers it,
so parameters(), state_dict() and print(model) see the whole tree with PyTorch's names."""
import collections
import html
import itertools

from .. import dtypes
from ..autograd import grad_mode
from ..autograd.function import RemovableHandle
from ..autograd.scope import module_scope
from ..creation import from_numpy
from ..tensor import Tensor, check_device
from .hooks import BackwardHookState
from .parameter import Parameter

IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])

# Hooks on every module's forward (PyTorch's torch.nn.modules.module.register_module_forward_*hook): they run
# before the module's own hooks.
_global_forward_pre_hooks = {}
_global_forward_hooks = {}


def register_module_forward_pre_hook(hook):
    """hook(module, inputs) -> None or replacement inputs, before the forward of every module. Returns a handle
    whose remove() takes it away."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook):
    """hook(module, inputs, output) -> None or a replacement output, after the forward of every module."""
    handle = RemovableHandle(_global_forward_hooks)
    _global_forward_hooks[handle.id] = hook
    return handle


class Module:
    """Base class of layers and models: define submodules in __init__ and the computation in forward."""

    training: bool

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_forward_pre_hooks", {})
        object.__setattr__(self, "_backward_hooks", {})

    # ------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        registries = self.__dict__
        if isinstance(value, (Parameter, Module)):
            if "_parameters" not in registries:
                raise AttributeError(f"cannot assign {type(value).__name__} before Module.__init__() call "
                                     f"(call super().__init__() first in {type(self).__name__}.__init__)")
            target = "_parameters" if isinstance(value, Parameter) else "_modules"
            registries.pop(name, None)
            for registry in ("_parameters", "_modules", "_buffers"):
                registries[registry].pop(name, None)
            registries[target][name] = value
        elif name in registries.get("_parameters", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            registries["_parameters"][name] = None
        elif name in registries.get("_modules", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            registries["_modules"][name] = None
        elif name in registries.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(torch.Tensor or None expected)")
            registries["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            values = self.__dict__.get(registry)
            if values is not None and name in values:
                return values[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(registry, {}):
                del self.__dict__[registry][name]
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name, param):
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        self.__dict__.pop(name, None)
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (torch Tensor or None required)")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self.__dict__.pop(name, None)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        module = self
        for part in target.split(".") if target else []:
            module = getattr(module, part)
        return module

    # ------------------------------------------------------------ running
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        """forward with its hooks."""
        for hook in [*_global_forward_pre_hooks.values(), *self._forward_pre_hooks.values()]:
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        hook_state = None
        if self._backward_hooks and grad_mode.is_grad_enabled():
            hook_state = BackwardHookState(self, self._backward_hooks, args)
            args = hook_state.wrap_inputs(args)
        with module_scope(self):
            output = self.forward(*args, **kwargs)
        for hook in [*_global_forward_hooks.values(), *self._forward_hooks.values()]:
            result = hook(self, args, output)
            if result is not None:
                output = result
        if hook_state is not None:
            output = hook_state.wrap_output(output)
        return output

    def _add_hook(self, registry, hook):
        handle = RemovableHandle(registry)
        registry[handle.id] = hook
        return handle

    def register_forward_hook(self, hook):
        """hook(module, inputs, output) -> None or a replacement output, after forward."""
        return self._add_hook(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook):
        """hook(module, inputs) -> None or replacement inputs, before forward."""
        return self._add_hook(self._forward_pre_hooks, hook)

    def register_full_backward_hook(self, hook):
        """hook(module, grad_input, grad_output) -> None or a replacement grad_input."""
        return self._add_hook(self._backward_hooks, hook)

    # ------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in memo:
                continue
            memo.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ------------------------------------------------------------ modes and conversion
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.write_(0)

    def apply(self, fn):
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs):
        """Convert floating-point parameters and buffers to a dtype (in place); devices other than CPU are refused."""
        target = kwargs.get("dtype")
        for arg in list(args) + [kwargs.get("device")]:
            if isinstance(arg, Tensor):
                target = arg.dtype
            elif isinstance(arg, dtypes.dtype):
                target = arg
            else:
                check_device(arg)
        if target is not None:
            target = dtypes.to_dtype(target)
            if not target.is_floating_point:
                raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={target}")
            for tensor in itertools.chain(self.parameters(), self.buffers()):
                if tensor.is_floating_point():
                    tensor.data = from_numpy(tensor.array.astype(target.numpy))
                    if tensor.grad is not None:
                        tensor.grad.data = from_numpy(tensor.grad.array.astype(target.numpy))
        return self

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def cpu(self):
        return self

    def cuda(self, device=None):
        check_device("cuda")

    def share_memory(self):
        return self

    # ------------------------------------------------------------ state
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Parameters and persistent buffers by dotted name (e.g. incept1.branch5x5_2.weight), in registration order."""
        destination = collections.OrderedDict() if destination is None else destination
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy tensors into this module's parameters and buffers; report (or, strict, raise on) key mismatches."""
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            source = state_dict[key]
            array = source.array if isinstance(source, Tensor) else _as_array(source)
            if tuple(array.shape) != tuple(target.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape {_size(array.shape)} from "
                              f"checkpoint, the shape in current model is {_size(target.shape)}.")
                continue
            target.data = from_numpy(array.astype(target.array.dtype, copy=True))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ printing
    def extra_repr(self):
        return ""

    def _get_name(self):
        return type(self).__name__

    def _repr_html_(self):
        """The module in a notebook: its tree, each part with its own and its total parameter count."""
        return f"<ul class='glasstorch-module'>{_module_item('', self)}</ul>"

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(module).replace("\n", "\n  ") for name, module in self._modules.items()]
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        lines = extra_lines + child_lines
        body = ("\n  " + "\n  ".join(lines) + "\n") if lines else ""
        return f"{self._get_name()}({body})"


def _size(shape):
    return f"torch.Size({list(shape)})"


def _as_array(value):
    from ..backend import xp

    return xp.asarray(value)


def _module_item(name, m):
    own = sum(p.numel() for p in m.parameters(recurse=False))
    total = sum(p.numel() for p in m.parameters())
    children = "".join(_module_item(n, c) for n, c in m.named_children())
    label = f"<b>{html.escape(name)}</b> " if name else ""
    extra = html.escape(m.extra_repr())
    counts = f"{total:,} parameters" + (f" ({own:,} its own)" if own and own != total else "")
    inner = f"<ul>{children}</ul>" if children else ""
    return f"<li>{label}{type(m).__name__}({extra}) &middot; {counts}{inner}</li>"
