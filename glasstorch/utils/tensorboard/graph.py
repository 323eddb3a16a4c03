"""A forward pass as the GraphDef TensorBoard's Graphs tab draws: one node per op of glasstorch's graph, named
under the modules that made it as PyTorch names them (Net/Conv2d[conv1]/Conv2d_0), one per parameter
(Net/Conv2d[conv1]/weight), the inputs as input/<forward's argument> and the result as output/output.1, so the tab
folds the model module by module as it does PyTorch's."""
import inspect

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ...autograd import grad_mode
from ...explain.graph import forward_order, tensor_inputs


def module_scopes(model):
    """Dotted module path (autograd.scope's "Net.layer1.0") -> TensorBoard scope ("Net/Sequential[layer1]/
    BasicBlock[0]"), for every module of `model`."""
    root = type(model).__name__
    scopes = {root: root}
    for name, module in model.named_modules():
        if not name:
            continue
        parent, _, own = name.rpartition(".")
        parent_scope = scopes[f"{root}.{parent}" if parent else root]
        scopes[f"{root}.{name}"] = f"{parent_scope}/{type(module).__name__}[{own}]"
    return scopes


def _shape(shape):
    return AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(
        dim=[TensorShapeProto.Dim(size=int(size)) for size in shape])]))


def graph_of(model, inputs):
    """The GraphDef of model(*inputs), run once with gradients recorded (and nothing else kept)."""
    inputs = () if inputs is None else inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    with grad_mode.enable_grad():
        output = model(*inputs)
    return graph_def(model, inputs, output)


def graph_def(model, inputs, output):
    """The GraphDef of the graph behind `output`, which model(*inputs) returned."""
    outputs = [t for t in (output if isinstance(output, (tuple, list)) else [output]) if hasattr(t, "grad_fn")]
    try:
        argument_names = [p for p in inspect.signature(model.forward).parameters][:len(inputs)]
    except (TypeError, ValueError):
        argument_names = []
    names = {id(t): f"input/{argument_names[i] if i < len(argument_names) else f'input.{i}'}"
             for i, t in enumerate(inputs)}
    scopes, root = module_scopes(model), type(model).__name__
    for name, parameter in model.named_parameters():
        owner, _, attribute = name.rpartition(".")
        names[id(parameter)] = f"{scopes[f'{root}.{owner}' if owner else root]}/{attribute}"
    graph, counts, produced_shape, written = GraphDef(versions=VersionDef(producer=22)), {}, {}, set()
    order = [node for out in outputs if out.grad_fn is not None for node in forward_order(out.grad_fn)]
    for node in order:
        for tensor in tensor_inputs(node):
            if tensor.grad_fn is not None:
                produced_shape[id(tensor.grad_fn)] = tensor.shape
    for out in outputs:
        if out.grad_fn is not None:
            produced_shape[id(out.grad_fn)] = out.shape

    def leaf(tensor):
        if id(tensor) not in names:
            names[id(tensor)] = f"{root}/constant_{len(names)}"
        name = names[id(tensor)]
        if name not in written:
            written.add(name)
            kind = "IO Node" if name.startswith("input/") else "Parameter" if tensor.requires_grad else "Constant"
            graph.node.append(NodeDef(name=name, op=kind, attr={"_output_shapes": _shape(tensor.shape)}))
        return name

    seen = set()
    for node in order:
        if id(node) in seen:
            continue
        seen.add(id(node))
        op = node.name().removesuffix("Backward0")
        scope = scopes.get(getattr(node, "module", None) or root, root)
        index = counts[(scope, op)] = counts.get((scope, op), -1) + 1
        names[id(node)] = f"{scope}/{op}_{index}"
        sources = [names[id(t.grad_fn)] if t.grad_fn is not None else leaf(t) for t in tensor_inputs(node)]
        attributes = {"_output_shapes": _shape(produced_shape[id(node)])} if id(node) in produced_shape else {}
        graph.node.append(NodeDef(name=names[id(node)], op=op, input=sources, attr=attributes))
    for i, out in enumerate(outputs):
        source = names[id(out.grad_fn)] if out.grad_fn is not None else leaf(out)
        graph.node.append(NodeDef(name=f"output/output.{i + 1}", op="IO Node", input=[source],
                                  attr={"_output_shapes": _shape(out.shape)}))
    return graph
