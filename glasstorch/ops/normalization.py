"""Batch normalization over every axis except the channel axis 1.

Training: m, v = mean and biased variance of the batch, x^ = (x - m) / sqrt(v + eps), y = gamma x^ + beta;
the running statistics move by `momentum` (running_var uses the unbiased variance).
Backward (training), with n values per channel and dx^ = dL/dy gamma:
    dL/dx = (dx^ - mean(dx^) - x^ mean(dx^ x^)) / sqrt(v + eps),
    dL/dgamma = sum dL/dy x^,   dL/dbeta = sum dL/dy.
Eval: m, v are the running statistics (constants), so dL/dx = dL/dy gamma / sqrt(v + eps).
"""
from ..autograd import function
from ..autograd.function import Function
from ..backend import xp


class BatchNorm(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = [1] * x.ndim
        shape[1] = x.shape[1]
        if training:
            n = x.size // x.shape[1]
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * var * (n / max(n - 1, 1))
        else:
            mean, var = running_mean, running_var
        inv_std = (1 / xp.sqrt(var + eps)).astype(x.dtype)
        x_hat = (x - mean.reshape(shape)) * inv_std.reshape(shape)
        # never x_hat itself: backward needs it unchanged by an in-place op on the output (relu(out, inplace=True))
        out = x_hat.copy() if weight is None else x_hat * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.meta = (axes, shape, training)
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, weight = ctx.saved_tensors
        axes, shape, training = ctx.meta
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_w = (g * x_hat).sum(axis=axes) if need_w else None
        grad_b = g.sum(axis=axes) if need_b else None
        grad_x = None
        if need_x:
            d_hat = g if weight is None else g * weight.reshape(shape)
            if training:
                grad_x = (d_hat - d_hat.mean(axis=axes, keepdims=True)
                          - x_hat * (d_hat * x_hat).mean(axis=axes, keepdims=True)) * inv_std.reshape(shape)
            else:
                grad_x = d_hat * inv_std.reshape(shape)
        return grad_x, grad_w, grad_b, None, None, None, None, None

    def backward_graph(self, g):
        """The same gradients with x_hat rebuilt from x in differentiable ops (in training the batch's mean and
        variance depend on x; in evaluation the running statistics are constants)."""
        _, inv_std_array, _ = self.saved_tensors
        axes, shape, training = self.meta
        x, eps = self.input_tensor(0), self.inputs[7]
        weight = self.input_tensor(1) if self.inputs[1] is not None else None
        if training:
            centered = x - x.mean(axes, keepdim=True)
            inv_std = ((centered * centered).mean(axes, keepdim=True) + eps) ** -0.5
        else:
            centered = x - function.Tensor._make(xp.asarray(self.inputs[3]).reshape(shape))
            inv_std = function.Tensor._make(inv_std_array.reshape(shape))
        x_hat = centered * inv_std
        need_x, need_w, need_b = self.needs_input_grad[:3]
        grad_w = (g * x_hat).sum(axes) if need_w else None
        grad_b = g.sum(axes) if need_b else None
        grad_x = None
        if need_x:
            d_hat = g if weight is None else g * weight.reshape(shape)
            if training:
                grad_x = (d_hat - d_hat.mean(axes, keepdim=True)
                          - x_hat * (d_hat * x_hat).mean(axes, keepdim=True)) * inv_std
            else:
                grad_x = d_hat * inv_std
        return grad_x, grad_w, grad_b, None, None, None, None, None


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    if input.dim() < 2:
        raise ValueError(f"batch_norm: expected 2D or more input (N, C, ...), got input of shape {tuple(input.shape)}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements (one per channel of input "
                               f"shape {tuple(input.shape)}), got shape {tuple(t.shape)}")
    if training and input.numel() // channels <= 1:
        raise ValueError(f"batch_norm: Expected more than 1 value per channel when training, got input size {list(input.shape)}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var must be given in eval mode")
    stats = [None if t is None else t._data for t in (running_mean, running_var)]
    return BatchNorm.apply(input, weight, bias, *stats, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over the last len(normalized_shape)
    dims of each sample. Built from glasstorch's ops, so its backward (and every higher one) is theirs:
    dL/dx = (1/sigma)(g - mean(g) - x_hat mean(g x_hat)) with g = dL/dy * weight."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"layer_norm: Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} should have shape {list(shape)}, got {list(t.shape)}")
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    variance = (centered * centered).mean(dims, keepdim=True)
    out = centered / (variance + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
