# Fit a random degree-4 polynomial with one linear layer over the features x, x^2, x^3, x^4, in the style of
# PyTorch's examples/regression: smooth L1 loss and a hand-written gradient step on param.data.
import argparse

import torch
import torch.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """[x, x^2, x^3, x^4] as the columns of a matrix."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result


def main():
    parser = argparse.ArgumentParser(description='polynomial regression')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--max-steps', type=int, default=100000)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def get_batch(batch_size=32):
        random = torch.randn(batch_size)
        x = make_features(random)
        y = x.mm(W_target) + b_target.item()
        return x, y

    fc = torch.nn.Linear(W_target.size(0), 1)
    for batch_idx in range(1, args.max_steps + 1):
        batch_x, batch_y = get_batch()
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        if loss < 1e-3:
            break
    print('Loss: {:.6f} after {} batches'.format(loss, batch_idx))
    print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
    print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))


if __name__ == '__main__':
    main()
