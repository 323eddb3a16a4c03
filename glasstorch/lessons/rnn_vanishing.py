"""Vanishing gradients through time: how much of the gradient at the last step of a sequence reaches the first.

Backpropagation through time multiplies one Jacobian per step. In a tanh RNN it is
dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh, so with ||W_hh|| below 1 (PyTorch's U(+-1/sqrt(H)) init) the gradient
shrinks by about the same factor every step: geometric decay in the length T. An LSTM adds a second path,
the cell: dc_t/dc_{t-1} = f_t, elementwise, with no matrix and no squashing, so the gradient's decay per step
is the forget gate itself: 0.5 at initialisation (sigmoid(0)), 0.73 with the common forget-gate bias of 1.
A GRU's h_t = (1 - z) n + z h_{t-1} gives the same kind of gated path through z.

Measured on one batch, in float64 so nothing underflows: ||dL/dx_1|| / ||dL/dx_T|| for L = sum(h_T), T from 5
to 100, averaged over seeds, and the per-step factor that fits it.
"""
import numpy as np

from .. import dtypes, nn, random
from ..autograd.grad_mode import no_grad
from ..creation import randn
from ..i18n import t
from ..i18n.fonts import figure_text as text
from .common import ExperimentResult, pyplot, save_figure

MODELS = {"tanh RNN": ("RNN", None), "LSTM": ("LSTM", None), "LSTM, forget bias 1": ("LSTM", 1.0), "GRU": ("GRU", None)}


def reach(mode, forget_bias, steps, seed, hidden=32, features=8, batch=16):
    """||dL/dx_1|| / ||dL/dx_T|| for L = sum of the last step's output, a fresh layer with PyTorch's init."""
    random.manual_seed(seed)
    layer = getattr(nn, mode)(features, hidden).to(dtypes.float64)
    if forget_bias is not None:
        with no_grad():                # gate order i, f, g, o: rows H..2H are the forget gate
            layer.bias_ih_l0[hidden:2 * hidden].fill_(forget_bias)
            layer.bias_hh_l0[hidden:2 * hidden].fill_(0.0)
    x = randn(steps, batch, features, dtype=dtypes.float64, requires_grad=True)
    output, _ = layer(x)
    output[-1].sum().backward()
    return x.grad[0].norm().item() / x.grad[-1].norm().item()


def run(out_dir, lengths=(5, 10, 20, 50, 100), seeds=3, seed=0, **_):
    ratios = {name: [float(np.mean([reach(mode, bias, steps, seed + k) for k in range(seeds)])) for steps in lengths]
              for name, (mode, bias) in MODELS.items()}
    # log ratio ~ (T - 1) log(factor): the per-step factor is the slope of a least-squares line
    factors = {name: float(np.exp(np.polyfit(np.asarray(lengths) - 1, np.log(values), 1)[0]))
               for name, values in ratios.items()}
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, values in ratios.items():
        ax.semilogy(lengths, values, "o-", label=text("rnn.per_step", name=name, factor=factors[name]))
    ax.set(xlabel=text("rnn.length"), ylabel=text("rnn.ratio"), title=text("rnn.title"))
    ax.grid(alpha=0.3)
    ax.legend()
    figure = save_figure(fig, out_dir, "rnn_vanishing.png")
    longest = lengths[-1]
    verdict = t("rnn.verdict", steps=longest, rnn=ratios["tanh RNN"][-1], rnn_factor=factors["tanh RNN"],
                lstm=ratios["LSTM"][-1], lstm_factor=factors["LSTM"], gru=ratios["GRU"][-1], gru_factor=factors["GRU"],
                open=ratios["LSTM, forget bias 1"][-1], open_factor=factors["LSTM, forget bias 1"])
    rows = [[name, *values, factors[name]] for name, values in ratios.items()]
    numbers = {f"{name}_T{steps}": value for name, values in ratios.items() for steps, value in zip(lengths, values)}
    numbers.update({f"{name}_per_step": factor for name, factor in factors.items()})
    return ExperimentResult("rnn-vanishing", [t("rnn.columns_model"), *[f"T={steps}" for steps in lengths],
                                              t("rnn.columns_per_step")], rows,
                            verdict, numbers, [figure])
