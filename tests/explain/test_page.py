"""The explain page in a real browser (headless Chromium through Selenium): it opens with no console error, and
stepping forward and then backward shows, node by node, the values and gradients autograd computed."""
import json
import shutil

import numpy as np
import pytest

import glasstorch as gt

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None or DRIVER is None:
        pytest.fail("the page tests need Chromium and chromedriver (apt-get install chromium chromium-driver); "
                    ".ci/run installs them")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _shown(driver, selector):
    text = driver.find_element("css selector", selector).text
    return json.loads(text.replace("none", "null"))


def _open(browser, page, tmp_path):
    path = page.save(tmp_path / "explain.html")
    browser.get(path.as_uri())
    return json.loads(browser.find_element("id", "glasstorch-graph").get_attribute("textContent"))


def test_lecture_4_steps_forward_and_backward_with_autograds_numbers(browser, tmp_path):
    """The notes' lecture 4: y_hat = x w, loss = (y_hat - y)^2 at x = 1, y = 2, w = 1: dloss/dw = 2 (1 - 2) 1 = -2."""
    w = gt.tensor([1.0], requires_grad=True)
    x, y = gt.tensor([1.0]), gt.tensor([2.0])
    loss = ((x * w - y) ** 2).sum()
    data = _open(browser, gt.explain(loss, names={"w": w, "x": x, "y": y}), tmp_path)
    assert w.grad is None                                   # explain touches no .grad
    nodes = {n["id"]: n for n in data["nodes"]}
    for step, node_id in enumerate(data["forward"]):
        assert browser.find_element("css selector", "#panel .name").get_attribute("data-node") == node_id
        np.testing.assert_allclose(_shown(browser, "#panel .value"), nodes[node_id]["value"], rtol=1e-5)
        browser.find_element("id", "next").click()
    loss.backward()
    autograd = {"w": w.grad.tolist()}
    for node_id in data["backward"]:
        assert browser.find_element("css selector", "#panel .name").get_attribute("data-node") == node_id
        label = nodes[node_id]["label"]
        if label in autograd:
            assert _shown(browser, "#panel .grad") == autograd[label] == [-2.0]
            np.testing.assert_allclose(_shown(browser, "#panel .fd"), [-2.0], rtol=1e-6)
            chain = browser.find_element("id", "chain").text.replace("[", "").replace("]", "")
            assert "= -2 · 1" in chain
            assert "∂loss/∂w = ∂Sum/∂Pow · ∂Pow/∂Sub · ∂Sub/∂Mul · ∂Mul/∂w" in chain     # the notes' one line
            assert "= 1 · -2 · 1 · 1 = -2" in chain
        browser.find_element("id", "next").click()
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def test_a_two_layer_sigmoid_network_shows_every_gradient_autograd_gives(browser, tmp_path):
    gt.manual_seed(0)
    model = gt.nn.Sequential(gt.nn.Linear(2, 3), gt.nn.Sigmoid(), gt.nn.Linear(3, 1), gt.nn.Sigmoid())
    x, target = gt.tensor([[0.5, -1.0]]), gt.tensor([[1.0]])
    loss = gt.nn.functional.binary_cross_entropy(model(x), target)
    data = _open(browser, gt.explain(loss, names=dict(model.named_parameters())), tmp_path)
    loss.backward()
    expected = {name: p.grad.tolist() for name, p in model.named_parameters()}
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    browser.find_element("id", "reset").click()
    for _ in data["forward"]:
        browser.find_element("id", "next").click()
    seen = set()
    for node_id in data["backward"]:
        assert browser.find_element("css selector", "#panel .name").get_attribute("data-node") == node_id
        label = labels[node_id]
        if label in expected:
            np.testing.assert_allclose(_shown(browser, "#panel .grad"), expected[label], rtol=1e-4, atol=1e-7)
            seen.add(label)
        browser.find_element("id", "next").click()
    assert seen == set(expected)
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_explain_refuses_what_has_no_graph_with_one_clear_line():
    from glasstorch.errors import UserError

    with pytest.raises(UserError, match="has no graph"):
        gt.explain(gt.ones(2).sum())
    with pytest.raises(UserError, match="must be one number"):
        gt.explain(gt.ones(2, requires_grad=True) * 2)


def test_the_inception_nets_ops_are_grouped_by_the_module_that_made_them(browser, tmp_path):
    from glasstorch.models import create_model

    model = create_model("inception-net")
    loss = gt.nn.functional.cross_entropy(model(gt.randn(2, 1, 28, 28)), gt.zeros(2, dtype=gt.int64))
    data = _open(browser, gt.explain(loss, names=dict(model.named_parameters())), tmp_path)
    modules = {n["module"] for n in data["nodes"] if n["kind"] == "op"}
    assert {"InceptionNet.incept1.branch5x5_1", "InceptionNet.incept2.branch_pool", "InceptionNet.fc"} <= modules
    for block in ("incept1", "incept2"):            # a big graph: each Inception block is one box until opened
        summary = browser.find_element("id", f"summary-InceptionNet.{block}")
        inside = next(n["id"] for n in data["nodes"] if n["module"] == f"InceptionNet.{block}.branch1x1")
        assert summary.is_displayed() and not browser.find_element("id", f"node-{inside}").is_displayed()
        assert "ops: open" in summary.text
        summary.click()
        assert browser.find_element("id", f"group-InceptionNet.{block}").is_displayed()
        assert browser.find_element("id", f"node-{inside}").is_displayed()
    first_op = next(n for n in data["forward"] if n.startswith("n"))
    browser.find_element("id", f"node-{first_op}").click()
    assert browser.find_element("css selector", "#panel .module").text == "InceptionNet.conv1"
    conv = next(n for n in data["nodes"] if n["id"] == first_op)     # (2, 10, 24, 24): statistics and a histogram
    bars = browser.find_elements("css selector", "#panel svg.histogram.value rect")
    assert len(bars) == 16 and sum(conv["value"]["histogram"]) == 2 * 10 * 24 * 24
    assert len(browser.find_elements("css selector", "#panel svg.histogram.grad rect")) == 16
    weight = next(n for n in data["nodes"] if n["label"] == "conv1.weight")      # 250 elements: its middle one
    browser.find_element("id", f"node-{weight['id']}").click()
    shown = [float(e.text) for e in browser.find_elements("css selector", "#panel .fd-sample")]
    autograd = [float(e.text) for e in browser.find_elements("css selector", "#panel .ad-sample")]
    assert len(shown) == 1 and np.allclose(shown, autograd, rtol=1e-4, atol=1e-9)
    assert autograd == [float(f"{s['autograd']:.6g}") for s in weight["finite_difference"]["samples"]]
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def label_of(page, node_id):
    return next(n.label for n in page.nodes if n.id == node_id)


def test_each_edge_carries_the_ops_own_rule_for_that_input_or_its_number():
    a, b = gt.randn(3, requires_grad=True), gt.randn(3, requires_grad=True)
    page = gt.explain((a * b / (a + 2)).sum(), names={"a": a, "b": b})
    label = {n.id: n.label for n in page.nodes}
    rules = {(label[e.source], label[e.target]): e.local for e in page.edges}
    assert rules[("a", "Mul")] == "dL/da = dL/dy * b" and rules[("b", "Mul")] == "dL/db = dL/dy * a"
    assert rules[("Mul", "Div")] == "dL/da = dL/dy / b" and rules[("Add", "Div")].startswith("dL/db = -dL/dy (a / b) / b")
    w = gt.tensor(3.0, requires_grad=True)
    scalar = gt.explain(w * w * 2, names={"w": w})
    assert [e.local for e in scalar.edges if label_of(scalar, e.source) == "w"] == [3.0, 3.0]    # d(w w)/dw, each factor


def test_the_language_button_switches_the_page_between_english_and_chinese(browser, tmp_path):
    from glasstorch import i18n

    w = gt.tensor([1.0], requires_grad=True)
    loss = ((gt.tensor([1.0]) * w - gt.tensor([2.0])) ** 2).sum()
    i18n.set_language("zh")                     # the page opens in the language glasstorch speaks
    try:
        data = _open(browser, gt.explain(loss, names={"w": w}), tmp_path)
    finally:
        i18n.set_language(None)
    assert data["language"] == "zh" and set(data["ui"]) == {"en", "zh"}

    def texts():
        return {name: browser.find_element("id", name).text for name in ("reset", "prev", "next", "lang", "phase")}

    assert texts() == {"reset": "开始", "prev": "◀ 上一步", "next": "下一步 ▶", "lang": "English",
                       "phase": f"前向: 第 1 步, 共 {len(data['forward']) + len(data['backward'])} 步"}
    assert browser.find_element("css selector", "#panel").text.count("值:") == 1
    assert browser.execute_script("return document.documentElement.lang") == "zh-CN"
    browser.find_element("id", "lang").click()
    assert texts()["reset"] == "start" and texts()["lang"] == "中文" and texts()["phase"].startswith("Forward: step 1 of")
    assert "value:" in browser.find_element("css selector", "#panel").text
    browser.find_element("id", "lang").click()
    assert texts()["next"] == "下一步 ▶"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
