"""The notes' lessons as runnable experiments: `glasstorch experiment NAME` or `run_experiment(NAME, out_dir)`."""
from importlib import import_module

from ..errors import InvalidOption

EXPERIMENTS = {
    "xor": "a linear model cannot fit XOR; one hidden non-linear layer can",
    "activations": "vanishing gradients: deep MLPs with sigmoid, tanh and ReLU",
    "residual": "a deep plain CNN against the same CNN with residual blocks",
    "exploding": "too-large weights explode the gradient; clip_grad_norm_ tames it",
    "optimizers": "full-batch GD, SGD, mini-batches, momentum and Adam on one problem",
    "losses": "MSE vs cross-entropy on a saturated sigmoid output",
    "linear": "y = 2x with a hand-written gradient against autograd",
    "rnn-vanishing": "the gradient reaching a sequence's first step: tanh RNN against LSTM and GRU",
}


def run_experiment(name, out_dir="experiments", **options):
    """Run one experiment; returns its ExperimentResult (table, verdict, numbers, figure paths)."""
    if name not in EXPERIMENTS:
        raise InvalidOption(f"unknown experiment {name!r}; choose one of: {', '.join(EXPERIMENTS)}")
    return import_module(f"{__name__}.{name.replace('-', '_')}").run(out_dir, **options)


__all__ = ["EXPERIMENTS", "run_experiment"]
