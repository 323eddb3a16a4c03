"""`glasstorch experiment NAME` and `glasstorch graph --model NAME`."""
import time
from pathlib import Path

from ..errors import InvalidOption
from ..i18n import t


def add_experiment(sub):
    from . import EXPERIMENTS

    p = sub.add_parser("experiment", help=t("cli.experiment", names=", ".join(EXPERIMENTS)))
    p.add_argument("name", choices=[*EXPERIMENTS, "all"], help=t("help.lesson"))
    p.add_argument("--out", default="experiments", help=t("help.figures_out"))
    p.add_argument("--data-dir", default=None, help=t("help.lesson_data"))
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_experiment)


def _experiment(args):
    from . import EXPERIMENTS, run_experiment

    names = list(EXPERIMENTS) if args.name == "all" else [args.name]
    for name in names:
        started = time.perf_counter()
        result = run_experiment(name, args.out, data_dir=args.data_dir, seed=args.seed)
        print(t("lesson.heading", name=name, description=t(f"lesson.{name}")))
        print(result.table())
        print(t("lesson.verdict", verdict=result.verdict))
        print(t("lesson.figures", figures=", ".join(result.figures), seconds=time.perf_counter() - started) + "\n")


def add_graph(sub):
    p = sub.add_parser("graph", help=t("cli.graph"))
    p.add_argument("--model", default="resnet", help=t("help.model", default="resnet"))
    p.add_argument("--out", default="graphs", help=t("help.files_out"))
    p.add_argument("--format", default="svg", choices=["svg", "png", "pdf"])
    p.set_defaults(handler=_graph)


def _graph(args):
    from ..explain import explain
    from ..viz import render, to_dot

    model, loss, _ = _model_and_loss(args.model, batch=1, real=False)
    text = to_dot(loss, model.named_parameters(), title=f"{args.model}: cross-entropy of one input")
    paths, message = render(text, Path(args.out) / args.model, args.format)
    page = explain(loss, names=dict(model.named_parameters())).save(Path(args.out) / f"{args.model}.html")
    nodes = text.count("shape=box")
    print(f"{args.model}: {nodes} op nodes, {sum(1 for _ in model.parameters())} parameter tensors; {message}; "
          f"and {page}, which any browser opens")


def add_explain(sub):
    p = sub.add_parser("explain", help=t("cli.explain"))
    p.add_argument("--model", default="lenet", help=t("help.model", default="lenet"))
    p.add_argument("--batch", type=int, default=1, help=t("help.batch"))
    p.add_argument("--out", default="explain.html", help=t("help.page_out"))
    p.set_defaults(handler=_explain)


def _explain(args):
    from ..explain import explain

    if args.batch < 1:
        raise InvalidOption(f"--batch must be at least 1, got {args.batch}")
    model, loss, inputs = _model_and_loss(args.model, batch=args.batch, real=True)
    page = explain(loss, names=dict(model.named_parameters()))
    print(f"{args.model}: wrote {page.save(args.out)} ({len(page.nodes)} nodes, loss {page.loss:.4f} on {inputs})")


def _model_and_loss(name, batch, real):
    """(model, loss, what the inputs were): a fresh registry model and its cross-entropy on `batch` inputs, real
    ones (MNIST's first test digits, the XOR table) or random ones."""
    from ..creation import randn, zeros
    from ..datasets import MNIST, XOR
    from ..dtypes import int64
    from ..models import MODELS, create_model
    from ..nn import functional as F
    from ..vision import transforms

    if name not in MODELS:
        raise InvalidOption(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}")
    model = create_model(name)
    if MODELS[name].input_kind == "xor":
        inputs, labels = XOR(train=False).tensors if real else (randn(batch, 2), zeros(batch, dtype=int64))
        x, y = inputs[:batch], labels[:batch]
        what = f"{len(x)} XOR input{'s' * (len(x) != 1)}"
    elif real:
        digits = MNIST(train=False, transform=transforms.Compose([transforms.ToTensor(),
                                                                  transforms.Normalize((MNIST.mean,), (MNIST.std,))]))
        x, y = digits.__getitems__(list(range(batch)))
        what = f"{batch} MNIST test digit{'s' * (batch != 1)}"
    else:
        x, y, what = randn(batch, 1, 28, 28), zeros(batch, dtype=int64), "random input"
    return model, F.cross_entropy(model(x), y), what
