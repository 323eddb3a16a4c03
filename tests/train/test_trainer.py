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


def test_resume_reproduces_the_uninterrupted_run_exactly(mnist_dir, tmp_path):
    straight = Trainer(config(mnist_dir, tmp_path / "a", epochs=3, scheduler="onecycle"), log=lambda *_: None).fit()
    first = Trainer(config(mnist_dir, tmp_path / "b", epochs=3, scheduler="onecycle"), log=lambda *_: None)
    first.config.epochs = 1   # stop after one epoch, as if interrupted (the schedule was built for 3)...
    first.fit()
    first_checkpoint = gt.load(tmp_path / "b" / "checkpoint.safetensors")
    assert first_checkpoint["epoch"] == 1
    resumed = Trainer(config(mnist_dir, tmp_path / "b", epochs=3, scheduler="onecycle"), resume=True,
                      log=lambda *_: None).fit()      # ...and continue to the end
    assert metrics(resumed) == metrics(straight)


def test_resume_refuses_a_different_setup(mnist_dir, tmp_path):
    Trainer(config(mnist_dir, tmp_path, epochs=1), log=lambda *_: None).fit()
    with pytest.raises(ValueError, match="trained with optimizer='sgd', not 'adam'"):
        Trainer(config(mnist_dir, tmp_path, optimizer="adam"), resume=True, log=lambda *_: None)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Trainer(config(mnist_dir, tmp_path / "empty"), resume=True, log=lambda *_: None)


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


def test_xor_model_learns_xor(tmp_path):
    history = Trainer(TrainConfig(model="xor", dataset="xor", epochs=60, batch_size=16, optimizer="adam", lr=0.05,
                                  out=str(tmp_path), progress=False), log=lambda *_: None).fit()
    assert history[-1]["test_acc"] == 1.0


def test_config_validation_names_the_problem():
    with pytest.raises(ValueError, match="unknown model 'vgg'; choose one of: linear, xor"):
        TrainConfig(model="vgg").validate()
    with pytest.raises(ValueError, match="do not fit together"):
        TrainConfig(model="xor", dataset="mnist").validate()
    with pytest.raises(ValueError, match="--batch-size must be at least 1"):
        TrainConfig(batch_size=0).validate()
