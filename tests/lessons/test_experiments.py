"""Each lesson's verdict rests on numbers; these tests pin them, so an engine regression fails a lesson."""
import math

from glasstorch.cli import main
from glasstorch.lessons import EXPERIMENTS, run_experiment


def test_xor_needs_a_nonlinearity(tmp_path):
    result = run_experiment("xor", tmp_path)
    assert result.numbers["linear_accuracy"] <= 0.75
    assert result.numbers["mlp_accuracy"] == 1.0


def test_activations_sigmoid_vanishes_relu_does_not(tmp_path, mnist_dir):
    result = run_experiment("activations", tmp_path, depths=(5, 20), steps=10, data_dir=mnist_dir)
    n = result.numbers
    assert n["sigmoid_20_ratio_init"] < 1e-6                  # first layer gets a millionth of the last's gradient
    assert 0.1 < n["relu_20_ratio_init"] < 100                # He-initialised ReLU keeps it the same order
    assert n["relu_over_sigmoid_first_layer"] > 1e6           # orders of magnitude between the two
    assert n["sigmoid_20_ratio_init"] < n["sigmoid_5_ratio_init"]   # and it gets worse with depth


def test_residual_connections_keep_the_first_layer_learning(tmp_path, mnist_dir):
    result = run_experiment("residual", tmp_path, images_per_epoch=1024, data_dir=mnist_dir)
    n = result.numbers
    assert n["first_grad_ratio"] > 1e3
    assert n["residual_final_loss"] < 1.5 < n["plain_final_loss"]


def test_exploding_gradients_diverge_and_clipping_saves_the_run(tmp_path, mnist_dir):
    result = run_experiment("exploding", tmp_path, data_dir=mnist_dir)
    n = result.numbers
    assert n["grad_norm_depth_2"] < n["grad_norm_depth_4"] < n["grad_norm_depth_8"] < n["grad_norm_depth_12"]
    assert n["plain_diverged"] and n["clipped_finite"]
    assert n["clipped_final_loss"] < n["clipped_first_loss"] / 10


def test_optimizers_trade_updates_for_cost(tmp_path, mnist_dir):
    result = run_experiment("optimizers", tmp_path, count=1024, epochs=2, data_dir=mnist_dir)
    n = result.numbers
    assert n["full-batch GD_updates"] == 2 and n["SGD (batch 1)_updates"] == 2048
    assert n["SGD (batch 1)_final_loss"] < n["full-batch GD_final_loss"] < n["initial_loss"]
    assert n["momentum 0.9, batch 32_final_loss"] < n["mini-batch 32_final_loss"]


def test_mse_on_saturated_sigmoid_learns_slowly(tmp_path):
    result = run_experiment("losses", tmp_path)
    n = result.numbers
    assert n["gradient_ratio"] > 10
    assert n["bce_final_loss"] < 0.2 < n["initial_loss"] * 0.5 < n["mse_final_loss"]


def test_hand_written_gradient_equals_autograd(tmp_path):
    result = run_experiment("linear", tmp_path)
    assert result.numbers["max_difference"] == 0.0
    assert math.isclose(result.numbers["final_w"], 2.0, abs_tol=1e-4)
    assert all((tmp_path / f.split("/")[-1]).exists() for f in result.figures)


def test_experiment_command_prints_table_verdict_and_figures(tmp_path, capsys):
    assert main(["experiment", "losses", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "verdict: from a saturated wrong start" in out and "losses_mse_vs_bce.png" in out
    assert (tmp_path / "losses_mse_vs_bce.png").stat().st_size > 0
    assert set(EXPERIMENTS) == {"xor", "activations", "residual", "exploding", "optimizers", "losses", "linear",
                                "rnn-vanishing"}


def test_rnn_vanishing_gated_paths_keep_more_gradient(tmp_path):
    result = run_experiment("rnn-vanishing", tmp_path, lengths=(5, 20, 50), seeds=2)
    n = result.numbers
    for name in ("tanh RNN", "LSTM", "GRU", "LSTM, forget bias 1"):
        assert n[f"{name}_T5"] > n[f"{name}_T20"] > n[f"{name}_T50"] > 0       # geometric decay, no underflow
    assert n["tanh RNN_T50"] < n["LSTM_T50"] < n["LSTM, forget bias 1_T50"]
    assert n["tanh RNN_T50"] < n["GRU_T50"]
    assert n["tanh RNN_per_step"] < 0.65 < n["LSTM, forget bias 1_per_step"] < 0.9
    assert (tmp_path / "rnn_vanishing.png").stat().st_size > 0
