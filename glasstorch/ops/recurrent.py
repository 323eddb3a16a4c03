"""Recurrent layers over a whole sequence in one direction: Elman RNN (tanh or relu), LSTM and GRU.

One op runs the time loop of one layer and one direction, so the graph holds one node per layer, not one
per step and gate. The input projections of all steps are one matrix product before the loop,
XP = X W_ih^T + b_ih, and their gradients one product after it, dL/dX = dL/dXP W_ih, dL/dW_ih = dL/dXP^T X.
Inside the loop each step only multiplies the hidden state: HP_t = h_{t-1} W_hh^T + b_hh.

Backward is backpropagation through time: walking the steps in reverse, dL/dh_{t-1} collects the gradient that
step t sends back through W_hh (plus, for an LSTM, dL/dc_{t-1} through the forget gate), added to what the
layer's output at t-1 receives from above.

Variable-length batches (packed sequences) run sorted by length, longest first: at step t only the first
batch_sizes[t] rows are still in their sequence; the other rows keep their state unchanged (so h_n is each
sequence's own last state) and output zeros, and receive no gradient there. In the reverse direction a row
starts from h_0 at its own last step, which the same rule gives for free.

The op's output is the state after every step, (T, B, S): S = H for RNN and GRU, and [h, c] (S = 2H) for LSTM;
the layer module slices out the outputs and the final states.
"""
from ..autograd.function import Function
from ..backend import xp
from .elementwise import sigmoid_array


class RecurrentSequence(Function):
    """Base of one layer x one direction; a subclass gives one step forward and its backward.

    forward(x (T, B, I), state0 (B, S), W_ih (G H, I), W_hh (G H, H), b_ih, b_hh) -> states (T, B, S)."""

    gates = 1

    @classmethod
    def forward(cls, ctx, x, state0, w_ih, w_hh, b_ih, b_hh, batch_sizes=None, reverse=False):
        steps, batch = x.shape[:2]
        hidden = w_hh.shape[1]
        batch_sizes = [batch] * steps if batch_sizes is None else batch_sizes
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        projected = (x.reshape(steps * batch, -1) @ w_ih.T).reshape(steps, batch, -1)
        if b_ih is not None:
            projected += b_ih
        ctx.h_prev = xp.zeros((steps, batch, hidden), dtype=x.dtype)
        ctx.memory = cls.allocate(steps, batch, hidden, x.dtype)
        states = xp.zeros((steps, batch, state0.shape[1]), dtype=x.dtype)
        state = state0.copy()
        for t in order:
            n = batch_sizes[t]
            ctx.h_prev[t, :n] = state[:n, :hidden]
            state[:n] = cls.step(ctx.memory, t, projected[t, :n], state[:n], w_hh, b_hh)
            states[t, :n] = state[:n]
        ctx.order, ctx.batch_sizes, ctx.has_bias = order, batch_sizes, b_ih is not None
        ctx.save_for_backward(x, w_ih, w_hh)
        return states

    @classmethod
    def backward(cls, ctx, g):
        x, w_ih, w_hh = ctx.saved_tensors
        steps, batch = x.shape[:2]
        d_projected = xp.zeros((steps, batch, w_hh.shape[0]), dtype=g.dtype)
        d_hidden_product = xp.zeros_like(d_projected)
        d_state = xp.zeros((batch, g.shape[2]), dtype=g.dtype)
        for t in reversed(ctx.order):
            n = ctx.batch_sizes[t]
            d_state[:n] += g[t, :n]
            d_state[:n] = cls.step_backward(ctx.memory, t, n, d_state[:n], ctx.h_prev[t, :n], w_hh,
                                            d_projected[t, :n], d_hidden_product[t, :n])
        rows_p = d_projected.reshape(steps * batch, -1)
        rows_h = d_hidden_product.reshape(steps * batch, -1)
        dx = (rows_p @ w_ih).reshape(x.shape) if ctx.needs_grad(0) else None
        dw_ih = rows_p.T @ x.reshape(steps * batch, -1) if ctx.needs_grad(2) else None
        dw_hh = rows_h.T @ ctx.h_prev.reshape(steps * batch, -1) if ctx.needs_grad(3) else None
        db_ih = rows_p.sum(axis=0) if ctx.has_bias and ctx.needs_grad(4) else None
        db_hh = rows_h.sum(axis=0) if ctx.has_bias and ctx.needs_grad(5) else None
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
    def allocate(steps, batch, hidden, dtype):
        return {"h": xp.zeros((steps, batch, hidden), dtype)}

    @classmethod
    def step(cls, memory, t, xp_t, state, w_hh, b_hh):
        h = xp.tanh(xp_t + cls.hidden_product(state, w_hh, b_hh))
        memory["h"][t, :len(h)] = h
        return h

    @staticmethod
    def step_backward(memory, t, n, dh, h_prev, w_hh, d_projected, d_hidden_product):
        h = memory["h"][t, :n]
        da = dh * (1 - h * h)
        d_projected[...] = da
        d_hidden_product[...] = da
        return da @ w_hh


class RNNReluSequence(RNNTanhSequence):
    """h_t = max(0, x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).  dL/da_t = dL/dh_t [h_t > 0]."""

    @classmethod
    def step(cls, memory, t, xp_t, state, w_hh, b_hh):
        h = xp.maximum(xp_t + cls.hidden_product(state, w_hh, b_hh), 0)
        memory["h"][t, :len(h)] = h
        return h

    @staticmethod
    def step_backward(memory, t, n, dh, h_prev, w_hh, d_projected, d_hidden_product):
        da = dh * (memory["h"][t, :n] > 0)
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
    def allocate(steps, batch, hidden, dtype):
        return {"gates": xp.zeros((steps, batch, 4 * hidden), dtype), "c_prev": xp.zeros((steps, batch, hidden), dtype),
                "tanh_c": xp.zeros((steps, batch, hidden), dtype)}

    @classmethod
    def step(cls, memory, t, xp_t, state, w_hh, b_hh):
        hidden = w_hh.shape[1]
        n = len(state)
        h, c = state[:, :hidden], state[:, hidden:]
        gates = memory["gates"][t, :n]
        gates[...] = xp_t + cls.hidden_product(h, w_hh, b_hh)
        gates[:, :2 * hidden] = sigmoid_array(gates[:, :2 * hidden])
        gates[:, 2 * hidden:3 * hidden] = xp.tanh(gates[:, 2 * hidden:3 * hidden])
        gates[:, 3 * hidden:] = sigmoid_array(gates[:, 3 * hidden:])
        i, f, g, o = gates[:, :hidden], gates[:, hidden:2 * hidden], gates[:, 2 * hidden:3 * hidden], gates[:, 3 * hidden:]
        memory["c_prev"][t, :n] = c
        c_new = f * c + i * g
        tanh_c = memory["tanh_c"][t, :n]
        tanh_c[...] = xp.tanh(c_new)
        return xp.concatenate([o * tanh_c, c_new], axis=1)

    @staticmethod
    def step_backward(memory, t, n, d_state, h_prev, w_hh, d_projected, d_hidden_product):
        hidden = w_hh.shape[1]
        gates = memory["gates"][t, :n]
        i, f, g, o = gates[:, :hidden], gates[:, hidden:2 * hidden], gates[:, 2 * hidden:3 * hidden], gates[:, 3 * hidden:]
        tanh_c, c_prev = memory["tanh_c"][t, :n], memory["c_prev"][t, :n]
        dh, dc = d_state[:, :hidden], d_state[:, hidden:]
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        d_projected[:, :hidden] = dc * g * i * (1 - i)
        d_projected[:, hidden:2 * hidden] = dc * c_prev * f * (1 - f)
        d_projected[:, 2 * hidden:3 * hidden] = dc * i * (1 - g * g)
        d_projected[:, 3 * hidden:] = dh * tanh_c * o * (1 - o)
        d_hidden_product[...] = d_projected
        return xp.concatenate([d_projected @ w_hh, dc * f], axis=1)


class GRUSequence(RecurrentSequence):
    """With x_t W_ih^T + b_ih = [x_r, x_z, x_n] and h_{t-1} W_hh^T + b_hh = [h_r, h_z, h_n]:

        r = sigma(x_r + h_r)   z = sigma(x_z + h_z)   n = tanh(x_n + r h_n)   h_t = (1 - z) n + z h_{t-1}

    Backward:  dL/dn = dL/dh_t (1 - z)   dL/dz = dL/dh_t (h_{t-1} - n)   dL/da_n = dL/dn (1 - n^2)
        dL/dr = dL/da_n h_n;  pre-activations da_r = dL/dr r(1 - r), da_z = dL/dz z(1 - z);
        dL/d[x_r, x_z, x_n] = [da_r, da_z, da_n],  dL/d[h_r, h_z, h_n] = [da_r, da_z, da_n r],
        dL/dh_{t-1} = dL/dh_t z + dL/d[h_r, h_z, h_n] W_hh."""

    gates = 3

    @staticmethod
    def allocate(steps, batch, hidden, dtype):
        return {"gates": xp.zeros((steps, batch, 3 * hidden), dtype), "h_n": xp.zeros((steps, batch, hidden), dtype)}

    @classmethod
    def step(cls, memory, t, xp_t, h, w_hh, b_hh):
        hidden = w_hh.shape[1]
        n_rows = len(h)
        hp = cls.hidden_product(h, w_hh, b_hh)
        gates = memory["gates"][t, :n_rows]
        gates[:, :2 * hidden] = sigmoid_array(xp_t[:, :2 * hidden] + hp[:, :2 * hidden])
        r, z = gates[:, :hidden], gates[:, hidden:2 * hidden]
        memory["h_n"][t, :n_rows] = hp[:, 2 * hidden:]
        n = gates[:, 2 * hidden:]
        n[...] = xp.tanh(xp_t[:, 2 * hidden:] + r * hp[:, 2 * hidden:])
        return n + z * (h - n)

    @staticmethod
    def step_backward(memory, t, n_rows, dh, h_prev, w_hh, d_projected, d_hidden_product):
        hidden = w_hh.shape[1]
        gates = memory["gates"][t, :n_rows]
        r, z, n = gates[:, :hidden], gates[:, hidden:2 * hidden], gates[:, 2 * hidden:]
        da_n = dh * (1 - z) * (1 - n * n)
        da_r = da_n * memory["h_n"][t, :n_rows] * r * (1 - r)
        da_z = dh * (h_prev - n) * z * (1 - z)
        d_projected[:, :hidden] = da_r
        d_projected[:, hidden:2 * hidden] = da_z
        d_projected[:, 2 * hidden:] = da_n
        d_hidden_product[:, :2 * hidden] = d_projected[:, :2 * hidden]
        d_hidden_product[:, 2 * hidden:] = da_n * r
        return dh * z + d_hidden_product @ w_hh


SEQUENCES = {"RNN_TANH": RNNTanhSequence, "RNN_RELU": RNNReluSequence, "LSTM": LSTMSequence, "GRU": GRUSequence}
