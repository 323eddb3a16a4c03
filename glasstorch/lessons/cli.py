"""`glasstorch experiment NAME` and `glasstorch graph --model NAME`."""
import time
from pathlib import Path

from ..errors import InvalidOption


def add_experiment(sub):
    from . import EXPERIMENTS

    p = sub.add_parser("experiment", help="run one of the notes' lessons: " + ", ".join(EXPERIMENTS))
    p.add_argument("name", choices=[*EXPERIMENTS, "all"], help="which lesson (or all)")
    p.add_argument("--out", default="experiments", help="folder for the figures")
    p.add_argument("--data-dir", default=None, help="folder with MNIST's IDX files (for activations, residual, "
                                                    "exploding, optimizers)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_experiment)


def _experiment(args):
    from . import EXPERIMENTS, run_experiment

    names = list(EXPERIMENTS) if args.name == "all" else [args.name]
    for name in names:
        started = time.perf_counter()
        result = run_experiment(name, args.out, data_dir=args.data_dir, seed=args.seed)
        print(f"== {name}: {EXPERIMENTS[name]}")
        print(result.table())
        print(f"verdict: {result.verdict}")
        print(f"figures: {', '.join(result.figures)}  ({time.perf_counter() - started:.1f} s)\n")


def add_graph(sub):
    p = sub.add_parser("graph", help="write a model's computational graph (Graphviz DOT; SVG/PNG if `dot` exists)")
    p.add_argument("--model", default="resnet", help="a name from `glasstorch models`")
    p.add_argument("--out", default="graphs", help="folder for the files")
    p.add_argument("--format", default="svg", choices=["svg", "png", "pdf"])
    p.set_defaults(handler=_graph)


def _graph(args):
    from ..creation import randn, zeros
    from ..dtypes import int64
    from ..models import MODELS, create_model
    from ..nn import functional as F
    from ..viz import render, to_dot

    if args.model not in MODELS:
        raise InvalidOption(f"unknown model {args.model!r}; choose one of: {', '.join(MODELS)}")
    model = create_model(args.model)
    x = randn(2, 2) if MODELS[args.model].input_kind == "xor" else randn(1, 1, 28, 28)
    loss = F.cross_entropy(model(x), zeros(len(x), dtype=int64))
    text = to_dot(loss, model.named_parameters(), title=f"{args.model}: cross-entropy of one input")
    paths, message = render(text, Path(args.out) / args.model, args.format)
    nodes = text.count("shape=box")
    print(f"{args.model}: {nodes} op nodes, {sum(1 for _ in model.parameters())} parameter tensors; {message}")
