# Lecture 11: the advanced CNNs on MNIST, the GoogLeNet-style Inception network or the residual network.
import argparse
import sys

import torch

import mnist_common

if __name__ == '__main__':
    choice = argparse.ArgumentParser(add_help=False)
    choice.add_argument("--net", choices=["inception", "residual"], default="inception")
    known, rest = choice.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    args = mnist_common.parse_args("Lecture 11: Inception / residual network")
    torch.manual_seed(args.seed)
    if known.net == "inception":
        from inception_net import Net
    else:
        from residual_net import Net
    mnist_common.run(Net(), args)
