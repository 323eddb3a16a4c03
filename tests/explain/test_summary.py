"""summary(model, input_size) and what a notebook shows for a tensor and a module."""
import re

import torch

import glasstorch as gt
from glasstorch.models import create_model


def test_summary_lists_every_layer_with_the_output_shape_torch_gives_and_its_parameters(capsys):
    model = create_model("lenet")
    text = gt.summary(model, (2, 1, 28, 28))
    assert capsys.readouterr().out.strip() == text.strip()
    reference = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
                                    torch.nn.Conv2d(6, 16, 5), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
                                    torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.Tanh(),
                                    torch.nn.Linear(120, 84), torch.nn.Tanh(), torch.nn.Linear(84, 10))
    x, expected = torch.zeros(2, 1, 28, 28), []
    for layer in reference:
        x = layer(x)
        expected.append((type(layer).__name__, list(x.shape), sum(p.numel() for p in layer.parameters())))
    rows = [re.match(r"\s+(\w+): 2-\d+\s+(\[[\d, ]+\])\s+([\d,]+|--)$", line) for line in text.splitlines()]
    rows = [(m.group(1), eval(m.group(2)), int(m.group(3).replace(",", "")) if m.group(3) != "--" else 0)
            for m in rows if m]
    assert rows == expected
    assert f"Total params: {sum(p.numel() for p in reference.parameters()):,}" in text


def test_notebook_forms_of_a_tensor_and_a_module():
    small = gt.ones(2, 3, requires_grad=True) * 2
    shown = small._repr_html_()
    assert "shape (2, 3)" in shown and "float32" in shown and "MulBackward0" in shown and "2., 2., 2." in shown
    large = gt.arange(100.0)
    assert "mean</td><td>49.5" in large._repr_html_()
    page = create_model("lenet")._repr_html_()
    assert "LeNet5() &middot; 61,706 parameters" in page and "<b>0</b> Conv2d(1, 6" in page and "156 parameters" in page
