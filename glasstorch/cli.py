"""The `glasstorch` command: train, evaluate, predict, models, datasets, experiment, graph.

Every expected failure (a wrong option, a missing file, a diverging run) ends with one line on stderr
and a non-zero exit code, never a traceback.
"""
import argparse
import sys


class CLIError(Exception):
    """A problem the user can fix; printed as one line."""


def _add_train(sub):
    from .train.config import OPTIMIZERS, SCHEDULERS, TrainConfig

    defaults = TrainConfig()
    p = sub.add_parser("train", help="train a model with a progress bar; writes metrics, figures and checkpoints",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model", default=defaults.model, help="a name from `glasstorch models`")
    p.add_argument("--dataset", default=defaults.dataset, help="mnist, fashion-mnist or xor")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--batch-size", type=int, default=defaults.batch_size)
    p.add_argument("--lr", type=float, default=defaults.lr, help="learning rate (the peak for onecycle)")
    p.add_argument("--optimizer", default=defaults.optimizer, choices=OPTIMIZERS)
    p.add_argument("--momentum", type=float, default=defaults.momentum, help="for sgd and rmsprop")
    p.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    p.add_argument("--scheduler", default=defaults.scheduler, choices=SCHEDULERS)
    p.add_argument("--clip-grad-norm", type=float, default=None, help="clip the total gradient norm to this value")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--limit-train", type=int, default=None, help="train on a seeded random subset of N images")
    p.add_argument("--limit-test", type=int, default=None, help="evaluate on a seeded random subset of N images")
    p.add_argument("--data-dir", default=None, help="folder with the dataset's four IDX files")
    p.add_argument("--download", action="store_true", help="download the dataset if it is not found")
    p.add_argument("--out", default=None, help="run directory (default runs/MODEL-DATASET)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.safetensors")
    p.add_argument("--track-gradients", action="store_true",
                   help="record per-layer gradient norms and activations; figures go into the run directory")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (epoch lines only)")
    p.set_defaults(handler=_train)


def _train(args):
    from .train import Trainer, TrainConfig

    config = TrainConfig(model=args.model, dataset=args.dataset, epochs=args.epochs, batch_size=args.batch_size,
                         lr=args.lr, optimizer=args.optimizer, momentum=args.momentum, weight_decay=args.weight_decay,
                         scheduler=args.scheduler, clip_grad_norm=args.clip_grad_norm, seed=args.seed,
                         limit_train=args.limit_train, limit_test=args.limit_test, data_dir=args.data_dir,
                         download=args.download, out=args.out, track_gradients=args.track_gradients,
                         progress=not args.no_progress)
    trainer = Trainer(config, resume=args.resume)
    print(f"training {config.model} ({sum(p.numel() for p in trainer.model.parameters()):,} parameters) on "
          f"{config.dataset}: {len(trainer.train_loader.dataset):,} training / {len(trainer.test_loader.dataset):,} "
          f"test images, {config.optimizer} lr {config.lr:g}, batch {config.batch_size}, run directory "
          f"{trainer.run_dir}")
    history = trainer.fit()
    if history:
        best = max(history, key=lambda r: r["test_acc"])
        print(f"done: final test accuracy {100 * history[-1]['test_acc']:.2f}% (best {100 * best['test_acc']:.2f}% "
              f"at epoch {best['epoch']}); wrote {trainer.run_dir}/ metrics.csv, curves.png, confusion.png, "
              "samples.png, checkpoint.safetensors, best.safetensors")


def _add_evaluate(sub):
    p = sub.add_parser("evaluate", help="test loss, accuracy and per-class accuracy of a trained model")
    p.add_argument("checkpoint", help="a run directory or a .safetensors checkpoint")
    p.add_argument("--data-dir", default=None, help="folder with the dataset's IDX files (default: as trained)")
    p.add_argument("--batch-size", type=int, default=500)
    p.set_defaults(handler=_evaluate)


def _evaluate(args):
    from .nn import functional as F
    from .train import evaluate, load_datasets, load_trained
    from .utils.data import DataLoader

    model, config = load_trained(args.checkpoint)
    if args.data_dir:
        config.data_dir = args.data_dir
    config.limit_test = None
    _, test_set = load_datasets(config)
    from .datasets import DATASETS

    classes = DATASETS[config.dataset].classes
    result = evaluate(model, DataLoader(test_set, batch_size=args.batch_size), F.cross_entropy, len(classes))
    print(f"{config.model} on {config.dataset} test set ({len(test_set):,} images): loss {result.loss:.4f}, "
          f"accuracy {100 * result.accuracy:.2f}%")
    for name, accuracy, count in zip(classes, result.per_class_accuracy, result.confusion.sum(axis=1)):
        print(f"  {str(name):<14} {100 * accuracy:6.2f}%  ({count} images)")


def _add_predict(sub):
    p = sub.add_parser("predict", help="classify image files (PNG/JPEG, any size) with a trained model")
    p.add_argument("checkpoint", help="a run directory or a .safetensors checkpoint")
    p.add_argument("images", nargs="+", help="image files")
    p.set_defaults(handler=_predict)


def _predict(args):
    from .datasets import DATASETS
    from .predict import load_image, predict_top
    from .train import load_trained

    model, config = load_trained(args.checkpoint)
    dataset_cls = DATASETS[config.dataset]
    if config.dataset == "xor":
        raise CLIError("predict takes images; this checkpoint is the XOR model")
    for path in args.images:
        image = load_image(path, dataset_cls.mean, dataset_cls.std)
        top = predict_top(model, image, k=3)
        best_class, best_p = top[0]
        others = ", ".join(f"{dataset_cls.classes[c]} {100 * p:.1f}%" for c, p in top)
        print(f"{path}: {dataset_cls.classes[best_class]}  (top 3: {others})")


def _add_models(sub):
    p = sub.add_parser("models", help="list the models that `train --model` accepts")
    p.set_defaults(handler=_models)


def _models(args):
    from .models import MODELS, create_model

    for spec in MODELS.values():
        count = sum(p.numel() for p in create_model(spec.name).parameters())
        print(f"{spec.name:<14} {count:>8,} parameters  {spec.description}")


def _add_datasets(sub):
    p = sub.add_parser("datasets", help="where each dataset is found, or how to get it")
    p.add_argument("--data-dir", default=None)
    p.set_defaults(handler=_datasets)


def _datasets(args):
    from .datasets import DATASETS

    for name, cls in DATASETS.items():
        if name == "xor":
            print(f"{name:<14} built in (4 points)")
            continue
        folder = cls.locate(args.data_dir)
        if folder is not None and folder == cls.embedded:
            print(f"{name:<14} found: {cls.embedded_note} ({folder})")
        elif folder is not None:
            print(f"{name:<14} found in {folder}")
        else:
            print(f"{name:<14} not found (looked in {', '.join(str(p) for p in cls.search_paths(args.data_dir))}); "
                  f"{cls.how_to_get}")


def build_parser():
    parser = argparse.ArgumentParser(prog="glasstorch", description="Train and inspect the course's networks "
                                     "with glasstorch, a from-scratch NumPy deep-learning framework.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in (_add_train, _add_evaluate, _add_predict, _add_models, _add_datasets):
        add(sub)
    for add in _extra_commands():
        add(sub)
    return parser


def _extra_commands():
    from .lessons.cli import add_experiment, add_graph

    return (add_experiment, add_graph)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from .datasets import IDXError
    from .train import TrainingDiverged

    try:
        args.handler(args)
    except KeyboardInterrupt:
        print("glasstorch: interrupted (the last checkpoint written is intact)", file=sys.stderr)
        return 130
    except (CLIError, ValueError, OSError, IDXError, TrainingDiverged) as error:
        print(f"glasstorch {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
