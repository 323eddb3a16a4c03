# Lecture 9: softmax classifier on MNIST, five linear layers and CrossEntropyLoss (log-softmax + NLL in one).
import torch
import torch.nn.functional as F



class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.l1 = torch.nn.Linear(784, 512)
        self.l2 = torch.nn.Linear(512, 256)
        self.l3 = torch.nn.Linear(256, 128)
        self.l4 = torch.nn.Linear(128, 64)
        self.l5 = torch.nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return self.l5(x)   # no activation: CrossEntropyLoss takes the raw scores


if __name__ == '__main__':
    import mnist_common

    args = mnist_common.parse_args("Lecture 9: softmax classifier")
    torch.manual_seed(args.seed)
    mnist_common.run(Net(), args)
