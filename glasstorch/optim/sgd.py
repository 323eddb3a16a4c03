"""Stochastic gradient descent with momentum (the notes' w <- w - lr dL/dw, plus a velocity)."""
from ..backend import xp
from .optimizer import Optimizer, implementation_flags, required


class SGD(Optimizer):
    """g = dL/dw + weight_decay w
    v = g (first step), else v = momentum v + (1 - dampening) g
    d = g + momentum v (nesterov) or v (momentum > 0) or g
    w = w - lr d
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize,
                                      **implementation_flags("SGD", foreach, differentiable, fused=fused)))

    def update(self, param, grad, state, group):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                state["momentum_buffer"] = self.state_tensor(xp.array(grad, copy=True))
                buffer = state["momentum_buffer"].array
            else:
                buffer = buffer.array
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= group["lr"] * grad
