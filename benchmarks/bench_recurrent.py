"""Recurrent networks, glasstorch vs PyTorch, each in its own process, alternating bursts (medians):

- the course's GRU name classifier (lecture 13): Embedding -> 2-layer bidirectional GRU over a packed batch of
  256 surnames -> Linear, one Adam training step;
- an LSTM over MNIST rows (PyTorch's mnist_rnn shape: 28 steps of 28 pixels, hidden 64, batch 64), one step;
- a 2-layer LSTM on longer sequences (100 steps, batch 32, 32 features, hidden 128), one step;
- two stacked LSTMCells stepped by hand in float64 (time_sequence_prediction: 97 waves, 100 steps, hidden 51),
  forward and backward.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_recurrent.py [--bursts 6] [--steps 4]
"""
import argparse
import time

import numpy as np

from common import alternate, machine, median_ms, print_table


def _library(framework):
    if framework == "glasstorch":
        import glasstorch as lib
    else:
        import torch as lib
    return lib


def _shared_weights(build):
    """build(glasstorch) once; its initial weights as arrays, loaded by both sides."""
    import glasstorch

    glasstorch.manual_seed(0)
    return {k: v.numpy().copy() for k, v in build(glasstorch).state_dict().items()}


def _load(lib, model, weights):
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    return model


def _timed(step):
    def run(steps):
        samples = []
        for _ in range(steps):
            t0 = time.perf_counter()
            step()
            samples.append((time.perf_counter() - t0,))
        return samples
    return run


def gru_names_task(framework, weights):
    from course import load_program

    program = load_program("gru_names", "glasstorch" if framework == "glasstorch" else "torch")
    lib = program.torch
    dataset = program.NameDataset()
    model = _load(lib, program.RNNClassifier(program.N_CHARS, 100, dataset.country_num, 2), weights)
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(dataset), 256)
    names = tuple(dataset[int(i)][0] for i in chosen)
    countries = lib.tensor([dataset[int(i)][1] for i in chosen])
    optimizer = lib.optim.Adam(model.parameters(), lr=0.001)
    criterion = lib.nn.CrossEntropyLoss()

    def step():
        inputs, lengths, target = program.make_tensors(names, countries)
        loss = criterion(model(inputs, lengths), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return _timed(step)


def _lstm_model(lib, features, hidden, layers, classes=10):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = lib.nn.LSTM(features, hidden, layers, batch_first=True)
            self.fc = lib.nn.Linear(hidden, classes)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.fc(out[:, -1])
    return Net()


def lstm_task(framework, weights, steps, batch, features, hidden, layers):
    lib = _library(framework)
    model = _load(lib, _lstm_model(lib, features, hidden, layers), weights)
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((batch, steps, features)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

    def step():
        loss = lib.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return _timed(step)


def cells_task(framework, weights):
    from course import load_program

    program = load_program("examples/time_sequence_prediction", "glasstorch" if framework == "glasstorch" else "torch")
    lib = program.torch
    seq = program.Sequence()
    seq.double()
    _load(lib, seq, weights)
    data = program.sine_waves(count=97, length=101)
    x, target = lib.from_numpy(data[:, :-1]), lib.from_numpy(data[:, 1:])

    def step():
        loss = lib.nn.functional.mse_loss(seq(x), target)
        seq.zero_grad()
        loss.backward()
    return _timed(step)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bursts", type=int, default=6)
    parser.add_argument("--steps", type=int, default=4, help="timed steps per burst")
    args = parser.parse_args()
    from course import load_program

    gru = load_program("gru_names", "glasstorch")
    time_sequence = load_program("examples/time_sequence_prediction", "glasstorch")

    def sequence_weights(lib):
        return time_sequence.Sequence().double()

    cases = [
        ("GRU name classifier (course lecture 13), batch 256, Adam step", gru_names_task,
         dict(weights=_shared_weights(lambda lib: gru.RNNClassifier(gru.N_CHARS, 100, 8, 2)))),
        ("LSTM over MNIST rows (28 x 28, hidden 64), batch 64, step", lstm_task,
         dict(steps=28, batch=64, features=28, hidden=64, layers=1)),
        ("2-layer LSTM, 100 steps, batch 32, hidden 128, step", lstm_task,
         dict(steps=100, batch=32, features=32, hidden=128, layers=2)),
        ("2 LSTMCells by hand, float64, 97 x 100 steps, fwd+bwd", cells_task,
         dict(weights=_shared_weights(sequence_weights))),
    ]
    rows = []
    for name, task, options in cases:
        if task is lstm_task:
            options["weights"] = _shared_weights(lambda lib, o=options: _lstm_model(lib, o["features"], o["hidden"],
                                                                                     o["layers"]))
        results = alternate(task, options, args.bursts, args.steps)
        ours = median_ms([s[0] for burst in results["glasstorch"] for s in burst])
        ref = median_ms([s[0] for burst in results["pytorch"] for s in burst])
        rows.append((name, f"{ours:.1f} / {ref:.1f} ms = {ours / ref:.2f}x", "yes" if ours / ref <= 1.5 else "no"))
        print(f"  {rows[-1][0]}: {rows[-1][1]}", flush=True)
    print(f"\n{machine()}; glasstorch / PyTorch from this run (medians)")
    print_table(["measurement", "glasstorch / PyTorch", "<= 1.5x"], rows)


if __name__ == "__main__":
    main()
