"""add_embedding's files for TensorBoard's Projector: <log_dir>/<step, 5 digits>/<tag>/tensors.tsv (one point a
line), metadata.tsv (a label a line, or a header and columns), sprite.png (the label images in a square grid), and
<log_dir>/projector_config.pbtxt listing every embedding written so far."""
import math
import os

import numpy as np
from google.protobuf import text_format
from PIL import Image
from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo, ProjectorConfig

from ...serialization import write_atomic
from .summaries import SummaryInputError, as_array, grid


def write_embedding(writer, mat, metadata, label_img, global_step, tag, metadata_header):
    mat = as_array(mat)
    if mat.ndim != 2:
        raise SummaryInputError(f"add_embedding('{tag}'): mat should be 2-D (points x features), got shape "
                                f"{tuple(mat.shape)}")
    if metadata is not None and len(metadata) != mat.shape[0]:
        raise SummaryInputError(f"add_embedding('{tag}'): {len(metadata)} labels for {mat.shape[0]} points")
    if label_img is not None and label_img.shape[0] != mat.shape[0]:
        raise SummaryInputError(f"add_embedding('{tag}'): {label_img.shape[0]} images for {mat.shape[0]} points")
    log_dir = writer._get_file_writer().get_logdir()
    escaped = tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")     # the folder names PyTorch makes
    subdir = f"{str(global_step).zfill(5)}/{escaped}"
    folder = os.path.join(log_dir, subdir)
    if os.path.isfile(folder):
        raise NotADirectoryError(f"Path: `{folder}` exists, but is a file. Cannot proceed.")
    if os.path.isdir(folder):
        print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
    os.makedirs(folder, exist_ok=True)
    info = EmbeddingInfo(tensor_name=f"{tag}:{str(global_step).zfill(5)}", tensor_path=f"{subdir}/tensors.tsv")
    write_atomic(os.path.join(folder, "tensors.tsv"),
                 "".join("\t".join(str(v) for v in row.tolist()) + "\n" for row in mat).encode())
    if metadata is not None:
        rows = ([str(label) for label in metadata] if not metadata_header else
                ["\t".join(str(v) for v in row) for row in [metadata_header, *metadata]])
        write_atomic(os.path.join(folder, "metadata.tsv"), ("\n".join(rows) + "\n").encode())
        info.metadata_path = f"{subdir}/metadata.tsv"
    if label_img is not None:
        images = as_array(label_img)
        write_atomic(os.path.join(folder, "sprite.png"), _sprite(images))
        info.sprite.image_path = f"{subdir}/sprite.png"
        info.sprite.single_image_dim.extend([images.shape[3], images.shape[2]])
    if not hasattr(writer, "_projector_config"):
        writer._projector_config = ProjectorConfig()
    writer._projector_config.embeddings.extend([info])
    write_atomic(os.path.join(log_dir, "projector_config.pbtxt"),
                 text_format.MessageToString(writer._projector_config).encode())


def _sprite(images):
    """(N, C, H, W) images in [0, 1] on a square sheet, ceil(sqrt(N)) to a row, as PNG bytes."""
    import io

    sheet = grid(images, columns=math.ceil(math.sqrt(images.shape[0]))).transpose(1, 2, 0)
    square = np.zeros((sheet.shape[1], sheet.shape[1], 3))
    square[:sheet.shape[0]] = sheet
    buffer = io.BytesIO()
    Image.fromarray(np.uint8((square * 255).clip(0, 255))).save(buffer, format="PNG")
    return buffer.getvalue()
