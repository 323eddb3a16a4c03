"""BatchNorm1d/2d: normalise each channel by batch statistics (training) or running statistics (eval),
then scale by weight (gamma) and shift by bias (beta). See glasstorch.ops.normalization for the math."""
from ... import creation, dtypes
from ...autograd.grad_mode import no_grad
from ...ops.normalization import batch_norm
from .. import init
from ..module import Module
from ..parameter import Parameter


class _BatchNorm(Module):
    input_dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.register_parameter("weight", Parameter(creation.ones(num_features, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(creation.zeros(num_features, dtype=dtype))
                                if affine and bias else None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def forward(self, input):
        if input.dim() not in self.input_dims:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected "
                             f"{' or '.join(f'{d}D' for d in self.input_dims)} input (got {input.dim()}D input of "
                             f"shape {tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            raise RuntimeError(f"{type(self).__name__}({self.num_features}): input has {input.shape[1]} channels "
                               f"(input shape {tuple(input.shape)})")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:   # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or self.running_mean is None
        tracked = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if tracked else None, self.running_var if tracked else None,
                          self.weight, self.bias, use_batch_stats, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Input (N, C) or (N, C, L)."""

    input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Input (N, C, H, W)."""

    input_dims = (4,)
