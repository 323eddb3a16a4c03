"""Dropout: zero each element (Dropout2d: each channel) with probability p during training, scale the rest by
1/(1-p)."""
from ...ops.dropout import dropout, dropout2d
from ..module import Module


class Dropout(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Zero whole channels of an (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        return dropout2d(input, self.p, self.training, self.inplace)
