# A variational autoencoder on MNIST in the style of PyTorch's examples/vae: 784 -> 400 -> (mu, logvar) of 20,
# the reparameterisation z = mu + eps * exp(logvar / 2), and the loss BCE + KL divergence; saves reconstructions
# and samples as image grids.
import argparse
import os

import torch
import torch.nn.functional as F
from torch import nn, optim
from torchvision import datasets, transforms
from torchvision.utils import save_image


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction (binary cross-entropy) + KL(q(z|x) || N(0, I)) = -1/2 sum(1 + log s^2 - mu^2 - s^2)."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def main():
    parser = argparse.ArgumentParser(description='VAE MNIST')
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--limit', type=int, default=None)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--results', default='results')
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    train_set = datasets.MNIST('../data', train=True, download=True, transform=transforms.ToTensor())
    test_set = datasets.MNIST('../data', train=False, transform=transforms.ToTensor())
    if args.limit:
        train_set = torch.utils.data.Subset(train_set, range(args.limit))
        test_set = torch.utils.data.Subset(test_set, range(min(args.limit, len(test_set))))
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size, shuffle=False)
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    os.makedirs(args.results, exist_ok=True)
    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0
        for data, _ in train_loader:
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        print('====> Epoch: {} Average loss: {:.4f}'.format(epoch, train_loss / len(train_loader.dataset)))
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data[:n], recon_batch.view(-1, 1, 28, 28)[:n]])
                    save_image(comparison.cpu(), os.path.join(args.results, 'reconstruction_%d.png' % epoch),
                               nrow=n)
            sample = model.decode(torch.randn(64, 20))
            save_image(sample.view(64, 1, 28, 28), os.path.join(args.results, 'sample_%d.png' % epoch))
        print('====> Test set loss: {:.4f}'.format(test_loss / len(test_loader.dataset)))


if __name__ == '__main__':
    main()
