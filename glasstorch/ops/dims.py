"""Dimension arguments as PyTorch reads them: negatives count from the end, errors name the op."""


def normalize_dims(dim, ndim, op="op"):
    """Turn `dim` (None, int or sequence, negatives allowed) into a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    bound = max(ndim, 1)
    for d in dims:
        if not -bound <= d < bound:
            raise IndexError(
                f"{op}: Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], but got {d})")
        out.append(d % bound if ndim else 0)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(out))
