#!/usr/bin/env python3
"""Generate the NumPy .npy/.npz test fixtures used by the dosecurate Swift tests.

Run from the package root:

    python3 Tests/NumpyFormatTests/Fixtures/make_numpy_fixtures.py

Generated with numpy 2.4.6 (CPython 3.11); the numpy version actually used is
recorded as "numpy_version" in npy/manifest.json and npz/manifest.json.
Only numpy and the Python standard library are used.  All values are fixed
(no randomness), and the outputs are byte-identical between runs (ZIP
timestamps are 1980-01-01 00:00:00; deflate output depends on the zlib
build, whose version is also recorded in the manifests).

What it (re)creates next to this script (the three folders are deleted and
rewritten on every run):

npy/
    <code>_<le|be|na>_<c|f>.npy for code in b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8,
        every byte order numpy allows ('|' -> na for 1-byte types, '<' -> le,
        '>' -> be otherwise), C and Fortran order, shape (3, 4, 5), with
        extreme / special values (integer min & max, negatives, 0.0, -0.0,
        subnormals, max finite, +-inf, NaN, a non-trivial bool pattern).
    scalar_f8.npy (0-d, 3.25), scalar_i8.npy (0-d, -7), vector_u2.npy (7,),
    empty_f4.npy (0, 3), masks_u1_c.npy / masks_u1_f.npy (2, 3, 4, 5),
    f4_be_f_4d.npy (>f4, Fortran, (2, 3, 4, 5)),
    v1_f4.npy / v2_f4.npy / v3_f4.npy: the same (2, 3) <f4 array with the
        header format version forced to 1.0, 2.0 and 3.0.
    manifest.json: {"numpy_version", "zlib_version", "files": {name: {
        "descr", "fortran_order", "shape", "version" ([major, minor] from the
        magic), "header_length" (the HEADER_LEN field: bytes of the header
        dict text incl. padding and the final newline), "data_offset",
        "canonical_sha256" (sha256 of the C-ordered little-endian bytes),
        "values" (C-order flattened; NaN/inf as "NaN"/"Infinity"/"-Infinity",
        -0.0 kept, integers as JSON integers, bools as true/false)}}}

npz/
    stored.npz (numpy.savez) and deflated.npz (numpy.savez_compressed), each
        with members ct, masks, dose, constraints, counts, flags (in that order).
    manifest.json: {"numpy_version", "zlib_version", "archives": {file: {
        "member_names": [...archive order...], "members": {key: {"member",
        "compress_type", "compress_size", "file_size", "crc", "header_offset",
        "descr", "fortran_order", "shape", "version", "header_length",
        "canonical_sha256", "values"}}}}}

bad/
    Malformed archives that a reader must reject, each carrying exactly one
    defect; see bad/README.md (written by this script) for the list.

README.md
    Describes the folders and how to regenerate.
"""

import ast
import hashlib
import io
import json
import math
import os
import shutil
import struct
import warnings
import zipfile
import zlib

import numpy as np
import numpy.lib.format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))
NPY_DIR = os.path.join(HERE, "npy")
NPZ_DIR = os.path.join(HERE, "npz")
BAD_DIR = os.path.join(HERE, "bad")
FIXED_DATE = (1980, 1, 1, 0, 0, 0)

SHAPE = (3, 4, 5)
NUMEL = 3 * 4 * 5
INT_CODES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]
FLOAT_CODES = ["f2", "f4", "f8"]
ALL_CODES = ["b1"] + INT_CODES + FLOAT_CODES


# ---------------------------------------------------------------------------
# value generation (deterministic)
# ---------------------------------------------------------------------------

def int_values(code, n=NUMEL):
    info = np.iinfo(np.dtype(code))
    lo, hi = int(info.min), int(info.max)
    specials = [lo, hi, 0, 1, 2, hi - 1, lo + 1, 0x7F & hi, hi // 2, hi // 3]
    if lo < 0:
        specials += [-1, -2, -100 if lo <= -100 else -77, lo // 2, lo // 3]
    vals = []
    for v in specials:
        if v not in vals:
            vals.append(v)
    span = hi - lo + 1
    k = 0
    while len(vals) < n:
        # multiplicative hash spread over the whole range (all bytes vary)
        v = lo + ((k + 1) * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019 * k * k) % span
        if v not in vals:
            vals.append(v)
        k += 1
    return np.array(vals, dtype=np.dtype(code).newbyteorder("=")).reshape(SHAPE)


def float_values(code, n=NUMEL):
    dt = np.dtype(code)
    fi = np.finfo(dt)
    tiny_sub = float(fi.smallest_subnormal)
    specials = [
        0.0, -0.0, tiny_sub, -tiny_sub, 3.0 * tiny_sub,
        float(fi.smallest_normal), -float(fi.smallest_normal),
        float(fi.max), -float(fi.max),
        math.inf, -math.inf, math.nan,
        1.0, -1.0, 0.5, -2.5, 3.25, math.pi, -math.e, 1000.0, -65504.0,
        float(fi.eps), 1.0 + float(fi.eps),
    ]
    vals = list(specials)
    minexp, maxexp = int(fi.minexp), int(fi.maxexp)
    k = 0
    while len(vals) < n:
        e = minexp + (k * 7919) % (maxexp - minexp)  # in [minexp, maxexp-1]
        frac = (k * 37 % 1000) / 1000.0  # mantissa in [1, 1.999]
        sign = -1.0 if k % 3 == 1 else 1.0
        vals.append(sign * (1.0 + frac) * 2.0 ** e)
        k += 1
    out = np.array(vals, dtype=np.float64).astype(dt.newbyteorder("="))
    assert np.all(np.isfinite(out[23:])), code
    return out.reshape(SHAPE)


def bool_values(n=NUMEL):
    # non-trivial, non-periodic-in-any-axis pattern
    return np.array([((i * i + 3 * i) % 7) in (0, 2, 3) for i in range(n)],
                    dtype=np.bool_).reshape(SHAPE)


def base_values(code):
    if code == "b1":
        return bool_values()
    if code in INT_CODES:
        return int_values(code)
    return float_values(code)


def mask_pattern(shape):
    idx = np.indices(shape).sum(axis=0)
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    return (((idx % 3) == 0) ^ ((flat % 5) == 1)).astype(np.uint8)


# ---------------------------------------------------------------------------
# manifest helpers
# ---------------------------------------------------------------------------

def json_scalar(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    return v


def encode_values(a):
    return [json_scalar(v) for v in a.ravel(order="C").tolist()]


def canonical_sha256(a):
    le = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<")))
    return hashlib.sha256(le.tobytes()).hexdigest()


def parse_npy_prefix(raw):
    """Return (version, header_length, data_offset) from raw .npy bytes."""
    assert raw[:6] == b"\x93NUMPY", raw[:8]
    major, minor = raw[6], raw[7]
    if major == 1:
        (hlen,) = struct.unpack("<H", raw[8:10])
        start = 10
    else:
        (hlen,) = struct.unpack("<I", raw[8:12])
        start = 12
    return [major, minor], hlen, start + hlen


def describe(a, raw):
    """Manifest entry; descr/fortran_order/shape are taken from the stored header
    text itself and cross-checked against the loaded array."""
    version, hlen, data_offset = parse_npy_prefix(raw)
    text = raw[data_offset - hlen:data_offset].decode("utf8" if version[0] >= 3 else "latin1")
    header = ast.literal_eval(text)
    assert np.dtype(header["descr"]) == a.dtype
    assert tuple(header["shape"]) == a.shape
    assert header["fortran_order"] == bool(a.flags.f_contiguous and not a.flags.c_contiguous)
    return {
        "descr": header["descr"],
        "fortran_order": header["fortran_order"],
        "shape": list(header["shape"]),
        "version": version,
        "header_length": hlen,
        "data_offset": data_offset,
        "canonical_sha256": canonical_sha256(a),
        "values": encode_values(a),
    }


def dumps(obj, indent=0):
    """Pretty JSON, but lists of scalars stay on one line (keeps files small)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad}  {json.dumps(k)}: {dumps(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(x, (dict, list)) for x in obj):
        items = [f"{pad}  {dumps(v, indent + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False, separators=(", ", ": "))


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# ---------------------------------------------------------------------------
# 1. npy/
# ---------------------------------------------------------------------------

def make_npy():
    files = {}

    def save(name, a, version=None):
        path = os.path.join(NPY_DIR, name)
        if version is None:
            np.save(path, a, allow_pickle=False)
        else:
            with open(path, "wb") as f:
                npformat.write_array(f, a, version=version, allow_pickle=False)
        with open(path, "rb") as f:
            raw = f.read()
        back = np.load(path, allow_pickle=False)
        assert back.dtype == a.dtype and back.shape == a.shape
        assert np.array_equal(back, a, equal_nan=(a.dtype.kind == "f"))
        entry = describe(back, raw)
        files[name] = entry

    for code in ALL_CODES:
        base = base_values(code)
        orders = ["|"] if np.dtype(code).itemsize == 1 else ["<", ">"]
        for bo in orders:
            tag = {"|": "na", "<": "le", ">": "be"}[bo]
            typed = base.astype(np.dtype(bo + code) if bo != "|" else np.dtype(code))
            save(f"{code}_{tag}_c.npy", np.ascontiguousarray(typed))
            save(f"{code}_{tag}_f.npy", np.asfortranarray(typed))

    save("scalar_f8.npy", np.array(3.25, dtype="<f8"))
    save("scalar_i8.npy", np.array(-7, dtype="<i8"))
    save("vector_u2.npy", np.array([0, 1, 255, 256, 4660, 65534, 65535], dtype="<u2"))
    save("empty_f4.npy", np.zeros((0, 3), dtype="<f4"))
    masks = mask_pattern((2, 3, 4, 5))
    save("masks_u1_c.npy", np.ascontiguousarray(masks))
    save("masks_u1_f.npy", np.asfortranarray(masks))
    a4 = (np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5) * 0.25 - 7.5)
    a4.flat[3] = -0.0
    a4.flat[17] = np.inf
    a4.flat[101] = np.nan
    save("f4_be_f_4d.npy", np.asfortranarray(a4.astype(">f4")))

    small = np.array([[1.5, -2.0, 0.0], [3.25, -0.0, 1e-3]], dtype="<f4")
    save("v1_f4.npy", small, version=(1, 0))
    save("v2_f4.npy", small, version=(2, 0))
    save("v3_f4.npy", small, version=(3, 0))

    manifest = {
        "numpy_version": np.__version__,
        "zlib_version": zlib.ZLIB_RUNTIME_VERSION,
        "files": files,
    }
    write_text(os.path.join(NPY_DIR, "manifest.json"), dumps(manifest) + "\n")
    return files


# ---------------------------------------------------------------------------
# 2. npz/
# ---------------------------------------------------------------------------

def npz_members():
    ct = (np.arange(4 * 5 * 6, dtype=np.float64).reshape(4, 5, 6) * 12.5 - 1000.0)
    ct = ct.astype("<f4")
    masks = mask_pattern((3, 4, 5, 6))
    g = np.indices((4, 5, 6)).astype(np.float64)
    dose_vals = 60.0 * np.exp(-((g[0] - 1.5) ** 2 + (g[1] - 2.0) ** 2 + (g[2] - 2.5) ** 2) / 8.0)
    dose_vals[0, 0, 0] = 0.0
    dose = np.asfortranarray(dose_vals.astype(">f4"))
    constraints = np.array([70.0, 66.5, 45.0, 50.0, 54.0, 26.0, 20.0, 0.95, 0.98,
                            -1.0, 0.0, 1e-6, 3.4e38], dtype="<f4")
    counts = np.array([0, 1, -1, 9223372036854775807, -9223372036854775808], dtype="<i8")
    flags = np.array([[True, False], [False, True]], dtype=np.bool_)
    return dict(ct=ct, masks=masks, dose=dose, constraints=constraints,
                counts=counts, flags=flags)


def make_npz():
    members = npz_members()
    archives = {}
    for fname, saver in (("stored.npz", np.savez), ("deflated.npz", np.savez_compressed)):
        path = os.path.join(NPZ_DIR, fname)
        saver(path, **members)
        entry = {"member_names": [], "members": {}}
        with zipfile.ZipFile(path) as zf, np.load(path, allow_pickle=False) as npz:
            assert zf.testzip() is None
            for info in zf.infolist():
                key = info.filename[:-4]
                raw = zf.read(info)
                a = npz[key]
                orig = members[key]
                assert a.dtype == orig.dtype and a.shape == orig.shape
                assert np.array_equal(a, orig)
                d = describe(a, raw)
                m = {
                    "member": info.filename,
                    "compress_type": info.compress_type,
                    "compress_size": info.compress_size,
                    "file_size": info.file_size,
                    "crc": info.CRC,
                    "header_offset": info.header_offset,
                }
                m.update(d)
                del m["data_offset"]
                entry["member_names"].append(info.filename)
                entry["members"][key] = m
        assert entry["member_names"] == [k + ".npy" for k in members]
        archives[fname] = entry
    manifest = {
        "numpy_version": np.__version__,
        "zlib_version": zlib.ZLIB_RUNTIME_VERSION,
        "archives": archives,
        "object_members": make_object_member_npz(),
    }
    write_text(os.path.join(NPZ_DIR, "manifest.json"), dumps(manifest) + "\n")


def make_object_member_npz():
    """with_metadata.npz: a pipeline-like case whose `metadata` member is a pickled 0-d object
    array (dtype |O), as the preprocessing pipeline writes it. The reader must hand back the
    pickle bytes untouched (it never unpickles them itself)."""
    path = os.path.join(NPZ_DIR, "with_metadata.npz")
    metadata = {"case_id": "case_0001", "script_version": "2.3.0", "voxel_spacing_mm": (1.0, 1.0, 2.5)}
    np.savez_compressed(path, ct=npz_members()["ct"], metadata=np.array(metadata, dtype=object))
    with zipfile.ZipFile(path) as zf:
        raw = zf.read("metadata.npy")
    major = raw[6]
    header_len = struct.unpack("<H", raw[8:10])[0] if major == 1 else struct.unpack("<I", raw[8:12])[0]
    data_offset = (10 if major == 1 else 12) + header_len
    pickle_bytes = raw[data_offset:]
    return {
        "with_metadata.npz": {
            "member_names": ["ct.npy", "metadata.npy"],
            "metadata_shape": [],
            "metadata_pickle_length": len(pickle_bytes),
            "metadata_pickle_sha256": hashlib.sha256(pickle_bytes).hexdigest(),
        }
    }


# ---------------------------------------------------------------------------
# 3. bad/
# ---------------------------------------------------------------------------

def npy_bytes(a):
    buf = io.BytesIO()
    npformat.write_array(buf, a, version=(1, 0), allow_pickle=False)
    return buf.getvalue()


def handmade_npy(header_text, data):
    """Exact numpy v1.0 layout: magic, version, <u2 HEADER_LEN, text padded with
    spaces + '\\n' so that 10 + HEADER_LEN is a multiple of 64."""
    prefix = b"\x93NUMPY\x01\x00"
    body = header_text.encode("latin1")
    total = len(prefix) + 2 + len(body) + 1
    body = body + b" " * ((-total) % 64) + b"\n"
    assert (len(prefix) + 2 + len(body)) % 64 == 0
    return prefix + struct.pack("<H", len(body)) + body + data


def header_dict(descr, fortran, shape_text):
    return "{'descr': %r, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape_text)


def make_zip(path, members, compression=zipfile.ZIP_STORED):
    """members: list of (name, bytes). Fixed timestamps; duplicate warnings off."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members:
                zi = zipfile.ZipInfo(name, date_time=FIXED_DATE)
                zi.compress_type = compression
                zf.writestr(zi, data)


def central_dir_offsets(raw):
    """Yield offsets of central-directory file headers (signature PK\\1\\2)."""
    eocd = raw.rfind(b"PK\x05\x06")
    (cd_size, cd_off) = struct.unpack("<II", raw[eocd + 12:eocd + 20])
    pos = cd_off
    while pos < cd_off + cd_size:
        assert raw[pos:pos + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack("<HHH", raw[pos + 28:pos + 34])
        yield pos
        pos += 46 + n + m + k


def local_data_offset(raw, header_offset):
    assert raw[header_offset:header_offset + 4] == b"PK\x03\x04"
    n, m = struct.unpack("<HH", raw[header_offset + 26:header_offset + 30])
    return header_offset + 30 + n + m


BAD_README = []


def bad(name, defect):
    BAD_README.append((name, defect))
    return os.path.join(BAD_DIR, name)


def make_bad():
    small = np.array([[1.5, -2.0, 0.0], [3.25, -0.0, 1e-3]], dtype="<f4")
    ramp = np.arange(64, dtype="<f4") * 0.5 - 3.0

    # truncated.npz
    with open(os.path.join(NPZ_DIR, "deflated.npz"), "rb") as f:
        full = f.read()
    cut = int(len(full) * 0.6)
    with open(bad("truncated.npz", f"npz/deflated.npz cut to its first {cut} of "
                  f"{len(full)} bytes (~60 %); no end-of-central-directory record."), "wb") as f:
        f.write(full[:cut])

    # crc_mismatch.npz: stored member, one data byte flipped after CRC computed
    path = bad("crc_mismatch.npz", "ZIP_STORED member `a.npy` (<f4 (64,)): one byte inside the "
               "array data (not the npy header) XOR-ed with 0xFF after the CRC-32 was computed; "
               "sizes, header and CRC fields untouched, so only the CRC check catches it.")
    make_zip(path, [("a.npy", npy_bytes(ramp))])
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    data_start = local_data_offset(raw, 0)
    _, _, npy_data_off = parse_npy_prefix(bytes(raw[data_start:]))
    flip_at = data_start + npy_data_off + 4 * 10 + 2  # 3rd byte of element 10
    raw[flip_at] ^= 0xFF
    with open(path, "wb") as f:
        f.write(raw)

    # crc_mismatch_deflated.npz: CRC field patched (local + central)
    path = bad("crc_mismatch_deflated.npz", "ZIP_DEFLATED member `a.npy` (<f4 (64,)) with valid "
               "deflate data, but the CRC-32 field in both the local header and the central "
               "directory is replaced by (true CRC XOR 0xFFFFFFFF).")
    make_zip(path, [("a.npy", npy_bytes(ramp))], zipfile.ZIP_DEFLATED)
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    (crc,) = struct.unpack("<I", raw[14:18])
    wrong = struct.pack("<I", crc ^ 0xFFFFFFFF)
    raw[14:18] = wrong
    for cd in central_dir_offsets(raw):
        assert struct.unpack("<I", raw[cd + 16:cd + 20])[0] == crc
        raw[cd + 16:cd + 20] = wrong
    with open(path, "wb") as f:
        f.write(raw)

    # unsupported_method.npz
    path = bad("unsupported_method.npz", "valid stored npz (member `a.npy`, <f4 (2, 3)) whose "
               "compression-method field is patched from 0 to 6 (PKWARE implode) in both the "
               "local header and the central directory.")
    make_zip(path, [("a.npy", npy_bytes(small))])
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    assert struct.unpack("<H", raw[8:10])[0] == 0
    raw[8:10] = struct.pack("<H", 6)
    for cd in central_dir_offsets(raw):
        assert struct.unpack("<H", raw[cd + 10:cd + 12])[0] == 0
        raw[cd + 10:cd + 12] = struct.pack("<H", 6)
    with open(path, "wb") as f:
        f.write(raw)

    # not_npy_member.npz
    make_zip(bad("not_npy_member.npz", "member `a.npy` contains the plain text "
                 "`hello, this is not an npy file` (no \\x93NUMPY magic)."),
             [("a.npy", b"hello, this is not an npy file")])

    # header_not_dict.npz
    make_zip(bad("header_not_dict.npz", "member `a.npy`: correct magic and v1.0 prefix, but the "
                 "header text is `[1, 2, 3]` (a list, not a dict), space-padded to 64 bytes + "
                 "`\\n`, followed by 16 bytes."),
             [("a.npy", handmade_npy("[1, 2, 3]", bytes(range(16))))])

    # unknown_dtype.npz (complex64, written by numpy) and unknown_dtype_text.npz
    c8 = np.array([1 + 2j, -0.5 + 0j, 0 - 3.25j], dtype="<c8")
    make_zip(bad("unknown_dtype.npz", "member `a.npy` is a genuine numpy file with descr "
                 "`'<c8'` (complex64, shape (3,)) and matching 24 data bytes; valid for numpy, "
                 "unsupported by dosecurate."),
             [("a.npy", npy_bytes(c8))])
    make_zip(bad("unknown_dtype_text.npz", "member `a.npy` with header descr `'<q9'` (not a "
                 "dtype at all), shape (2,), followed by 18 bytes."),
             [("a.npy", handmade_npy(header_dict("<q9", False, "(2,)"), bytes(range(18))))])

    # shape_exceeds_size.npz
    make_zip(bad("shape_exceeds_size.npz", "member `a.npy`: header `<f4` shape (100, 100) "
                 "(needs 40000 bytes) but only 40 data bytes follow."),
             [("a.npy", handmade_npy(header_dict("<f4", False, "(100, 100)"),
                                     np.arange(10, dtype="<f4").tobytes()))])

    # huge_shape.npz
    make_zip(bad("huge_shape.npz", "member `a.npy`: header `<f4` shape "
                 "(1000000000, 1000000000, 1000) -- element count 1e21 overflows Int64 -- "
                 "with 16 data bytes."),
             [("a.npy", handmade_npy(header_dict("<f4", False, "(1000000000, 1000000000, 1000)"),
                                     np.arange(4, dtype="<f4").tobytes()))])

    # negative_dim.npz
    make_zip(bad("negative_dim.npz", "member `a.npy`: header `<f4` shape (-3, 4), followed by "
                 "48 data bytes (what (3, 4) would need)."),
             [("a.npy", handmade_npy(header_dict("<f4", False, "(-3, 4)"),
                                     np.arange(12, dtype="<f4").tobytes()))])

    # noninteger_dim.npz
    make_zip(bad("noninteger_dim.npz", "member `a.npy`: header `<f4` shape (3.5, 2), followed "
                 "by 28 data bytes."),
             [("a.npy", handmade_npy(header_dict("<f4", False, "(3.5, 2)"),
                                     np.arange(7, dtype="<f4").tobytes()))])

    # path traversal members
    make_zip(bad("dotdot_member.npz", "a valid npy (<f4 (2, 3)) stored under the member name "
                 "`../evil.npy` (path traversal)."),
             [("../evil.npy", npy_bytes(small))])
    make_zip(bad("absolute_member.npz", "a valid npy (<f4 (2, 3)) stored under the absolute "
                 "member name `/tmp/evil.npy`."),
             [("/tmp/evil.npy", npy_bytes(small))])

    # duplicate_member.npz
    make_zip(bad("duplicate_member.npz", "two valid members both named `a.npy` (first <i8 "
                 "[1, 2, 3], second <i8 [4, 5, 6])."),
             [("a.npy", npy_bytes(np.array([1, 2, 3], dtype="<i8"))),
              ("a.npy", npy_bytes(np.array([4, 5, 6], dtype="<i8")))])

    # empty.npz / not_a_zip.npz
    with open(bad("empty.npz", "zero-byte file."), "wb"):
        pass
    with open(bad("not_a_zip.npz", "short plain-text file, not a ZIP archive."), "wb") as f:
        f.write(b"this is not a zip archive, just text\n")

    # fortran_header_bad.npz
    make_zip(bad("fortran_header_bad.npz", "member `a.npy`: header `<f4` shape (2, 3) with "
                 "`'fortran_order': 'yes'` (a string, not a bool), followed by 24 data bytes."),
             [("a.npy", handmade_npy(header_dict("<f4", "'yes'", "(2, 3)"), small.tobytes()))])

    # Damage inside a deflated member, which only the inflater (not the directory) can see.
    noisy = (np.sin(np.arange(4096, dtype="<f8") * 0.37) * 1000).astype("<f4")

    def patched_deflated_zip(name, defect, members, patch):
        path = bad(name, defect)
        make_zip(path, members, zipfile.ZIP_DEFLATED)
        with open(path, "rb") as f:
            raw = bytearray(f.read())
        patch(raw)
        with open(path, "wb") as f:
            f.write(raw)

    def set_compressed_size(raw, size):
        raw[18:22] = struct.pack("<I", size)
        for cd in central_dir_offsets(raw):
            raw[cd + 20:cd + 24] = struct.pack("<I", size)

    def halve_compressed_size(raw):
        (size,) = struct.unpack("<I", raw[18:22])
        set_compressed_size(raw, size // 2)

    patched_deflated_zip("deflate_truncated_stream.npz", "ZIP_DEFLATED member `a.npy` (<f4 "
                         "(4096,), a sine ramp) whose compressed-size field (local header and "
                         "central directory) is halved: the DEFLATE stream is cut before its "
                         "final block, the bytes after the cut stay in the file unread.",
                         [("a.npy", npy_bytes(noisy))], halve_compressed_size)

    def reserved_block_type(raw):
        start = local_data_offset(raw, 0)
        raw[start] |= 0b110  # BTYPE = 11, reserved in RFC 1951

    patched_deflated_zip("deflate_invalid_block.npz", "ZIP_DEFLATED member `a.npy` (<f4 "
                         "(4096,)) whose first DEFLATE block header is given the reserved block "
                         "type 11.", [("a.npy", npy_bytes(noisy))], reserved_block_type)

    def shrink_declared_size(raw):
        (size,) = struct.unpack("<I", raw[22:26])
        raw[22:26] = struct.pack("<I", size - 1)
        for cd in central_dir_offsets(raw):
            raw[cd + 24:cd + 28] = struct.pack("<I", size - 1)

    metadata = np.array({"case_id": "case_0001", "normalization_dose_gy": 70.0}, dtype=object)
    pickled = io.BytesIO()
    np.save(pickled, metadata, allow_pickle=True)
    patched_deflated_zip("pickle_longer_than_declared.npz", "ZIP_DEFLATED member `metadata.npy` "
                         "(a pickled dict, written by numpy.save) whose inflated-size field "
                         "(local header and central directory) is one byte short: the intact "
                         "DEFLATE stream holds one byte more than declared.",
                         [("metadata.npy", pickled.getvalue())], shrink_declared_size)

    def rename_local_member(raw):
        n = struct.unpack("<H", raw[26:28])[0]
        assert raw[30:30 + n] == b"a.npy"
        raw[30] = ord("b")

    patched_deflated_zip("local_name_mismatch.npz", "ZIP_DEFLATED member listed as `a.npy` in "
                         "the central directory whose local header names it `b.npy`.",
                         [("a.npy", npy_bytes(small))], rename_local_member)

    lines = ["# Malformed fixtures", "",
             "Each file must be rejected by the reader with a clear error; each carries exactly "
             "one defect. Generated by `../make_numpy_fixtures.py` (numpy %s). Hand-made zips "
             "use ZIP_STORED unless noted and timestamps 1980-01-01 00:00:00." % np.__version__,
             ""]
    for name, defect in BAD_README:
        lines.append(f"- `{name}`: {defect}")
    write_text(os.path.join(BAD_DIR, "README.md"), "\n".join(lines) + "\n")


# ---------------------------------------------------------------------------
# 4. README.md
# ---------------------------------------------------------------------------

README = """# NumPy format fixtures

Generated by `make_numpy_fixtures.py` with numpy {npv} (zlib {zv}). Do not edit by hand;
regenerate from the package root with

    python3 Tests/NumpyFormatTests/Fixtures/make_numpy_fixtures.py

The script deletes and rewrites `npy/`, `npz/`, `bad/` and this README. Output is
deterministic (fixed values, ZIP timestamps 1980-01-01 00:00:00).

- `npy/` -- files written by `numpy.save` (or `numpy.lib.format.write_array` for the
  forced header versions `v1_f4.npy`, `v2_f4.npy`, `v3_f4.npy`):
  `<code>_<le|be|na>_<c|f>.npy` for b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8 in every byte order
  numpy allows and in C / Fortran order (shape (3, 4, 5)); plus 0-d, 1-d, empty, 4-d
  cases. `npy/manifest.json` gives, per file: descr, fortran_order, shape, version
  (from the magic), header_length (the HEADER_LEN field), data_offset,
  canonical_sha256 (sha256 of the C-order little-endian bytes) and values (C-order
  flattened; NaN/+inf/-inf as the strings "NaN"/"Infinity"/"-Infinity", -0.0 kept as
  -0.0, integers as JSON integers, bools as true/false).
- `npz/` -- `stored.npz` (`numpy.savez`) and `deflated.npz` (`numpy.savez_compressed`)
  with members ct, masks, dose (>f4, Fortran), constraints, counts, flags.
  `npz/manifest.json` lists member names in archive order and, per member, the ZIP
  entry info (compress_type, compress_size, file_size, crc, header_offset) plus the
  same array fields as above. Note numpy writes every member with
  `force_zip64=True`: the local header has 0xFFFFFFFF size fields and a ZIP64 extra
  field, while the central directory carries the real 32-bit sizes.
- `bad/` -- malformed inputs that must be rejected, one defect each; see `bad/README.md`.
"""


def main():
    for d in (NPY_DIR, NPZ_DIR, BAD_DIR):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
    make_npy()
    make_npz()
    make_bad()
    write_text(os.path.join(HERE, "README.md"),
               README.format(npv=np.__version__, zv=zlib.ZLIB_RUNTIME_VERSION))


if __name__ == "__main__":
    main()
