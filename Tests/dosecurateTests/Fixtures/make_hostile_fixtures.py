#!/usr/bin/env python3
"""Regression fixtures for hostile input (each one found by probing dosecurate as an attacker would).

Writes, into hostile/ next to this script (deterministic: fixed zip and tar timestamps):
  good_case.npz                 a small valid case (the DoseCase fixtures' arrays), the case every
                                hostile folder also holds, so a test can see the rest of the run reported
  header_length_0.npz           the same case with dose.npy's v1.0 header length field set to 0
  header_length_1.npz           ... set to 1 (both used to trap: the read count went negative)
  traversal_case_id.npz         metadata.case_id = "../../escaped/pwned"
  declares_12GiB_dose.npz       ct (6, 7, 5) then a dose whose header and ZIP64 central directory
                                declare (1024, 1024, 3072) float32 = 12 GiB; its data is a short stream,
                                so only a reader that allocates before checking notices anything
  zip64_local_size_lie.npz      good_case with a ZIP64 extra field in dose.npy's local header whose
                                sizes disagree with the central directory
  duplicate_names.tar           cases/good.npz twice (tar keeps both entries)
  symlink_only.tar              one symbolic link cases/link.npz -> good.npz, nothing else
  escaping_members.tar          ../outside.npz, /abs/case.npz and cases/good.npz

Run: python3 Tests/dosecurateTests/Fixtures/make_hostile_fixtures.py
"""
import io
import os
import struct
import sys
import tarfile
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hostile")
sys.path.insert(0, os.path.join(HERE, "..", "..", "DoseCaseTests", "Fixtures"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts", "bench"))
from make_case_fixtures import arrays, metadata_v24  # noqa: E402
from make_zero_bomb import deflated, npy_header, small_ct_member, write_zip64_npz  # noqa: E402  (one ZIP64 writer)

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def case_members(case_id="hostile_good"):
    members = arrays()
    members["metadata"] = np.array(metadata_v24(case_id), dtype=object)
    return members


def write_npz(path, named_bytes):
    """An .npz as numpy writes it (deflated members, fixed timestamps) from raw .npy bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in named_bytes:
            info = zipfile.ZipInfo(name + ".npy", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def npz_bytes_of(members):
    return [(key, npy_bytes(value)) for key, value in members.items()]


def with_header_length(members, key, length):
    out = []
    for name, data in npz_bytes_of(members):
        if name == key:
            data = data[:8] + struct.pack("<H", length) + data[10:]
        out.append((name, data))
    return out


def zip64_lying_dose(path):
    """ct as a normal member, then dose.npy whose header and ZIP64 records declare 12 GiB; its
    DEFLATE stream holds only the header and 1 MiB of zeros."""
    dose_header = npy_header((1024, 1024, 3072))
    declared = len(dose_header) + 1024 * 1024 * 3072 * 4
    write_zip64_npz(path, [small_ct_member(), (b"dose.npy", declared, 0, [deflated(dose_header + bytes(1 << 20))])])


def zip64_local_size_lie(source, path):
    """Rewrites the npz with a ZIP64 extra field on dose.npy's local header that states a size
    the central directory does not."""
    with open(source, "rb") as handle:
        data = bytearray(handle.read())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("dose.npy")
    offset = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    assert extra_length == 0
    lie = struct.pack("<HHQQ", 1, 16, info.file_size + 4096, info.compress_size)
    # Sizes 0xFFFFFFFF in the local header point the reader at the ZIP64 extra field.
    struct.pack_into("<II", data, offset + 18, 0xFFFFFFFF, 0xFFFFFFFF)
    struct.pack_into("<H", data, offset + 28, len(lie))
    insert_at = offset + 30 + name_length
    data[insert_at:insert_at] = lie
    # Every later offset moves by the inserted bytes: rebuild the directory with zipfile's help.
    shift = len(lie)
    end = data.rfind(b"PK\x05\x06")
    count, dir_size, dir_offset = struct.unpack_from("<HII", data, end + 10)
    dir_offset += shift
    struct.pack_into("<I", data, end + 16, dir_offset)
    position = dir_offset
    for _ in range(count):
        local = struct.unpack_from("<I", data, position + 42)[0]
        if local > offset:
            struct.pack_into("<I", data, position + 42, local + shift)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name_len + extra_len + comment_len
    with open(path, "wb") as handle:
        handle.write(bytes(data))


def tar_with(path, entries):
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as archive:
        for name, payload, link in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if link is not None:
                info.type = tarfile.SYMTYPE
                info.linkname = link
                archive.addfile(info)
            else:
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))


def main():
    os.makedirs(OUT, exist_ok=True)
    good = case_members()
    good_path = os.path.join(OUT, "good_case.npz")
    write_npz(good_path, npz_bytes_of(good))
    write_npz(os.path.join(OUT, "header_length_0.npz"), with_header_length(case_members("hostile_h0"), "dose", 0))
    write_npz(os.path.join(OUT, "header_length_1.npz"), with_header_length(case_members("hostile_h1"), "dose", 1))
    write_npz(os.path.join(OUT, "traversal_case_id.npz"), npz_bytes_of(case_members("../../escaped/pwned")))
    zip64_lying_dose(os.path.join(OUT, "declares_12GiB_dose.npz"))
    zip64_local_size_lie(good_path, os.path.join(OUT, "zip64_local_size_lie.npz"))
    with open(good_path, "rb") as handle:
        good_bytes = handle.read()
    tar_with(os.path.join(OUT, "duplicate_names.tar"), [("cases/good.npz", good_bytes, None), ("cases/good.npz", good_bytes, None)])
    tar_with(os.path.join(OUT, "symlink_only.tar"), [("cases/link.npz", b"", "good.npz")])
    tar_with(os.path.join(OUT, "escaping_members.tar"),
             [("../outside.npz", good_bytes, None), ("/abs/case.npz", good_bytes, None), ("cases/good.npz", good_bytes, None)])


if __name__ == "__main__":
    main()
