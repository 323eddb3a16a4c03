"""Optimizer base: parameter groups with their own options, per-parameter state, and state dicts.

A subclass implements `update(param, grad, state, group)` on raw arrays, in place; `step()` calls it for
every parameter that has a gradient, inside `p.modify()`, so each step counts one more version of the parameter
(a value saved for backward before the step is refused after it). The state tensors (momentum buffers, Adam's
moments) are the optimizer's own and never enter a graph: update() changes them through their `.array` directly.
"""
import collections
import copy
import functools

from ..autograd.function import RemovableHandle
from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import xp
from ..creation import from_numpy
from ..tensor import Tensor

# Hooks on every optimizer's step (PyTorch's torch.optim.optimizer.register_optimizer_step_*_hook): hook(optimizer,
# args, kwargs), before (pre) or after (post) step, around the optimizer's own hooks.
_global_step_pre_hooks = {}
_global_step_post_hooks = {}


def register_optimizer_step_pre_hook(hook):
    """hook(optimizer, args, kwargs) before every optimizer's step (None, or (args, kwargs) to replace them)."""
    return _add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """hook(optimizer, args, kwargs) after every optimizer's step."""
    return _add_hook(_global_step_post_hooks, hook)


def _add_hook(registry, hook):
    handle = RemovableHandle(registry)
    registry[handle.id] = hook
    return handle


def _with_step_hooks(step):
    """step(), with the global and the optimizer's own step hooks around it (every subclass's step gets it)."""
    @functools.wraps(step)
    def hooked_step(self, *args, **kwargs):
        for hook in [*_global_step_pre_hooks.values(), *self._step_pre_hooks.values()]:
            result = hook(self, args, kwargs)
            if result is not None:
                args, kwargs = result
        out = step(self, *args, **kwargs)
        for hook in [*self._step_post_hooks.values(), *_global_step_post_hooks.values()]:
            hook(self, args, kwargs)
        return out
    hooked_step.runs_step_hooks = True
    return hooked_step


def implementation_flags(optimizer, foreach=None, differentiable=False, **more):
    """PyTorch's flags that choose how a step is computed, not what it computes (foreach: one kernel over a list
    of tensors; fused: one kernel per step; capturable: safe inside a CUDA graph). They go into the param groups
    as PyTorch keeps them, so state_dicts have PyTorch's keys; glasstorch computes the same step whatever they say.
    differentiable=True, a step recorded in the graph so that it can be differentiated, is refused."""
    if differentiable:
        raise NotImplementedError(f"{optimizer}(differentiable=True): glasstorch's optimizers update parameters in "
                                  "place outside the graph, so their step cannot be differentiated")
    return dict(foreach=foreach, differentiable=differentiable, **more)


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in vars(cls) and not getattr(cls.step, "runs_step_hooks", False):
            cls.step = _with_step_hooks(cls.step)

    def __init__(self, params, defaults):
        self._step_pre_hooks, self._step_post_hooks = {}, {}
        self.defaults = defaults
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        group["params"] = list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.write_(0)

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad.array
                    if group.get("maximize", False):
                        grad = -grad
                    with p.modify() as values:       # one more version of p, as p.add_() would record
                        self.update(values, grad, self.state[p], group)
        return loss

    step = _with_step_hooks(step)

    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) before this optimizer's step (None, or (args, kwargs) to replace them)."""
        return _add_hook(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs) after this optimizer's step."""
        return _add_hook(self._step_post_hooks, hook)

    def update(self, param, grad, state, group):
        raise NotImplementedError

    @staticmethod
    def state_tensor(array):
        return from_numpy(array)

    # ------------------------------------------------------------ state dicts (PyTorch's layout)
    def state_dict(self):
        """{'state': {index: {name: tensor or number}}, 'param_groups': [{option: value, 'params': [index, ...]}]}"""
        index_of, groups, next_index = {}, [], 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                if id(p) not in index_of:
                    index_of[id(p)] = next_index
                    next_index += 1
                packed["params"].append(index_of[id(p)])
            groups.append(packed)
        state = {index_of[id(p)]: {k: (v.clone() if isinstance(v, Tensor) else copy.deepcopy(v)) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, theirs in zip(self.param_groups, groups):
            if len(ours["params"]) != len(theirs["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        param_of = {}
        for ours, theirs in zip(self.param_groups, groups):
            for p, index in zip(ours["params"], theirs["params"]):
                param_of[int(index)] = p
            for key, value in theirs.items():
                if key != "params":
                    ours[key] = tuple(value) if isinstance(value, list) and key == "betas" else value
        self.state = collections.defaultdict(dict)
        for index, saved in state_dict["state"].items():
            p = param_of[int(index)]
            entry = {}
            for key, value in saved.items():
                if isinstance(value, Tensor):
                    array = value.array
                    if key != "step" and array.dtype.kind == "f":
                        array = array.astype(p.array.dtype)
                    value = from_numpy(xp.array(array, copy=True))
                entry[key] = value
            self.state[p] = entry

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"
