"""The training loop: epochs of mini-batch updates, evaluation, a run directory with metrics, figures and
atomic checkpoints, exact resume, and a clean stop when the loss stops being a number."""
import csv
import io
import json
import math
import time
from pathlib import Path

import numpy as np

from .. import __version__, optim, random
from ..datasets import DATASETS
from ..datasets.transforms import Compose, Normalize, ToTensor
from ..models import MODELS, create_model
from ..nn import functional as F
from ..nn.utils import clip_grad_norm_
from ..serialization import load, save, write_atomic
from ..utils.data import DataLoader, Subset
from .config import TrainConfig
from .metrics import evaluate
from .plots import plot_confusion, plot_curves, plot_samples

METRIC_FIELDS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "seconds"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message names the step and what to try."""


def load_datasets(config):
    """(train, test) datasets of config.dataset, normalised with the dataset's mean and std."""
    dataset_cls = DATASETS[config.dataset]
    transform = Compose([ToTensor(), Normalize((dataset_cls.mean,), (dataset_cls.std,))])
    kwargs = dict(root=config.data_dir, download=config.download)
    if config.dataset != "xor":
        kwargs["transform"] = transform
    train_set, test_set = dataset_cls(train=True, **kwargs), dataset_cls(train=False, **kwargs)
    return _limit(train_set, config.limit_train, config.seed), _limit(test_set, config.limit_test, config.seed + 1)


def _limit(dataset, limit, seed):
    """A seeded random subset of `limit` samples (MNIST's sample files are sorted by label)."""
    if limit is None or limit >= len(dataset):
        return dataset
    order = np.random.default_rng(seed).permutation(len(dataset))[:limit]
    return Subset(dataset, np.sort(order))


def build_optimizer(config, parameters):
    name = config.optimizer
    if name == "sgd":
        return optim.SGD(parameters, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    if name == "adam":
        return optim.Adam(parameters, lr=config.lr, weight_decay=config.weight_decay)
    if name == "adamw":
        return optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay or 1e-2)
    if name == "rmsprop":
        return optim.RMSprop(parameters, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    return optim.Adagrad(parameters, lr=config.lr, weight_decay=config.weight_decay)


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
    confusion.png, samples.png."""

    def __init__(self, config, resume=False, log=print):
        self.config = config.validate()
        self.log = log
        self.run_dir = Path(config.out or Path("runs") / f"{config.model}-{config.dataset}")
        self.dataset_cls = DATASETS[config.dataset]
        self.classes = list(self.dataset_cls.classes)
        random.manual_seed(config.seed)
        self.loader_generator = random.Generator().manual_seed(config.seed)
        train_set, test_set = load_datasets(config)
        self.train_loader = DataLoader(train_set, batch_size=config.batch_size, shuffle=True,
                                       generator=self.loader_generator)
        self.test_loader = DataLoader(test_set, batch_size=max(config.batch_size, 500))
        self.model = create_model(config.model)
        self.optimizer = build_optimizer(config, self.model.parameters())
        self.scheduler, self.scheduler_interval = build_scheduler(config, self.optimizer, len(self.train_loader))
        self.history, self.epoch, self.best_accuracy = [], 0, -1.0
        self.gradient_recorder = None
        if resume:
            self._resume()

    @property
    def checkpoint_path(self):
        return self.run_dir / "checkpoint.safetensors"

    # ------------------------------------------------------------ checkpoints
    def _state(self):
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
                "epoch": self.epoch, "history": self.history, "best_accuracy": self.best_accuracy,
                "rng": {"default": random.get_rng_state(), "loader": self.loader_generator.get_state()},
                "config": json.loads(self.config.to_json()), "classes": self.classes,
                "normalization": [self.dataset_cls.mean, self.dataset_cls.std], "version": __version__}

    def _resume(self):
        if not self.checkpoint_path.exists():
            raise FileNotFoundError(f"--resume: no checkpoint at {self.checkpoint_path} (train once without "
                                    "--resume, or point --out at the run directory)")
        state = load(self.checkpoint_path)
        saved = state["config"]
        for key in ("model", "dataset", "optimizer", "scheduler", "batch_size"):
            if saved.get(key) != getattr(self.config, key):
                raise ValueError(f"--resume: the checkpoint was trained with {key}={saved.get(key)!r}, "
                                 f"not {getattr(self.config, key)!r}")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state["scheduler"] is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.history, self.best_accuracy = state["epoch"], state["history"], state["best_accuracy"]
        random.set_rng_state(state["rng"]["default"])
        self.loader_generator.set_state(state["rng"]["loader"])
        self.log(f"resumed {self.checkpoint_path} at epoch {self.epoch}")

    # ------------------------------------------------------------ training
    def fit(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(str(self.run_dir / "config.json"), self.config.to_json().encode())
        if self.config.track_gradients:
            from ..diagnostics import GradientFlowRecorder

            self.gradient_recorder = GradientFlowRecorder(self.model)
        result = None
        while self.epoch < self.config.epochs:
            self.epoch += 1
            started = time.perf_counter()
            train_loss, train_acc = self._train_epoch()
            result = evaluate(self.model, self.test_loader, F.cross_entropy, len(self.classes))
            if self.scheduler_interval == "epoch":
                self.scheduler.step()
            elif self.scheduler_interval == "metric":
                self.scheduler.step(result.loss)
            seconds = time.perf_counter() - started
            row = {"epoch": self.epoch, "train_loss": train_loss, "train_acc": train_acc, "test_loss": result.loss,
                   "test_acc": result.accuracy, "lr": self.optimizer.param_groups[0]["lr"], "seconds": seconds}
            self.history.append(row)
            self._write_epoch(result)
            self.log(f"epoch {self.epoch}/{self.config.epochs}  train loss {train_loss:.4f} acc {100 * train_acc:.2f}%"
                     f"  test loss {result.loss:.4f} acc {100 * result.accuracy:.2f}%  lr {row['lr']:.3g}"
                     f"  {seconds:.1f} s ({len(self.train_loader.dataset) / seconds:.0f} img/s incl. eval)")
        self._write_final_figures(result)
        return self.history

    def _train_epoch(self):
        from tqdm import tqdm

        self.model.train()
        total_loss, correct, seen = 0.0, 0, 0
        started = time.perf_counter()
        bar = tqdm(self.train_loader, desc=f"epoch {self.epoch}/{self.config.epochs}", unit="batch",
                   disable=not self.config.progress, leave=False, dynamic_ncols=True)
        for step, (images, labels) in enumerate(bar, start=1):
            logits = self.model(images)
            loss = F.cross_entropy(logits, labels)
            value = loss.item()
            if not math.isfinite(value):
                bar.close()
                raise TrainingDiverged(
                    f"the loss became {value} at epoch {self.epoch}, step {step} of {len(self.train_loader)}; "
                    f"training stopped. The last good checkpoint ({self.checkpoint_path if self.epoch > 1 else 'none yet'}) "
                    f"is intact. Try a lower learning rate (--lr {self.config.lr / 10:g}) or gradient clipping "
                    "(--clip-grad-norm 1.0).")
            self.optimizer.zero_grad()
            loss.backward()
            if self.config.clip_grad_norm:
                clip_grad_norm_(self.model.parameters(), self.config.clip_grad_norm)
            self.optimizer.step()
            if self.gradient_recorder is not None:
                self.gradient_recorder.step()
            if self.scheduler_interval == "step":
                self.scheduler.step()
            total_loss += value * len(labels)
            correct += int((logits._data.argmax(axis=1) == labels._data).sum())
            seen += len(labels)
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{100 * correct / seen:.1f}%",
                            img_s=f"{seen / (time.perf_counter() - started):.0f}", refresh=False)
        return total_loss / seen, correct / seen

    # ------------------------------------------------------------ run directory
    def _write_epoch(self, result):
        if result.accuracy > self.best_accuracy:
            self.best_accuracy = result.accuracy
            save(self.model.state_dict(), self.run_dir / "best.safetensors")
        save(self._state(), self.checkpoint_path)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=METRIC_FIELDS)
        writer.writeheader()
        writer.writerows(self.history)
        write_atomic(str(self.run_dir / "metrics.csv"), buffer.getvalue().encode())
        plot_curves(self.history, self.run_dir / "curves.png", f"{self.config.model} on {self.config.dataset}")

    def _write_final_figures(self, result=None):
        """Confusion matrix and sample grid of the final model (`result`: its last evaluation, if there was one)."""
        result = result or evaluate(self.model, self.test_loader, F.cross_entropy, len(self.classes))
        plot_confusion(result.confusion, self.classes, self.run_dir / "confusion.png")
        if self.config.dataset != "xor":
            images, labels = next(iter(DataLoader(self.test_loader.dataset, batch_size=32)))
            self.model.eval()
            from ..autograd.grad_mode import no_grad

            with no_grad():
                predicted = self.model(images)._data.argmax(axis=1)
            pixels = images._data[:, 0] * self.dataset_cls.std + self.dataset_cls.mean
            plot_samples(pixels, predicted, labels._data, self.classes, self.run_dir / "samples.png")
        if self.gradient_recorder is not None:
            self.gradient_recorder.save_figures(self.run_dir)
            self.gradient_recorder.remove()


def load_trained(path):
    """(model, info) from a run directory, a checkpoint.safetensors or a best.safetensors with config.json beside."""
    path = Path(path)
    if path.is_dir():
        path = path / ("best.safetensors" if (path / "best.safetensors").exists() else "checkpoint.safetensors")
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    state = load(path)
    if "model" in state and isinstance(state.get("model"), dict):
        config, weights = state["config"], state["model"]
    else:
        config_path = path.parent / "config.json"
        if not config_path.exists():
            raise FileNotFoundError(f"{path} holds weights only and there is no config.json beside it to say which "
                                    "model they belong to")
        config, weights = json.loads(config_path.read_text()), state
    config = TrainConfig.from_dict(config)
    if config.model not in MODELS:
        raise ValueError(f"{path}: unknown model {config.model!r}")
    model = create_model(config.model)
    model.load_state_dict(weights)
    model.eval()
    return model, config
