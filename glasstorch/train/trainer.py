"""The training loop: epochs of mini-batch updates, evaluation, a run directory with metrics, figures and
atomic checkpoints, exact resume, and a clean stop when the loss stops being a number.

In a process group (glasstorch.distributed, `glasstorch train --nproc N`) every rank trains a replica on its
share of each batch (DistributedSampler: the global batch of --batch-size images is the same set as one process
would take, split N ways) with gradients averaged by DistributedDataParallel; evaluation is split into N
contiguous shards whose sums are reduced; rank 0 alone shows the progress bar and writes the run directory."""
import csv
import io
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from .. import __version__, distributed, optim, random
from ..creation import from_numpy
from ..datasets import DATASETS
from ..distributed import launch
from ..errors import InvalidOption, MissingFile, UserError
from ..i18n import t
from ..i18n.fonts import figure_text
from ..models import MODELS, create_model
from ..nn import functional as F
from ..nn.parallel import DistributedDataParallel
from ..nn.utils import clip_grad_norm_
from ..serialization import CheckpointError, load, make_folder, remove_stale_temporaries, save, write_atomic
from ..utils.data import DataLoader, DistributedSampler, Subset
from ..vision.transforms import Compose, Normalize, ToTensor
from .config import EXTENDABLE_SCHEDULERS, RUN_DEFINING, TrainConfig
from .metrics import EvalResult, evaluate
from .plots import plot_confusion, plot_curves, plot_samples

METRIC_FIELDS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "seconds"]


class TrainingDiverged(UserError, RuntimeError):
    """The loss became NaN or infinite; the message names the step and what to try."""


def _redraws(stream):
    """Whether a progress bar can be redrawn on `stream`: a terminal, a notebook, or the pipe through which
    `--nproc`'s launcher draws on the terminal. A log file (stderr redirected) gets only the line per epoch."""
    if stream is None:
        return False
    if stream is not sys.stderr:
        return True
    return stream.isatty() or "ipykernel" in sys.modules


def load_datasets(config):
    """(train, test) datasets of config.dataset, normalised with the dataset's mean and std."""
    dataset_cls = DATASETS[config.dataset]
    transform = Compose([ToTensor(), Normalize((dataset_cls.mean,), (dataset_cls.std,))])
    kwargs = dict(root=config.data_dir, download=config.download)
    if config.dataset != "xor":
        kwargs["transform"] = transform
    train_set, test_set = dataset_cls(train=True, **kwargs), dataset_cls(train=False, **kwargs)
    for dataset in (train_set, test_set):
        check_labels(dataset, len(dataset_cls.classes))
    return _limit(train_set, config.limit_train, config.seed), _limit(test_set, config.limit_test, config.seed + 1)


def check_labels(dataset, num_classes):
    """Raise ValueError naming the split, the first bad index and its label when a label is not in 0..C-1."""
    targets = np.asarray(dataset.targets)
    bad = np.flatnonzero((targets < 0) | (targets >= num_classes))
    if len(bad):
        where = getattr(dataset, "folder", None)
        split = "training" if getattr(dataset, "train", True) else "test"
        raise InvalidOption(t("error.labels", split=t(f"error.split_{split}"),
                              where=t("error.labels_where", folder=where) if where else "", last=num_classes - 1,
                              label=int(targets[bad[0]]), index=int(bad[0]), count=len(bad),
                              s="s" if len(bad) > 1 else ""))


def _limit(dataset, limit, seed):
    """A seeded random subset of `limit` samples (MNIST's sample files are sorted by label)."""
    if limit is None or limit >= len(dataset):
        return dataset
    order = np.random.default_rng(seed).permutation(len(dataset))[:limit]
    return Subset(dataset, np.sort(order))


OPTIMIZER_BUILDERS = {
    "sgd": lambda c, p: optim.SGD(p, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay),
    "adam": lambda c, p: optim.Adam(p, lr=c.lr, weight_decay=c.weight_decay),
    "adamw": lambda c, p: optim.AdamW(p, lr=c.lr, weight_decay=c.weight_decay or 1e-2),
    "rmsprop": lambda c, p: optim.RMSprop(p, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay),
    "adagrad": lambda c, p: optim.Adagrad(p, lr=c.lr, weight_decay=c.weight_decay),
}


def build_optimizer(config, parameters):
    """The optimizer config.optimizer names, with the run's lr, momentum and weight decay."""
    if config.optimizer not in OPTIMIZER_BUILDERS:
        raise InvalidOption(f"unknown optimizer {config.optimizer!r}; choose one of: {', '.join(OPTIMIZER_BUILDERS)}")
    return OPTIMIZER_BUILDERS[config.optimizer](config, parameters)


def build_scheduler(config, optimizer, steps_per_epoch):
    """(scheduler, 'step' or 'epoch' or 'metric'): when its step() is called."""
    lr_scheduler = optim.lr_scheduler
    if config.scheduler == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, config.epochs // 3), gamma=0.1), "epoch"
    if config.scheduler == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs), "epoch"
    if config.scheduler == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=0.9), "epoch"
    if config.scheduler == "onecycle":
        return lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, epochs=config.epochs,
                                       steps_per_epoch=steps_per_epoch), "step"
    if config.scheduler == "plateau":
        return lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1), "metric"
    return None, None


class Trainer:
    """Builds everything a run needs from a TrainConfig; `fit()` trains and writes the run directory:
    config.json, metrics.csv, checkpoint.safetensors (every epoch), best.safetensors, curves.png,
    confusion.png and, for image datasets, samples.png (`outputs` lists what a run wrote)."""

    def __init__(self, config, resume=False, log=print):
        self.config = config.validate()
        if config.data_dir is not None:
            config.data_dir = str(Path(config.data_dir).expanduser().resolve())
        self.log = log
        self.run_dir = config.run_dir
        self.dataset_cls = DATASETS[config.dataset]
        self.classes = list(self.dataset_cls.classes)
        self.world_size = distributed.get_world_size() if distributed.is_initialized() else 1
        self.rank = distributed.get_rank() if distributed.is_initialized() else 0
        if config.batch_size % self.world_size:
            raise InvalidOption(f"--batch-size {config.batch_size} must be a multiple of the {self.world_size} processes "
                             f"(each takes batch-size / {self.world_size} images of every batch)")
        random.manual_seed(config.seed)
        train_set, self.full_test_set = load_datasets(config)
        # PyTorch's DistributedSampler (seed + epoch) also for one process, so N processes see the same batches
        self.sampler = DistributedSampler(train_set, self.world_size, self.rank, shuffle=True, seed=config.seed)
        self.train_loader = DataLoader(train_set, batch_size=config.batch_size // self.world_size,
                                       sampler=self.sampler)
        self.test_loader = DataLoader(_shard(self.full_test_set, self.rank, self.world_size),
                                      batch_size=max(config.batch_size, 500))
        self.model = create_model(config.model)
        self.replica = DistributedDataParallel(self.model) if self.world_size > 1 else self.model
        self.optimizer = build_optimizer(config, self.model.parameters())
        self.scheduler, self.scheduler_interval = build_scheduler(config, self.optimizer, len(self.train_loader))
        self.history, self.epoch, self.best_accuracy = [], 0, -1.0
        self.saved_epoch = 0        # the epoch of the newest checkpoint this run wrote (or resumed from)
        self.gradient_recorder = self.board = None
        self.outputs = ["config.json"]
        if resume:
            self._resume()

    @property
    def checkpoint_path(self):
        return self.run_dir / "checkpoint.safetensors"

    @classmethod
    def resuming(cls, run_dir, log=print, **given):
        """A Trainer that continues the run in `run_dir`: options not `given` are the run's own."""
        path = Path(run_dir) / "checkpoint.safetensors"
        if not path.exists():
            raise MissingFile(f"--resume: no checkpoint at {path} (train once without --resume, or point --out "
                                    "at the run directory)")
        config = TrainConfig.from_dict({**load(path)["config"], "out": str(run_dir), **given})
        return cls(config, resume=True, log=log)

    # ------------------------------------------------------------ checkpoints
    def _state(self):
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
                "epoch": self.epoch, "history": self.history, "best_accuracy": self.best_accuracy,
                "rng": {"default": random.get_rng_state()}, "world_size": self.world_size,
                "config": json.loads(self.config.to_json()), "classes": self.classes,
                "normalization": [self.dataset_cls.mean, self.dataset_cls.std], "version": __version__}

    def _resume(self):
        if not self.checkpoint_path.exists():
            raise MissingFile(f"--resume: no checkpoint at {self.checkpoint_path} (train once without "
                                    "--resume, or point --out at the run directory)")
        state = load(self.checkpoint_path)
        if not isinstance(state, dict) or "config" not in state or "epoch" not in state:
            raise CheckpointError(f"--resume: {self.checkpoint_path} is not a training checkpoint")
        self._check_resumable(state["config"], state["epoch"], int(state.get("world_size", 1)))
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state["scheduler"] is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.history, self.best_accuracy = state["epoch"], state["history"], state["best_accuracy"]
        self.saved_epoch = self.epoch
        random.set_rng_state(state["rng"]["default"])
        self.log(f"resumed {self.checkpoint_path} at epoch {self.epoch}")

    def _check_resumable(self, saved, epochs_done, saved_world_size=1):
        """Resuming continues the saved run exactly, or is refused with the option, its old and its new value."""
        if saved_world_size != self.world_size:
            raise InvalidOption(f"--resume: the run was trained by {saved_world_size} process"
                             f"{'es' * (saved_world_size != 1)}, not {self.world_size}; resume it with --nproc "
                             f"{saved_world_size} (another count would shard its batches differently)")
        for key in RUN_DEFINING:
            old, new = saved.get(key), getattr(self.config, key)
            if old != new:
                option = "--" + key.replace("_", "-")
                raise InvalidOption(t("error.resume_option", option=option, old=old, new=new))
        if self.config.epochs <= epochs_done:
            raise InvalidOption(t("error.resume_epochs", done=epochs_done, s="s" * (epochs_done != 1)))
        if self.config.epochs != saved["epochs"] and self.config.scheduler not in EXTENDABLE_SCHEDULERS:
            raise InvalidOption(t("error.resume_schedule", scheduler=self.config.scheduler, saved=saved["epochs"],
                                  epochs=self.config.epochs))

    # ------------------------------------------------------------ training
    @property
    def writes(self):
        """Whether this process writes the run directory (rank 0, or the only process)."""
        return self.rank == 0

    def fit(self):
        if self.writes:
            make_folder(self.run_dir, "--out")
            remove_stale_temporaries(self.run_dir)
            write_atomic(str(self.run_dir / "config.json"), self.config.to_json().encode())
        if self.config.track_gradients:
            from ..diagnostics import GradientFlowRecorder

            self.gradient_recorder = GradientFlowRecorder(self.model)
        if self.config.tensorboard and self.writes:
            self._open_board()
        result = None
        while self.epoch < self.config.epochs:
            self.epoch += 1
            started = time.perf_counter()
            self.sampler.set_epoch(self.epoch - 1)
            train_loss, train_acc = self._train_epoch()
            result = self._evaluate()
            if self.scheduler_interval == "epoch":
                self.scheduler.step()
            elif self.scheduler_interval == "metric":
                self.scheduler.step(result.loss)
            seconds = time.perf_counter() - started
            row = {"epoch": self.epoch, "train_loss": train_loss, "train_acc": train_acc, "test_loss": result.loss,
                   "test_acc": result.accuracy, "lr": self.optimizer.param_groups[0]["lr"], "seconds": seconds}
            self.history.append(row)
            if self.writes:
                self._write_epoch(result)
                if self.board is not None:
                    self.board.epoch(self.epoch, row, self.model, *self._board_batch)
            else:
                self.saved_epoch = self.epoch      # rank 0 wrote it
            self.log(t("train.epoch", epoch=self.epoch, epochs=self.config.epochs, train_loss=train_loss,
                       train_acc=100 * train_acc, test_loss=result.loss, test_acc=100 * result.accuracy, lr=row["lr"],
                       seconds=seconds, speed=len(self.train_loader.dataset) / seconds))
        if self.writes:
            self._write_final_figures(result)
        if self.board is not None:
            self.board.close()
            self._wrote(*sorted(p.name for p in self.run_dir.glob("events.out.tfevents.*")))
        return self.history

    def _open_board(self):
        """TensorBoard logs beside the run's files; a resumed run hides what its predecessor logged after the
        epoch it resumes from (purge_step)."""
        from .board import TrainingBoard

        steps = len(self.train_loader)
        self.board = TrainingBoard(self.run_dir, self.dataset_cls, self.classes,
                                   purge_step=self.epoch * steps + 1 if self.epoch else None)
        self._board_batch = next(iter(DataLoader(self.full_test_set, batch_size=64)))
        self.board.start(self.model, self._board_batch[0])

    def _evaluate(self):
        """The test set's loss, accuracy and confusion: each rank's shard, summed over the ranks."""
        result = evaluate(self.model, self.test_loader, F.cross_entropy, len(self.classes))
        if self.world_size == 1:
            return result
        count = int(result.confusion.sum())
        totals = from_numpy(np.concatenate([[result.loss * count], result.confusion.ravel()]).astype(np.float64))
        distributed.all_reduce(totals)
        confusion = totals.array[1:].round().astype(np.int64).reshape(result.confusion.shape)
        seen = max(int(confusion.sum()), 1)
        return EvalResult(float(totals.array[0]) / seen, float(np.trace(confusion)) / seen, confusion)

    def _train_epoch(self):
        from tqdm.auto import tqdm          # a notebook gets its widget, a terminal its text bar

        self.model.train()
        total_loss, correct, seen = 0.0, 0, 0
        started = time.perf_counter()
        stream = launch.progress_stream() if self.writes else None
        bar = tqdm(self.train_loader, desc=t("train.progress", epoch=self.epoch, epochs=self.config.epochs),
                   unit="batch", file=stream,
                   disable=not (self.config.progress and _redraws(stream)), leave=False, dynamic_ncols=True)
        for step, (images, labels) in enumerate(bar, start=1):
            logits = self.replica(images)
            loss = F.cross_entropy(logits, labels)
            value = loss.item()
            if not math.isfinite(value):
                bar.close()
                saved = (t("train.diverged_saved", epoch=self.saved_epoch, path=self.checkpoint_path)
                         if self.saved_epoch else t("train.diverged_nothing"))
                raise TrainingDiverged(t("train.diverged", value=value, epoch=self.epoch, step=step,
                                         steps=len(self.train_loader), saved=saved, lower=self.config.lr / 10))
            self.optimizer.zero_grad()
            loss.backward()
            if self.config.clip_grad_norm:
                clip_grad_norm_(self.model.parameters(), self.config.clip_grad_norm)
            self.optimizer.step()
            if self.gradient_recorder is not None:
                self.gradient_recorder.step()
            if self.board is not None:
                self.board.step((self.epoch - 1) * len(self.train_loader) + step, value)
            if self.scheduler_interval == "step":
                self.scheduler.step()
            total_loss += value * len(labels)
            correct += int((logits.array.argmax(axis=1) == labels.array).sum())
            seen += len(labels)
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{100 * correct / seen:.1f}%",
                            img_s=f"{self.world_size * seen / (time.perf_counter() - started):.0f}", refresh=False)
        if self.world_size > 1:
            totals = from_numpy(np.array([total_loss, correct, seen], dtype=np.float64))
            distributed.all_reduce(totals)
            total_loss, correct, seen = totals.array.tolist()
        return total_loss / seen, correct / seen

    # ------------------------------------------------------------ run directory
    def _write_epoch(self, result):
        if result.accuracy > self.best_accuracy:
            self.best_accuracy = result.accuracy
            save(self.model.state_dict(), self.run_dir / "best.safetensors")
        save(self._state(), self.checkpoint_path)
        self.saved_epoch = self.epoch
        self._wrote("metrics.csv", "curves.png", "checkpoint.safetensors", "best.safetensors")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=METRIC_FIELDS)
        writer.writeheader()
        writer.writerows(self.history)
        write_atomic(str(self.run_dir / "metrics.csv"), buffer.getvalue().encode())
        plot_curves(self.history, self.run_dir / "curves.png",
                    figure_text("figure.curves_title", model=self.config.model, dataset=self.config.dataset))

    def _write_final_figures(self, result=None):
        """Confusion matrix and sample grid of the final model (`result`: its last evaluation, if there was one)."""
        result = result or evaluate(self.model, DataLoader(self.full_test_set, batch_size=500), F.cross_entropy,
                                    len(self.classes))
        plot_confusion(result.confusion, self.classes, self.run_dir / "confusion.png")
        self._wrote("confusion.png")
        if self.config.dataset != "xor":
            images, labels = next(iter(DataLoader(self.full_test_set, batch_size=32)))
            self.model.eval()
            from ..autograd.grad_mode import no_grad

            with no_grad():
                predicted = self.model(images).array.argmax(axis=1)
            pixels = images.array[:, 0] * self.dataset_cls.std + self.dataset_cls.mean
            plot_samples(pixels, predicted, labels.array, self.classes, self.run_dir / "samples.png")
            self._wrote("samples.png")
        if self.gradient_recorder is not None:
            self._wrote(*(Path(p).name for p in self.gradient_recorder.save_figures(self.run_dir)))
            self.gradient_recorder.remove()

    def _wrote(self, *names):
        self.outputs += [name for name in names if name not in self.outputs]


def _shard(dataset, rank, world_size):
    """Rank `rank`'s contiguous share of `dataset` (all of it for one process): every sample in one shard."""
    if world_size == 1:
        return dataset
    n = len(dataset)
    return Subset(dataset, range(rank * n // world_size, (rank + 1) * n // world_size))


def load_trained(path):
    """(model, info) from a run directory, a checkpoint.safetensors or a best.safetensors with config.json beside."""
    path = Path(path)
    if path.is_dir():
        path = path / ("best.safetensors" if (path / "best.safetensors").exists() else "checkpoint.safetensors")
    if not path.exists():
        raise MissingFile(f"no checkpoint at {path}")
    state = load(path)
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} holds no weights (a {type(state).__name__}, not a state_dict)")
    if "model" in state and isinstance(state.get("model"), dict):
        config, weights = state["config"], state["model"]
    else:
        config_path = path.parent / "config.json"
        if not config_path.exists():
            raise MissingFile(f"{path} holds weights only and there is no config.json beside it to say which "
                                    "model they belong to")
        config, weights = json.loads(config_path.read_text()), state
    config = TrainConfig.from_dict(config)
    if config.model not in MODELS:
        raise InvalidOption(f"{path}: unknown model {config.model!r}")
    model = create_model(config.model)
    try:
        model.load_state_dict(weights)
    except RuntimeError:
        owner = next((name for name in MODELS if name != config.model and _fits(create_model(name), weights)), None)
        raise CheckpointError(t("error.weights_of", path=path, model=config.model, owner=owner) if owner else
                              t("error.weights_of_none", path=path, model=config.model)) from None
    model.eval()
    return model, config


def _fits(model, weights):
    own = model.state_dict()
    return own.keys() == weights.keys() and all(tuple(own[k].shape) == tuple(weights[k].shape) for k in own)
