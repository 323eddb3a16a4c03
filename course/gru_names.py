# Lecture 13: which country does a surname come from? Characters -> Embedding -> bidirectional GRU over the packed
# (variable-length) batch -> the last hidden states of both directions -> Linear.
import argparse
import csv
import gzip
import os
import time

import torch
from torch.nn.utils.rnn import pack_padded_sequence
from torch.utils.data import DataLoader, Dataset

HERE = os.path.dirname(os.path.abspath(__file__))
N_CHARS = 128   # ASCII


class NameDataset(Dataset):
    def __init__(self, is_train_set=True, folder=os.path.join(HERE, "data")):
        filename = os.path.join(folder, 'names_train.csv' if is_train_set else 'names_test.csv')
        opener = gzip.open if filename.endswith('.gz') else open
        with opener(filename, 'rt') as f:
            rows = list(csv.reader(f))
        self.names = [row[0] for row in rows]
        self.len = len(self.names)
        self.countries = [row[1] for row in rows]
        self.country_list = sorted(set(self.countries))
        self.country_dict = {name: i for i, name in enumerate(self.country_list)}
        self.country_num = len(self.country_list)

    def __getitem__(self, index):
        return self.names[index], self.country_dict[self.countries[index]]

    def __len__(self):
        return self.len


class RNNClassifier(torch.nn.Module):
    def __init__(self, input_size, hidden_size, output_size, n_layers=1, bidirectional=True):
        super(RNNClassifier, self).__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = torch.nn.Embedding(input_size, hidden_size)
        self.gru = torch.nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(hidden_size * self.n_directions, output_size)

    def _init_hidden(self, batch_size):
        return torch.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size)

    def forward(self, input, seq_lengths):
        input = input.t()                       # (batch, seq) -> (seq, batch)
        batch_size = input.size(1)
        hidden = self._init_hidden(batch_size)
        embedding = self.embedding(input)       # (seq, batch, hidden)
        gru_input = pack_padded_sequence(embedding, seq_lengths)
        output, hidden = self.gru(gru_input, hidden)
        if self.n_directions == 2:
            hidden_cat = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            hidden_cat = hidden[-1]
        return self.fc(hidden_cat)


def name2list(name):
    arr = [ord(c) for c in name]
    return arr, len(arr)


def make_tensors(names, countries):
    sequences_and_lengths = [name2list(name) for name in names]
    name_sequences = [sl[0] for sl in sequences_and_lengths]
    seq_lengths = torch.LongTensor([sl[1] for sl in sequences_and_lengths])
    countries = countries.long()
    seq_tensor = torch.zeros(len(name_sequences), seq_lengths.max()).long()
    for idx, (seq, seq_len) in enumerate(zip(name_sequences, seq_lengths), 0):
        seq_tensor[idx, :seq_len] = torch.LongTensor(seq)
    # sort by length, longest first, as pack_padded_sequence expects
    seq_lengths, perm_idx = seq_lengths.sort(dim=0, descending=True)
    seq_tensor = seq_tensor[perm_idx]
    countries = countries[perm_idx]
    return seq_tensor, seq_lengths, countries


def time_since(since):
    s = time.time() - since
    return '%dm %ds' % (s // 60, s % 60)


def train_model(classifier, train_loader, criterion, optimizer, epoch, start):
    total_loss = 0
    for i, (names, countries) in enumerate(train_loader, 1):
        inputs, seq_lengths, target = make_tensors(names, countries)
        output = classifier(inputs, seq_lengths)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    print(f'[{time_since(start)}] Epoch {epoch} loss={total_loss / i:.4f}')
    return total_loss / i


def test_model(classifier, test_loader, test_size):
    correct = 0
    with torch.no_grad():
        for names, countries in test_loader:
            inputs, seq_lengths, target = make_tensors(names, countries)
            output = classifier(inputs, seq_lengths)
            pred = output.max(dim=1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()
    percent = '%.2f' % (100 * correct / test_size)
    print(f'Test set: Accuracy {correct}/{test_size} {percent}%')
    return correct / test_size


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description="Lecture 13: surname -> country with a GRU")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden-size", type=int, default=100)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    train_set, test_set = NameDataset(is_train_set=True), NameDataset(is_train_set=False)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.batch_size, shuffle=False)
    classifier = RNNClassifier(N_CHARS, args.hidden_size, train_set.country_num, args.layers)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(classifier.parameters(), lr=args.lr)
    start = time.time()
    print("Training for %d epochs..." % args.epochs)
    accuracy = 0
    for epoch in range(1, args.epochs + 1):
        train_model(classifier, train_loader, criterion, optimizer, epoch, start)
        accuracy = test_model(classifier, test_loader, len(test_set))
    print('final accuracy %.2f%%' % (100 * accuracy))
