"""The errors dosecurate_torch raises: each names the file, the key inside it, what was expected
and what was found, so the message alone says what to fix. The class is the error's stable code."""


class DosecurateTorchError(Exception):
    """Base of every error this package raises on bad input or setup."""

    def __init__(self, file, key, expected, found):
        self.file, self.key, self.expected, self.found = file, key, expected, found
        where = f"{file}: {key}" if file is not None else key
        super().__init__(f"{where}: expected {expected}, found {found}")


class RunSetupError(DosecurateTorchError):
    """The run folder, its run.json or an environment variable `dosecurate run` sets is missing or unreadable."""


class CacheLayoutError(DosecurateTorchError):
    """The HDF5 file is not a training cache the engine wrote (format, attribute, array shape)."""


class PinMismatchError(DosecurateTorchError):
    """The training cache holds another dataset version or split than the run pinned."""


class SafeTensorsError(DosecurateTorchError):
    """A safetensors file is malformed, or a tensor cannot be stored in one."""


class WeightsError(DosecurateTorchError):
    """A weights file is not a BaselineUNet3D, or its metadata disagree with its tensors."""


class MetricsError(DosecurateTorchError):
    """A metrics.csv row names a column the engine does not write, or the file has another header."""
