"""Every option of a training run; saved as the run's config.json."""
import dataclasses
import json

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
SCHEDULERS = ("none", "step", "cosine", "exponential", "onecycle", "plateau")


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
    progress: bool = True

    def validate(self):
        from ..datasets import DATASETS
        from ..models import MODELS

        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of: {', '.join(MODELS)}")
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; choose one of: {', '.join(DATASETS)}")
        needs_xor = MODELS[self.model].input_kind == "xor"
        if needs_xor != (self.dataset == "xor"):
            raise ValueError(f"model {self.model!r} and dataset {self.dataset!r} do not fit together: the xor model "
                             "takes the 2-number XOR dataset, the other models take 28x28 images")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if self.scheduler not in SCHEDULERS:
            raise ValueError(f"unknown scheduler {self.scheduler!r}; choose one of: {', '.join(SCHEDULERS)}")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        for name in ("limit_train", "limit_test"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ValueError(f"--lr must be positive, got {self.lr}")
        if self.clip_grad_norm is not None and self.clip_grad_norm <= 0:
            raise ValueError(f"--clip-grad-norm must be positive, got {self.clip_grad_norm}")
        return self

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_dict(cls, values):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
