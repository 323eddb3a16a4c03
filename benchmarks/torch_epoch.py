"""The plain PyTorch equivalent of `glasstorch train --epochs 1`: Fashion-MNIST from its IDX files, the course's
Inception Net, SGD, a tqdm bar, test evaluation and a checkpoint. Used by bench_epoch.py as the reference."""
import argparse
import gzip
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from torch_models import TorchInceptionNet


def read_idx(path):
    raw = gzip.decompress(Path(path).read_bytes())
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(folder, split, mean, std):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(Path(folder) / f"{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(Path(folder) / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.utils.data.TensorDataset(torch.from_numpy((images[:, None] - mean) / std), torch.from_numpy(labels))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--out", default="/tmp/torch_epoch.pt")
    args = parser.parse_args()
    torch.manual_seed(0)
    train = torch.utils.data.DataLoader(load(args.data_dir, "train", 0.2860, 0.3530), batch_size=64, shuffle=True)
    test = torch.utils.data.DataLoader(load(args.data_dir, "test", 0.2860, 0.3530), batch_size=500)
    model = TorchInceptionNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    for epoch in range(args.epochs):
        model.train()
        for images, labels in tqdm(train, desc=f"epoch {epoch + 1}", leave=False):
            loss = torch.nn.functional.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for images, labels in test:
                correct += (model(images).argmax(1) == labels).sum().item()
        print(f"epoch {epoch + 1}: test accuracy {100 * correct / len(test.dataset):.2f}%")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, args.out)


if __name__ == "__main__":
    main()
