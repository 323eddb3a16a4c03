"""glasstorch's modules form layers with no import circle: backend (with the message catalogues, i18n) -> kernels ->
autograd -> ops -> tensor -> nn (and distributed).
Each layer imports alone, in that order, and no module imports one above it (not even inside a function)."""
import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "glasstorch"
LAYERS = [
    ("glasstorch.backend", "glasstorch.dtypes", "glasstorch.random", "glasstorch.errors", "glasstorch.i18n"),
    ("glasstorch.kernels",),
    ("glasstorch.autograd",),
    ("glasstorch.ops",),
    ("glasstorch.tensor", "glasstorch.tensor_math", "glasstorch._formatting", "glasstorch.creation"),
    ("glasstorch.nn", "glasstorch.distributed"),
]


def layer_of(module):
    for index, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return index
    return len(LAYERS)


def module_names():
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        names[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return names


def imports_of(module, path, is_package, modules):
    """Every glasstorch module `module` imports, at the top or inside a function."""
    found = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names if alias.name.startswith("glasstorch")]
        elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("glasstorch")):
            base = here[:len(here) - node.level + 1] if node.level else []
            target = ".".join(base + (node.module.split(".") if node.module else []))
            targets = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target
                       for alias in node.names]
        for target in targets:
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != module:
                found.add(target)
    return found


def import_graph():
    modules = module_names()
    return {module: imports_of(module, path, is_package, modules) for module, (path, is_package) in modules.items()}


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{module} imports {target}" for module, targets in import_graph().items() for target in targets
              if layer_of(target) > layer_of(module)]
    assert not upward, "\n".join(upward)


def test_the_import_graph_has_no_circle():
    graph = import_graph()
    state, circles = {}, []

    def visit(module, path):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, "\n".join(circles)


def test_each_layer_imports_alone_in_order():
    """In a fresh interpreter, with glasstorch/__init__ (which imports everything) bypassed: importing a layer
    loads nothing from the layers above it."""
    script = f"""
import importlib, sys, types
package = types.ModuleType("glasstorch")
package.__path__ = [{str(PACKAGE)!r}]
sys.modules["glasstorch"] = package
layers = {LAYERS!r}
def layer_of(name):
    return next((i for i, names in enumerate(layers) if any(name == n or name.startswith(n + ".") for n in names)),
                len(layers))
for index, names in enumerate(layers):
    for name in names:
        importlib.import_module(name)
    above = sorted(m for m in sys.modules if m.startswith("glasstorch.") and layer_of(m) > index)
    assert not above, f"importing layer {{index}} ({{names}}) loaded {{above}}"
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
