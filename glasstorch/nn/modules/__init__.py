from .activation import GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, ReLU6, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .embedding import Embedding
from .linear import Flatten, Identity, Linear
from .normalization import LayerNorm
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh", "BatchNorm1d", "BatchNorm2d",
           "ModuleDict", "ModuleList", "Sequential", "Conv2d", "ConvTranspose2d", "Dropout", "Flatten", "Identity", "Linear", "BCELoss",
           "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss", "AdaptiveAvgPool2d", "AvgPool2d",
           "MaxPool2d", "Hardtanh", "ReLU6", "Dropout2d", "Embedding", "LayerNorm", "GRU", "LSTM", "RNN", "GRUCell",
           "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase", "HuberLoss", "SmoothL1Loss"]
