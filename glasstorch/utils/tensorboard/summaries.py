"""The Summary protocol buffers TensorBoard reads, built from NumPy arrays: one function per kind of record.

The protobuf classes are TensorBoard's own (tensorboard.compat.proto and its plugins' plugin_data), so what is
written is what TensorBoard's readers expect; how each record is filled in follows PyTorch's SummaryWriter, so a
program's logs look the same in TensorBoard whichever framework wrote them.
"""
import io
import math

import numpy as np
from PIL import Image
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

from ...errors import UserError


class SummaryInputError(UserError, AssertionError):
    """A value that does not fit its record (PyTorch raises AssertionError for these; so does this, by subclass)."""


def as_array(value):
    """A NumPy array of a tensor (detached), an array, a number or a list."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    return np.asarray(value)


# ---------------------------------------------------------------- scalars
def scalar(tag, value, new_style=False, double_precision=False):
    """One number: simple_value (float32 on disk), or with new_style a float (double) tensor for the scalars plugin."""
    array = as_array(value).squeeze()
    if array.ndim != 0:
        raise SummaryInputError(f"add_scalar('{tag}'): expected one number, got {array.size} values of shape "
                                f"{tuple(as_array(value).shape)}")
    number = float(array)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=number)])
    tensor = (TensorProto(double_val=[number], dtype="DT_DOUBLE") if double_precision
              else TensorProto(float_val=[number], dtype="DT_FLOAT"))
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])


# ---------------------------------------------------------------- histograms
def tensorflow_bins():
    """TensorFlow's default bucket edges, which TensorBoard's histograms expect: +-1e-12 growing by 10% a step
    up to 1e20, and 0 (774 edges)."""
    edges, edge = [], 1e-12
    while edge < 1e20:
        edges.append(edge)
        edge *= 1.1
    return [-e for e in reversed(edges)] + [0] + edges


def histogram(tag, values, bins, max_bins=None):
    """Counts of the values between consecutive bin edges (NumPy's histogram), merged max_bins-fold when there are
    more, kept from the last empty bucket before the first filled one to the last filled one: TensorBoard draws a
    bucket from the previous edge to its own, so the first kept bucket only supplies the left edge."""
    values = as_array(values).astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError(f"add_histogram('{tag}'): the input has no element.")
    try:
        counts, edges = np.histogram(values, bins=bins)
    except ValueError as error:                             # NaN or inf with automatic bins, bad bin edges
        raise ValueError(f"add_histogram('{tag}'): {error}") from None
    if max_bins is not None and len(counts) > max_bins:
        factor = len(counts) // max_bins
        counts = np.pad(counts, (0, -len(counts) % factor)).reshape(-1, factor).sum(axis=1)
        edges = np.append(edges[:-1:factor][:len(counts)], edges[-1])
    filled = np.flatnonzero(counts)
    if filled.size == 0:
        raise ValueError(f"add_histogram('{tag}'): no value falls inside the bins (NaN or out of range?)")
    first, last = filled[0], filled[-1] + 1
    kept = counts[first - 1:last] if first > 0 else np.concatenate([[0], counts[:last]])
    return Summary(value=[Summary.Value(tag=tag, histo=HistogramProto(
        min=values.min(), max=values.max(), num=len(values), sum=values.sum(), sum_squares=values.dot(values),
        bucket_limit=edges[first:last + 1].tolist(), bucket=kept.tolist()))])


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    return Summary(value=[Summary.Value(tag=tag, histo=HistogramProto(
        min=min, max=max, num=num, sum=sum, sum_squares=sum_squares, bucket_limit=bucket_limits,
        bucket=bucket_counts))])


# ---------------------------------------------------------------- images
def grid(images, columns=8):
    """(N, C, H, W) images side by side, `columns` to a row (fewer when there are fewer), grey made RGB."""
    if images.shape[1] == 1:
        images = np.repeat(images, 3, axis=1)
    count, _, height, width = images.shape
    columns = min(count, columns)
    rows = math.ceil(count / columns)
    canvas = np.zeros((3, height * rows, width * columns), dtype=images.dtype)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        canvas[:, row * height:(row + 1) * height, column * width:(column + 1) * width] = image
    return canvas


def to_hwc(array, dataformats, call):
    """An image array in the layout `dataformats` names (NCHW, NHWC, CHW, HWC, HW ...) as (H, W, 3 or 4); a
    batch becomes a grid of 8 columns."""
    layout = dataformats.upper()
    if len(set(layout)) != len(layout) or set(layout) - set("NCHW"):
        raise SummaryInputError(f"{call}: dataformats must name each of N, C, H, W at most once, got "
                                f"'{dataformats}'")
    if array.ndim != len(layout):
        raise SummaryInputError(f"{call}: an image of shape {tuple(array.shape)} does not fit dataformats="
                                f"'{dataformats}' ({len(layout)} dimensions)")
    if len(layout) == 4:
        return grid(array.transpose([layout.index(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(layout) == 3:
        hwc = array.transpose([layout.index(c) for c in "HWC"])
        return np.repeat(hwc, 3, axis=2) if hwc.shape[2] == 1 else hwc
    return np.stack([array.transpose([layout.index(c) for c in "HW"])] * 3, axis=2)


def image(tag, values, dataformats="CHW", call="add_image"):
    """A PNG of the image: uint8 as it is, any other dtype taken as [0, 1] and scaled by 255, clipped."""
    array = as_array(values)
    hwc = to_hwc(array, dataformats, f"{call}('{tag}')")
    scale = 1 if array.dtype == np.uint8 else 255
    pixels = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    height, width, channels = pixels.shape
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return Summary(value=[Summary.Value(tag=tag, image=Summary.Image(
        height=height, width=width, colorspace=channels, encoded_image_string=buffer.getvalue()))])


def figure_to_chw(figure, close=True):
    """A matplotlib figure drawn by Agg, as a (3, H, W) uint8 array."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    if close:
        plt.close(figure)
    return np.ascontiguousarray(rgba[:, :, :3].transpose(2, 0, 1))


# ---------------------------------------------------------------- text
def text(tag, string):
    """A one-element string tensor for the text plugin (Markdown), under tag + '/text_summary' as PyTorch writes."""
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
    tensor = TensorProto(dtype="DT_STRING", string_val=[string.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=metadata, tensor=tensor)])


# ---------------------------------------------------------------- precision-recall curves
def pr_curve_counts(labels, predictions, num_thresholds, weights=None):
    """(6, T) rows: true and false positives, true and false negatives, precision, recall, at T thresholds
    0, 1/(T-1), ..., 1: a prediction p counts as positive at threshold i / (T - 1) when floor(p (T - 1)) >= i."""
    labels = as_array(labels).reshape(-1).astype(bool)
    predictions = as_array(predictions).reshape(-1).astype(np.float64)
    weights = 1.0 if weights is None else as_array(weights).reshape(-1)
    buckets = np.floor(predictions * (num_thresholds - 1)).astype(np.int64)
    positives = np.bincount(buckets, weights=labels * weights, minlength=num_thresholds)[:num_thresholds]
    negatives = np.bincount(buckets, weights=~labels * weights, minlength=num_thresholds)[:num_thresholds]
    tp = np.cumsum(positives[::-1])[::-1]
    fp = np.cumsum(negatives[::-1])[::-1]
    fn, tn = tp[0] - tp, fp[0] - fp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return np.stack([tp, fp, tn, fn, precision, recall])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None, counts=None):
    num_thresholds = min(num_thresholds, 127)       # as PyTorch: more does not fit TensorBoard's plugin
    data = pr_curve_counts(labels, predictions, num_thresholds, weights) if counts is None else counts
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="pr_curves", content=PrCurvePluginData(version=0, num_thresholds=num_thresholds)
        .SerializeToString()))
    tensor = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(), tensor_shape=TensorShapeProto(
        dim=[TensorShapeProto.Dim(size=data.shape[0]), TensorShapeProto.Dim(size=data.shape[1])]))
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata, tensor=tensor)])


# ---------------------------------------------------------------- hyperparameters
def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three records: the experiment (each hyperparameter's name, type and discrete domain,
    each metric's tag), the session's start (its values) and its end (success). Numbers (and bools, which Python
    counts as numbers, as PyTorch does) are FLOAT64, strings STRING; None is left out."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2, metadata as plugin
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo

    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError("hparam_dict and metric_dict should be dictionary.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for key, domain in domains.items():
        if key not in hparam_dict or not isinstance(domain, list) or \
                not all(isinstance(d, type(hparam_dict[key])) for d in domain):
            raise TypeError(f"parameter: hparam_domain_discrete[{key}] should be a list of same type as "
                            f"hparam_dict[{key}].")
    start, infos = SessionStartInfo(), []
    for key, value in hparam_dict.items():
        if value is None:
            continue
        if hasattr(value, "numpy"):
            value = float(as_array(value).reshape(-1)[0])
        if isinstance(value, (int, float)):
            field, kind = "number_value", "DATA_TYPE_FLOAT64"
        elif isinstance(value, str):
            field, kind = "string_value", "DATA_TYPE_STRING"
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(start.hparams[key], field, value)
        domain = (struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in domains[key]])
                  if key in domains else None)
        infos.append(api_pb2.HParamInfo(name=key, type=api_pb2.DataType.Value(kind), domain_discrete=domain))

    def record(tag, **content):
        data = HParamsPluginData(version=plugin.PLUGIN_DATA_VERSION, **content).SerializeToString()
        metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=plugin.PLUGIN_NAME,
                                                                          content=data))
        return Summary(value=[Summary.Value(tag=tag, metadata=metadata)])

    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=[
        api_pb2.MetricInfo(name=api_pb2.MetricName(tag=key)) for key in metric_dict])
    return (record(plugin.EXPERIMENT_TAG, experiment=experiment),
            record(plugin.SESSION_START_INFO_TAG, session_start_info=start),
            record(plugin.SESSION_END_INFO_TAG,
                   session_end_info=SessionEndInfo(status=api_pb2.Status.Value("STATUS_SUCCESS"))))
