"""Loss functions. Cross-entropy is log-softmax (stable log-sum-exp) followed by the negative log-likelihood.

    cross_entropy(x, t) = -log softmax(x)_t = -x_t + log sum_j e^(x_j)
    dL/dx_j = softmax(x)_j - [j = t]   (per sample, before reduction)
"""
import warnings

from ..autograd import function
from ..autograd.function import Function
from ..backend import xp
from .activation import Softplus, log_softmax
from .elementwise import where
from .formula import Formula

REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction, op):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction; use 'none', 'mean' or 'sum'")


def legacy_reduction(size_average, reduce, reduction, stacklevel=3):
    """The `reduction` that PyTorch's deprecated size_average/reduce arguments ask for (MSELoss(size_average=False),
    F.nll_loss(..., size_average=False) in older course code), with PyTorch's warning: reduce=False gives 'none',
    else size_average=False gives 'sum', else 'mean'."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is not None and not reduce:
        reduction = "none"
    else:
        reduction = "sum" if size_average is not None and not size_average else "mean"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  UserWarning, stacklevel=stacklevel)
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class NLLLoss(Function):
    """L_i = -w_{t_i} logp[i, t_i] (0 where t_i = ignore_index); mean divides by sum_i w_{t_i}.

    dL/dlogp[i, t_i] = -w_{t_i} dL/dL_i (/ sum w for the mean); every other entry, and every ignored row, gets 0
    (a batch whose targets are all ignored has a NaN mean loss, 0/0, and a zero gradient, as in PyTorch).
    """

    linear_in = 0

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction):
        rows = xp.moveaxis(logp, 1, -1).reshape(-1, logp.shape[1])
        flat_target = target.reshape(-1)
        keep = flat_target != ignore_index
        safe_target = xp.where(keep, flat_target, 0)
        class_weight = (weight[safe_target] if weight is not None else xp.ones(len(safe_target), logp.dtype)) * keep
        picked = rows[xp.arange(len(safe_target)), safe_target]
        losses = -picked * class_weight
        ctx.meta = (logp.shape, safe_target, class_weight, keep, reduction)
        if reduction == "none":
            return losses.reshape(target.shape).astype(logp.dtype)
        total = losses.sum()
        if reduction == "sum":
            return xp.asarray(total, dtype=logp.dtype)
        ctx.denominator = class_weight.sum()
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.asarray(total / ctx.denominator, dtype=logp.dtype)

    @staticmethod
    def backward(ctx, g):
        shape, target, class_weight, keep, reduction = ctx.meta
        scale = g.reshape(-1) if reduction == "none" else g
        if reduction == "mean":
            with xp.errstate(divide="ignore", invalid="ignore"):
                scale = scale / ctx.denominator
        with xp.errstate(invalid="ignore"):
            per_row = xp.where(keep, class_weight * scale, 0)
        moved_shape = (shape[0],) + tuple(shape[2:]) + (shape[1],)
        rows = xp.zeros((len(target), shape[1]), dtype=g.dtype)
        rows[xp.arange(len(target)), target] = -per_row
        return xp.moveaxis(rows.reshape(moved_shape), -1, 1), None, None, None, None


def _check_targets(input, target, op):
    if input.dim() == 1:
        expected = ()
    else:
        expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        if input.dim() >= 1 and target.dim() >= 1 and target.shape[0] != (input.shape[0] if input.dim() > 1 else 1):
            raise ValueError(f"{op}: Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}) (input shape {tuple(input.shape)}, target shape {tuple(target.shape)})")
        raise RuntimeError(f"{op}: expected target of shape {expected} for input of shape {tuple(input.shape)}, "
                           f"got target of shape {tuple(target.shape)}")
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected class-index targets of an integer dtype (torch.int64), got {target.dtype}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "nll_loss")
    if input.dim() < 1:
        raise ValueError(f"nll_loss: expected input of shape (C,) or (N, C, ...), got shape {tuple(input.shape)}")
    _check_targets(input, target, "nll_loss")
    classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    labels = target._data
    bad = (labels != ignore_index) & ((labels < 0) | (labels >= classes))
    if bad.any():
        raise IndexError(f"nll_loss: Target {int(labels[bad].reshape(-1)[0])} is out of bounds: the input has {classes} classes "
                         f"(valid targets are 0..{classes - 1})")
    if input.dim() == 1:
        loss = nll_loss(input.unsqueeze(0), target.unsqueeze(0), weight, ignore_index=ignore_index,
                        reduction=reduction)
        return loss.squeeze(0) if reduction == "none" else loss
    weight_array = None if weight is None else weight._data.astype(input._data.dtype)
    return NLLLoss.apply(input, labels, weight_array, ignore_index, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """-sum_c q_c log softmax(x)_c with q the one-hot target (or the given probabilities), smoothed by eps:
    q = (1 - eps) q + eps / C."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    if input.dim() < 1:
        raise ValueError(f"cross_entropy: expected input of shape (C,) or (N, C, ...), got shape {tuple(input.shape)}")
    class_dim = 1 if input.dim() > 1 else 0
    classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    if target._data.dtype.kind == "f":
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"cross_entropy: probability targets must have the input's shape {tuple(input.shape)}, "
                               f"got {tuple(target.shape)}")
        probs = target * (1 - label_smoothing) + label_smoothing / classes if label_smoothing else target
        weighted = logp if weight is None else logp * _class_shape(weight, input, class_dim)
        losses = -(weighted * probs).sum(class_dim)
        return _reduce(losses, reduction)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return loss
    weighted = logp if weight is None else logp * _class_shape(weight, input, class_dim)
    Tensor = function.Tensor
    keep = Tensor._make((target._data != ignore_index).astype(input._data.dtype))
    smooth = -weighted.sum(class_dim) * keep
    if reduction == "mean":
        if weight is None:
            kept = float(keep._data.sum())     # all ignored: a NaN loss (0/0) whose gradient is 0, as in PyTorch
            smooth = smooth.sum() / kept if kept else smooth.sum() * 0 + float("nan")
        else:
            safe = xp.where(keep._data > 0, target._data, 0)
            smooth = smooth.sum() / float((weight._data[safe] * keep._data).sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _class_shape(weight, input, class_dim):
    shape = [1] * input.dim()
    shape[class_dim] = input.shape[class_dim]
    return weight.reshape(shape)


def _check_same_shape(input, target, op):
    if tuple(input.shape) != tuple(target.shape):
        import warnings

        warnings.warn(f"{op}: Using a target size ({tuple(target.shape)}) that is different to the input size "
                      f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=3)


def _weighted_reduce(loss, weight, reduction, input, weighted_average=True):
    """Each element's loss times its weight, as PyTorch's mse_loss, l1_loss and huber_loss take weight=; 'mean' is
    then the weighted average sum(w L) / sum(w), except for huber_loss, whose PyTorch mean is mean(w L)."""
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    weighted = loss * weight
    if reduction == "mean" and weighted_average:
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """L = (x - y)^2 (then mean or sum).  dL/dx = 2 (x - y) / n for the mean."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "mse_loss")
    _check_same_shape(input, target, "mse_loss")
    diff = input - target
    return _weighted_reduce(diff * diff, weight, reduction, input)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """L = |x - y|.  dL/dx = sign(x - y)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "l1_loss")
    _check_same_shape(input, target, "l1_loss")
    return _weighted_reduce((input - target).abs(), weight, reduction, input)


def _quadratic_then_linear(diff, beta):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (smooth L1's elementwise loss). The quadratic branch
    squares only the small differences, so an infinite d gets the linear branch's gradient, not 0 inf = NaN."""
    size = diff.abs()
    small = ~(size >= beta)         # a NaN difference takes the quadratic branch: its gradient is NaN, as PyTorch's
    near = where(small, diff, 0.0)
    return where(small, 0.5 * near * near / beta, size - 0.5 * beta)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """L = 0.5 d^2 / beta for |d| < beta, |d| - 0.5 beta beyond (d = x - y).  dL/dx = d / beta, then sign(d)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "smooth_l1_loss")
    _check_same_shape(input, target, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = input - target
    return _reduce(diff.abs() if beta == 0 else _quadratic_then_linear(diff, beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """L = 0.5 d^2 for |d| < delta, delta (|d| - 0.5 delta) beyond: smooth L1 scaled by delta."""
    _check_reduction(reduction, "huber_loss")
    _check_same_shape(input, target, "huber_loss")
    return _weighted_reduce(_quadratic_then_linear(input - target, delta) * delta, weight, reduction, input,
                            weighted_average=False)


class BinaryCrossEntropy(Formula):
    """L = -w (t log p + (1 - t) log(1 - p)), each log clamped at -100 as in PyTorch.

    dL/dp = w (p - t) / max(p (1 - p), 1e-12).
    """

    @staticmethod
    def forward(ctx, p, t, w):
        ctx.save_for_backward(p, t, w)
        with xp.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(p), -100)
            log_1p = xp.maximum(xp.log1p(-p), -100)
        loss = -(t * log_p + (1 - t) * log_1p)
        return loss if w is None else loss * w

    def gradient(self, m, g):
        p, t, w = m.saved(self)
        grad = g * (p - t) / m.clamp_min(p * (1 - p), 1e-12)
        grad_t = None
        if self.needs_input_grad[1]:
            grad_t = g * (m.log1p(-p) - m.log(p))           # unclamped: inf at p = 0 or 1, as PyTorch
            grad_t = grad_t if w is None else grad_t * w
        return (grad if w is None else grad * w), grad_t, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "binary_cross_entropy")
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"binary_cross_entropy: Using a target size ({tuple(target.shape)}) that is different to "
                         f"the input size ({tuple(input.shape)}) is deprecated. Please ensure they have the same size.")
    p = input._data
    if ((p < 0) | (p > 1)).any() or xp.isnan(p).any():
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1 (apply sigmoid "
                           "first, or use binary_cross_entropy_with_logits)")
    w = None if weight is None else xp.broadcast_to(weight._data, p.shape).astype(p.dtype)
    target = target.to(input.dtype)
    return _reduce(BinaryCrossEntropy.apply(input, target, w), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """L = (1 - t) x + (1 + (pw - 1) t) softplus(-x)  (= -[t log s(x) + (1 - t) log(1 - s(x))], stable)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"binary_cross_entropy_with_logits: Target size ({tuple(target.shape)}) must be the same "
                         f"as input size ({tuple(input.shape)})")
    log_one_plus = Softplus.apply(-input, 1.0, 20.0)
    coefficient = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * input + coefficient * log_one_plus
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
