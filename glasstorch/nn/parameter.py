"""Parameter: a leaf tensor that a Module registers as learnable."""
from ..backend import xp
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that requires grad by default and is registered when assigned to a Module attribute."""

    def __init__(self, data=None, requires_grad=True):
        array = xp.zeros(0, dtype=xp.float32) if data is None else (
            data.array if isinstance(data, Tensor) else xp.asarray(data))
        self._init(array, False, None)
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
