"""The notes' programs run with only `import torch` replaced, and agree with PyTorch number for number."""
import numpy as np
import pytest
import torch

from course import load_program
from oracle import randn


def copy_weights(ours, ref):
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})


def test_linear_program_with_w_grad_data_zero_matches_torch():
    ours, ref = load_program("linear_grad", "glasstorch"), load_program("linear_grad", "torch")
    ours_history, ref_history = ours.train(), ref.train()
    np.testing.assert_allclose(ours_history, ref_history, rtol=1e-5, atol=1e-7)
    assert ours_history[-1][0] == pytest.approx(2.0, abs=1e-3)   # w learned y = 2x


def test_linear_module_program_with_legacy_size_average_matches_torch():
    ours, ref = load_program("linear_module", "glasstorch"), load_program("linear_module", "torch")
    model, ref_model = ours.LinearModel(), ref.LinearModel()
    copy_weights(model, ref_model)
    with pytest.warns(UserWarning):
        losses = ours.train(model)
    ref_losses = ref.train(ref_model)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-4, atol=1e-6)
    assert losses[-1] < losses[0] / 10


@pytest.mark.parametrize("program", ["inception_net", "residual_net"])
def test_course_networks_match_torch_outputs_and_gradients(program):
    ours, ref = load_program(program, "glasstorch"), load_program(program, "torch")
    model, ref_model = ours.Net(), ref.Net()
    assert [k for k in model.state_dict()] == [k for k in ref_model.state_dict()]
    assert sum(p.numel() for p in model.parameters()) == sum(p.numel() for p in ref_model.parameters())
    copy_weights(model, ref_model)
    x, labels = randn(8, 1, 28, 28, seed=3), np.arange(8) % 10
    out = model(ours.torch.tensor(x))
    ref_out = ref_model(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    ours.F.cross_entropy(out, ours.torch.tensor(labels)).backward()
    torch.nn.functional.cross_entropy(ref_out, torch.tensor(labels)).backward()
    ref_params = dict(ref_model.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=name)
    assert repr(model) == repr(ref_model)


def test_residual_program_trains_like_torch():
    ours, ref = load_program("residual_net", "glasstorch"), load_program("residual_net", "torch")
    model, ref_model = ours.Net(), ref.Net()
    copy_weights(model, ref_model)
    x, labels = randn(16, 1, 28, 28, seed=4), np.arange(16) % 10
    losses = ours.train_steps(model, ours.torch.tensor(x), ours.torch.tensor(labels))
    ref_losses = ref.train_steps(ref_model, torch.tensor(x), torch.tensor(labels))
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-3)
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("program", ["softmax_mnist", "cnn_basic"])
def test_lecture_9_and_10_networks_train_like_torch(program):
    ours, ref = load_program(program, "glasstorch"), load_program(program, "torch")
    model, ref_model = ours.Net(), ref.Net()
    copy_weights(model, ref_model)
    x, labels = randn(16, 1, 28, 28, seed=5), np.arange(16) % 10
    losses = {}
    for lib, net in ((ours.torch, model), (torch, ref_model)):
        optimizer = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.5)
        criterion = lib.nn.CrossEntropyLoss()
        losses[lib.__name__] = []
        for _ in range(4):
            optimizer.zero_grad()
            loss = criterion(net(lib.tensor(x)), lib.tensor(labels))
            loss.backward()
            optimizer.step()
            losses[lib.__name__].append(loss.item())
    np.testing.assert_allclose(losses["glasstorch"], losses["torch"], rtol=1e-4)
    assert repr(model) == repr(ref_model)


@pytest.mark.parametrize("variant", ["rnncell", "rnn", "embedding"])
def test_lecture_12_hello_to_ohlol_trains_like_torch(variant):
    ours, ref = load_program("rnn_hello", "glasstorch"), load_program("rnn_hello", "torch")
    build = {"rnncell": "CellModel", "rnn": "SequenceModel", "embedding": "EmbeddingModel"}[variant]
    model, ref_model = getattr(ours, build)(), getattr(ref, build)()
    copy_weights(model, ref_model)
    if variant == "rnncell":
        (losses, guess), (ref_losses, ref_guess) = ours.train_cell(model, 30), ref.train_cell(ref_model, 30)
    else:
        inputs = {"rnn": lambda m: m.one_hot_inputs(), "embedding": lambda m: m.torch.LongTensor([m.x_data])}[variant]
        losses, guess = ours.train_sequence(model, inputs(ours), 30)
        ref_losses, ref_guess = ref.train_sequence(ref_model, inputs(ref), 30)
    np.testing.assert_allclose(losses, ref_losses, rtol=2e-4, atol=1e-5)
    assert guess == ref_guess and losses[-1] < losses[0] / 2


def test_lecture_13_gru_name_classifier_trains_like_torch():
    ours, ref = load_program("gru_names", "glasstorch"), load_program("gru_names", "torch")
    train_set, ref_set = ours.NameDataset(), ref.NameDataset()
    assert train_set.country_list == ref_set.country_list and len(train_set) == 320
    model = ours.RNNClassifier(ours.N_CHARS, 16, train_set.country_num, n_layers=2)
    ref_model = ref.RNNClassifier(ref.N_CHARS, 16, ref_set.country_num, n_layers=2)
    assert list(model.state_dict()) == list(ref_model.state_dict())
    copy_weights(model, ref_model)
    batches = [list(range(k, k + 32)) for k in range(0, 160, 32)]
    losses = {}
    for module, net, dataset in ((ours, model, train_set), (ref, ref_model, ref_set)):
        optimizer = module.torch.optim.Adam(net.parameters(), lr=0.01)
        criterion = module.torch.nn.CrossEntropyLoss()
        losses[module.__name__] = []
        for batch in batches:
            names = tuple(dataset[i][0] for i in batch)
            countries = module.torch.tensor([dataset[i][1] for i in batch])
            inputs, seq_lengths, target = module.make_tensors(names, countries)
            loss = criterion(net(inputs, seq_lengths), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses[module.__name__].append(loss.item())
    np.testing.assert_allclose(*losses.values(), rtol=1e-4)
    ref_params = dict(ref_model.named_parameters())
    for name, p in model.named_parameters():
        # Adam divides by sqrt(v): where a gradient is ~0, float32 summation order shows up at ~1e-5
        np.testing.assert_allclose(p.detach().numpy(), ref_params[name].detach().numpy(), rtol=1e-4, atol=1e-4,
                                   err_msg=name)


def test_example_time_sequence_lstm_cells_with_lbfgs_match_torch():
    ours, ref = load_program("examples/time_sequence_prediction", "glasstorch"), \
        load_program("examples/time_sequence_prediction", "torch")
    data = ours.sine_waves(count=6, length=40)
    models = {}
    for module in (ours, ref):
        seq = module.Sequence()
        seq.double()
        models[module.__name__] = (module, seq)
    copy_weights(models[ours.__name__][1], models[ref.__name__][1])
    results = {}
    for name, (module, seq) in models.items():
        lib = module.torch
        input, target = lib.from_numpy(data[:, :-1]), lib.from_numpy(data[:, 1:])
        optimizer = lib.optim.LBFGS(seq.parameters(), lr=0.8, max_iter=5)

        def closure():
            optimizer.zero_grad()
            loss = module.nn.MSELoss()(seq(input), target)
            loss.backward()
            return loss

        losses = [optimizer.step(closure).item() for _ in range(2)]
        with lib.no_grad():
            future = seq(input[:2], future=10).numpy()
        results[name] = losses, future
    (losses, future), (ref_losses, ref_future) = results.values()
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-7)
    np.testing.assert_allclose(future, ref_future, rtol=1e-6, atol=1e-9)


def test_example_vae_loss_and_mnist_nets_match_torch():
    ours, ref = load_program("examples/vae", "glasstorch"), load_program("examples/vae", "torch")
    model, ref_model = ours.VAE(), ref.VAE()
    copy_weights(model, ref_model)
    x = np.abs(randn(4, 1, 28, 28, seed=6)) % 1
    mu, logvar = model.encode(ours.torch.tensor(x).view(-1, 784))
    ref_mu, ref_logvar = ref_model.encode(torch.tensor(x).view(-1, 784))
    recon, ref_recon = model.decode(mu), ref_model.decode(ref_mu)
    loss = ours.loss_function(recon, ours.torch.tensor(x), mu, logvar)
    ref_loss = ref.loss_function(ref_recon, torch.tensor(x), ref_mu, ref_logvar)
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-5)
    loss.backward()
    ref_loss.backward()
    ref_params = dict(ref_model.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), rtol=1e-3, atol=1e-4, err_msg=name)
    for program in ("examples/mnist_main", "examples/mnist_rnn"):
        ours, ref = load_program(program, "glasstorch"), load_program(program, "torch")
        net, ref_net = ours.Net().eval(), ref.Net().eval()
        copy_weights(net, ref_net)
        images = randn(3, 1, 28, 28, seed=7)
        np.testing.assert_allclose(net(ours.torch.tensor(images)).detach().numpy(),
                                   ref_net(torch.tensor(images)).detach().numpy(), rtol=1e-4, atol=1e-5)
