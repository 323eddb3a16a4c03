# The course's MNIST plumbing (lectures 9-11): data loaders, the training loop that prints the running loss,
# and the test loop that prints the accuracy. Each lecture's program defines its own network and calls these.
import argparse

import torch
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms


def parse_args(description, epochs=10):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--limit", type=int, default=None, help="train and test on the first N images only")
    parser.add_argument("--data", default="../dataset/mnist/")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def loaders(args):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_dataset = datasets.MNIST(root=args.data, train=True, download=True, transform=transform)
    test_dataset = datasets.MNIST(root=args.data, train=False, download=True, transform=transform)
    if args.limit:
        train_dataset = Subset(train_dataset, range(min(args.limit, len(train_dataset))))
        test_dataset = Subset(test_dataset, range(min(args.limit, len(test_dataset))))
    train_loader = DataLoader(train_dataset, shuffle=True, batch_size=args.batch_size)
    test_loader = DataLoader(test_dataset, shuffle=False, batch_size=args.batch_size)
    return train_loader, test_loader


def train(model, train_loader, criterion, optimizer, epoch):
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(train_loader, 0):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, target)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if batch_idx % 300 == 299:
            print('[%d, %5d] loss: %.3f' % (epoch + 1, batch_idx + 1, running_loss / 300))
            running_loss = 0.0


def test(model, test_loader):
    correct = 0
    total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            outputs = model(images)
            _, predicted = torch.max(outputs.data, dim=1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    print('accuracy on test set: %d %% [%d/%d]' % (accuracy, correct, total))
    return accuracy


def run(model, args):
    torch.manual_seed(args.seed)
    train_loader, test_loader = loaders(args)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    accuracy = 0
    for epoch in range(args.epochs):
        train(model, train_loader, criterion, optimizer, epoch)
        accuracy = test(model, test_loader)
    return accuracy
