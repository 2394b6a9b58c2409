"""safetensors files, read and written by this package's own code (no dependency on the safetensors
package), and BaselineUNet3D weights in them as the engine reads and writes them
(Sources/Engine/Weights/SafeTensors.swift, ModelWeights.swift).

The format: an 8-byte little-endian header length; a JSON header
``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``; then the
raw little-endian, C-order tensor data, offsets relative to the data's start, tiling it exactly.
"""
import json
import math
import os
import struct
import tempfile

import numpy as np
import torch

from .errors import SafeTensorsError, WeightsError
from .model import BaselineUNet3D, UNetConfiguration

# safetensors dtype names and their little-endian numpy types. BF16 has no numpy type and is left
# out; the engine reads F32 only.
DTYPES = {
    "BOOL": np.dtype("|b1"), "U8": np.dtype("|u1"), "I8": np.dtype("|i1"), "I16": np.dtype("<i2"), "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"), "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
}
# A real header is a few hundred bytes per tensor; anything above this is not a weights file.
MAXIMUM_HEADER_BYTES = 100 << 20

WEIGHTS_FORMAT = "dosecurate BaselineUNet3D"
# The __metadata__ entries save_weights writes itself; extra metadata may not replace them.
WEIGHTS_METADATA_KEYS = frozenset({"format", "preset", "base_width", "depth", "input_channels", "dataset_version", "resample"})


def load(path):
    """The tensors (name → CPU torch tensor) and ``__metadata__`` (str → str) of a safetensors file.
    Every header field is checked before a data byte is trusted."""
    with open(path, "rb") as handle:
        content = handle.read()
    if len(content) < 8:
        raise SafeTensorsError(path, "header length", "8 bytes", f"a {len(content)}-byte file")
    header_length = struct.unpack("<Q", content[:8])[0]
    if header_length > min(MAXIMUM_HEADER_BYTES, len(content) - 8):
        raise SafeTensorsError(path, "header length", f"at most {min(MAXIMUM_HEADER_BYTES, len(content) - 8)} bytes", header_length)
    try:
        header = json.loads(content[8:8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafeTensorsError(path, "header", "UTF-8 JSON", f"unreadable text ({error})") from error
    if not isinstance(header, dict):
        raise SafeTensorsError(path, "header", "a JSON object", type(header).__name__)
    data = memoryview(content)[8 + header_length:]
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(value, str) for value in metadata.values()):
        raise SafeTensorsError(path, "__metadata__", "an object of strings", metadata)
    tensors, spans = {}, []
    for name, entry in header.items():
        array, span = _decode_tensor(path, name, entry, data)
        tensors[name] = torch.from_numpy(array)
        spans.append((span, name))
    # The format requires the tensors to tile the data: no overlap, no hole.
    position = 0
    for (begin, end), name in sorted(spans):
        if begin != position:
            raise SafeTensorsError(path, f"{name} data_offsets", f"to start at data byte {position}", f"{begin} (overlap or hole)")
        position = end
    if position != len(data):
        raise SafeTensorsError(path, "data", f"{position} bytes, all belonging to tensors", f"{len(data)} bytes")
    return tensors, metadata


def _decode_tensor(path, name, entry, data):
    if not isinstance(entry, dict) or entry.get("dtype") not in DTYPES:
        raise SafeTensorsError(path, f"{name} dtype", f"one of {sorted(DTYPES)}", entry.get("dtype") if isinstance(entry, dict) else entry)
    dtype, shape, offsets = DTYPES[entry["dtype"]], entry.get("shape"), entry.get("data_offsets")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise SafeTensorsError(path, f"{name} shape", "a list of non-negative integers", shape)
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(isinstance(n, int) for n in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= len(data)):
        raise SafeTensorsError(path, f"{name} data_offsets", f"[begin, end] within the {len(data)} data bytes", offsets)
    count = math.prod(shape)
    if offsets[1] - offsets[0] != count * dtype.itemsize:
        raise SafeTensorsError(path, f"{name} data_offsets", f"{count * dtype.itemsize} bytes for shape {shape} of {entry['dtype']}",
                               f"{offsets[1] - offsets[0]} bytes")
    array = np.frombuffer(data[offsets[0]:offsets[1]], dtype=dtype).reshape(shape)
    # A native-order, writable copy: torch shares its memory and must own it.
    return array.astype(dtype.newbyteorder("="), copy=True), tuple(offsets)


def save(path, tensors, metadata=None):
    """Writes ``tensors`` (name → torch tensor or numpy array) and ``metadata`` (str → str) as a
    safetensors file, atomically (a reader never sees half a file): tensors in name order, the header
    padded with spaces to 8 bytes, as the engine writes it. Missing folders on the way are made."""
    metadata = dict(metadata or {})
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise SafeTensorsError(path, f"__metadata__ {key!r}", "string keys and values", type(value).__name__)
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        array = _little_endian(path, name, tensors[name])
        header[name] = {"dtype": _dtype_name(path, name, array.dtype), "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        chunks.append(array.tobytes(order="C"))
        offset += array.nbytes
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    _write_atomically(path, [struct.pack("<Q", len(text)), text] + chunks)


def _little_endian(path, name, value):
    if isinstance(value, torch.Tensor):
        if value.dtype == torch.bfloat16:
            raise SafeTensorsError(path, name, f"a dtype of {sorted(DTYPES)}", "bfloat16 (convert with tensor.float())")
        value = value.detach().cpu().contiguous().numpy()
    array = np.asarray(value)
    # np.asarray, not np.ascontiguousarray, which would make a 0-d tensor 1-d.
    return np.asarray(array.astype(array.dtype.newbyteorder("<"), copy=False), order="C")


def _dtype_name(path, name, dtype):
    for dtype_name, known in DTYPES.items():
        if known == dtype:
            return dtype_name
    raise SafeTensorsError(path, name, f"a dtype of {sorted(DTYPES)}", dtype)


def _write_atomically(path, chunks):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def save_weights(model, path, *, dataset_version=None, resample=1, metadata=None):
    """Writes a BaselineUNet3D's parameters as float32 safetensors that ``dosecurate predict
    --weights`` and ``load_weights`` read, with the metadata the engine writes: format, preset (for
    a preset's width), base_width, depth, input_channels, dataset_version and, for weights trained
    on an in-plane resampled cache, resample (predict then resamples cases the same way).

    ``dataset_version`` defaults to ``$DOSECURATE_DATASET`` (``dsv-…@k``, set by ``dosecurate run``);
    ``metadata`` adds entries (e.g. epoch, a validation score) but cannot replace those above. A
    model wrapped in DistributedDataParallel is unwrapped.
    """
    if isinstance(model, (torch.nn.parallel.DistributedDataParallel, torch.nn.DataParallel)):
        model = model.module
    configuration = model.configuration
    recorded = {"format": WEIGHTS_FORMAT, "base_width": str(configuration.base_width), "depth": str(configuration.depth),
                "input_channels": str(configuration.input_channels)}
    if configuration.preset is not None:
        recorded["preset"] = configuration.preset
    dataset_version = dataset_version or os.environ.get("DOSECURATE_DATASET")
    if dataset_version:
        recorded["dataset_version"] = dataset_version
    if resample != 1:
        recorded["resample"] = str(int(resample))
    extra = dict(metadata or {})
    clashing = sorted(set(extra) & WEIGHTS_METADATA_KEYS)
    if clashing:
        raise WeightsError(path, "metadata", "entries other than the ones save_weights writes itself", clashing)
    tensors = {name: tensor.detach().float() for name, tensor in model.state_dict().items()}
    save(path, tensors, {**extra, **recorded})


def load_weights(path, map_location="cpu"):
    """A BaselineUNet3D from a weights file: the engine's (``dosecurate model init``, ``train``
    checkpoints) or ``save_weights``'s. Its shape is inferred from the tensors; metadata that say
    otherwise are refused, as the engine refuses them."""
    tensors, metadata = load(path)
    configuration = infer_configuration(tensors, path)
    recorded = _recorded_configuration(metadata, path)
    if recorded is not None and recorded != configuration:
        raise WeightsError(path, "__metadata__", f"the tensors' shape ({configuration})", f"{recorded}")
    not_float = sorted(name for name, tensor in tensors.items() if tensor.dtype != torch.float32)
    if not_float:
        raise WeightsError(path, "dtype", "F32 tensors (the engine reads F32 weights only)", f"other dtypes in {not_float}")
    model = BaselineUNet3D(configuration)
    expected, found = set(model.state_dict()), set(tensors)
    if expected != found:
        raise WeightsError(path, "tensors", f"exactly the parameters of {configuration}",
                           f"missing {sorted(expected - found)[:5]}, extra {sorted(found - expected)[:5]}")
    model.load_state_dict(tensors, strict=True)
    return model.to(map_location)


def infer_configuration(tensors, path):
    """Depth = the number of ``encN.conv1.weight`` tensors; base width and input channels = the output
    and input channels of ``enc1.conv1.weight``."""
    first = tensors.get("enc1.conv1.weight")
    if first is None or first.dim() != 5:
        raise WeightsError(path, "enc1.conv1.weight", "a 5-D tensor (a BaselineUNet3D)", "none" if first is None else tuple(first.shape))
    depth = 0
    while f"enc{depth + 1}.conv1.weight" in tensors:
        depth += 1
    try:
        return UNetConfiguration(first.shape[0], depth, first.shape[1])
    except ValueError as error:
        raise WeightsError(path, "enc*.conv1.weight", "a valid U-Net shape", str(error)) from error


def _recorded_configuration(metadata, path):
    """The shape ``__metadata__`` records (depth and input_channels, with base_width or preset), or None."""
    if "depth" not in metadata or "input_channels" not in metadata:
        return None
    try:
        width = int(metadata["base_width"]) if "base_width" in metadata else UNetConfiguration.from_preset(metadata["preset"]).base_width
        return UNetConfiguration(width, int(metadata["depth"]), int(metadata["input_channels"]))
    except (KeyError, ValueError) as error:
        raise WeightsError(path, "__metadata__", "readable depth, input_channels and base_width or preset", metadata) from error
