"""Training: a loop with progress, metrics, checkpoints and figures (used by `glasstorch train`)."""
from .config import TrainConfig
from .metrics import EvalResult, confusion_matrix, evaluate
from .trainer import Trainer, TrainingDiverged, load_datasets, load_trained

__all__ = ["TrainConfig", "EvalResult", "confusion_matrix", "evaluate", "Trainer", "TrainingDiverged",
           "load_datasets", "load_trained"]
