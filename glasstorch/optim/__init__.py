"""Optimizers (PyTorch's torch.optim) and learning-rate schedules."""
from . import lr_scheduler
from .adadelta import Adadelta, Adamax
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .asgd import ASGD, Rprop
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adamax", "ASGD", "Rprop", "LBFGS", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
