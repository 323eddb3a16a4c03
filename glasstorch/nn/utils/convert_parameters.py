"""Flatten parameters into one vector and back."""
from ...ops.shape import cat


def parameters_to_vector(parameters):
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    offset = 0
    for p in parameters:
        n = p.numel()
        p.write_(vec.array[offset:offset + n].reshape(p.shape))
        offset += n
