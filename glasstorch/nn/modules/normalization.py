"""LayerNorm: normalise each sample over its last dims, then scale and shift elementwise."""
from ... import creation
from ...ops.normalization import layer_norm
from ..module import Module
from ..parameter import Parameter


class LayerNorm(Module):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the last len(normalized_shape) dims."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self._has_bias = elementwise_affine and bias
        self.register_parameter("weight", Parameter(creation.ones(*shape, dtype=dtype)) if elementwise_affine else None)
        self.register_parameter("bias", Parameter(creation.zeros(*shape, dtype=dtype))
                                if elementwise_affine and bias else None)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self._has_bias}")
