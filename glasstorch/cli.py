"""The `glasstorch` command: train, evaluate, predict, models, datasets, experiment, graph.

Every expected failure (a wrong option, a missing file, a diverging run) is a glasstorch.errors.UserError and ends
with one line on stderr and exit code 1, never a traceback; anything else is a bug and keeps its traceback.
"""
import argparse
import sys

from .errors import UserError
from .i18n import LANGUAGES, set_language, t


class CLIError(UserError):
    """A problem with the command line the user can fix; printed as one line."""


def _add_train(sub):
    from .train.config import OPTIMIZERS, SCHEDULERS, TrainConfig

    defaults = TrainConfig()
    p = sub.add_parser("train", help=t("cli.train"))
    p.add_argument("--model", help=t("help.model", default=defaults.model))
    p.add_argument("--dataset", help=t("help.dataset", default=defaults.dataset))
    p.add_argument("--epochs", type=int, help=t("help.epochs", default=defaults.epochs))
    p.add_argument("--batch-size", type=int, help=t("help.batch_size", default=defaults.batch_size))
    p.add_argument("--lr", type=float, help=t("help.lr", default=defaults.lr))
    p.add_argument("--optimizer", choices=OPTIMIZERS, help=t("help.optimizer", default=defaults.optimizer))
    p.add_argument("--momentum", type=float, help=t("help.momentum", default=defaults.momentum))
    p.add_argument("--weight-decay", type=float, help=t("help.weight_decay", default=defaults.weight_decay))
    p.add_argument("--scheduler", choices=SCHEDULERS, help=t("help.scheduler", default=defaults.scheduler))
    p.add_argument("--clip-grad-norm", type=float, help=t("help.clip_grad_norm"))
    p.add_argument("--seed", type=int, help=t("help.seed", default=defaults.seed))
    p.add_argument("--limit-train", type=int, help=t("help.limit_train"))
    p.add_argument("--limit-test", type=int, help=t("help.limit_test"))
    p.add_argument("--data-dir", help=t("help.data_dir"))
    p.add_argument("--download", action="store_true", help=t("help.download"))
    p.add_argument("--out", help=t("help.out"))
    p.add_argument("--resume", action="store_true", help=t("help.resume"))
    p.add_argument("--track-gradients", action="store_true", help=t("help.track_gradients"))
    p.add_argument("--tensorboard", action="store_true", help=t("help.tensorboard"))
    p.add_argument("--no-progress", action="store_true", help=t("help.no_progress"))
    p.add_argument("--nproc", type=int, help=t("help.nproc"))
    p.set_defaults(handler=_train)


_TRAIN_OPTIONS = ("model", "dataset", "epochs", "batch_size", "lr", "optimizer", "momentum", "weight_decay", "scheduler",
                  "clip_grad_norm", "seed", "limit_train", "limit_test", "data_dir", "out")


def _train(args):
    from .distributed import launch
    from .train import Trainer, TrainConfig

    ranks = launch.world_size_from_environment()
    if args.nproc is not None and args.nproc < 1:
        raise CLIError(f"--nproc must be at least 1, got {args.nproc}")
    if ranks is None and args.nproc and args.nproc > 1:
        _load_kernels()     # a first run compiles the kernel set here, on every core, before the ranks start
        try:
            return launch.run(args.nproc, [sys.executable, "-m", "glasstorch", *args.argv])
        except launch.LauncherError as error:
            raise CLIError(str(error)) from None
    if ranks is not None and args.nproc not in (None, ranks):
        raise CLIError(f"--nproc {args.nproc} does not match the {ranks} ranks mpiexec started")
    if ranks is not None and ranks > 1:
        from . import distributed
        from .kernels import threads

        distributed.init_process_group("mpi")
        cores = launch.cores_per_rank()
        if cores is not None:       # started by mpiexec itself: a share of the host's cores, as --nproc gives
            threads.use_cores(cores)
    given = {name: getattr(args, name) for name in _TRAIN_OPTIONS if getattr(args, name) is not None}
    given.update(download=args.download, track_gradients=args.track_gradients, tensorboard=args.tensorboard,
                 progress=not args.no_progress)
    if given.get("model", TrainConfig.model) not in _model_names():
        raise CLIError(t("error.unknown_model", model=given["model"], names=", ".join(_model_names())))
    config = TrainConfig.for_model(**given)
    trainer = Trainer.resuming(config.run_dir, **given) if args.resume else Trainer(config)
    config = trainer.config
    if not trainer.writes:      # another rank: rank 0 speaks for the run
        trainer.log = lambda message: None
        trainer.fit()
        return 0
    from .kernels.threads import get_num_threads

    threads = get_num_threads()
    processes = (t("train.processes", processes=trainer.world_size, threads=threads, s="s" * (threads != 1))
                 if trainer.world_size > 1 else "")
    try:     # the header inside: a Ctrl-C right after it still gets the one-line answer
        print(t("train.header", model=config.model, parameters=sum(p.numel() for p in trainer.model.parameters()),
                dataset=config.dataset, train=len(trainer.train_loader.dataset), test=len(trainer.full_test_set),
                optimizer=config.optimizer, lr=config.lr, batch=config.batch_size, processes=processes,
                run_dir=trainer.run_dir))
        _load_kernels()     # a first run's compile-ahead line comes before the progress bars, not inside one
        history = trainer.fit()
    except KeyboardInterrupt:
        if trainer.saved_epoch:
            raise CLIError(t("train.interrupted_saved", epoch=trainer.saved_epoch, run_dir=trainer.run_dir,
                             command=" ".join(_argv_for_resume(args)))) from None
        raise CLIError(t("train.interrupted_nothing")) from None
    if history:
        best = max(history, key=lambda r: r["test_acc"])
        print(t("train.done", final=100 * history[-1]["test_acc"], best=100 * best["test_acc"],
                best_epoch=best["epoch"], run_dir=trainer.run_dir, files=", ".join(trainer.outputs)))


def _load_kernels():
    """Load the kernel set in effect (the compiled set compiles ahead here on a machine's first run)."""
    from .kernels import active

    active()


def _argv_for_resume(args):
    argv = list(args.argv)
    return argv if "--resume" in argv else argv + ["--resume"]


def _model_names():
    from .models import MODELS

    return list(MODELS)


def _add_evaluate(sub):
    p = sub.add_parser("evaluate", help=t("cli.evaluate"))
    p.add_argument("checkpoint", help=t("help.checkpoint"))
    p.add_argument("--data-dir", default=None, help=t("help.evaluate_data"))
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
    p = sub.add_parser("predict", help=t("cli.predict"))
    p.add_argument("checkpoint", help=t("help.checkpoint"))
    p.add_argument("images", nargs="+", help=t("help.images"))
    p.set_defaults(handler=_predict)


def _predict(args):
    from .datasets import DATASETS
    from .predict import load_image, predict_top
    from .train import load_trained

    model, config = load_trained(args.checkpoint)
    dataset_cls = DATASETS[config.dataset]
    if config.dataset == "xor":
        raise CLIError("predict takes images; this checkpoint is the XOR model")
    failures = 0
    for path in args.images:
        try:
            image = load_image(path, dataset_cls.mean, dataset_cls.std)
        except (OSError, ValueError) as error:
            failures += 1
            print(f"glasstorch predict: error: {error}", file=sys.stderr)
            continue
        top = predict_top(model, image, k=3)
        best_class, best_p = top[0]
        others = ", ".join(f"{dataset_cls.classes[c]} {100 * p:.1f}%" for c, p in top)
        print(f"{path}: {dataset_cls.classes[best_class]}  (top 3: {others})")
    if failures:
        raise CLIError(t("error.images_failed", failures=failures, count=len(args.images),
                         s="s" * (len(args.images) != 1)))


def _add_models(sub):
    p = sub.add_parser("models", help=t("cli.models"))
    p.set_defaults(handler=_models)


def _models(args):
    from .models import MODELS, create_model

    for spec in MODELS.values():
        count = sum(p.numel() for p in create_model(spec.name).parameters())
        print(f"{spec.name:<14} {count:>8,} parameters  {spec.description}")


def _add_datasets(sub):
    p = sub.add_parser("datasets", help=t("cli.datasets"))
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
    print("Folders are searched in that order: --data-dir, $GLASSTORCH_DATA/<name>, ~/.cache/glasstorch/datasets/<name>, "
          "/usr/share/datasets/<name>, then (mnist) the subset shipped with glasstorch.")


def _add_run(sub):
    p = sub.add_parser("run", help=t("cli.run"))
    p.add_argument("--track-gradients", action="store_true", help=t("help.run_track_gradients"))
    p.add_argument("--tensorboard", action="store_true", help=t("help.run_tensorboard"))
    p.add_argument("--out", help=t("help.run_out"))
    p.add_argument("--explain", action="store_true", help=t("help.explain"))
    p.add_argument("--explain-out", default="explain.html", help=t("help.explain_out"))
    p.add_argument("--explain-call", type=int, default=1, help=t("help.explain_call"))
    p.add_argument("script", help=t("help.script"))
    p.add_argument("args", nargs=argparse.REMAINDER, help=t("help.script_args"))
    p.set_defaults(handler=_run)


def _run(args):
    from .runner import run

    if args.explain_call < 1:
        raise CLIError(f"--explain-call must be at least 1, got {args.explain_call}")
    return run(args.script, args.args, track_gradients=args.track_gradients, out_dir=args.out,
               explain_out=args.explain_out if args.explain else None, explain_call=args.explain_call,
               tensorboard=args.tensorboard)


def build_parser():
    parser = argparse.ArgumentParser(prog="glasstorch", description=t("cli.description"))
    parser.add_argument("--lang", choices=LANGUAGES, help=t("cli.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in (_add_train, _add_evaluate, _add_predict, _add_models, _add_datasets, _add_run):
        add(sub)
    for add in _extra_commands():
        add(sub)
    for command in sub.choices.values():       # --lang after the command too: glasstorch train --lang zh
        command.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang"))
    for each in (parser, *sub.choices.values()):
        _localize(each)
    return parser


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else t("cli.usage"))


def _localize(parser):
    """argparse's own words (usage, the section titles, -h's help) in the language spoken."""
    parser.formatter_class = _HelpFormatter
    parser._positionals.title, parser._optionals.title = t("cli.positionals"), t("cli.options")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = t("cli.help")


def _language_in(argv):
    """The --lang value in argv, read before the parser is built, so that its help is in that language."""
    for index, argument in enumerate(argv):
        value = argument.partition("=")[2] if argument.startswith("--lang=") else \
            argv[index + 1] if argument == "--lang" and index + 1 < len(argv) else None
        if value in LANGUAGES:
            return value
    return None


def _extra_commands():
    from .lessons.cli import add_experiment, add_explain, add_graph

    return (add_experiment, add_graph, add_explain)


def main(argv=None):
    """Run the command in argv (default: sys.argv[1:]) and return its exit status."""
    return _execute(_parse(argv))


def command_line():
    """The `glasstorch` command and `python -m glasstorch`: run the command, then end the process (after `train`
    at once, see _leave)."""
    args = _parse(None)
    code = _execute(args)
    if args.command == "train":
        _leave(code)
    sys.exit(code)


def _leave(code):
    """End this process with exit status `code`, skipping the interpreter's teardown: with Numba's compiled kernels
    (and matplotlib) loaded it takes 0.2-0.35 s after the work is done, which every `glasstorch train` process, each
    rank of `--nproc` and its launcher, spent one after another. What of the teardown matters is done first: the
    atexit handlers run, MPI is finalized (which mpi4py leaves to the interpreter's very end), stdout and stderr
    are flushed; the run's files were closed as they were written. Where a thread that Python would wait for is
    still running, the usual exit instead."""
    import atexit
    import os
    import threading

    if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
           if thread is not threading.current_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()         # what the interpreter's exit runs first (CPython's own function)
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        mpi.Finalize()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _parse(argv):
    argv = sys.argv[1:] if argv is None else list(argv)
    set_language(_language_in(argv))
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args


def _execute(args):
    """Run the parsed command; its exit status (user errors: one line, 1)."""
    import warnings

    try:
        with warnings.catch_warnings():
            # overflow in a diverging run is reported as one line (TrainingDiverged), never as raw NumPy warnings
            warnings.simplefilter("ignore", RuntimeWarning)
            code = args.handler(args)
    except KeyboardInterrupt:
        print(t("cli.interrupted", command=args.command), file=sys.stderr)
        return 130
    except BrokenPipeError:            # `glasstorch models | head`
        sys.stderr.close()
        return 0
    except UserError as error:        # anything else is a bug: its traceback shows where
        from . import distributed

        if distributed.is_initialized() and distributed.get_world_size() > 1:
            distributed.abort(t("cli.error", command=args.command, error=error))     # the others must not wait
        print(t("cli.error", command=args.command, error=error), file=sys.stderr)
        return 1
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
