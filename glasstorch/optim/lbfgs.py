"""L-BFGS: a quasi-Newton method that needs the loss again inside step(closure).

The direction is d = -H g with H the inverse-Hessian estimate built from the last history_size pairs
s_k = w_{k+1} - w_k, y_k = g_{k+1} - g_k by the two-loop recursion:
    q = -g;  for k newest..oldest: a_k = rho_k s_k.q, q = q - a_k y_k     (rho_k = 1 / y_k.s_k)
    r = (s.y / y.y) q;  for k oldest..newest: b = rho_k y_k.r, r = r + (a_k - b) s_k;  d = r
then w = w + t d with t = lr (the first step scaled down to min(1, 1/|g|_1) lr). PyTorch's algorithm and
stopping rules (tolerance_grad on max |g|, tolerance_change on the step and the loss, max_iter, max_eval).
"""
from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import xp
from .optimizer import Optimizer


class LBFGS(Optimizer):
    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn not in (None,):
            raise NotImplementedError(f"LBFGS: line_search_fn={line_search_fn!r} is not supported (glasstorch takes "
                                      "the fixed step lr, line_search_fn=None)")
        max_eval = max_iter * 5 // 4 if max_eval is None else max_eval
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        return xp.concatenate([p.grad.array.reshape(-1) if p.grad is not None else xp.zeros(p.numel(), p.array.dtype)
                               for p in self._params])

    def _add_to_params(self, step, direction):
        offset = 0
        for p in self._params:
            n = p.numel()
            with p.modify() as values:
                values += (step * direction[offset:offset + n]).reshape(p.shape).astype(values.dtype)
            offset += n

    def step(self, closure=None):
        if closure is None:
            raise RuntimeError("LBFGS.step() needs a closure that clears the gradients, computes the loss, calls "
                               "backward() and returns the loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss
        d, t = state.get("d"), state.get("t")
        old_dirs, old_steps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        n_iter = 0
        with no_grad():
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:
                    d, old_dirs, old_steps, ro, h_diag = -flat_grad, [], [], [], 1
                else:
                    y, s = flat_grad - prev_flat_grad, d * t
                    ys = y.dot(s)
                    if ys > 1e-10:
                        if len(old_dirs) == group["history_size"]:
                            old_dirs.pop(0), old_steps.pop(0), ro.pop(0)
                        old_dirs.append(y), old_steps.append(s), ro.append(1.0 / ys)
                        h_diag = ys / y.dot(y)
                    alphas = [None] * len(old_dirs)
                    q = -flat_grad
                    for i in range(len(old_dirs) - 1, -1, -1):
                        alphas[i] = old_steps[i].dot(q) * ro[i]
                        q = q - alphas[i] * old_dirs[i]
                    d = q * h_diag
                    for i in range(len(old_dirs)):
                        beta = old_dirs[i].dot(d) * ro[i]
                        d = d + (alphas[i] - beta) * old_steps[i]
                prev_flat_grad = flat_grad.copy()
                prev_loss = loss
                t = min(1.0, 1.0 / float(xp.abs(flat_grad).sum())) * lr if state["n_iter"] == 1 else lr
                if flat_grad.dot(d) > -tolerance_change:
                    break
                self._add_to_params(t, d)
                more = 0
                if n_iter != max_iter:
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._flat_grad()
                    more = 1
                evals += more
                state["func_evals"] += more
                if n_iter == max_iter or evals >= max_eval or xp.abs(flat_grad).max() <= tolerance_grad:
                    break
                if xp.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                    break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_steps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss
