"""Every option of a training run; saved as the run's config.json."""
import dataclasses
import json
import math
from pathlib import Path

from ..errors import InvalidOption
from ..i18n import t

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
SCHEDULERS = ("none", "step", "cosine", "exponential", "onecycle", "plateau")
# what a run is: resuming with any of these changed would be another run
RUN_DEFINING = ("model", "dataset", "optimizer", "lr", "momentum", "weight_decay", "batch_size", "scheduler",
                "clip_grad_norm", "limit_train", "seed")
# schedules whose next epoch does not depend on the total number of epochs (cosine and onecycle fix it at the start)
EXTENDABLE_SCHEDULERS = ("none", "step", "exponential", "plateau")


@dataclasses.dataclass
class TrainConfig:
    model: str = "inception-net"
    dataset: str = "mnist"
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.001
    optimizer: str = "adam"
    momentum: float = 0.5
    weight_decay: float = 0.0
    scheduler: str = "none"
    clip_grad_norm: float | None = None
    seed: int = 0
    limit_train: int | None = None
    limit_test: int | None = None
    data_dir: str | None = None
    download: bool = False
    out: str | None = None
    track_gradients: bool = False
    tensorboard: bool = False
    progress: bool = True

    def validate(self):
        from ..datasets import DATASETS
        from ..models import MODELS

        if self.model not in MODELS:
            raise InvalidOption(f"unknown model {self.model!r}; choose one of: {', '.join(MODELS)}")
        if self.dataset not in DATASETS:
            raise InvalidOption(f"unknown dataset {self.dataset!r}; choose one of: {', '.join(DATASETS)}")
        needs_xor = MODELS[self.model].input_kind == "xor"
        if needs_xor != (self.dataset == "xor"):
            raise InvalidOption(f"model {self.model!r} and dataset {self.dataset!r} do not fit together: the xor model "
                             "takes the 2-number XOR dataset, the other models take 28x28 images")
        if self.optimizer not in OPTIMIZERS:
            raise InvalidOption(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if self.scheduler not in SCHEDULERS:
            raise InvalidOption(f"unknown scheduler {self.scheduler!r}; choose one of: {', '.join(SCHEDULERS)}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise InvalidOption(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        for name in ("limit_train", "limit_test"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise InvalidOption(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        if not math.isfinite(self.lr) or self.lr <= 0:
            raise InvalidOption(t("error.positive", option="lr", value=self.lr))
        for name in ("momentum", "weight_decay"):
            if not math.isfinite(getattr(self, name)) or getattr(self, name) < 0:
                raise InvalidOption(f"--{name.replace('_', '-')} must be a finite number >= 0, got {getattr(self, name)}")
        if self.clip_grad_norm is not None and (not math.isfinite(self.clip_grad_norm) or self.clip_grad_norm <= 0):
            raise InvalidOption(t("error.positive", option="clip-grad-norm", value=self.clip_grad_norm))
        return self

    @classmethod
    def for_model(cls, model=None, **given):
        """A config with the model's own recipe (e.g. xor: its dataset, lr 0.05, 20 epochs) under `given`."""
        from ..models import MODELS

        model = model or cls.model
        recipe = MODELS[model].recipe if model in MODELS else {}
        return cls(model=model, **{**recipe, **given})

    @property
    def run_dir(self):
        return Path(self.out) if self.out else Path("runs") / f"{self.model}-{self.dataset}"

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_dict(cls, values):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
