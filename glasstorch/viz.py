"""The computational graph behind a tensor, as Graphviz DOT text (no Graphviz needed to build it).

Each box is an op's backward node (the chain-rule step backward will take) with the shape it produced;
each ellipse is a leaf tensor, filled when it requires grad (a parameter gets its name).
"""
import shutil
import subprocess
from pathlib import Path


def to_dot(tensor, params=None, title=None):
    """DOT text of the graph that produced `tensor`; `params` maps names to tensors (model.named_parameters())."""
    names = {id(t): name for name, t in (dict(params) if params is not None else {}).items()}
    lines = ["digraph glasstorch {", '  rankdir="BT";', '  node [fontname="Helvetica", fontsize=10];']
    if title:
        lines.append(f'  label="{title}"; labelloc="t";')
    seen = set()
    if tensor.grad_fn is None:
        lines.append(f'  t{id(tensor)} [shape=ellipse, label="{_leaf_label(tensor, names)}"];')
    else:
        lines.append(f'  out [shape=plaintext, label="output {_shape(tensor.shape)}"];')
        lines.append(f"  n{id(tensor.grad_fn)} -> out;")
        stack = [tensor.grad_fn]
        seen.add(id(tensor.grad_fn))
        while stack:
            node = stack.pop()
            shape = _shape(getattr(node, "output_shape", ()))
            lines.append(f'  n{id(node)} [shape=box, style="rounded,filled", fillcolor="#e8eef9", '
                         f'label="{node.name()}\\n{shape}"];')
            for k, constant in enumerate(getattr(node, "constant_shapes", ())):
                lines.append(f'  c{id(node)}_{k} [shape=ellipse, label="tensor\\n{_shape(constant)}"];')
                lines.append(f"  c{id(node)}_{k} -> n{id(node)};")
            for parent in node.next_edges:
                if parent is None:
                    continue
                leaf = getattr(parent, "variable", None)
                if leaf is not None:
                    if id(parent) not in seen:
                        seen.add(id(parent))
                        lines.append(f'  n{id(parent)} [shape=ellipse, style=filled, fillcolor="#fde9c9", '
                                     f'label="{_leaf_label(leaf, names)}"];')
                elif id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
                lines.append(f"  n{id(parent)} -> n{id(node)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _shape(shape):
    return str(tuple(int(s) for s in shape))


def _leaf_label(t, names):
    name = names.get(id(t), "tensor")
    grad = "\\nrequires_grad" if t.requires_grad else ""
    return f"{name}\\n{_shape(t.shape)}{grad}"


def render(dot_text, path, format="svg"):
    """Write `path`.dot, and `path`.<format> when Graphviz's `dot` program is installed.

    Returns (written paths, message): the message says when no image was made and how to make one."""
    base = Path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    dot_path = base.with_suffix(".dot")
    dot_path.write_text(dot_text)
    dot = shutil.which("dot")
    if dot is None:
        return [dot_path], (f"Graphviz's `dot` program is not installed: wrote {dot_path} only (render it with "
                            f"`dot -T{format} {dot_path} -o {base.with_suffix('.' + format)}` after installing "
                            "graphviz, or paste it into any Graphviz viewer)")
    image = base.with_suffix("." + format)
    subprocess.run([dot, f"-T{format}", str(dot_path), "-o", str(image)], check=True)
    return [dot_path, image], f"wrote {dot_path} and {image}"
