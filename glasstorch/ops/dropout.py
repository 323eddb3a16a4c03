"""Dropout: elements (dropout) or whole channels (dropout2d) zeroed at random, the rest scaled up."""
import warnings

from .. import random
from ..autograd.function import Function


class Dropout(Function):
    """y = x * m / (1 - p), m ~ Bernoulli(1 - p).  dL/dx = dL/dy * m / (1 - p)."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, scaled_mask):
        ctx.scaled_mask = scaled_mask
        return x * scaled_mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scaled_mask, None


def dropout(x, p=0.5, training=True, inplace=False, generator=None):
    """Each element zeroed with probability p, the rest scaled by 1/(1-p)."""
    return _dropout(x, p, training, inplace, generator, x.shape, "dropout")


def dropout2d(x, p=0.5, training=True, inplace=False, generator=None):
    """Whole channels zeroed with probability p: one draw per (sample, channel) of an (N, C, H, W) input,
    broadcast over the pixels. Other ranks as PyTorch 2 reads them, with its warnings: 3-D as (N, C, L),
    2-D as (N, C) (so elementwise), 5-D and up channel-wise over the rest; 1-D is refused."""
    if x.dim() < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (dropout2d got shape "
                           f"{tuple(x.shape)})")
    if x.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", UserWarning, stacklevel=3)
    elif x.dim() != 4:
        warnings.warn(f"dropout2d: Received a {x.dim()}-D input to dropout2d, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", UserWarning, stacklevel=3)
    return _dropout(x, p, training, inplace, generator, tuple(x.shape[:2]) + (1,) * (x.dim() - 2), "dropout2d")


def _dropout(x, p, training, inplace, generator, mask_shape, op):
    if not 0 <= p <= 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    keep = random.generator(generator).random(mask_shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    scaled_mask = (keep * scale).astype(x._data.dtype)
    if inplace:
        return x._inplace(lambda t: Dropout.apply(t, scaled_mask))
    return Dropout.apply(x, scaled_mask)
