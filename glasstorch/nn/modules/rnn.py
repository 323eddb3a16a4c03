"""Recurrent layers (RNN, LSTM, GRU) and their single-step cells, with PyTorch's parameters and layouts.

Layer l, direction d holds weight_ih_l{l}{_reverse} (G H, I_l), weight_hh_l{l}{_reverse} (G H, H) and the two
biases (G H,), G = 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n); I_0 = input_size, I_l = H * directions.
Every parameter starts as U(-1/sqrt(H), 1/sqrt(H)). The equations and their backward are in
glasstorch.ops.recurrent, one op per layer and direction.

Input (T, B, I) (batch_first: (B, T, I)), a 2-D (T, I) unbatched sequence, or a PackedSequence; output
(T, B, H * directions) and h_n (num_layers * directions, B, H) (LSTM: (h_n, c_n)).
"""
import math

from ... import creation
from ...backend import xp
from ...ops.dropout import dropout
from ...ops.recurrent import SEQUENCES
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

class RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if proj_size:
            raise NotImplementedError(f"{type(self).__name__}: proj_size (LSTM projections) is not supported")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        directions = 2 if bidirectional else 1
        gate_size = SEQUENCES[mode].gates * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(creation.empty(*shape, dtype=dtype, device=device)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def _state_size(self):
        return 2 * self.hidden_size if self.mode == "LSTM" else self.hidden_size

    def _describe(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def _layer_weights(self, layer, suffix):
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return [getattr(self, f"{n}_l{layer}{suffix}") if self.bias or n.startswith("weight") else None
                for n in names]

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        if packed:
            x, unbatched = input.data, False
            self._check_features(x, "(packed rows, features)")
            batch_sizes = input.batch_sizes.array.tolist()
            batch = batch_sizes[0]
            offsets = xp.concatenate([[0], xp.cumsum(batch_sizes)[:-1]])
            last_rows = offsets[xp.asarray(input.lengths()) - 1] + xp.arange(batch)
        else:
            sequence, unbatched = self._time_major(input)
            steps, batch = sequence.shape[:2]
            x = sequence.reshape(steps * batch, self.input_size)
            batch_sizes = [batch] * steps
            last_rows = slice((steps - 1) * batch, steps * batch)
        directions = 2 if self.bidirectional else 1
        state = self._initial_state(hx, batch, x, unbatched, input if packed else None)
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(("", "_reverse")[:directions]):
                states = SEQUENCES[self.mode].apply(x, state[layer * directions + direction],
                                                    *self._layer_weights(layer, suffix), batch_sizes=batch_sizes,
                                                    reverse=direction == 1)
                outputs.append(states[:, :self.hidden_size])
                finals.append(states[:batch] if direction == 1 else states[last_rows])
            x = outputs[0] if directions == 1 else cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, True)
        hidden = self._split_state(stack(finals))
        if packed:
            output = PackedSequence(x, input.batch_sizes, input.sorted_indices, input.unsorted_indices)
            if input.unsorted_indices is not None:
                hidden = tuple(h[:, input.unsorted_indices.array] for h in hidden)
        else:
            output = x.reshape(steps, batch, directions * self.hidden_size)
            if unbatched:
                output, hidden = output[:, 0], tuple(h[:, 0] for h in hidden)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, (hidden if self.mode == "LSTM" else hidden[0])

    def _split_state(self, final):
        if self.mode == "LSTM":
            return final[..., :self.hidden_size], final[..., self.hidden_size:]
        return (final,)

    def _time_major(self, input):
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._describe()}: expected a Tensor or a PackedSequence as input, got "
                            f"{type(input).__name__}")
        layout = "(batch, seq, features)" if self.batch_first else "(seq, batch, features)"
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._describe()}: expected input to be 2-D (seq, features) or 3-D {layout} with "
                             f"batch_first={self.batch_first}, got {input.dim()}-D input of shape {tuple(input.shape)}")
        self._check_features(input, layout if input.dim() == 3 else "(seq, features)")
        if input.dim() == 2:
            return input.unsqueeze(1), True
        return (input.transpose(0, 1) if self.batch_first else input), False

    def _check_features(self, input, layout):
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{self._describe()}: input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]} (input of shape {tuple(input.shape)} read as "
                               f"{layout}, batch_first={self.batch_first})")
        if not input.is_floating_point():
            raise RuntimeError(f"{self._describe()}: expected a floating-point input, got {input.dtype} (an Embedding "
                               "turns token indices into vectors first)")

    def _initial_state(self, hx, batch, x, unbatched, packed):
        """(layers * directions, B, S) from hx (LSTM: (h_0, c_0)), zeros when hx is None."""
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, batch, self.hidden_size)
        if hx is None:
            return creation.zeros(expected[0], batch, self._state_size, dtype=x.dtype)
        parts = hx if self.mode == "LSTM" else (hx,)
        if self.mode == "LSTM" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise RuntimeError(f"{self._describe()}: hx must be a tuple (h_0, c_0) for an LSTM")
        checked = []
        for name, part in zip(("h_0", "c_0") if self.mode == "LSTM" else ("hx",), parts):
            if unbatched:
                part = part.unsqueeze(1)
            if tuple(part.shape) != expected:
                shown = expected if not unbatched else (expected[0], expected[2])
                raise RuntimeError(f"{self._describe()}: Expected hidden size {shown}, got "
                                   f"{list(part.shape if not unbatched else part.squeeze(1).shape)} for {name}")
            if packed is not None and packed.sorted_indices is not None:
                part = part[:, packed.sorted_indices.array]
            checked.append(part)
        return checked[0] if len(checked) == 1 else cat(checked, 2)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    def flatten_parameters(self):
        """A cuDNN memory-layout call in PyTorch; nothing to do on the CPU."""

    @property
    def all_weights(self):
        """The parameters of each layer and direction: [[weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0], ...]."""
        per = 4 if self.bias else 2
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[k:k + per]] for k in range(0, len(names), per)]


class RNN(RNNBase):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (nonlinearity='relu': max(0, .))."""

    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        if len(args) > 3 and isinstance(args[3], str):      # RNN(input_size, hidden_size, num_layers, 'relu', ...)
            nonlinearity, args = args[3], args[:3] + args[4:]
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(modes[nonlinearity], *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; c_t = f c_{t-1} + i g; h_t = o tanh(c_t)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: r, z gates; n = tanh(x_n + r h_n); h_t = (1 - z) n + z h_{t-1}."""

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    mode = None

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = SEQUENCES[self.mode].gates * hidden_size
        self.weight_ih = Parameter(creation.empty(gate_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(creation.empty(gate_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(gate_size, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(gate_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _step(self, input, states):
        """One step: the sequence op over T = 1."""
        name = f"{type(self).__name__}({self.extra_repr()})"
        if not isinstance(input, Tensor) or input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D (features) or 2D (batch, features), got "
                             f"{getattr(input, 'dim', lambda: '?')()}D input")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size} (input of shape {tuple(input.shape)}, read as (batch, features))")
        unbatched = input.dim() == 1
        x = input.unsqueeze(0) if unbatched else input
        batch = x.shape[0]
        if states is None:
            size = 2 * self.hidden_size if self.mode == "LSTM" else self.hidden_size
            state = creation.zeros(batch, size, dtype=x.dtype)
        else:
            parts = []
            for s in states:
                s = s.unsqueeze(0) if unbatched else s
                if tuple(s.shape) != (batch, self.hidden_size):
                    raise RuntimeError(f"{name}: Expected hidden size {(batch, self.hidden_size)}, got "
                                       f"{list(s.shape)}")
                parts.append(s)
            state = parts[0] if len(parts) == 1 else cat(parts, 1)
        states = SEQUENCES[self.mode].apply(x, state, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                                            batch_sizes=[batch])
        return states[0] if unbatched else states


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        return self._step(input, None if hx is None else (hx,))


class GRUCell(RNNCellBase):
    """h' = (1 - z) n + z h with r, z, n as in glasstorch.ops.recurrent.GRUSequence."""

    mode = "GRU"

    def forward(self, input, hx=None):
        return self._step(input, None if hx is None else (hx,))


class LSTMCell(RNNCellBase):
    """(h', c') with c' = f c + i g, h' = o tanh(c')."""

    mode = "LSTM"

    def forward(self, input, hx=None):
        state = self._step(input, hx)
        return state[..., :self.hidden_size], state[..., self.hidden_size:]
