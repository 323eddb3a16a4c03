"""SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter for glasstorch programs.

Records go through TensorBoard's own event-file writer (a queue flushed by a background thread every flush_secs
or when max_queue records wait, each record framed with its CRC), so a run that crashes leaves files TensorBoard
reads up to the last flushed record.
"""
import os
import socket
import time
from datetime import datetime

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from ...errors import UnwritablePath
from . import summaries
from .summaries import SummaryInputError, as_array


class FileWriter:
    """One event file in one folder: Summary records stamped with a step and a wall time."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        try:
            os.makedirs(log_dir, exist_ok=True)
            self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)
        except OSError as error:
            raise UnwritablePath(f"SummaryWriter: cannot write the log folder '{log_dir}': "
                                 f"{error.strerror or error}") from None

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """SummaryWriter(log_dir=None, comment='', purge_step=None, max_queue=10, flush_secs=120, filename_suffix='').

    log_dir defaults to runs/<Mon>DD_HH-MM-SS_<host><comment>, as PyTorch's. purge_step=T: a restarted run that
    logs from step T again hides the records of its crashed predecessor at steps >= T.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if not log_dir:
            log_dir = os.path.join("runs", datetime.now().strftime("%b%d_%H-%M-%S") + "_" + socket.gethostname()
                                   + comment)
        self.log_dir, self.purge_step = os.fspath(log_dir), purge_step
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self.default_bins = summaries.tensorflow_bins()
        self.file_writer = self.all_writers = None
        self._get_file_writer()

    def _get_file_writer(self):
        """The main event file, opened again after close() as PyTorch's is."""
        if self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                self.file_writer.add_event(Event(step=self.purge_step, file_version="brain.Event:2"))
                self.file_writer.add_event(Event(step=self.purge_step,
                                                 session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def _add(self, summary, global_step, walltime):
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # ------------------------------------------------------------ scalars
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        self._add(summaries.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Each key its own run (a sub-folder <log_dir>/<main_tag>_<key>), each logged under main_tag, so that
        TensorBoard draws them as lines of one chart."""
        walltime = time.time() if walltime is None else walltime
        log_dir = self._get_file_writer().get_logdir()
        for key, value in tag_scalar_dict.items():
            folder = log_dir + "/" + main_tag.replace("/", "_") + "_" + key
            if folder not in self.all_writers:
                self.all_writers[folder] = FileWriter(folder, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers[folder].add_summary(summaries.scalar(main_tag, value), global_step, walltime)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        from tensorboard.compat.proto.summary_pb2 import Summary
        from tensorboard.util import tensor_util

        proto = tensor_util.make_tensor_proto(as_array(tensor))
        self._add(Summary(value=[Summary.Value(tag=tag, tensor=proto)]), global_step, walltime)

    # ------------------------------------------------------------ distributions
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        bins = self.default_bins if isinstance(bins, str) and bins == "tensorflow" else bins
        self._add(summaries.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,
                          global_step=None, walltime=None):
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._add(summaries.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
                  global_step, walltime)

    # ------------------------------------------------------------ images
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        self._add(summaries.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        self._add(summaries.image(tag, img_tensor, dataformats, call="add_images"), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them, side by side) as an image."""
        if isinstance(figure, list):
            images = as_array([summaries.figure_to_chw(f, close) for f in figure])
            self.add_image(tag, images, global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, summaries.figure_to_chw(figure, close), global_step, walltime, dataformats="CHW")

    # ------------------------------------------------------------ text, curves, hyperparameters
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        self._add(summaries.text(tag, text_string), global_step, walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        self._add(summaries.pr_curve(tag, labels, predictions, num_thresholds, weights), global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None):
        counts = as_array([as_array(v) for v in (true_positive_counts, false_positive_counts, true_negative_counts,
                                                 false_negative_counts, precision, recall)])
        self._add(summaries.pr_curve(tag, None, None, num_thresholds, counts=counts), global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """The hyperparameters and the metrics of one trial, in a run of their own: <log_dir>/<run_name> (default:
        the current time), as PyTorch writes them; the metrics as scalars of that run."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        records = summaries.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        log_dir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=log_dir) as trial:
            for record in records:
                trial.file_writer.add_summary(record, global_step)
            for key, value in metric_dict.items():
                trial.add_scalar(key, value, global_step)

    # ------------------------------------------------------------ graph, embeddings
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The graph of one forward pass of `model` on input_to_model (a tensor or a tuple of them): every op
        under its module scope (Net/Conv2d[conv1]/...), as the Graphs tab shows PyTorch's."""
        from .graph import graph_of

        self._get_file_writer().add_event(Event(graph_def=graph_of(model, input_to_model).SerializeToString()))

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        from .embedding import write_embedding

        write_embedding(self, mat, metadata, label_img, 0 if global_step is None else global_step, tag,
                        metadata_header)

    # ------------------------------------------------------------ files
    def flush(self):
        for writer in (self.all_writers or {}).values():
            writer.flush()

    def close(self):
        for writer in (self.all_writers or {}).values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ["SummaryWriter", "SummaryInputError"]
