"""`glasstorch run --explain`: the page of an unmodified PyTorch program's backward call, as a user makes it."""
import json
import re
import subprocess
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parents[2] / "course"


def glasstorch_run(*argv, cwd):
    result = subprocess.run([sys.executable, "-m", "glasstorch", "run", *map(str, argv)], capture_output=True,
                            text=True, cwd=cwd, timeout=300)
    return result.returncode, result.stdout, result.stderr


def page_data(path):
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(re.search(r'id="glasstorch-graph">(.*?)</script>', text, re.S).group(1))


def test_lecture_4_program_gets_the_notes_own_numbers(tmp_path):
    """course/linear_grad.py is the notes' lecture 4 (y_hat = x w, loss = (y_hat - y)^2, x = 1, y = 2, w = 1): its
    first backward call has dloss/dw = 2 (y_hat - y) x = -2, the program itself runs on unchanged."""
    code, out, err = glasstorch_run("--explain", COURSE / "linear_grad.py", cwd=tmp_path)
    assert code == 0 and "predict (after training) 4 7.99" in out
    assert f"wrote {tmp_path / 'explain.html'}" in err or "wrote explain.html" in err
    data = page_data(tmp_path / "explain.html")
    w = next(n for n in data["nodes"] if n["label"] == "w")
    assert w["value"] == [1.0] and w["grad"] == [-2.0] and abs(w["finite_difference"][0] + 2) < 1e-6
    assert data["loss"] == 1.0


def test_the_nth_call_and_a_program_that_never_calls_backward(tmp_path):
    code, _, err = glasstorch_run("--explain", "--explain-call", "3", "--explain-out", tmp_path / "third.html",
                                  COURSE / "linear_grad.py", cwd=tmp_path)
    w = next(n for n in page_data(tmp_path / "third.html")["nodes"] if n["label"] == "w")
    assert code == 0 and "backward call 3" in err and w["value"] != [1.0]       # w has moved by then
    quiet = tmp_path / "quiet.py"
    quiet.write_text("import torch\nprint(torch.ones(2).sum().item())\n")
    code, out, err = glasstorch_run("--explain", quiet, cwd=tmp_path)
    assert code == 0 and out.strip() == "2.0"
    assert err.strip() == "glasstorch run: --explain: the program made 0 backward calls, so there was no call 1 to explain"
    assert not (tmp_path / "explain.html").exists()


def test_explain_a_registry_model_on_real_digits_and_graph_always_writes_a_page(tmp_path, capsys):
    import numpy as np

    import glasstorch as gt
    from glasstorch.cli import main
    from glasstorch.lessons.cli import _model_and_loss

    gt.manual_seed(3)
    assert main(["explain", "--model", "lenet", "--batch", "2", "--out", str(tmp_path / "lenet.html")]) == 0
    assert "on 2 MNIST test digits" in capsys.readouterr().out
    gt.manual_seed(3)
    model, loss, _ = _model_and_loss("lenet", batch=2, real=True)
    loss.backward()
    nodes = {n["label"]: n for n in page_data(tmp_path / "lenet.html")["nodes"]}
    for name, parameter in model.named_parameters():
        shown = nodes[name]["grad"]
        expected = parameter.grad.numpy()
        if isinstance(shown, dict):             # a large tensor: its statistics
            np.testing.assert_allclose([shown["mean"], shown["min"], shown["max"]],
                                       [expected.mean(), expected.min(), expected.max()], rtol=1e-4, atol=1e-8)
        else:
            np.testing.assert_allclose(shown, expected, rtol=1e-4, atol=1e-8)
    assert main(["graph", "--model", "xor", "--out", str(tmp_path / "graphs")]) == 0
    assert "which any browser opens" in capsys.readouterr().out and (tmp_path / "graphs" / "xor.html").is_file()
    assert main(["explain", "--model", "nope"]) == 1
    assert capsys.readouterr().err.strip().startswith("glasstorch explain: error: unknown model 'nope'")
