#!/usr/bin/env python3
"""A 12.5 MB .npz whose dose member really inflates to 12 GiB of zeros (the hostile-input benchmark).

  make_zero_bomb.py OUT.npz [GIB]

ct is a small (6, 7, 5) float32 array; dose.npy declares (1024, 1024, 256 * GIB) float32 and its
DEFLATE stream holds exactly that many zero bytes: one 64 MiB block of zeros, compressed after a
full flush (so every copy is byte-identical and self-contained), repeated. Sizes and CRC are true,
in ZIP64 local and central records, as numpy's force_zip64 writes them.
"""
import struct
import sys
import zlib

import numpy as np

BLOCK = 64 << 20


def npy_header(shape):
    text = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % ", ".join(str(n) for n in shape)
    padded = text.encode("latin1")
    padded += b" " * ((64 - (10 + len(padded) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(padded)) + padded


def zero_member(shape):
    header = npy_header(shape)
    data_bytes = int(np.prod(shape)) * 4
    assert data_bytes % BLOCK == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH)
    zeros = bytes(BLOCK)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush must make every block's bytes the same"
    tail = compressor.flush()
    repeats = data_bytes // BLOCK
    crc = zlib.crc32(header)
    for _ in range(repeats):
        crc = zlib.crc32(zeros, crc)
    return head, block, repeats, tail, len(header) + data_bytes, crc


def write_zip64_npz(path, members):
    """A deflated .npz with ZIP64 local and central records, as numpy's force_zip64 writes it.
    members: (name bytes, inflated size, CRC-32, [raw DEFLATE pieces written in order])."""
    central = []
    with open(path, "wb") as out:
        for name, inflated, crc, pieces in members:
            offset = out.tell()
            compressed = sum(len(piece) for piece in pieces)
            extra = struct.pack("<HHQQ", 1, 16, inflated, compressed)
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                                  len(name), len(extra)) + name + extra)
            for piece in pieces:
                out.write(piece)
            central.append((name, crc, inflated, compressed, offset))
        directory_offset = out.tell()
        for name, crc, inflated, compressed, offset in central:
            extra = struct.pack("<HHQQQ", 1, 24, inflated, compressed, offset)
            out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                                  len(name), len(extra), 0, 0, 0, 0, 0xFFFFFFFF) + name + extra)
        directory_size = out.tell() - directory_offset
        zip64_end = out.tell()
        out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(central), len(central), directory_size,
                              directory_offset))
        out.write(struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1))
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))


def deflated(data):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def small_ct_member():
    ct_bytes = npy_header((6, 7, 5)) + (np.zeros((6, 7, 5), np.float32) + 0.5).tobytes()
    return (b"ct.npy", len(ct_bytes), zlib.crc32(ct_bytes), [deflated(ct_bytes)])


def write(path, gib):
    head, block, repeats, tail, dose_size, dose_crc = zero_member((1024, 1024, 256 * gib))
    # The same block object repeated: 12 MB of list entries, never 12 GiB.
    write_zip64_npz(path, [small_ct_member(), (b"dose.npy", dose_size, dose_crc, [head] + [block] * repeats + [tail])])


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12)
