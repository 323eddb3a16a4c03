"""Whether ops record the graph: `no_grad`, `enable_grad`, `set_grad_enabled` (thread-local, as in PyTorch)."""
import functools
import threading

_state = threading.local()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def _set_enabled(mode):
    _state.enabled = bool(mode)


class _GradMode:
    """Context manager and decorator that sets grad mode on entry and restores it on exit."""

    mode = True

    def __enter__(self):
        self._previous = is_grad_enabled()
        _set_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        _set_enabled(self._previous)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops run inside record no graph; results have requires_grad=False."""

    mode = False


class enable_grad(_GradMode):
    """Turn graph recording back on inside a `no_grad` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` acts like no_grad; takes effect at once, like PyTorch's, and as a context."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = is_grad_enabled()
        _set_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, fn):
        _set_enabled(self._previous)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)
        return wrapper
