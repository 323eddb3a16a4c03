"""glasstorch.utils.tensorboard against torch.utils.tensorboard: the same calls write event files that TensorBoard's
own reader (EventAccumulator) reads back with the same scalars, images (PNG bytes), histogram buckets, text, PR
curves, hyperparameters, projector files and graph scopes."""
import os

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import glasstorch as gt
from glasstorch.utils.tensorboard import SummaryWriter

EVERYTHING = {"images": 0, "scalars": 0, "histograms": 0, "tensors": 0, "compressedHistograms": 0}


def read(folder):
    accumulator = EventAccumulator(str(folder), size_guidance=EVERYTHING)
    accumulator.Reload()
    return accumulator


def both(tmp_path, calls):
    """Run calls(writer, library) with glasstorch's writer and with PyTorch's; the two log folders."""
    folders = {}
    for L, Writer in ((gt, SummaryWriter), (torch, TorchWriter)):
        folders[L] = tmp_path / L.__name__
        with Writer(str(folders[L])) as writer:
            calls(writer, L)
    return folders[gt], folders[torch]


def values(L, array):
    return L.tensor(np.asarray(array, dtype=np.float32))


def test_scalars_and_scalars_of_several_runs(tmp_path):
    def calls(w, L):
        for step in range(5):
            w.add_scalar("loss/train", 1.0 / (step + 1), step)
            w.add_scalar("acc", values(L, 0.25 * step), step)              # a 0-d tensor
            w.add_scalar("lr", np.float64(0.1) ** step, step, new_style=True)
            w.add_scalars("compare", {"sgd": step * 1.5, "adam": values(L, [step * 2.0])}, step)

    ours, theirs = both(tmp_path, calls)
    a, b = read(ours), read(theirs)
    assert a.Tags()["scalars"] == b.Tags()["scalars"] and sorted(a.Tags()["tensors"]) == sorted(b.Tags()["tensors"])
    for tag in a.Tags()["scalars"]:
        assert [(e.step, e.value) for e in a.Scalars(tag)] == [(e.step, e.value) for e in b.Scalars(tag)]
    assert [e.tensor_proto for e in a.Tensors("lr")] == [e.tensor_proto for e in b.Tensors("lr")]
    runs = [sorted(name for name in os.listdir(folder) if os.path.isdir(folder / name)) for folder in (ours, theirs)]
    assert runs[0] == runs[1] == ["compare_adam", "compare_sgd"]             # one run per key of add_scalars
    for run in ("compare_sgd", "compare_adam"):
        assert [(e.step, e.value) for e in read(ours / run).Scalars("compare")] == \
            [(e.step, e.value) for e in read(theirs / run).Scalars("compare")]


def test_images_in_every_layout_are_the_same_png(tmp_path):
    rng = np.random.default_rng(0)
    chw, nchw = rng.uniform(0, 1, (3, 10, 12)), rng.uniform(0, 1, (5, 1, 6, 7))
    hwc_uint8 = rng.integers(0, 256, (9, 8, 3)).astype(np.uint8)

    def calls(w, L):
        w.add_image("chw", values(L, chw), 0)
        w.add_image("hwc", L.tensor(hwc_uint8), 1, dataformats="HWC")
        w.add_image("hw", values(L, chw[0] * 2 - 0.5), 2, dataformats="HW")        # clipped to [0, 255]
        w.add_images("batch", values(L, nchw), 3)
        w.add_images("nhwc", values(L, nchw.transpose(0, 2, 3, 1)), 4, dataformats="NHWC")

    ours, theirs = both(tmp_path, calls)
    a, b = read(ours), read(theirs)
    assert sorted(a.Tags()["images"]) == sorted(b.Tags()["images"]) == ["batch", "chw", "hw", "hwc", "nhwc"]
    for tag in a.Tags()["images"]:
        (x,), (y,) = a.Images(tag), b.Images(tag)
        assert (x.step, x.width, x.height, x.encoded_image_string) == (y.step, y.width, y.height,
                                                                          y.encoded_image_string)


def test_histograms_have_torchs_buckets(tmp_path):
    rng = np.random.default_rng(1)
    samples = [rng.standard_normal(1000), rng.uniform(-3, 3, 200) * 1e-6, np.array([0.0, 0.0, 5.0]),
               rng.integers(0, 10, 50).astype(np.float64)]

    def calls(w, L):
        for step, data in enumerate(samples):
            w.add_histogram("weights", values(L, data), step)
            w.add_histogram("auto", values(L, data), step, bins="auto")
            w.add_histogram("few", values(L, data), step, bins=30, max_bins=7)

    a, b = (read(folder) for folder in both(tmp_path, calls))
    for tag in ("weights", "auto", "few"):
        for x, y in zip(a.Histograms(tag), b.Histograms(tag), strict=True):
            assert x.step == y.step
            np.testing.assert_allclose(x.histogram_value.bucket_limit, y.histogram_value.bucket_limit, rtol=1e-12)
            assert x.histogram_value.bucket == y.histogram_value.bucket
            for field in ("min", "max", "num", "sum", "sum_squares"):
                assert getattr(x.histogram_value, field) == pytest.approx(getattr(y.histogram_value, field),
                                                                          rel=1e-9)


def test_text_pr_curves_and_hyperparameters(tmp_path):
    rng = np.random.default_rng(2)
    labels, predictions, pr_weights = rng.integers(0, 2, 100), rng.uniform(0, 1, 100), rng.uniform(0.5, 1, 100)

    def calls(w, L):
        w.add_text("notes", "**lr** = 0.1, 中文也可以", 0)
        w.add_pr_curve("pr", L.tensor(labels), values(L, predictions), 1)
        w.add_pr_curve("pr_coarse", L.tensor(labels), values(L, predictions), 2, num_thresholds=11,
                       weights=pr_weights)      # PyTorch takes weights as an array, not a tensor
        w.add_hparams({"lr": 0.01, "optimizer": "adam", "batch": 64, "nesterov": True, "none": None},
                      {"hparam/accuracy": 0.97, "hparam/loss": 0.1}, run_name="trial-1",
                      hparam_domain_discrete={"optimizer": ["adam", "sgd"]})

    ours, theirs = both(tmp_path, calls)
    a, b = read(ours), read(theirs)
    for tag in ("notes/text_summary", "pr", "pr_coarse"):
        (x,), (y,) = a.Tensors(tag), b.Tensors(tag)
        assert x.step == y.step and x.tensor_proto.tensor_shape == y.tensor_proto.tensor_shape
        np.testing.assert_allclose(x.tensor_proto.float_val, y.tensor_proto.float_val, rtol=1e-6)
        assert x.tensor_proto.string_val == y.tensor_proto.string_val
        assert a.SummaryMetadata(tag) == b.SummaryMetadata(tag)
    trial_ours, trial_theirs = read(ours / "trial-1"), read(theirs / "trial-1")
    assert trial_ours.Tags()["scalars"] == trial_theirs.Tags()["scalars"]
    for tag in trial_theirs.Tags()["tensors"]:              # the hparams plugin's three records
        assert trial_ours.SummaryMetadata(tag) == trial_theirs.SummaryMetadata(tag), tag


def test_embeddings_write_torchs_projector_files(tmp_path):
    rng = np.random.default_rng(3)
    points, images = rng.standard_normal((6, 4)), rng.uniform(0, 1, (6, 3, 5, 5))

    def calls(w, L):
        w.add_embedding(values(L, points), metadata=[f"digit {i}" for i in range(6)], label_img=values(L, images),
                        global_step=3, tag="a/b c")
        w.add_embedding(values(L, points[:, :2]), metadata=[[i, i % 2] for i in range(6)],
                        metadata_header=["index", "parity"], global_step=4)

    ours, theirs = both(tmp_path, calls)
    files = sorted(os.path.relpath(os.path.join(d, f), theirs) for d, _, fs in os.walk(theirs) for f in fs
                   if not f.startswith("events"))
    assert files == sorted(os.path.relpath(os.path.join(d, f), ours) for d, _, fs in os.walk(ours) for f in fs
                           if not f.startswith("events"))
    for name in files:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name


@pytest.mark.filterwarnings("ignore::DeprecationWarning")      # torch.jit.trace, which PyTorch's add_graph uses
def test_graph_nodes_are_named_by_torchs_module_scopes(tmp_path):
    def net(L):
        class Net(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = L.nn.Conv2d(1, 2, 3)
                self.blocks = L.nn.Sequential(_block(L), _block(L))
                self.fc = L.nn.Linear(8, 3)

            def forward(self, image):
                x = L.relu(self.blocks(self.conv1(image)))
                return self.fc(x.view(x.size(0), -1))
        return Net()

    def _block(L):
        class Block(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = L.nn.Conv2d(2, 2, 3, padding=1)

            def forward(self, x):
                return x + self.conv(x)
        return Block()

    ours, theirs = both(tmp_path, lambda w, L: w.add_graph(net(L), L.zeros(1, 1, 4, 4)))
    a, b = read(ours).Graph(), read(theirs).Graph()

    def scopes(graph, ops):
        return {node.name.rpartition("/")[0] for node in graph.node if ops(node.op)}

    expected = scopes(b, lambda op: op.startswith("aten::"))
    assert expected == {"Net", "Net/Conv2d[conv1]", "Net/Sequential[blocks]/Block[0]",
                        "Net/Sequential[blocks]/Block[0]/Conv2d[conv]", "Net/Sequential[blocks]/Block[1]",
                        "Net/Sequential[blocks]/Block[1]/Conv2d[conv]", "Net/Linear[fc]"}
    assert scopes(a, lambda op: op not in ("IO Node", "Parameter", "Constant")) == expected
    io = {node.name for node in b.node if node.op == "IO Node"}
    assert {node.name for node in a.node if node.op == "IO Node"} == io == {"input/image", "output/output.1"}
    ops = {node.name: node for node in a.node}
    assert list(ops["Net/Conv2d[conv1]/Conv2d_0"].input) == ["input/image", "Net/Conv2d[conv1]/weight",
                                                             "Net/Conv2d[conv1]/bias"]


BAD_CALLS = [
    ("a tensor to add_scalar", lambda w, L: w.add_scalar("x", L.ones(3)), AssertionError),
    ("an image without channels as CHW", lambda w, L: w.add_image("i", L.ones(3, 4)), AssertionError),
    ("a batch as CHW", lambda w, L: w.add_image("i", L.ones(2, 3, 4, 5)), AssertionError),
    ("an empty histogram", lambda w, L: w.add_histogram("h", L.tensor([])), ValueError),
    ("NaN with automatic bins", lambda w, L: w.add_histogram("h", L.tensor([float("nan"), 1.0]), bins="auto"),
     ValueError),
]


@pytest.mark.parametrize("what,call,error", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_raises_what_torch_raises_and_names_the_record(tmp_path, what, call, error):
    for L, Writer in ((torch, TorchWriter), (gt, SummaryWriter)):
        with Writer(str(tmp_path / L.__name__)) as writer, pytest.raises(error) as caught:
            call(writer, L)
    assert "\n" not in str(caught.value) and ("'x'" in str(caught.value) or "'i'" in str(caught.value)
                                              or "'h'" in str(caught.value))


def test_nan_values_are_written_as_torch_writes_them(tmp_path):
    def calls(w, L):
        w.add_scalar("nan", float("nan"), 0)
        w.add_histogram("mixed", L.tensor([float("nan"), 1.0, 2.0]), 0)

    a, b = (read(folder) for folder in both(tmp_path, calls))
    assert np.isnan(a.Scalars("nan")[0].value) and np.isnan(b.Scalars("nan")[0].value)
    x, y = a.Histograms("mixed")[0].histogram_value, b.Histograms("mixed")[0].histogram_value
    assert x.bucket == y.bucket and list(x.bucket_limit) == list(y.bucket_limit) and x.num == y.num


def test_an_unwritable_log_dir_gets_one_line(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OSError) as caught:
        SummaryWriter(str(tmp_path / "file" / "run"))
    assert str(caught.value).startswith(f"SummaryWriter: cannot write the log folder '{tmp_path / 'file' / 'run'}'")
    assert "\n" not in str(caught.value)


def test_a_crash_leaves_every_flushed_record_readable(tmp_path):
    import subprocess
    import sys

    program = ("import os, glasstorch as gt\n"
               "from glasstorch.utils.tensorboard import SummaryWriter\n"
               f"w = SummaryWriter({str(tmp_path / 'run')!r}, flush_secs=3600)\n"
               "for step in range(50):\n"
               "    w.add_scalar('loss', 1.0 / (step + 1), step)\n"
               "    if step == 29:\n"
               "        w.flush()\n"
               "os._exit(3)\n")              # dies without closing: the last 20 records were never flushed
    assert subprocess.run([sys.executable, "-c", program], timeout=120).returncode == 3
    steps = [event.step for event in read(tmp_path / "run").Scalars("loss")]
    assert steps[:30] == list(range(30))


def test_without_tensorboard_the_import_says_how_to_install_it():
    import subprocess
    import sys

    program = ("import sys; sys.modules['tensorboard'] = None\n"
               "try:\n"
               "    import glasstorch.utils.tensorboard\n"
               "except ImportError as error:\n"
               "    print(error)\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == ('glasstorch.utils.tensorboard needs TensorBoard: pip install '
                                     '"glasstorch[tensorboard]" (or pip install tensorboard)')


def test_the_default_log_dir_and_the_file_options_are_torchs(tmp_path, monkeypatch):
    import re
    import socket

    names = {}
    for L, Writer in ((gt, SummaryWriter), (torch, TorchWriter)):
        (tmp_path / L.__name__).mkdir()
        monkeypatch.chdir(tmp_path / L.__name__)
        writer = Writer(comment="_lr0.1", filename_suffix=".demo", max_queue=2, flush_secs=1)
        writer.add_scalar("x", 1.0, 0)
        writer.close()
        names[L] = writer.get_logdir()
        files = os.listdir(writer.get_logdir())
        assert len(files) == 1 and files[0].startswith("events.out.tfevents.") and files[0].endswith(".demo")
    pattern = rf"runs/[A-Z][a-z]{{2}}\d{{2}}_\d{{2}}-\d{{2}}-\d{{2}}_{re.escape(socket.gethostname())}_lr0\.1"
    assert re.fullmatch(pattern, names[gt]) and re.fullmatch(pattern, names[torch])
