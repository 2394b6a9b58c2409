#!/usr/bin/env python3
"""Write the committed seed corpora of the libFuzzer harnesses (docs/fuzzing.md).

Run from anywhere:

    python3 Fuzz/make_seed_corpus.py

It deletes and rewrites Fuzz/Corpus/<harness>/ for every harness. Inputs are small real
files (each well under 64 KB): .npy and .npz written by NumPy's own format code, pickles
written by pickle with NumPy objects (also by NumPy 1.x when Debian's /usr/bin/python3 has
python3-numpy, since deliveries pickled under NumPy 1 name `numpy.core.multiarray`), delivery
archives built with zipfile/tarfile, the repository's own JSON records and protocols, and
safetensors files laid out as the format's specification says.

Output is deterministic for a given NumPy: fixed values, ZIP and tar timestamps 1980-01-01,
gzip mtime 0. Needs numpy; everything else is the standard library.
"""

import gzip
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile

import numpy as np
import numpy.lib.format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "Corpus")
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
MAX_SEED_BYTES = 64 * 1024
HARNESSES = ["npy-header", "npz-archive", "pickle", "delivery-archive", "json-record", "safetensors",
             "acceptance-protocol"]


# --- NumPy values ----------------------------------------------------------------------------

def metadata_dict():
    """Shaped like the pipeline's metadata (spec "metadata"), small."""
    return {
        "case_id": "prostate_0042",
        "processed_date": "2024-03-05T14:22:31.123456",
        "script_version": "2.4.0",
        "prescription_info": {"primary_dose": 70.0, "fractions": 28, "source": "DoseReferenceSequence"},
        "case_type": {"type": "sib_3level", "ptv70_exists": np.True_, "ptv56_exists": np.False_},
        "normalization_dose_gy": np.float64(70.0),
        "voxel_spacing_mm": (0.9765625, 0.9765625, 2.5),
        "volume_shape": (4, 5, 3),
        "crop_box": {"y_start": np.int64(106), "centroid_voxel": (np.float64(255.81), np.float32(1.5))},
        "structure_channels": {"PTV70": 0, "Prostate": 2, "Femur_L": 5, "Femur_R": 6},
        "validation": {"passed": True, "warnings": [], "d95_gy": np.float64(66.9134)},
        "dvh_validation": {"PTV70": {"D95": 66.91, "V100": None}},
        "edge": [float("nan"), float("inf"), -0.0, 2 ** 70, -(2 ** 63), "µ Gy ✓", b"\x00\xff",
                 {1, 2}, frozenset({"a"}), bytearray(b"ab"), np.uint16(7), np.int8(-3), np.float16(0.5)],
        "beams": np.array([[181.0, 179.0], [312.7, 298.25]], dtype=">f8"),
    }


def object_array(value):
    """What `np.savez(..., metadata=dict)` stores: a 0-d object array holding the dict."""
    holder = np.empty((), dtype=object)
    holder[()] = value
    return holder


def small_case():
    ct = np.arange(60, dtype=np.int16).reshape(4, 5, 3) - 1000
    dose = np.linspace(0.0, 72.5, 60, dtype=np.float32).reshape(4, 5, 3)
    masks = (np.arange(2 * 60).reshape(2, 4, 5, 3) % 3 == 0).astype(np.uint8)
    constraints = np.array([70.0, 56.0, 50.4, 0.0, 1.0], dtype=np.float32)
    return ct, dose, masks, constraints


def npy_bytes(array, version=None):
    buffer = io.BytesIO()
    npformat.write_array(buffer, array, version=version, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


def npz_bytes(members, compression=zipfile.ZIP_STORED):
    """As numpy.savez / savez_compressed write it (every member force_zip64), with fixed times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for key, array in members:
            info = zipfile.ZipInfo(key + ".npy", date_time=FIXED_DATE)
            info.compress_type = compression
            with archive.open(info, "w", force_zip64=True) as member:
                member.write(npy_bytes(array))
    return buffer.getvalue()


# --- one corpus per harness --------------------------------------------------------------------

def with_zip64_end(archive):
    """The same archive ending in a ZIP64 end record and locator, as a writer emits past 65535
    members or 4 GiB (APPNOTE 4.3.14/4.3.15); the classic end record then holds 0xFFFF.. markers."""
    eocd = archive.rfind(b"PK\x05\x06")
    entries, size, offset = struct.unpack("<HII", archive[eocd + 10:eocd + 20])
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, eocd, 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return archive[:eocd] + record + locator + end


def npy_header_seeds():
    ct, dose, masks, constraints = small_case()
    return {
        "dose_f4_c.npy": npy_bytes(dose),
        "dose_f4_be_fortran.npy": npy_bytes(np.asfortranarray(dose.astype(">f4"))),
        "masks_u1_4d.npy": npy_bytes(masks),
        "ct_i2_v2.npy": npy_bytes(ct, version=(2, 0)),
        "constraints_v3.npy": npy_bytes(constraints, version=(3, 0)),
        "flags_b1.npy": npy_bytes(np.array([True, False, True])),
        "scalar_i8.npy": npy_bytes(np.array(-7, dtype=np.int64)),
        "empty_f8.npy": npy_bytes(np.zeros((0, 3))),
        "half_f2.npy": npy_bytes(np.arange(6, dtype=np.float16).reshape(2, 3)),
        "metadata_object.npy": npy_bytes(object_array(metadata_dict())),
    }


def case_members():
    ct, dose, masks, constraints = small_case()
    return [("ct", ct), ("masks", masks), ("dose", dose), ("constraints", constraints),
            ("metadata", object_array(metadata_dict()))]


def npz_archive_seeds():
    ct, dose, masks, constraints = small_case()
    return {
        "case_stored.npz": npz_bytes(case_members()),
        "case_deflated.npz": npz_bytes(case_members(), zipfile.ZIP_DEFLATED),
        "fortran_bigendian.npz": npz_bytes([("dose", np.asfortranarray(dose.astype(">f4"))),
                                            ("masks_sdf", np.asfortranarray(masks.astype(np.float32)))],
                                           zipfile.ZIP_DEFLATED),
        "metadata_only.npz": npz_bytes([("metadata", object_array(metadata_dict()))]),
        "zip64_end_record.npz": with_zip64_end(npz_bytes([("dose", dose), ("constraints", constraints)])),
        "scalars.npz": npz_bytes([("a", np.array(3.25)), ("b", np.zeros((0, 2), dtype=np.uint16)),
                                  ("c", np.array([1, -2], dtype=">i8"))]),
    }


def pickle_seeds():
    import pickle
    seeds = {}
    for protocol in (0, 2, 3, 4, 5):
        seeds[f"metadata.numpy{np.__version__.split('.')[0]}.p{protocol}.pkl"] = pickle.dumps(
            object_array(metadata_dict()), protocol=protocol)
    seeds["bare_dict.p2.pkl"] = pickle.dumps({"case_id": "x", "n": 3, "t": (1, 2.5)}, protocol=2)
    shared = [1, 2, 3]
    seeds["shared_memo.p4.pkl"] = pickle.dumps(object_array({"a": shared, "b": shared, "c": [shared, shared]}),
                                               protocol=4)
    seeds["numpy_arrays.p4.pkl"] = pickle.dumps(
        object_array({"f": np.arange(6, dtype="<f4").reshape(2, 3), "b": np.arange(4, dtype=">i4"),
                      "o": np.array(["x", 1], dtype=object)}), protocol=4)
    return seeds


def numpy1_pickle_seeds():
    """The same metadata pickled under NumPy 1.x by Debian's python3, when it is there."""
    python = "/usr/bin/python3"
    if os.path.realpath(sys.executable) == os.path.realpath(python) or not os.path.exists(python):
        return {}
    probe = subprocess.run([python, "-c", "import numpy; print(numpy.__version__)"], capture_output=True, text=True)
    if probe.returncode != 0 or not probe.stdout.startswith("1."):
        return {}
    result = subprocess.run([python, os.path.abspath(__file__), "--numpy1-pickles"], capture_output=True, check=True)
    return {name: bytes.fromhex(data) for name, data in json.loads(result.stdout).items()}


def tiny_npz(compression):
    return npz_bytes([("dose", np.arange(6, dtype=np.float32).reshape(2, 3)),
                      ("metadata", object_array({"case_id": "c1", "fractions": 28}))], compression)


def tar_bytes(members, mode):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 315532800, 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def delivery_archive_seeds():
    stored, deflated = tiny_npz(zipfile.ZIP_STORED), tiny_npz(zipfile.ZIP_DEFLATED)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        for name, data, method in [("delivery/README.txt", b"two cases\n", zipfile.ZIP_DEFLATED),
                                   ("delivery/case_001.npz", stored, zipfile.ZIP_STORED),
                                   ("delivery/case_002.npz", deflated, zipfile.ZIP_DEFLATED)]:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = method
            archive.writestr(info, data)
    plain_tar = tar_bytes([("cases/case_001.npz", stored)], "w")
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as stream:
        stream.write(tar_bytes([("case_001.npz", deflated), ("notes.txt", b"x\n")], "w"))
    return {"delivery.zip": zipped.getvalue(), "delivery.tar": plain_tar, "delivery.tar.gz": gz.getvalue()}


def repository_file(path):
    with open(os.path.join(ROOT, path), "rb") as handle:
        return handle.read()


def json_record_seeds():
    seeds = {
        "split_record.json": repository_file("splits/reference@1.json"),
        "protocol_schema.json": repository_file("schemas/protocol.schema.json"),
        "locked_split_schema.json": repository_file("schemas/locked-split.schema.json"),
        "canonical_reference.json": repository_file("Tests/LineageTests/Fixtures/canonical_reference.json"),
    }
    seeds["edge_values.json"] = (
        '{"int": -9223372036854775808, "big": 18446744073709551616, "float": 1e+16, "small": 5e-324,'
        ' "neg0": -0.0, "frac": 0.1, "exp": 1E-7, "text": "tab\\t quote\\" \\u00e9 \\ud83d\\ude00 \\u0000",'
        ' "nested": [[[{"a": []}]], {}], "bytes": {"$bytes": "AAEC"}, "nan": "NaN", "t": true, "f": false,'
        ' "n": null}').encode("utf-8")
    return seeds


def safetensors_bytes(tensors, metadata=None, pad_to=8, shapes=None):
    """safetensors layout: <u8 header length, JSON header, raw little-endian data. `shapes`
    overrides the recorded shape of a tensor by name."""
    header, data, offset = {}, b"", 0
    for name, array in tensors:
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        shape = (shapes or {}).get(name, list(array.shape))
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % pad_to)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    weights = np.linspace(-1.0, 1.0, 24, dtype=np.float32)
    return {
        "unet_fragment.safetensors": safetensors_bytes(
            [("encoder.0.conv.weight", weights.reshape(2, 1, 3, 2, 2)), ("encoder.0.conv.bias", weights[:2]),
             ("film.gamma", np.array([np.nan, np.inf, -0.0], dtype=np.float32))],
            metadata={"format": "pt", "dosecurate.run": "run-20240305-1422"}),
        "scalar_and_empty.safetensors": safetensors_bytes([("scale", np.array(0.5)), ("none", np.zeros((0, 4)))]),
        "no_tensors.safetensors": safetensors_bytes([], metadata={"note": "empty"}),
        # An empty tensor may have any extent on its other axes: the largest the reader accepts.
        "wide_empty.safetensors": safetensors_bytes([("bias", np.zeros((0,), dtype=np.float32))],
                                                    shapes={"bias": [0, 2147483647]}),
    }


def acceptance_protocol_seeds():
    minimal = {"schema": "dosecurate/protocol/1", "name": "minimal", "description": "one row",
               "constraints": [{"structure": "Rectum", "metric": "V70", "comparison": "<", "limit": 10,
                                "unit": "%", "description": "rectum V70 below 10 %"},
                               {"structure": "Bowel", "metric": "V45cc", "comparison": "<=", "limit": 195.5,
                                "unit": "cc", "description": "bowel V45 at most 195.5 cc"}]}
    return {
        "current.json": repository_file("protocols/current.json"),
        "published-v2.3.json": repository_file("protocols/published-v2.3.json"),
        "minimal.json": json.dumps(minimal, indent=1).encode("utf-8"),
    }


def write_corpus(harness, seeds):
    folder = os.path.join(CORPUS, harness)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    for name, data in sorted(seeds.items()):
        if len(data) > MAX_SEED_BYTES:
            raise SystemExit(f"{harness}/{name} is {len(data)} bytes; seeds stay under {MAX_SEED_BYTES}")
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
    print(f"{harness}: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes")


def main():
    if sys.argv[1:] == ["--numpy1-pickles"]:
        # Child mode, under NumPy 1.x: print this NumPy's metadata pickles as JSON.
        import pickle
        seeds = {f"metadata.numpy1.p{p}.pkl": pickle.dumps(object_array(metadata_dict()), protocol=p).hex()
                 for p in (2, 3)}
        print(json.dumps(seeds))
        return
    write_corpus("npy-header", npy_header_seeds())
    write_corpus("npz-archive", npz_archive_seeds())
    write_corpus("pickle", {**pickle_seeds(), **numpy1_pickle_seeds()})
    write_corpus("delivery-archive", delivery_archive_seeds())
    write_corpus("json-record", json_record_seeds())
    write_corpus("safetensors", safetensors_seeds())
    write_corpus("acceptance-protocol", acceptance_protocol_seeds())


if __name__ == "__main__":
    main()
