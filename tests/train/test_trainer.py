"""The training loop on small real MNIST subsets: outputs, exact resume, and the NaN stop."""
import csv
import json

import pytest

import glasstorch as gt
from glasstorch.train import Trainer, TrainConfig, TrainingDiverged, load_trained


def config(mnist_dir, out, **overrides):
    values = dict(model="resnet", dataset="mnist", epochs=2, batch_size=32, lr=0.05, optimizer="sgd", momentum=0.5,
                  limit_train=320, limit_test=200, data_dir=str(mnist_dir), out=str(out), progress=False)
    values.update(overrides)
    return TrainConfig(**values)


def metrics(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]


def test_run_writes_every_output_and_learns(mnist_dir, tmp_path):
    history = Trainer(config(mnist_dir, tmp_path, epochs=3, limit_train=640), log=lambda *_: None).fit()
    for name in ["config.json", "metrics.csv", "checkpoint.safetensors", "best.safetensors", "curves.png",
                 "confusion.png", "samples.png"]:
        assert (tmp_path / name).stat().st_size > 0, name
    rows = list(csv.DictReader((tmp_path / "metrics.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert set(rows[0]) == {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "seconds"}
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["test_acc"] > 0.5     # 640 real digits, 3 epochs: far above chance (0.1)
    assert json.loads((tmp_path / "config.json").read_text())["model"] == "resnet"
    model, saved = load_trained(tmp_path)
    assert saved.dataset == "mnist" and isinstance(model, gt.models.ResNet) and not model.training


def interrupted_after_first_epoch(trainer):
    """Run `trainer` until its first checkpoint is written, then stop it as Ctrl-C would."""
    write_epoch = trainer._write_epoch

    def write_then_stop(result):
        write_epoch(result)
        raise KeyboardInterrupt

    trainer._write_epoch = write_then_stop
    with pytest.raises(KeyboardInterrupt):
        trainer.fit()


def quiet(*_):
    pass


def test_resume_reproduces_the_uninterrupted_run_exactly(mnist_dir, tmp_path):
    straight = Trainer(config(mnist_dir, tmp_path / "a", epochs=3, scheduler="onecycle"), log=quiet).fit()
    interrupted_after_first_epoch(Trainer(config(mnist_dir, tmp_path / "b", epochs=3, scheduler="onecycle"), log=quiet))
    assert gt.load(tmp_path / "b" / "checkpoint.safetensors")["epoch"] == 1
    resumed = Trainer.resuming(tmp_path / "b", log=quiet).fit()      # the run's own options, to its end
    assert metrics(resumed) == metrics(straight)


@pytest.mark.parametrize("scheduler", ["none", "step", "exponential", "plateau"])
def test_extending_epochs_on_resume_is_exact_where_the_schedule_allows(mnist_dir, tmp_path, scheduler):
    straight = Trainer(config(mnist_dir, tmp_path / "a", epochs=4, scheduler=scheduler, model="linear"),
                       log=quiet).fit()
    Trainer(config(mnist_dir, tmp_path / "b", epochs=2, scheduler=scheduler, model="linear"), log=quiet).fit()
    extended = Trainer.resuming(tmp_path / "b", epochs=4, log=quiet).fit()
    assert metrics(extended) == metrics(straight)
    assert json.loads((tmp_path / "b" / "config.json").read_text())["epochs"] == 4


def test_resume_refuses_what_would_make_it_another_run(mnist_dir, tmp_path):
    Trainer(config(mnist_dir, tmp_path, epochs=2, scheduler="cosine", model="linear"), log=quiet).fit()
    refusals = {
        "optimizer": ("adam", "--optimizer was sgd in the run being resumed, not adam"),
        "lr": (0.1, "--lr was 0.05 in the run being resumed, not 0.1"),
        "limit_train": (640, "--limit-train was 320 in the run being resumed, not 640"),
        "batch_size": (64, "--batch-size was 32 in the run being resumed, not 64"),
        "seed": (3, "--seed was 0 in the run being resumed, not 3"),
        "scheduler": ("step", "--scheduler was cosine in the run being resumed, not step"),
        "model": ("resnet", "--model was linear in the run being resumed, not resnet"),
        "epochs": (4, "the cosine schedule fixed its length at 2 epochs when the run started, so it cannot be "
                      "extended to 4"),
    }
    for option, (value, message) in refusals.items():
        with pytest.raises(ValueError, match=message):
            Trainer.resuming(tmp_path, log=quiet, **{option: value})
    for epochs in (1, 2):
        with pytest.raises(ValueError, match="the run already has 2 epochs; ask for more with --epochs"):
            Trainer.resuming(tmp_path, epochs=epochs, log=quiet)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Trainer.resuming(tmp_path / "empty", log=quiet)
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["epochs"] == 2 and saved["data_dir"] == str(mnist_dir)


def test_onecycle_cannot_be_extended(mnist_dir, tmp_path):
    Trainer(config(mnist_dir, tmp_path, epochs=1, scheduler="onecycle", model="linear"), log=quiet).fit()
    with pytest.raises(ValueError, match="the onecycle schedule fixed its length at 1 epochs"):
        Trainer.resuming(tmp_path, epochs=2, log=quiet)


def test_labels_outside_the_classes_are_refused_before_training(mnist_dir, tmp_path):
    from glasstorch.datasets import read_idx, write_idx

    data = tmp_path / "data"
    data.mkdir()
    for path in mnist_dir.glob("*.gz"):
        (data / path.name).write_bytes(path.read_bytes())
    labels = read_idx(data / "t10k-labels-idx1-ubyte.gz").copy()
    labels[17] = 200
    write_idx(data / "t10k-labels-idx1-ubyte.gz", labels)
    with pytest.raises(ValueError, match=r"the test labels in .*data must lie in 0..9, but label 200 is at index 17 "
                                         r"\(1 bad label in all\)"):
        Trainer(config(data, tmp_path / "run"), log=quiet)


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_checkpoint(mnist_dir, tmp_path):
    Trainer(config(mnist_dir, tmp_path, epochs=1), log=lambda *_: None).fit()
    before = (tmp_path / "checkpoint.safetensors").read_bytes()
    trainer = Trainer(config(mnist_dir, tmp_path, epochs=2), resume=True, log=lambda *_: None)
    for group in trainer.optimizer.param_groups:
        group["lr"] = 1e12     # blow up the second epoch
    with pytest.raises(TrainingDiverged, match=r"the loss became (nan|inf) at epoch 2, step \d+ of 10.*intact.*"
                                               r"lower learning rate.*--clip-grad-norm"):
        trainer.fit()
    assert (tmp_path / "checkpoint.safetensors").read_bytes() == before


def test_gradient_clipping_and_other_optimizers_run(mnist_dir, tmp_path):
    for optimizer, scheduler in [("adam", "cosine"), ("rmsprop", "step"), ("adamw", "plateau")]:
        history = Trainer(config(mnist_dir, tmp_path / optimizer, epochs=1, optimizer=optimizer, lr=1e-3,
                                 scheduler=scheduler, clip_grad_norm=1.0, model="linear"), log=lambda *_: None).fit()
        assert history[0]["train_loss"] < 2.3


def test_xor_recipe_learns_xor_and_lists_only_what_it_wrote(tmp_path):
    trainer = Trainer(TrainConfig.for_model("xor", out=str(tmp_path), progress=False), log=quiet)
    assert trainer.config.dataset == "xor" and trainer.config.lr == 0.05
    assert trainer.fit()[-1]["test_acc"] == 1.0
    assert "samples.png" not in trainer.outputs
    assert sorted(trainer.outputs) == sorted(p.name for p in tmp_path.iterdir())


def test_config_validation_names_the_problem():
    with pytest.raises(ValueError, match="unknown model 'vgg'; choose one of: linear, xor"):
        TrainConfig(model="vgg").validate()
    with pytest.raises(ValueError, match="do not fit together"):
        TrainConfig(model="xor", dataset="mnist").validate()
    with pytest.raises(ValueError, match="--batch-size must be at least 1"):
        TrainConfig(batch_size=0).validate()
    for lr in (float("nan"), float("inf"), 0.0, -1.0):
        with pytest.raises(ValueError, match=f"--lr must be a finite positive number, got {lr}"):
            TrainConfig(lr=lr).validate()
    with pytest.raises(ValueError, match="--momentum must be a finite number >= 0, got nan"):
        TrainConfig(momentum=float("nan")).validate()


def test_every_optimizer_the_cli_offers_is_built_and_an_unknown_one_is_refused():
    from glasstorch.errors import UserError
    from glasstorch.train.config import OPTIMIZERS
    from glasstorch.train.trainer import OPTIMIZER_BUILDERS, build_optimizer

    assert set(OPTIMIZER_BUILDERS) == set(OPTIMIZERS)
    weights = [gt.nn.Parameter(gt.ones(2))]
    for name in OPTIMIZERS:
        config = TrainConfig(optimizer=name)
        assert type(build_optimizer(config, weights)).__name__.lower() == name
    config = TrainConfig()
    config.optimizer = "adagard"                     # past the config's own check: no silent Adagrad
    with pytest.raises(UserError, match="unknown optimizer 'adagard'; choose one of: sgd, adam"):
        build_optimizer(config, weights)


def test_the_progress_bar_is_redrawn_only_where_it_can_be(monkeypatch):
    """A terminal and a notebook redraw the bar; a log file (stderr redirected) gets only the line per epoch; the
    launcher's pipe to the terminal (--nproc) always gets it."""
    import io
    import sys

    from glasstorch.train.trainer import _redraws

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    launcher_pipe = io.StringIO()
    for stderr, notebook, expected in ((io.StringIO(), False, False), (Terminal(), False, True),
                                       (io.StringIO(), True, True)):
        monkeypatch.setattr(sys, "stderr", stderr)
        if notebook:
            monkeypatch.setitem(sys.modules, "ipykernel", object())
        assert _redraws(sys.stderr) is expected
        assert _redraws(launcher_pipe) and not _redraws(None)
