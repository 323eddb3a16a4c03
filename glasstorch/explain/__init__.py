"""See backprop happen: `glasstorch.explain(loss)` shows every number of the chain rule on your own program.

    loss = ((w * x - y) ** 2).sum()
    page = glasstorch.explain(loss, names={"w": w})
    page.save("explain.html")            # one self-contained HTML file: no network, no Graphviz

The page steps forward through every node (its value), then backward (the gradient of the loss with respect to
each node, written out as the chain-rule product with its numbers), and shows beside each weight a float64 finite
difference of the loss. In Jupyter the Explanation displays itself. The graph, the values and the gradients are
taken from autograd (no `.grad` is touched); the page only draws them.
"""
import dataclasses
import html
import json
from pathlib import Path

from ..autograd import function
from ..errors import InvalidOption
from .. import i18n
from ..serialization import write_atomic
from .graph import Edge, Node, finite_differences, gradients, summarize, walk

COLUMN, ROW = 190, 80      # the layout: one column per depth (inputs on the left), one row per node of a column


@dataclasses.dataclass
class Explanation:
    nodes: list
    edges: list
    loss: float
    loss_label: str = "loss"

    def to_dict(self):
        """The page's data (its contract with tests): nodes, edges, loss, and the forward and backward walks."""
        positions = self.layout()
        return {"nodes": [dataclasses.asdict(n) | positions[n.id] for n in self.nodes],
                "edges": [dataclasses.asdict(e) for e in self.edges], "loss": self.loss,
                "loss_label": self.loss_label, "forward": [n.id for n in self.nodes],
                "backward": [n.id for n in reversed(self.nodes) if n.grad is not None],
                "language": i18n.language(), "ui": {lang: {key[len("page."):]: text
                                                          for key, text in i18n.catalogue(lang).items()
                                                          if key.startswith("page.")} for lang in i18n.LANGUAGES}}

    def layout(self):
        """{node id: {"x", "y"}}: one column per depth (an op one right of its deepest input; a leaf just left of the
        first op that uses it, so that weights sit beside their layer), one row per node of a column, in forward
        order."""
        sources, targets = {}, {}
        for e in self.edges:
            sources.setdefault(e.target, []).append(e.source)
            targets.setdefault(e.source, []).append(e.target)
        depth = {}
        for n in self.nodes:
            if n.kind == "op":
                depth[n.id] = 1 + max((depth.get(s, 0) for s in sources.get(n.id, ())), default=0)
        for n in self.nodes:
            if n.kind == "leaf":
                depth[n.id] = min((depth[t] for t in targets.get(n.id, ())), default=1) - 1
        positions, used = {}, {}
        for n in self.nodes:
            row = used.get(depth[n.id], 0)
            used[depth[n.id]] = row + 1
            positions[n.id] = {"x": 90 + COLUMN * depth[n.id], "y": 20 + ROW * row}
        return positions

    def to_html(self, title="explain"):
        template = (Path(__file__).parent / "page.html").read_text(encoding="utf-8")
        payload = json.dumps(self.to_dict(), allow_nan=False).replace("</", "<\\/")
        return template.replace("__TITLE__", html.escape(title)).replace("__DATA__", payload)

    def save(self, path):
        """Write the page (atomically: an interrupted save leaves the old file)."""
        write_atomic(str(path), self.to_html(Path(path).stem).encode("utf-8"))
        return Path(path)

    def _repr_html_(self):
        page = html.escape(self.to_html(), quote=True)
        return f'<iframe srcdoc="{page}" style="width: 100%; height: 640px; border: 1px solid #ddd"></iframe>'


def _one_number(value):
    """The float in a value of one element (a number or nested one-element lists), else None."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, float) else None


def explain(output, names=None, finite_difference=True):
    """The Explanation of the graph that produced the scalar `output` (a loss), before or after backward():
    forward values of every node and d output / d node, with no `.grad` touched. `names` maps labels to tensors
    (`dict(model.named_parameters())`, {"w": w}) so the page calls weights by their names."""
    if not isinstance(output, function.Tensor):
        raise InvalidOption(f"explain: expected the tensor a computation produced (a loss), got {type(output).__name__}")
    if output.grad_fn is None:
        raise InvalidOption("explain: this tensor has no graph (nothing that requires grad went into it): compute it "
                            "from tensors with requires_grad=True, outside torch.no_grad()")
    if output.numel() != 1:
        raise InvalidOption(f"explain: the output must be one number (a loss), got shape {tuple(output.shape)}; "
                            "explain output.sum() or the loss")
    nodes, edges, tensors, order, outputs = walk(output, names)
    grads = gradients(output, tensors)
    by_id = {n.id: n for n in nodes}
    for key, grad in grads.items():
        by_id[key].grad = summarize(grad)
    if finite_difference:
        leaves = {n.id: tensors[n.id] for n in nodes if n.kind == "leaf"}
        for key, estimate in finite_differences(order, outputs, output, leaves).items():
            if isinstance(estimate, dict):          # sampled elements of a large weight, beside autograd's
                for sample in estimate["samples"]:
                    sample["autograd"] = float(grads[key][tuple(sample["index"])])
                by_id[key].finite_difference = estimate
            else:
                by_id[key].finite_difference = summarize(estimate)
    for edge in edges:                  # the chain rule's term along the edge, where both factors are numbers
        grad = _one_number(by_id[edge.target].grad)
        if isinstance(edge.local, float) and grad is not None:
            edge.product = grad * edge.local
    return Explanation(nodes, edges, float(output.item()))


__all__ = ["Edge", "Explanation", "Node", "explain"]
