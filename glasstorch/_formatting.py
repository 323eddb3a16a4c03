"""`repr` of tensors in PyTorch's style: tensor([1.0000, 2.5000], requires_grad=True)."""
import html

import numpy as np

from . import dtypes


def _float_formatter(values):
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return lambda v: _special(v) or f"{v:.4f}"
    magnitudes = np.abs(finite)
    nonzero = magnitudes[magnitudes > 0]
    all_integral = np.all(finite == np.round(finite))
    if all_integral and (magnitudes.max() < 1e8):
        width = max(len(f"{v:.0f}.") for v in finite)
        return lambda v: (_special(v) or f"{v:.0f}.").rjust(width)
    sci = nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4)
    spec = "{:.4e}" if sci else "{:.4f}"
    width = max(len(spec.format(v)) for v in finite)
    return lambda v: (_special(v) or spec.format(v)).rjust(width)


def _special(v):
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return None


def format_tensor(tensor):
    data = tensor._data
    suffix = []
    default_dtypes = (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool)
    if tensor.dtype not in default_dtypes:
        suffix.append(f"dtype={tensor.dtype!r}")
    if tensor.grad_fn is not None:
        suffix.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffix.append("requires_grad=True")
    if data.size == 0:
        body = "[]" if data.ndim == 1 else f"[], size={tuple(data.shape)}"
        return "tensor(" + ", ".join([body] + suffix) + ")"
    if data.dtype.kind == "f":
        formatter = {"float_kind": _float_formatter(data.astype(np.float64))}
    elif data.dtype.kind == "b":
        formatter = {"bool": lambda v: " True" if v else "False"}
    else:
        formatter = None
    threshold = 1000
    body = np.array2string(data, separator=", ", prefix="tensor(", formatter=formatter,
                           threshold=threshold, edgeitems=3, max_line_width=80)
    return "tensor(" + ", ".join([body] + suffix) + ")"


def format_tensor_html(tensor):
    """A tensor in a notebook: shape, dtype, grad_fn, and its values (small) or their statistics (large)."""
    array = tensor.detach().numpy()
    head = (f"<b>tensor</b> shape {tuple(tensor.shape)} &middot; {tensor.dtype.name}"
            + (f" &middot; grad_fn {html.escape(tensor.grad_fn.name())}" if tensor.grad_fn is not None else "")
            + (" &middot; requires_grad" if tensor.requires_grad else ""))
    if array.size <= 64:
        body = f"<pre>{html.escape(repr(tensor))}</pre>"
    else:
        values = array.astype(np.float64)
        body = ("<table>" + "".join(f"<tr><td>{k}</td><td>{v:.6g}</td></tr>" for k, v in
                (("mean", values.mean()), ("std", values.std()), ("min", values.min()), ("max", values.max())))
                + "</table>")
    return f"<div class='glasstorch-tensor'>{head}{body}</div>"
