"""Compiling the compiled set ahead (kernels/compile_ahead.py): a machine's first run compiles, once, on every core,
before its first step, with one line; what the course's networks then call is all compiled; later processes, and
ranks started together, do not compile again."""
import io
import os
import subprocess
import sys

import pytest

from glasstorch.kernels import compile_ahead, compiled

# A process like a first `glasstorch train`: it loads the compiled set, then trains and evaluates the course's
# networks in float32 (batch 5, so the batch-innermost kernels run), counting the kernels Numba compiles after that.
FIRST_RUN = """
import glasstorch as gt, glasstorch.nn.functional as F
from glasstorch import models
from glasstorch.kernels import compile_ahead
from numba.core import event

gt.set_kernels("compiled")
compiled_later = []

class Count(event.Listener):
    def on_start(self, ev):
        function = getattr(ev.data["dispatcher"], "py_func", None)
        if function is not None and function.__module__ == "glasstorch.kernels.compiled":
            compiled_later.append(function.__name__)

    def on_end(self, ev):
        pass

event.register("numba:compile", Count())
gt.manual_seed(0)
for name in ("inception-net", "resnet"):
    model = models.create_model(name)
    x, y = gt.randn(5, 1, 28, 28), gt.randint(0, 10, (5,))
    F.cross_entropy(model(x), y).backward()
    model.eval()
    with gt.no_grad():
        model(x)
print(sorted(set(compiled_later)), compile_ahead.marker().exists(), compile_ahead.compile_ahead())
"""


def _start(cache):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "GLASSTORCH_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-c", FIRST_RUN], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


@pytest.fixture(scope="module")
def first_runs(tmp_path_factory):
    """Two such processes started together on a fresh cache (as `--nproc 2` ranks on a new machine would be),
    then a third once they are done: [(stdout, stderr)] in that order."""
    cache = tmp_path_factory.mktemp("numba-cache")
    together = [_start(cache), _start(cache)]
    outputs = [process.communicate(timeout=600) for process in together]
    outputs.append(_start(cache).communicate(timeout=600))
    return outputs


def test_one_process_compiles_ahead_with_one_line_and_the_other_waits_for_it(first_runs):
    lines = [line for _, err in first_runs for line in err.splitlines()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("glasstorch: compiling the compiled kernel set for this CPU, once, on ")
    assert lines[0].endswith(f": {len(compile_ahead.SIGNATURES)} kernels in " + lines[0].split(" kernels in ")[1])


def test_the_course_networks_call_nothing_that_was_not_compiled_ahead(first_runs):
    for out, err in first_runs:
        assert out.strip() == "[] True False", err


def test_a_later_process_loads_what_was_compiled_and_says_nothing(first_runs):
    out, err = first_runs[2]
    assert err == "" and out.strip() == "[] True False"


def test_a_worker_answers_the_error_of_a_kernel_it_cannot_compile():
    """The worker protocol: one kernel name a line in, 'ok' or the error out."""
    worker = subprocess.run([sys.executable, "-m", "glasstorch.kernels.compile_ahead"], input="_relu\n_no_such\n",
                            capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr
    answers = worker.stdout.splitlines()
    assert answers[0] == "ok" and answers[1].startswith("error AttributeError") and "_no_such" in answers[1]


def test_a_kernel_that_fails_is_left_to_its_first_use_and_nothing_is_marked_done(tmp_path, monkeypatch, capsys):
    import numba

    signatures = {"_no_such_kernel": (compile_ahead.F1,), "_relu": compile_ahead.SIGNATURES["_relu"],
                  "_no_such_either": (compile_ahead.F1,)}
    monkeypatch.setattr(compile_ahead, "SIGNATURES", signatures)
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GLASSTORCH_COMPILE_AHEAD", raising=False)
    assert compile_ahead.compile_ahead(cores=2) is True       # one kernel here, the others in a worker
    assert not compile_ahead.marker().exists()
    assert " 1 kernel in " in capsys.readouterr().err      # the line counts what compiled


def test_the_line_counts_in_place_on_a_terminal_and_is_written_once_in_a_log():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, live in ((Terminal(), True), (io.StringIO(), False)):
        line = compile_ahead._ProgressLine(3, 2, stream)
        for _ in range(3):
            line.step()
        line.close()
        text = stream.getvalue()
        assert text.count("\n") == 1 and text.endswith("\n")
        assert ("\r" in text) == live
        assert ("3/3 kernels" in text) == live and ("3 kernels in" in text) == (not live)
        assert "on 2 cores" in text


def test_the_line_speaks_the_chosen_language():
    from glasstorch.i18n import language, set_language

    before = language()
    try:
        set_language("zh")
        stream = io.StringIO()
        line = compile_ahead._ProgressLine(1, 1, stream)
        line.step()
        line.close()
        assert "只编译这一次, 用 1 个核" in stream.getvalue() and "1 个内核, 用时" in stream.getvalue()
    finally:
        set_language(before)


def test_while_compiling_ahead_the_first_use_line_stays_silent(capsys, monkeypatch):
    import types

    event = types.SimpleNamespace(data={"dispatcher": compiled._relu})
    monkeypatch.setattr(compiled._notice, "said", False)
    with compiled.compiling_ahead():
        compiled._notice.on_start(event)
    assert capsys.readouterr().err == ""
    compiled._notice.on_start(event)
    assert "compiling kernels of the compiled set" in capsys.readouterr().err


def test_every_signature_names_a_kernel_of_the_set():
    for name, argument_types in compile_ahead.SIGNATURES.items():
        kernel = getattr(compiled, name)
        assert kernel.py_func.__code__.co_argcount == len(argument_types), name


def test_the_marker_names_the_installed_copy_and_the_cpu_target(monkeypatch, tmp_path):
    """Two environments, or CPU targets (scripts/as-avx2), sharing one cache folder must not take each other's
    marker: Numba keys its cache entries by the source file's path and the target, so the marker does too."""
    from pathlib import Path

    from numba.core.registry import cpu_target

    before = compile_ahead.marker()
    assert compile_ahead.marker() == before
    copy = tmp_path / "compiled.py"
    copy.write_bytes(Path(compiled.__file__).read_bytes())          # the same source, installed elsewhere
    monkeypatch.setattr(compiled, "__file__", str(copy))
    assert compile_ahead.marker() != before
    monkeypatch.undo()
    codegen = type(cpu_target.target_context.codegen())
    monkeypatch.setattr(codegen, "magic_tuple", lambda self: ("x86_64-unknown-linux-gnu", "znver3", "+avx2,-avx512f"))
    assert compile_ahead.marker() != before
    monkeypatch.undo()
    assert compile_ahead.marker() == before


def test_a_cache_folder_it_cannot_write_leaves_every_kernel_to_first_use(tmp_path):
    """No traceback where ~/.cache cannot be written (a read-only home): the kernels compile on first use."""
    blocked = tmp_path / "file"
    blocked.write_text("")
    program = ("import glasstorch as gt, glasstorch.nn.functional as F\n"
               "gt.set_kernels('compiled')\n"
               "print(F.relu(gt.tensor([[-1.0, 2.0], [3.0, -4.0]])).sum().item())\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NUMBA_CACHE_DIR": str(blocked / "numba")})
    assert result.returncode == 0 and result.stdout.strip() == "5.0", result.stderr
    assert "Traceback" not in result.stderr and "compiling the compiled kernel set" not in result.stderr
