# Lecture 12: learn to turn "hello" into "ohlol", one character at a time, three ways:
#   rnncell    - an RNNCell stepped by hand over one-hot characters
#   rnn        - nn.RNN over the whole sequence at once
#   embedding  - Embedding -> RNN -> Linear, the characters as indices
import argparse

import torch

idx2char = ['e', 'h', 'l', 'o']
x_data = [1, 0, 2, 2, 3]    # hello
y_data = [3, 1, 2, 3, 2]    # ohlol
input_size, hidden_size, batch_size, seq_len = 4, 4, 1, 5


def one_hot_inputs():
    one_hot_lookup = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    x_one_hot = [one_hot_lookup[x] for x in x_data]
    return torch.Tensor(x_one_hot).view(-1, batch_size, input_size)


class CellModel(torch.nn.Module):
    def __init__(self):
        super(CellModel, self).__init__()
        self.rnncell = torch.nn.RNNCell(input_size=input_size, hidden_size=hidden_size)

    def forward(self, input, hidden):
        return self.rnncell(input, hidden)

    def init_hidden(self):
        return torch.zeros(batch_size, hidden_size)


class SequenceModel(torch.nn.Module):
    def __init__(self, num_layers=1):
        super(SequenceModel, self).__init__()
        self.num_layers = num_layers
        self.rnn = torch.nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)

    def forward(self, input):
        hidden = torch.zeros(self.num_layers, batch_size, hidden_size)
        out, _ = self.rnn(input, hidden)
        return out.view(-1, hidden_size)     # (seq * batch, hidden) for CrossEntropyLoss


class EmbeddingModel(torch.nn.Module):
    def __init__(self, num_class=4, embedding_size=10, num_layers=2):
        super(EmbeddingModel, self).__init__()
        self.num_layers = num_layers
        self.emb = torch.nn.Embedding(input_size, embedding_size)
        self.rnn = torch.nn.RNN(input_size=embedding_size, hidden_size=8, num_layers=num_layers, batch_first=True)
        self.fc = torch.nn.Linear(8, num_class)

    def forward(self, x):
        hidden = torch.zeros(self.num_layers, x.size(0), 8)
        x = self.emb(x)                  # (batch, seq, embedding_size)
        x, _ = self.rnn(x, hidden)
        x = self.fc(x)
        return x.view(-1, 4)


def train_cell(model, epochs=15, lr=0.1):
    inputs, labels = one_hot_inputs(), torch.LongTensor(y_data).view(-1, 1)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses, guess = [], ""
    for epoch in range(epochs):
        loss = 0
        optimizer.zero_grad()
        hidden = model.init_hidden()
        guess = ""
        for input, label in zip(inputs, labels):
            hidden = model(input, hidden)
            loss += criterion(hidden, label)
            _, idx = hidden.max(dim=1)
            guess += idx2char[idx.item()]
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        print('Predicted string: %s, Epoch [%d/%d] loss=%.4f' % (guess, epoch + 1, epochs, loss.item()))
    return losses, guess


def train_sequence(model, inputs, epochs=15, lr=0.05):
    labels = torch.LongTensor(y_data)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses, guess = [], ""
    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        _, idx = outputs.max(dim=1)
        guess = ''.join([idx2char[x] for x in idx.data.numpy()])
        losses.append(loss.item())
        print('Predicted: %s, Epoch [%d/%d] loss = %.3f' % (guess, epoch + 1, epochs, loss.item()))
    return losses, guess


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description="Lecture 12: hello -> ohlol")
    parser.add_argument("--variant", choices=["rnncell", "rnn", "embedding"], default="embedding")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    if args.variant == "rnncell":
        losses, guess = train_cell(CellModel(), args.epochs)
    elif args.variant == "rnn":
        losses, guess = train_sequence(SequenceModel(), one_hot_inputs(), args.epochs)
    else:
        losses, guess = train_sequence(EmbeddingModel(), torch.LongTensor([x_data]), args.epochs)
    print('final: %s (target ohlol), loss %.4f -> %.4f' % (guess, losses[0], losses[-1]))
