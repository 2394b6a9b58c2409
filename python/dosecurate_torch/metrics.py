"""``metrics.csv`` rows in the engine's columns (``EpochSummary`` in Sources/Engine/Training/Trainer.swift),
so ``dosecurate report`` and a reader of a built-in run's metrics read a PyTorch run's the same way."""
import math
import numbers
import os

import torch.distributed as dist

from .errors import MetricsError, RunSetupError

COLUMNS = ("epoch", "step", "learning_rate", "train_loss", "gradient_norm", "seconds", "val_mae_gy", "val_ptv70_mae_gy",
           "val_ptv70_d95_error_gy", "val_ptv70_abs_d95_error_gy", "best",
           # The engine's step profile and validation time; optional here.
           "read_seconds", "forward_seconds", "backward_seconds", "optimizer_seconds", "validation_seconds")
METRICS_FILE = "metrics.csv"


def log_metrics(epoch, *, run_dir=None, **values):
    """Appends one epoch's row to ``<run_dir>/metrics.csv`` (``run_dir`` defaults to
    ``$DOSECURATE_RUN_DIR``), writing the header first when the file is new. ``values`` are the other
    columns by name (``step``, ``learning_rate``, ``train_loss``, ``gradient_norm``, ``seconds``,
    ``val_mae_gy``, ``val_ptv70_mae_gy``, ``val_ptv70_d95_error_gy``, ``val_ptv70_abs_d95_error_gy``,
    ``best``, then the optional ``read_seconds``, ``forward_seconds``, ``backward_seconds``,
    ``optimizer_seconds``, ``validation_seconds``); a column not given (or None) is left empty, an
    unknown name is an error. Numbers may be Python, numpy or one-element torch values; ``best`` is
    written 1 or 0, the ``…seconds`` columns to the millisecond, as the engine writes them.

    Under torch.distributed only rank 0 writes, so every rank may call it.
    """
    unknown = sorted(set(values) - set(COLUMNS[1:]))
    if unknown:
        raise MetricsError(METRICS_FILE, "columns", f"names among {', '.join(COLUMNS[1:])}", ", ".join(unknown))
    if _rank() != 0:
        return
    path = os.path.join(_run_directory(run_dir), METRICS_FILE)
    row = ",".join(_cell(path, column, value) for column, value in zip(COLUMNS, [epoch] + [values.get(c) for c in COLUMNS[1:]]))
    header = ",".join(COLUMNS)
    if os.path.exists(path) and os.path.getsize(path) > 0:
        with open(path, encoding="utf-8") as handle:
            found = handle.readline().rstrip("\n")
        if found != header:
            raise MetricsError(path, "header", header, found)
        lines = [row]
    else:
        lines = [header, row]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _cell(path, column, value):
    if value is None:
        return ""
    if hasattr(value, "item"):
        value = value.item()
    if column == "best":
        if not isinstance(value, (bool, numbers.Integral)) or value not in (0, 1):
            raise MetricsError(path, column, "True, False, 1 or 0", repr(value))
        return "1" if value else "0"
    if column in ("epoch", "step"):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise MetricsError(path, column, "an integer", repr(value))
        return str(int(value))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise MetricsError(path, column, "a number", repr(value))
    value = float(value)
    if column.endswith("seconds") and math.isfinite(value):
        return f"{value:.3f}"
    return repr(value)


def _run_directory(run_dir):
    directory = run_dir or os.environ.get("DOSECURATE_RUN_DIR")
    if not directory:
        raise RunSetupError(None, "DOSECURATE_RUN_DIR", "the run folder (set by `dosecurate run`) or a run_dir argument", "neither")
    if not os.path.isdir(directory):
        raise RunSetupError(directory, "run folder", "an existing folder", "no such folder")
    return directory


def _rank():
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    # torchrun sets RANK before the process group exists.
    return int(os.environ.get("RANK", "0"))
