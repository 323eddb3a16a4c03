"""Recurrent layers over a whole sequence in one direction: Elman RNN (tanh or relu), LSTM and GRU.

One op runs the time loop of one layer and one direction, so the graph holds one node per layer, not one
per step and gate. The input projections of all steps are one matrix product before the loop,
XP = X W_ih^T + b_ih, and their gradients one product after it, dL/dX = dL/dXP W_ih, dL/dW_ih = dL/dXP^T X.
Inside the loop each step only multiplies the hidden state: HP_t = h_{t-1} W_hh^T + b_hh.

Backward is backpropagation through time: walking the steps in reverse, dL/dh_{t-1} collects the gradient that
step t sends back through W_hh (plus, for an LSTM, dL/dc_{t-1} through the forget gate), added to what the
layer's output at t-1 receives from above.

The steps are stored as PyTorch packs them, time-major: the rows of step t are rows
offsets[t] .. offsets[t] + batch_sizes[t] of x, the sequences still running at t, longest first. A full batch
(T, B, I) is the case batch_sizes = [B] * T. At step t only the first batch_sizes[t] sequences advance; the others
keep their state (so the final state is each sequence's own last one), and in the reverse direction a sequence
starts from h_0 at its own last step, which the same rule gives for free. Every product runs over the real
rows only, none over padding.

The op's output is the state after every step, one row per row of x: S = H for RNN and GRU, and [h, c] (S = 2H)
for LSTM; the layer module slices out the outputs and the final states.
"""
from .. import kernels
from ..autograd.function import Function
from ..backend import xp


def sigmoid_(a):
    """a = 1 / (1 + e^-a) in place (e^-a may overflow to inf for very negative a, giving exactly 0)."""
    with xp.errstate(over="ignore"):
        xp.negative(a, out=a)
        xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)
    return a


def step_rows(batch_sizes):
    """The row slice of every step in the packed layout."""
    rows, start = [], 0
    for n in batch_sizes:
        rows.append(slice(start, start + n))
        start += n
    return rows


class RecurrentSequence(Function):
    """Base of one layer x one direction; a subclass gives one step forward and its backward.

    forward(x (N, I) packed, state0 (B, S), W_ih (G H, I), W_hh (G H, H), b_ih, b_hh, batch_sizes) -> (N, S)."""

    gates = 1       # weight rows per hidden unit: W_ih is (gates H, I)

    @classmethod
    def forward(cls, ctx, x, state0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse=False):
        hidden = w_hh.shape[1]
        rows = step_rows(batch_sizes)
        order = rows[::-1] if reverse else rows
        projected = x @ w_ih.T
        if b_ih is not None:
            projected += b_ih
        ctx.h_prev = xp.empty((len(x), hidden), dtype=x.dtype)
        ctx.memory = cls.allocate(len(x), hidden, x.dtype)
        states = xp.empty((len(x), state0.shape[1]), dtype=x.dtype)
        state = state0.copy()
        for r in order:
            n = r.stop - r.start
            ctx.h_prev[r] = state[:n, :hidden]
            state[:n] = cls.step(ctx.memory, r, projected[r], state[:n], w_hh, b_hh)
            states[r] = state[:n]
        ctx.order, ctx.batch, ctx.has_bias = order, len(state0), b_ih is not None
        ctx.save_for_backward(x, w_ih, w_hh)
        return states

    @classmethod
    def backward(cls, ctx, g):
        x, w_ih, w_hh = ctx.saved_tensors
        d_projected = xp.empty((len(x), w_hh.shape[0]), dtype=g.dtype)
        d_hidden_product = xp.empty_like(d_projected)
        d_state = xp.zeros((ctx.batch, g.shape[1]), dtype=g.dtype)
        for r in reversed(ctx.order):
            n = r.stop - r.start
            d_state[:n] += g[r]
            d_state[:n] = cls.step_backward(ctx.memory, r, d_state[:n], ctx.h_prev[r], w_hh, d_projected[r],
                                            d_hidden_product[r])
        dx = d_projected @ w_ih if ctx.needs_grad(0) else None
        dw_ih = d_projected.T @ x if ctx.needs_grad(2) else None
        dw_hh = d_hidden_product.T @ ctx.h_prev if ctx.needs_grad(3) else None
        db_ih = kernels.active().sum_rows(d_projected) if ctx.has_bias and ctx.needs_grad(4) else None
        db_hh = kernels.active().sum_rows(d_hidden_product) if ctx.has_bias and ctx.needs_grad(5) else None
        return dx, d_state, dw_ih, dw_hh, db_ih, db_hh

    @staticmethod
    def hidden_product(h, w_hh, b_hh):
        product = h @ w_hh.T
        if b_hh is not None:
            product += b_hh
        return product


class RNNTanhSequence(RecurrentSequence):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    With a_t the sum inside: dL/da_t = dL/dh_t (1 - h_t^2), dL/dh_{t-1} = dL/da_t W_hh."""

    @staticmethod
    def allocate(count, hidden, dtype):
        return {"h": xp.empty((count, hidden), dtype)}

    @classmethod
    def step(cls, memory, r, xp_t, state, w_hh, b_hh):
        h = xp.tanh(xp_t + cls.hidden_product(state, w_hh, b_hh))
        memory["h"][r] = h
        return h

    @staticmethod
    def step_backward(memory, r, dh, h_prev, w_hh, d_projected, d_hidden_product):
        h = memory["h"][r]
        da = dh * (1 - h * h)
        d_projected[...] = da
        d_hidden_product[...] = da
        return da @ w_hh


class RNNReluSequence(RNNTanhSequence):
    """h_t = max(0, x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).  dL/da_t = dL/dh_t [h_t > 0]."""

    @classmethod
    def step(cls, memory, r, xp_t, state, w_hh, b_hh):
        h = xp.maximum(xp_t + cls.hidden_product(state, w_hh, b_hh), 0)
        memory["h"][r] = h
        return h

    @staticmethod
    def step_backward(memory, r, dh, h_prev, w_hh, d_projected, d_hidden_product):
        da = dh * (memory["h"][r] > 0)
        d_projected[...] = da
        d_hidden_product[...] = da
        return da @ w_hh


class LSTMSequence(RecurrentSequence):
    """Gates from a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh, split as [i, f, g, o]:

        i = sigma(a_i)   f = sigma(a_f)   g = tanh(a_g)   o = sigma(a_o)
        c_t = f c_{t-1} + i g            h_t = o tanh(c_t)

    Backward, with dL/dc_t = dL/dc_t (from step t+1) + dL/dh_t o (1 - tanh^2 c_t):
        dL/do = dL/dh_t tanh c_t   dL/di = dL/dc_t g   dL/dg = dL/dc_t i   dL/df = dL/dc_t c_{t-1}
        dL/dc_{t-1} = dL/dc_t f    dL/da = those times sigma' = s(1 - s) (tanh' = 1 - g^2 for g)
        dL/dh_{t-1} = dL/da W_hh.  The state is [h, c]."""

    gates = 4

    @staticmethod
    def allocate(count, hidden, dtype):
        return {"gates": xp.empty((count, 4 * hidden), dtype), "c_prev": xp.empty((count, hidden), dtype),
                "tanh_c": xp.empty((count, hidden), dtype)}

    @classmethod
    def step(cls, memory, r, xp_t, state, w_hh, b_hh):
        hidden = w_hh.shape[1]
        h, c = state[:, :hidden], state[:, hidden:]
        gates = memory["gates"][r]
        xp.add(xp_t, cls.hidden_product(h, w_hh, b_hh), out=gates)
        sigmoid_(gates[:, :2 * hidden])
        xp.tanh(gates[:, 2 * hidden:3 * hidden], out=gates[:, 2 * hidden:3 * hidden])
        sigmoid_(gates[:, 3 * hidden:])
        i, f, g, o = gates[:, :hidden], gates[:, hidden:2 * hidden], gates[:, 2 * hidden:3 * hidden], gates[:, 3 * hidden:]
        memory["c_prev"][r] = c
        new_state = xp.empty_like(state)
        c_new = new_state[:, hidden:]
        xp.multiply(f, c, out=c_new)
        c_new += i * g
        tanh_c = memory["tanh_c"][r]
        xp.tanh(c_new, out=tanh_c)
        xp.multiply(o, tanh_c, out=new_state[:, :hidden])
        return new_state

    @staticmethod
    def step_backward(memory, r, d_state, h_prev, w_hh, d_projected, d_hidden_product):
        hidden = w_hh.shape[1]
        gates = memory["gates"][r]
        i, f, g, o = gates[:, :hidden], gates[:, hidden:2 * hidden], gates[:, 2 * hidden:3 * hidden], gates[:, 3 * hidden:]
        tanh_c, c_prev = memory["tanh_c"][r], memory["c_prev"][r]
        dh, dc = d_state[:, :hidden], d_state[:, hidden:]
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        d_projected[:, :hidden] = dc * g * i * (1 - i)
        d_projected[:, hidden:2 * hidden] = dc * c_prev * f * (1 - f)
        d_projected[:, 2 * hidden:3 * hidden] = dc * i * (1 - g * g)
        d_projected[:, 3 * hidden:] = dh * tanh_c * o * (1 - o)
        d_hidden_product[...] = d_projected
        d_prev = xp.empty_like(d_state)
        xp.matmul(d_projected, w_hh, out=d_prev[:, :hidden])
        xp.multiply(dc, f, out=d_prev[:, hidden:])
        return d_prev


class GRUSequence(RecurrentSequence):
    """With x_t W_ih^T + b_ih = [x_r, x_z, x_n] and h_{t-1} W_hh^T + b_hh = [h_r, h_z, h_n]:

        r = sigma(x_r + h_r)   z = sigma(x_z + h_z)   n = tanh(x_n + r h_n)   h_t = (1 - z) n + z h_{t-1}

    Backward:  dL/dn = dL/dh_t (1 - z)   dL/dz = dL/dh_t (h_{t-1} - n)   dL/da_n = dL/dn (1 - n^2)
        dL/dr = dL/da_n h_n;  pre-activations da_r = dL/dr r(1 - r), da_z = dL/dz z(1 - z);
        dL/d[x_r, x_z, x_n] = [da_r, da_z, da_n],  dL/d[h_r, h_z, h_n] = [da_r, da_z, da_n r],
        dL/dh_{t-1} = dL/dh_t z + dL/d[h_r, h_z, h_n] W_hh."""

    gates = 3

    @staticmethod
    def allocate(count, hidden, dtype):
        return {"gates": xp.empty((count, 3 * hidden), dtype), "h_n": xp.empty((count, hidden), dtype)}

    @classmethod
    def step(cls, memory, r, xp_t, h, w_hh, b_hh):
        hidden = w_hh.shape[1]
        hp = cls.hidden_product(h, w_hh, b_hh)
        gates = memory["gates"][r]
        xp.add(xp_t[:, :2 * hidden], hp[:, :2 * hidden], out=gates[:, :2 * hidden])
        sigmoid_(gates[:, :2 * hidden])
        r_gate, z = gates[:, :hidden], gates[:, hidden:2 * hidden]
        h_n = memory["h_n"][r]
        h_n[...] = hp[:, 2 * hidden:]
        n = gates[:, 2 * hidden:]
        xp.multiply(r_gate, h_n, out=n)
        n += xp_t[:, 2 * hidden:]
        xp.tanh(n, out=n)
        out = h - n
        out *= z
        out += n
        return out

    @staticmethod
    def step_backward(memory, r, dh, h_prev, w_hh, d_projected, d_hidden_product):
        hidden = w_hh.shape[1]
        gates = memory["gates"][r]
        r_gate, z, n = gates[:, :hidden], gates[:, hidden:2 * hidden], gates[:, 2 * hidden:]
        da_n = dh * (1 - z) * (1 - n * n)
        da_r = da_n * memory["h_n"][r] * r_gate * (1 - r_gate)
        da_z = dh * (h_prev - n) * z * (1 - z)
        d_projected[:, :hidden] = da_r
        d_projected[:, hidden:2 * hidden] = da_z
        d_projected[:, 2 * hidden:] = da_n
        d_hidden_product[:, :2 * hidden] = d_projected[:, :2 * hidden]
        d_hidden_product[:, 2 * hidden:] = da_n * r_gate
        return dh * z + d_hidden_product @ w_hh


SEQUENCES = {"RNN_TANH": RNNTanhSequence, "RNN_RELU": RNNReluSequence, "LSTM": LSTMSequence, "GRU": GRUSequence}
