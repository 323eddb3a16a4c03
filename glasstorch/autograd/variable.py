"""autograd.Variable: since PyTorch 0.4 a Variable is the tensor itself."""
from . import function


def Variable(data, requires_grad=False, volatile=False):
    """Variable(t) returns t; requires_grad=True marks it as a leaf that wants a gradient."""
    if not isinstance(data, function.Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data
