import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # course/

# The tests read glasstorch's English messages (tests/test_i18n.py chooses Chinese where it tests it), whatever the
# locale of the machine running them: a learner with LANG=zh_CN.UTF-8 runs the same suite.
os.environ["GLASSTORCH_LANG"] = "en"

import pytest  # noqa: E402
from torchvision_import import import_torchvision  # noqa: E402

from glasstorch.datasets import MNIST  # noqa: E402

import_torchvision()    # once, first: every later `import torchvision` in the test process then finds it loaded


@pytest.fixture
def mnist_dir():
    """The real MNIST digits the package ships (5,000 training, 2,000 test): no test needs anything outside
    the repository."""
    return MNIST.embedded


def pytest_terminal_summary(terminalreporter):
    """After a run that included the edge table, print its coverage (ops x edge kinds) with totals."""
    if not any("test_edges.py" in str(item) for item in getattr(terminalreporter.config, "_edge_items", [])):
        return
    from ops.test_edges import coverage_report

    terminalreporter.write_sep("-", "edge table coverage (tests/ops/op_table.py)")
    terminalreporter.write_line(coverage_report())


def pytest_collection_modifyitems(config, items):
    config._edge_items = [item.nodeid for item in items if "test_edges.py" in item.nodeid]
