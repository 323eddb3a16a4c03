# Lecture 10: a basic CNN on MNIST. 1x28x28 -> conv 5x5 (10) -> pool -> conv 5x5 (20) -> pool -> 320 -> 10.
import torch
import torch.nn.functional as F



class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)   # flatten: 20 x 4 x 4 = 320
        x = self.fc(x)
        return x


if __name__ == '__main__':
    import mnist_common

    args = mnist_common.parse_args("Lecture 10: basic CNN")
    torch.manual_seed(args.seed)
    mnist_common.run(Net(), args)
