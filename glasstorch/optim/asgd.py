"""ASGD (averaged SGD) and Rprop (resilient backpropagation, sign-based steps)."""
from ..backend import xp
from ..creation import tensor
from .adadelta import _check
from .optimizer import Optimizer, implementation_flags


class ASGD(Optimizer):
    """t = t + 1;  g = dL/dw + weight_decay w;  w = w (1 - lambd eta) - eta g
    ax = w while mu = 1, then ax = ax + mu (w - ax)  (the running average of the iterates)
    eta = lr / (1 + lambd lr t)^alpha;  mu = 1 / max(1, t - t0)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, *, foreach=None, maximize=False,
                 differentiable=False, capturable=False):
        _check(lr, 0.0, weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize,
                                      **implementation_flags("ASGD", foreach, differentiable, capturable=capturable)))

    def update(self, param, grad, state, group):
        lr, lambd = group["lr"], group["lambd"]
        if not state:
            state["step"] = tensor(0.0)
            state["eta"] = tensor(float(lr))
            state["mu"] = tensor(1.0)
            state["ax"] = self.state_tensor(xp.zeros_like(param))
        with state["step"].modify() as step_count:
            step_count += 1
        step = float(state["step"].item())
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        eta = float(state["eta"].item())
        param *= 1 - lambd * eta
        param -= eta * grad
        ax = state["ax"].array
        if float(state["mu"].item()) != 1:
            ax += (param - ax) * state["mu"].array
        else:
            ax[...] = param
        state["eta"].write_(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        state["mu"].write_(1 / max(1, step - group["t0"]))


class Rprop(Optimizer):
    """Per weight: s = s * eta_plus where g and the previous g agree in sign, s * eta_minus where they differ
    (then g counts as 0 for this step and the next comparison), clamped to step_sizes; w = w - sign(g) s."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize,
                                      **implementation_flags("Rprop", foreach, differentiable, capturable=capturable)))

    def update(self, param, grad, state, group):
        (eta_minus, eta_plus), (smallest, largest) = group["etas"], group["step_sizes"]
        if not state:
            state["step"] = tensor(0.0)
            state["prev"] = self.state_tensor(xp.zeros_like(param))
            state["step_size"] = self.state_tensor(xp.full_like(param, group["lr"]))
        with state["step"].modify() as step_count:
            step_count += 1
        prev, step_size = state["prev"].array, state["step_size"].array
        agreement = xp.sign(grad * prev)
        factor = xp.where(agreement > 0, eta_plus, xp.where(agreement < 0, eta_minus, 1.0)).astype(param.dtype)
        step_size *= factor
        xp.clip(step_size, smallest, largest, out=step_size)
        grad = xp.where(agreement < 0, 0, grad).astype(param.dtype)
        param -= xp.sign(grad) * step_size
        prev[...] = grad
