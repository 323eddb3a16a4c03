"""Every optimizer and schedule against PyTorch, step by step, from the same weights and data."""
import numpy as np
import pytest
import torch

import glasstorch as gt
from oracle import randn

OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.3, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, foreach=False, fused=True, capturable=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, foreach=True, fused=False)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.05)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=4, weight_decay=0.02)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05), maximize=True)),
]


def twin_mlp():
    ours = gt.nn.Sequential(gt.nn.Linear(6, 8), gt.nn.Tanh(), gt.nn.Linear(8, 3))
    ref = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    return ours, ref


def train(lib, model, optimizer, steps=12, clip=None, scheduler=None):
    x, y = randn(16, 6, seed=5), np.arange(16) % 3
    for _ in range(steps):
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        if clip is not None:
            lib.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return model


def assert_same_parameters(ours, ref, rtol=1e-5, atol=1e-5):
    ref_state = ref.state_dict()
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(value.numpy(), ref_state[key].numpy(), rtol=rtol, atol=atol, err_msg=key)


@pytest.mark.parametrize("name,options", OPTIMIZERS, ids=[f"{n}-{o}" for n, o in OPTIMIZERS])
@pytest.mark.parametrize("clip", [None, 0.05])
def test_optimizer_matches_torch_after_12_steps(name, options, clip):
    ours, ref = twin_mlp()
    train(gt, ours, getattr(gt.optim, name)(ours.parameters(), **options), clip=clip)
    train(torch, ref, getattr(torch.optim, name)(ref.parameters(), **options), clip=clip)
    assert_same_parameters(ours, ref)


ALL_OPTIMIZERS = sorted({name for name, _ in OPTIMIZERS})


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_param_groups_and_state_dicts_have_torchs_keys_and_defaults(name):
    ours = getattr(gt.optim, name)([gt.nn.Parameter(gt.ones(2))], lr=0.1)
    ref = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], lr=0.1)
    assert ours.state_dict()["param_groups"] == ref.state_dict()["param_groups"]
    with pytest.raises(NotImplementedError, match=f"{name}\\(differentiable=True\\)"):
        getattr(gt.optim, name)([gt.nn.Parameter(gt.ones(2))], lr=0.1, differentiable=True)


def test_param_groups_with_their_own_options():
    ours, ref = twin_mlp()

    def groups(model):
        return [{"params": model[0].parameters(), "lr": 0.1}, {"params": model[2].parameters()}]

    train(gt, ours, gt.optim.SGD(groups(ours), lr=0.01, momentum=0.9))
    train(torch, ref, torch.optim.SGD(groups(ref), lr=0.01, momentum=0.9))
    assert_same_parameters(ours, ref)


def test_optimizer_state_dict_round_trip_continues_identically():
    ours, _ = twin_mlp()
    optimizer = gt.optim.Adam(ours.parameters(), lr=0.01)
    train(gt, ours, optimizer, steps=3)
    saved_model = {k: v.clone() for k, v in ours.state_dict().items()}   # state_dict shares storage, as in torch
    saved_optimizer = optimizer.state_dict()
    assert saved_optimizer["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert set(saved_optimizer["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    train(gt, ours, optimizer, steps=3)
    resumed, _ = twin_mlp()
    resumed.load_state_dict(saved_model)
    resumed_optimizer = gt.optim.Adam(resumed.parameters(), lr=0.5)
    resumed_optimizer.load_state_dict(saved_optimizer)
    assert resumed_optimizer.param_groups[0]["lr"] == 0.01
    train(gt, resumed, resumed_optimizer, steps=3)
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), resumed.state_dict()[key].numpy())


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        gt.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        gt.optim.Adam(gt.nn.Linear(1, 1).parameters(), lr=-1)
    with pytest.raises(ValueError, match="non-leaf"):
        gt.optim.SGD([gt.ones(1, requires_grad=True) * 2], lr=0.1)


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1 / (1 + epoch))),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=13)),
    ("OneCycleLR", dict(max_lr=0.1, epochs=3, steps_per_epoch=5, anneal_strategy="linear", three_phase=True)),
]


@pytest.mark.parametrize("name,options", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_scheduler_matches_torch(name, options, optimizer):
    ours, ref = twin_mlp()
    extra = {"momentum": 0.9} if optimizer == "SGD" else {}
    opt = getattr(gt.optim, optimizer)(ours.parameters(), lr=0.05, **extra)
    ref_opt = getattr(torch.optim, optimizer)(ref.parameters(), lr=0.05, **extra)
    sched = getattr(gt.optim.lr_scheduler, name)(opt, **options)
    ref_sched = getattr(torch.optim.lr_scheduler, name)(ref_opt, **options)
    lrs, ref_lrs = [], []
    for _ in range(12):
        train(gt, ours, opt, steps=1, scheduler=sched)
        train(torch, ref, ref_opt, steps=1, scheduler=ref_sched)
        lrs.append(sched.get_last_lr()[0])
        ref_lrs.append(ref_sched.get_last_lr()[0])
    np.testing.assert_allclose(lrs, ref_lrs, rtol=1e-9)
    assert_same_parameters(ours, ref, rtol=1e-4, atol=1e-6)
    state = sched.state_dict()
    assert state["last_epoch"] == 12 and "optimizer" not in state


def test_reduce_lr_on_plateau_matches_torch():
    ours, ref = twin_mlp()
    opt, ref_opt = gt.optim.SGD(ours.parameters(), lr=1.0), torch.optim.SGD(ref.parameters(), lr=1.0)
    sched = gt.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1)
    ref_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(ref_opt, patience=1, factor=0.5, cooldown=1)
    for metric in [1.0, 0.9, 0.95, 0.97, 0.99, 0.5, 0.6, 0.7, 0.8, 0.9]:
        sched.step(metric)
        ref_sched.step(metric)
        assert sched.get_last_lr() == pytest.approx(ref_sched.get_last_lr())


def test_clip_grad_norm_and_value_match_torch():
    ours, ref = twin_mlp()
    x = randn(4, 6, seed=1)
    ours(gt.tensor(x)).pow(2).sum().backward()
    ref(torch.tensor(x)).pow(2).sum().backward()
    for norm_type in [2.0, 1.0, float("inf")]:
        total = gt.nn.utils.clip_grad_norm_(ours.parameters(), 10.0, norm_type=norm_type)
        ref_total = torch.nn.utils.clip_grad_norm_(ref.parameters(), 10.0, norm_type=norm_type)
        assert total.item() == pytest.approx(ref_total.item(), rel=1e-5)
    gt.nn.utils.clip_grad_value_(ours.parameters(), 0.01)
    torch.nn.utils.clip_grad_value_(ref.parameters(), 0.01)
    for p, q in zip(ours.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-7)
    vector = gt.nn.utils.parameters_to_vector(ours.parameters())
    assert vector.shape == (sum(p.numel() for p in ours.parameters()),)


def test_get_total_norm_of_tensors_matches_torch():
    arrays = [randn(3, 4, seed=1), randn(5, seed=2)]
    for norm_type in [2.0, 1.0, float("inf")]:
        ours = gt.nn.utils.get_total_norm([gt.tensor(a) for a in arrays], norm_type)
        ref = torch.nn.utils.get_total_norm([torch.tensor(a) for a in arrays], norm_type)
        assert ours.item() == pytest.approx(ref.item(), rel=1e-5)


@pytest.mark.parametrize("options", [dict(lr=0.8, max_iter=4), dict(lr=1, max_iter=6, history_size=3)])
def test_lbfgs_with_a_closure_matches_torch(options):
    gt.manual_seed(0)
    ours, ref = twin_mlp()
    x, y = randn(16, 6, seed=5), np.arange(16) % 3
    losses = {}
    for lib, model in ((gt, ours), (torch, ref)):
        optimizer = lib.optim.LBFGS(model.parameters(), **options)

        def closure():
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            return loss

        losses[lib.__name__] = [optimizer.step(closure).item() for _ in range(2)]
        assert optimizer.state[optimizer.param_groups[0]["params"][0]]["func_evals"] >= 8
    np.testing.assert_allclose(losses["glasstorch"], losses["torch"], rtol=1e-4)
    assert losses["glasstorch"][1] < 0.8 * losses["glasstorch"][0]
    assert_same_parameters(ours, ref, rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match="needs a closure"):
        gt.optim.LBFGS(ours.parameters()).step()


@pytest.mark.parametrize("lib", ["torch", "glasstorch"])
def test_step_hooks_global_and_per_optimizer_run_around_every_step_as_in_pytorch(lib):
    import importlib

    L = torch if lib == "torch" else gt
    registry = importlib.import_module(f"{lib}.optim.optimizer")
    calls = []
    w = L.nn.Parameter(L.ones(2))
    sgd, lbfgs = L.optim.SGD([w], lr=0.1), L.optim.LBFGS([w], lr=0.1, max_iter=1)
    handles = [registry.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("pre", type(o).__name__))),
               registry.register_optimizer_step_post_hook(lambda o, a, k: calls.append(("post", type(o).__name__))),
               sgd.register_step_pre_hook(lambda o, a, k: calls.append(("own pre", "SGD"))),
               sgd.register_step_post_hook(lambda o, a, k: calls.append(("own post", "SGD")))]

    def closure():
        lbfgs.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    w.grad = L.ones(2)
    sgd.step()
    lbfgs.step(closure)
    for handle in handles:
        handle.remove()
    sgd.step()
    assert calls == [("pre", "SGD"), ("own pre", "SGD"), ("own post", "SGD"), ("post", "SGD"),
                     ("pre", "LBFGS"), ("post", "LBFGS")]
