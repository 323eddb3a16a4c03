# The notes' first autograd program: y = w * x fitted by hand-written gradient descent on w.data.
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = torch.Tensor([1.0])
w.requires_grad = True


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


def train(epochs=100):
    history = []
    for epoch in range(epochs):
        for x, y in zip(x_data, y_data):
            l = loss(x, y)
            l.backward()
            w.data = w.data - 0.01 * w.grad.data
            w.grad.data.zero_()
        history.append((w.item(), l.item()))
    return history


if __name__ == "__main__":
    print("predict (before training)", 4, forward(4).item())
    for epoch, (weight, last_loss) in enumerate(train(), start=1):
        if epoch % 20 == 0:
            print(f"epoch {epoch}: w = {weight:.4f}, loss = {last_loss:.6f}")
    print("predict (after training)", 4, forward(4).item())
