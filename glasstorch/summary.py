"""What a model is made of, in the terminal: summary(model, input_size) prints torchinfo's columns: each layer
(indented by depth, with its index), the shape of its output for an input of `input_size`, and its own parameter
count; then the totals. (In a notebook a tensor and a module show themselves: their `_repr_html_`.)"""

from .autograd import grad_mode
from .creation import zeros


def summary(model, input_size, dtype=None):
    """Print and return the table of `model` run on zeros of `input_size` (batch included, as torchinfo's)."""
    from .nn.module import register_module_forward_hook

    rows, depth_of = [], {}
    for depth_name, module in model.named_modules():
        depth_of[id(module)] = depth_name.count(".") + 1 if depth_name else 0
    shapes = {}

    def record(module, inputs, output):
        shapes.setdefault(id(module), tuple(output.shape) if hasattr(output, "shape") else type(output).__name__)

    handle = register_module_forward_hook(record)
    try:
        with grad_mode.no_grad():
            model(zeros(*input_size, dtype=dtype))
    finally:
        handle.remove()
    counters = {}
    for name, module in model.named_modules():
        depth = depth_of[id(module)]
        counters[depth] = counters.get(depth, 0) + 1
        own = sum(p.numel() for p in module.parameters(recurse=False))
        label = f"{type(module).__name__}: {depth}-{counters[depth]}" if depth else type(module).__name__
        rows.append(("    " * depth + label, _shape(shapes.get(id(module))), f"{own:,}" if own else "--"))
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    width = max(len(r[0]) for r in rows) + 2
    lines = [f"{'Layer (type:depth-idx)':<{width}}{'Output Shape':<24}{'Param #':>12}", "=" * (width + 36)]
    lines += [f"{a:<{width}}{b:<24}{c:>12}" for a, b, c in rows]
    lines += ["=" * (width + 36), f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    text = "\n".join(lines)
    print(text)
    return text


def _shape(shape):
    return "--" if shape is None else (str(list(shape)) if isinstance(shape, tuple) else shape)
