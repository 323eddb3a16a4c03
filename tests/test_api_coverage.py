"""docs/api-coverage.md is what scripts/api_coverage.py computes now, its totals are the README's, and the script
reads PyTorch's signatures (Python and C) correctly."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("api_coverage", REPO / "scripts" / "api_coverage.py")
api_coverage = importlib.util.module_from_spec(spec)
spec.loader.exec_module(api_coverage)


def test_the_committed_table_is_current():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "api_coverage.py"), "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_the_readme_gives_the_tables_totals():
    table = (REPO / "docs" / "api-coverage.md").read_text()
    names, implemented, different, missing = map(int, re.search(
        r"\| \*\*total\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|", table).groups())
    assert names == implemented + different + missing
    readme = " ".join((REPO / "README.md").read_text().replace(",", "").split())
    assert (f"{names} public names" in readme and f"{implemented} implemented" in readme
            and f"{different} with a different signature" in readme and f"{missing} missing" in readme)


def test_signatures_are_read_from_python_and_from_c_docstrings():
    names, takes_kwargs = api_coverage.parameters(torch.max, "max")      # three overloads, one in the first line
    assert set(names) == {"input", "dim", "keepdim", "other", "out"} and not takes_kwargs
    assert api_coverage.parameters(torch.sort, "sort")[0] == ["input", "dim", "descending", "stable", "out"]
    assert api_coverage.parameters(torch.nn.Linear, "Linear")[0] == ["in_features", "out_features", "bias", "device",
                                                                       "dtype"]
    assert api_coverage.parameters(torch.Tensor.add, "add")[0] == ["other", "alpha"]


def test_a_lacking_parameter_and_a_missing_name_are_reported():
    class Theirs:
        @staticmethod
        def f(input, dim=0, *, out=None):
            pass

        @staticmethod
        def g():
            pass

    class Ours:
        @staticmethod
        def f(input, dim=0):
            pass

    coverage = api_coverage.compare("demo", Theirs, Ours, ["f", "g"])
    assert coverage.different == {"f": ["out"]} and coverage.missing == ["g"] and coverage.implemented == []
