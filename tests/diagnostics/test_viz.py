import shutil

import glasstorch as gt
from glasstorch.cli import main
from glasstorch.viz import render, to_dot


def test_dot_names_ops_shapes_and_parameters():
    layer = gt.nn.Linear(3, 2)
    x = gt.randn(4, 3)
    y = layer(x).relu().sum()
    text = to_dot(y, layer.named_parameters())
    assert text.startswith("digraph glasstorch {") and text.rstrip().endswith("}")
    for fragment in ["SumBackward0", "ReluBackward0\\n(4, 2)", "LinearBackward0\\n(4, 2)", "weight\\n(2, 3)",
                     "requires_grad", "output ()"]:
        assert fragment in text, fragment
    assert text.count("shape=box") == 3
    assert "tensor\\n(4, 3)" in text      # the input: a leaf that needs no gradient


def test_render_keeps_the_dot_file_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    paths, message = render("digraph g { a -> b; }", tmp_path / "g")
    assert paths == [tmp_path / "g.dot"] and (tmp_path / "g.dot").read_text().startswith("digraph")
    assert "not installed" in message


def test_graph_command(tmp_path, capsys):
    assert main(["graph", "--model", "resnet", "--out", str(tmp_path)]) == 0
    assert "resnet:" in capsys.readouterr().out
    text = (tmp_path / "resnet.dot").read_text()
    assert "rblock1.conv1.weight" in text and "Conv2dBackward0" in text


def test_render_calls_graphviz_when_present(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_dot = bin_dir / "dot"     # stands in for Graphviz: records its arguments, writes the -o file
    fake_dot.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\nwhile [ "$1" != "-o" ]; do shift; done\n'
                        'echo "<svg/>" > "$2"\n')
    fake_dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    paths, message = render("digraph g { a -> b; }", tmp_path / "out" / "g", "svg")
    assert paths == [tmp_path / "out" / "g.dot", tmp_path / "out" / "g.svg"]
    assert (tmp_path / "out" / "g.svg").read_text().strip() == "<svg/>"
    assert (bin_dir / "args").read_text().split()[0] == "-Tsvg"
