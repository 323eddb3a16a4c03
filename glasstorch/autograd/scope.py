"""Which nn.Module's forward is running: each graph node records the module that made it (`node.module`, a path
such as "Net.incep1.branch5x5_1"), so that the explain page can group the nodes of an Inception block."""

_stack = []     # (module, path) of the forwards running now, innermost last


def current_path():
    return _stack[-1][1] if _stack else None


class module_scope:
    """`with module_scope(module):` around a module's forward; its path is its parent's path and the name the parent
    gave it (or its class name, for a module called from outside any other)."""

    __slots__ = ("module",)

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        path = type(self.module).__name__
        if _stack:
            parent, parent_path = _stack[-1]
            name = next((key for key, child in parent._modules.items() if child is self.module), path)
            path = f"{parent_path}.{name}"
        _stack.append((self.module, path))

    def __exit__(self, *exc):
        _stack.pop()
        return False
