#!/usr/bin/env python3
"""Makes the pickle fixtures for Tests/NumpyFormatTests/Pickle and checks Swift's output.

    python3 make_pickle_fixtures.py            # regenerate every fixture + manifest.json
    python3 make_pickle_fixtures.py check      # read a JSON request on stdin (used by the tests)

Fixtures are what numpy writes for the `metadata` member of a case file
(spec/npz-case-format.md, "metadata"): `pickle.dumps(np.array(d, dtype=object), protocol=P)`
for P = 0..5 under numpy 2.x (this interpreter) and P = 2..5 under numpy 1.x (Debian's
/usr/bin/python3 with python3-numpy, re-invoked as `--numpy1 OUTDIR` when it has numpy).
Each comes with its expected canonical JSON, computed by `canonical_json` below: an
implementation written independently of the Swift one, from the same rules
(CanonicalJSON.swift's doc comment).

Hostile and malformed pickles are written by hand or via `__reduce__`; none is ever
unpickled here. Every command they would run only touches MARKER, which the Swift test
asserts never appears.
"""
import base64
import collections
import json
import math
import os
import pickle
import random
import struct
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "/tmp/dosecurate_pickle_fixture_pwned"
NUMPY1_PYTHON = "/usr/bin/python3"


# ----------------------------------------------------------------------------------------
# Canonical JSON, independent implementation (mirror of CanonicalJSON.swift's rules)
# ----------------------------------------------------------------------------------------

def _number(x):
    x = float(x)
    if math.isnan(x):
        return '"NaN"'
    if math.isinf(x):
        return '"-Infinity"' if x < 0 else '"Infinity"'
    return repr(x)  # shortest round-trip digits, Python's own layout


def _key_text(k):
    if isinstance(k, str):
        return str(k)
    if isinstance(k, (bool, np.bool_)):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, (int, np.integer)):
        return str(int(k))
    if isinstance(k, (float, np.floating)):
        return _number(k).strip('"')
    return canonical_json(k)


def canonical_json(v):
    if v is None:
        return "null"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _number(v)
    if isinstance(v, str):
        return json.dumps(str(v), ensure_ascii=False)
    if isinstance(v, (bytes, bytearray)):
        return '{"$bytes":' + json.dumps(base64.b64encode(bytes(v)).decode("ascii")) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(canonical_json(x) for x in v) + "]"
    if isinstance(v, (set, frozenset)):
        texts = sorted((canonical_json(x) for x in v), key=lambda t: t.encode("utf-8"))
        return "[" + ",".join(texts) + "]"
    if isinstance(v, dict):
        members = sorted(((_key_text(k), canonical_json(x)) for k, x in v.items()),
                         key=lambda m: (m[0].encode("utf-8"), m[1].encode("utf-8")))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + t for k, t in members) + "}"
    if isinstance(v, np.ndarray):
        return canonical_json(v.tolist())
    raise TypeError("no canonical JSON for %r" % type(v))


# ----------------------------------------------------------------------------------------
# Metadata like the pipeline writes (spec "metadata")
# ----------------------------------------------------------------------------------------

def interned(value):
    """Rebuilds `value` with every plain str interned, so equal strings are one object,
    and every 1-byte bytes the cached singleton CPython's own code would produce.

    CPython's pickler shares memo entries by object identity; the Swift writer by string
    value. Interning makes the two coincide, as they do for the literal keys real
    metadata is built from. (Fixtures marked byte_identical=false skip this on purpose.)
    The unpickler, by contrast, returns fresh 1-byte bytes, so `check` re-applies this
    before re-pickling what it loaded.
    """
    if type(value) is str:
        return sys.intern(value)
    if type(value) is bytes and len(value) == 1:
        return bytes([value[0]])
    if isinstance(value, np.ndarray) and value.dtype == object:
        out = np.empty(value.shape, dtype=object, order="F" if value.flags.f_contiguous and value.ndim > 1 else "C")
        for index in np.ndindex(value.shape):
            out[index] = interned(value[index])
        return out
    if type(value) is dict:
        return {interned(k): interned(x) for k, x in value.items()}
    if type(value) is list:
        return [interned(x) for x in value]
    if type(value) is tuple:
        return tuple(interned(x) for x in value)
    return value


CHANNELS_V24 = {0: "PTV70", 1: "PTV56", 2: "Prostate", 3: "Rectum", 4: "Bladder",
                5: "Femur_L", 6: "Femur_R", 7: "Bowel", 8: "PTV50.4"}


def beam(gantry_start, gantry_end, mu):
    return {"gantry_start_deg": gantry_start, "gantry_end_deg": gantry_end,
            "collimator_deg": 30.0, "n_control_points": 178, "n_leaf_pairs": 60,
            "meterset_mu": np.float64(mu), "direction": "CW" if gantry_end > gantry_start else "CC"}


def pipeline_v24():
    return {
        "case_id": "prostate_0042",
        "processed_date": "2024-03-05T14:22:31.123456",
        "script_version": "2.4.0",
        "prescription_info": {"primary_dose": 70.0, "fractions": 28, "dose_per_fraction": 2.5,
                              "source": "DoseReferenceSequence"},
        "case_type": {"type": "sib_3level", "ptv70_exists": np.True_, "ptv56_exists": np.True_,
                      "ptv50_exists": np.True_},
        "normalization_dose_gy": np.float64(70.0),
        "voxel_spacing_mm": (0.9765625, 0.9765625, 2.5),
        "volume_shape": (300, 300, 160),
        "crop_box": {"y_start": np.int64(106), "y_end": np.int64(406), "x_start": np.int64(98),
                     "x_end": np.int64(398), "z_start": np.int64(12), "z_end": np.int64(172),
                     "centroid_voxel": (np.float64(255.81), np.float64(248.02), np.float64(91.5))},
        "dose_grid_spacing_mm": (2.5, 2.5, 2.5),
        "sdf_clip_mm": 50.0,
        "sdf_validation": {"PTV70": {"sign_matches_mask": np.True_, "max_abs": np.float32(1.0)},
                           "Femur_L": {"sign_matches_mask": np.True_, "max_abs": np.float32(0.74)}},
        "validation": {"ptv70_d95_gy": np.float64(66.9134), "ptv70_mean_gy": np.float64(70.81),
                       "passed": True, "warnings": [], "d95_alarm": np.False_},
        "truncation_info": {"Rectum": {"fraction_on_face": 0.0213, "truncated": False},
                            "Bladder": {"fraction_on_face": 0.0, "truncated": False}},
        "structure_channels": dict(CHANNELS_V24),
        "beam_geometry": {"n_beams": 2, "machine": "TrueBeam",
                          "beams": [beam(181.0, 179.0, 312.7), beam(179.0, 181.0, 298.25)]},
        "dvh_validation": {"PTV70": {"D95": 66.91, "V100": 0.951}, "PTV50.4": {"D95": 49.2, "V100": None}},
    }


def pipeline_v23():
    meta = pipeline_v24()
    meta["script_version"] = "2.3.0"
    del meta["dvh_validation"]
    meta["case_type"] = {"type": "sib_2level", "ptv70_exists": np.True_, "ptv56_exists": np.True_,
                         "ptv50_exists": np.False_}
    meta["structure_channels"] = {k: v for k, v in CHANNELS_V24.items() if k < 8}
    return meta


def pipeline_v22():
    return {
        "case_id": "prostate_0007",
        "processed_date": "2023-08-14T09:01:02",
        "script_version": "2.2.0",
        "prescription_info": {"primary_dose": 70.0, "fractions": 28, "dose_per_fraction": 2.5,
                              "source": "default"},
        "case_type": {"type": "single_rx", "ptv70_exists": True, "ptv56_exists": False,
                      "ptv50_exists": False},
        "normalization_dose_gy": 70.0,
        "target_shape": (512, 512, 256),
        "target_spacing_mm": (1.0, 1.0, 2.0),
        "structure_channels": {k: v for k, v in CHANNELS_V24.items() if k < 8},
        "validation": {"ptv70_d95_gy": np.float64(55.2), "passed": False,
                       "warnings": ["PTV70 D95 55.2 Gy < 64 Gy hard alarm"]},
    }


def pipeline_v20():
    return {"case_id": "case_03", "processed_date": "2022-11-30",
            "prescription_info": {"primary_dose": 70.0, "fractions": 35, "dose_per_fraction": 2.0,
                                  "source": "FractionGroupSequence"},
            "normalization_dose_gy": 70.0, "structure_channels": {0: "PTV70", 2: "Prostate", 3: "Rectum"}}


def edge_values():
    return {
        "none": None, "true": True, "false": False,
        "ints": [0, 1, -1, 255, 256, 65535, 65536, -129, 2**31 - 1, -2**31, 2**31, 2**63 - 1, -2**63],
        "big_ints": [2**63, -2**63 - 1, 2**64, 2**70, -2**70, 10**40, -(10**40) + 7],
        "floats": [0.0, -0.0, 1.0, 0.1, 1e-05, 0.0001, 1e15, 1e16, 123456789012345678.0,
                   2.0**53, 5e-324, 1.7976931348623157e308, 1/3, -2.5e-300],
        "specials": [float("nan"), float("inf"), float("-inf")],
        "unicode": ["Ångström", "前列腺", "emoji \U0001F600", 'quote " backslash \\ slash /',
                    "ctl \x00\x01\x1f\x7f \b\f\n\r\t", "\u2028\u2029"],
        "bytes": [b"", b"\x00", b"b", b"\x00\xff\x10 raw", bytes(range(256))],
        "empty": {"list": [], "tuple": (), "dict": {}, "set": set(), "str": "", "bytes": b""},
        "tuples": ((1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((1, 2), (3, (4, (5,))))),
        "sets": {1, 2, 3, 40},
        "list_of_dicts": [{"name": "PTV70", "dose": 70.0}, {"name": "PTV56", "dose": 56.0}],
        "non_str_keys": {3: "int", 2**70: "big", 0.5: "float", True: "bool", None: "none",
                         (1, 2): "tuple", np.int64(7): "numpy int", float("inf"): "inf"},
        "numpy_scalars": {"f8": np.float64(0.1), "f4": np.float32(0.1), "f2": np.float16(0.333),
                          "i1": np.int8(-5), "i2": np.int16(-300), "i4": np.int32(-70000),
                          "i8": np.int64(-2**40), "u1": np.uint8(200), "u2": np.uint16(60000),
                          "u4": np.uint32(4000000000), "u8": np.uint64(2**64 - 1),
                          "b1_true": np.True_, "b1_false": np.False_, "b1_again": np.True_,
                          "nan32": np.float32("nan"), "str_": np.str_("Femur_L"),
                          "bytes_": np.bytes_(b"RT\x00x")},
        "long_string": "x" * 300,
    }


def batching():
    """CPython writes APPENDS/SETITEMS/ADDITEMS in batches of 1000, with quirks at the edges."""
    return {"list_1000": list(range(1000)), "list_1001": list(range(1001)),
            "dict_1000": {i: None for i in range(1000)}, "dict_1001": {-i: 0 for i in range(1001)},
            "set_1000": set(range(1000)), "list_1": [7], "dict_1": {1: 1}, "set_1": {9}}


def numpy_arrays():
    return {
        "f4_2x3": np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(3),
        "f8_fortran": np.asfortranarray(np.array([[1.0, 2.0], [3.0, 4.5]])),
        "u1": np.array([0, 1, 255], dtype=np.uint8),
        "b1": np.array([True, False, True]),
        "i8": np.array([-1, 2**40], dtype=np.int64),
        "zero_d": np.array(1.5),
        "empty_0x3": np.zeros((0, 3), dtype=np.float32),
        "f2": np.array([0.5, -2.0], dtype=np.float16),
        "objects": np.array([{"a": 1}, None, "s"], dtype=object),
    }


def nonidentical_values():
    """Decodes equal to Python, but Swift's writer cannot reproduce Python's bytes."""
    shared = [1, 2]
    runtime_a = "".join(["PT", "V70"])  # equal strings, distinct objects
    runtime_b = "".join(["PTV", "70"])
    return {
        "frozenset": frozenset({5, 6}),       # written back as a set
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),  # written back as a dict
        "bytearray": bytearray(b"xy"),        # written back as bytes
        "big_endian": np.arange(3, dtype=">i2"),  # normalised to little-endian
        "shared_list": [shared, shared],      # one object in Python, two in a value tree
        "runtime_strings": [runtime_a, runtime_b],
    }


class _Evil:
    """Pickles as a call to `func(*args)`; used only to produce hostile bytes."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _global_p2(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _short_unicode(text):
    data = text.encode()
    return b"\x8c" + bytes([len(data)]) + data


def malicious_pickles():
    import subprocess as sp
    touch = "touch " + MARKER
    made = {
        # Python-made: what an attacker gets from __reduce__ (os.system pickles as posix.system).
        "evil_posix_system_p4": (pickle.dumps(_Evil(os.system, (touch,)), protocol=4), "posix", "system"),
        "evil_posix_system_p2": (pickle.dumps(_Evil(os.system, (touch,)), protocol=2), "posix", "system"),
        "evil_builtins_eval_p4": (pickle.dumps(_Evil(eval, ("__import__('os').system(%r)" % touch,)), protocol=4), "builtins", "eval"),
        "evil_builtins_eval_p2": (pickle.dumps(_Evil(eval, ("__import__('os').system(%r)" % touch,)), protocol=2), "__builtin__", "eval"),
        "evil_subprocess_popen_p4": (pickle.dumps(_Evil(sp.Popen, (["touch", MARKER],)), protocol=4), "subprocess", "Popen"),
        "evil_numpy_load_p4": (pickle.dumps(_Evil(np.load, ("/etc/passwd",)), protocol=4), "numpy", "load"),
        "evil_getattr_p4": (pickle.dumps(_Evil(getattr, ("text", "upper")), protocol=4), "builtins", "getattr"),
        # Hidden deep inside otherwise valid metadata: refused when reached, nothing runs.
        "evil_nested_in_metadata_p4": (pickle.dumps(np.array({"case_id": "x", "validation": {
            "warnings": [_Evil(os.system, (touch,))]}}, dtype=object), protocol=4), "posix", "system"),
        # Hand-written, with the module names an attacker would type.
        "evil_os_system_global": (b"\x80\x02" + _global_p2("os", "system") + b"X" + struct.pack("<I", len(touch)) + touch.encode() + b"\x85R.", "os", "system"),
        "evil_os_system_stack_global": (b"\x80\x04" + _short_unicode("os") + _short_unicode("system") + b"\x93" + _short_unicode(touch) + b"\x85R.", "os", "system"),
        "evil_os_system_inst_p0": (b"(S'" + touch.encode() + b"'\nios\nsystem\n.", "os", "system"),
        "evil_numpy_load_global": (b"\x80\x02" + _global_p2("numpy", "load") + b"X\x0b\x00\x00\x00/etc/passwd\x85R.", "numpy", "load"),
    }
    return made


def malformed_pickles(valid):
    eight = struct.pack("<Q", 2**62)
    cases = {
        "truncated_empty": (b"", {"case": "truncated"}),
        "truncated_after_proto": (valid[:2], {"case": "truncated"}),
        "truncated_in_frame_header": (valid[:7], {"case": "truncated"}),
        "truncated_mid_frame": (valid[:len(valid) // 2], {"case": "truncated"}),
        "truncated_before_stop": (valid[:-1], {"case": "truncated"}),
        "truncated_no_frame_p2": (b"\x80\x02]q\x00(K\x01K\x02", {"case": "truncated"}),
        "unknown_opcode_ff": (b"\x80\x04\xff.", {"case": "unknownOpcode", "byte": 255, "offset": 2}),
        "unknown_opcode_00": (b"\x80\x02K\x01\x00.", {"case": "unknownOpcode", "byte": 0, "offset": 4}),
        "binunicode8_2_62": (b"\x80\x04\x8d" + eight + b"abc.", {"case": "lengthExceedsLimit", "opcode": "BINUNICODE8"}),
        "binbytes8_2_62": (b"\x80\x04\x8e" + eight + b"abc.", {"case": "lengthExceedsLimit", "opcode": "BINBYTES8"}),
        "bytearray8_2_62": (b"\x80\x05\x96" + eight + b"abc.", {"case": "lengthExceedsLimit", "opcode": "BYTEARRAY8"}),
        "long4_4gib": (b"\x80\x02\x8b\xff\xff\xff\xff\x00.", {"case": "lengthExceedsLimit", "opcode": "LONG4"}),
        "binunicode_past_end": (b"\x80\x03X\xe8\x03\x00\x00abc.", {"case": "truncated"}),
        # 5000 levels of MARK/EMPTY_LIST then their APPENDS; the tests build 100 000 in memory.
        "recursion_bomb_marks": (b"\x80\x02]" + b"(]" * 4999 + b"e" * 4999 + b".", {"case": "nestingTooDeep"}),
        "recursion_bomb_appends": (b"\x80\x02" + b"]" * 5000 + b"a" * 4999 + b".", {"case": "nestingTooDeep"}),
        "stack_underflow_append": (b"\x80\x02a.", {"case": "stackUnderflow"}),
        "mark_missing_appends": (b"\x80\x02]e.", {"case": "markMissing"}),
        "memo_key_missing": (b"\x80\x02h\x05.", {"case": "memoKeyMissing", "key": 5}),
        "next_buffer": (b"\x80\x05\x97.", {"case": "outOfBandBuffer"}),
        "readonly_buffer": (b"\x80\x05\x97\x98.", {"case": "outOfBandBuffer"}),
        "reduce_on_list": (b"\x80\x02])R.", {"case": "notCallable"}),
        "build_on_int": (b"\x80\x02K\x01NK\x02b.", {"case": "notCallable"}),
        "self_containing_list": (b"\x80\x02]q\x00h\x00a.", {"case": "recursiveStructure"}),
        "persistent_id": (b"\x80\x02X\x01\x00\x00\x00xQ.", {"case": "unsupportedOpcode"}),
        "extension_code": (b"\x80\x02\x82\x01.", {"case": "unsupportedOpcode"}),
        "protocol_6": (b"\x80\x06N.", {"case": "unsupportedProtocol"}),
        "invalid_utf8": (b"\x80\x03X\x01\x00\x00\x00\xff.", {"case": "invalidText"}),
        "setitem_across_mark": (b"\x80\x02}](s.", {"case": "stackUnderflow"}),
        "unhashable_key": (b"\x80\x02}]Ns.", {"case": "unhashableKey"}),
        "reconstruct_not_ndarray": (b"\x80\x02" + _global_p2("numpy.core.multiarray", "_reconstruct") + b"NK\x00\x85C\x01b\x87R.", {"case": "invalidArguments"}),
    }
    # numpy dtypes outside the supported set, made by numpy itself.
    cases["complex_scalar"] = (pickle.dumps(np.array({"z": np.complex128(1 + 2j)}, dtype=object), protocol=4),
                               {"case": "unsupportedDType", "descr": "c16"})
    cases["datetime_scalar"] = (pickle.dumps(np.array({"t": np.datetime64("2024-01-01")}, dtype=object), protocol=4),
                                {"case": "unsupportedDType", "descr": "M8"})
    return cases


# ----------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------

def numpy_tag():
    return "numpy%d" % int(np.__version__.split(".")[0])


def object_array(value):
    holder = np.empty((), dtype=object)
    holder[()] = value
    return holder


def metadata_fixtures(outdir, protocols, expected_json):
    """Writes NAME.numpyN.pP.pkl for each protocol; records each value's canonical JSON
    once in `expected_json` (the manifest's "expected" table)."""
    tag = numpy_tag()
    dialect_protocol = 4 if tag == "numpy2" else 3
    entries = []
    sets = [("pipeline_v24", pipeline_v24, True, protocols), ("pipeline_v23", pipeline_v23, True, protocols),
            ("pipeline_v22", pipeline_v22, True, protocols), ("pipeline_v20", pipeline_v20, True, protocols),
            ("edge_values", edge_values, True, protocols), ("numpy_arrays", numpy_arrays, True, protocols),
            ("nonidentical", nonidentical_values, False, protocols),
            ("batching", batching, True, sorted({2, dialect_protocol}))]
    for name, make, identical, value_protocols in sets:
        value = make()
        if identical:
            value = interned(value)
        expected_name = "%s.%s" % (name, tag)
        expected_json[expected_name] = canonical_json(value)
        for protocol in value_protocols:
            data = pickle.dumps(object_array(value), protocol=protocol)
            file = "%s.%s.p%d.pkl" % (name, tag, protocol)
            with open(os.path.join(outdir, file), "wb") as f:
                f.write(data)
            # Identity is promised where the Swift writer's dialect matches numpy's own.
            entries.append({"file": file, "kind": "metadata", "numpy": np.__version__,
                            "protocol": protocol, "expected": expected_name,
                            "byte_identical": identical and protocol == dialect_protocol,
                            "python_types_preserved": identical,
                            "dialect": tag})
    not_a_dict = pickle.dumps(object_array([1, 2]), protocol=4 if tag == "numpy2" else 3)
    file = "not_a_dict.%s.pkl" % tag
    with open(os.path.join(outdir, file), "wb") as f:
        f.write(not_a_dict)
    entries.append({"file": file, "kind": "metadata", "numpy": np.__version__,
                    "expected_error": {"case": "notADictionary", "found": "list"}})
    return entries


def float_samples(count=1000):
    rng = random.Random(20240305)
    values = [0.1, 1e-05, 0.0001, 9.999999999999999e-05, 1e15, 1e16, 9999999999999998.0,
              2.0**53, 2.0**53 + 2, 1e22, 1e23, 5e-324, 2.2250738585072014e-308,
              1.7976931348623157e308, 123456.789, 0.30000000000000004]
    while len(values) < count:
        choice = rng.randrange(4)
        if choice == 0:
            bits = rng.getrandbits(64)
            value = struct.unpack("<d", struct.pack("<Q", bits))[0]
        elif choice == 1:
            value = rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 20)
        elif choice == 2:
            value = float(rng.randint(-10**17, 10**17))
        else:
            value = float(np.float32(rng.uniform(-1000, 1000)))
        if math.isfinite(value):
            values.append(value)
    return [[struct.pack(">d", v).hex(), repr(v)] for v in values]


def generate_numpy1(outdir):
    """Runs under numpy 1.x: writes its fixtures, prints their manifest entries."""
    expected_json = {}
    entries = metadata_fixtures(outdir, [2, 3, 4, 5], expected_json)
    json.dump({"fixtures": entries, "expected": expected_json}, sys.stdout)


def generate_all():
    outdir = HERE
    for name in os.listdir(outdir):
        if name.endswith(".pkl"):
            os.remove(os.path.join(outdir, name))
    expected_json = {}
    entries = metadata_fixtures(outdir, [0, 1, 2, 3, 4, 5], expected_json)

    valid = pickle.dumps(object_array(interned(pipeline_v24())), protocol=4)
    for name, (data, module, attribute) in sorted(malicious_pickles().items()):
        file = name + ".pkl"
        with open(os.path.join(outdir, file), "wb") as f:
            f.write(data)
        entries.append({"file": file, "kind": "malicious",
                        "expected_error": {"case": "disallowedGlobal", "module": module, "name": attribute}})
    for name, (data, error) in sorted(malformed_pickles(valid).items()):
        file = name + ".pkl"
        with open(os.path.join(outdir, file), "wb") as f:
            f.write(data)
        entries.append({"file": file, "kind": "malformed", "expected_error": error})

    numpy1 = "unavailable"
    if os.path.exists(NUMPY1_PYTHON):
        probe = subprocess.run([NUMPY1_PYTHON, "-c", "import numpy; print(numpy.__version__)"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.startswith("1."):
            numpy1 = probe.stdout.strip()
            run = subprocess.run([NUMPY1_PYTHON, os.path.abspath(__file__), "--numpy1", outdir],
                                 capture_output=True, text=True, check=True)
            numpy1_output = json.loads(run.stdout)
            for entry in numpy1_output["fixtures"]:
                # Both numpys must agree on the JSON of the same dict; store it once if so.
                name = entry.get("expected")
                if name is not None:
                    text = numpy1_output["expected"][name]
                    twin = name.replace(".numpy1", ".numpy2")
                    if expected_json.get(twin) == text:
                        entry["expected"] = twin
                    else:
                        expected_json[name] = text
                entries.append(entry)
    if numpy1 == "unavailable":
        print("warning: no numpy 1.x at %s (apt-get install python3-numpy); numpy-1 fixtures skipped"
              % NUMPY1_PYTHON, file=sys.stderr)

    manifest = {"generator": "make_pickle_fixtures.py", "numpy2": np.__version__, "numpy1": numpy1,
                "python": sys.version.split()[0], "marker_path": MARKER, "fixtures": entries,
                "expected": expected_json}
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    with open(os.path.join(outdir, "float_repr_samples.json"), "w") as f:
        json.dump(float_samples(), f, separators=(",", ":"))
        f.write("\n")
    print("wrote %d fixtures (numpy %s, numpy1 %s)" % (len(entries), np.__version__, numpy1))


# ----------------------------------------------------------------------------------------
# Checking Swift's output (called by the tests)
# ----------------------------------------------------------------------------------------

def deep_equal(a, b):
    """Equal values of the same types, NaN equal to NaN, order of dicts included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape or a.flags.f_contiguous != b.flags.f_contiguous:
            return False
        if a.dtype == object:
            return all(deep_equal(x, y) for x, y in zip(a.ravel().tolist(), b.ravel().tolist()))
        return a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (set, frozenset)):
        return a == b
    if isinstance(a, (float, np.floating)) and math.isnan(a):
        return math.isnan(b)
    return a == b


def load_pickle_or_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\x93NUMPY"):
        return np.load(path, allow_pickle=True), data
    return pickle.loads(data), data


def check(requests):
    """For each request: load Swift's bytes with numpy, report canonical JSON, whether the
    value equals a reference pickle's, and whether CPython re-pickles it to the same bytes."""
    results = []
    for request in requests:
        result = {"numpy": np.__version__}
        try:
            loaded, raw = load_pickle_or_npy(request["path"])
            value = loaded
            if isinstance(loaded, np.ndarray) and loaded.dtype == object and loaded.shape == ():
                value = loaded.item()
            result["canonical_json"] = canonical_json(value)
            if request.get("reference"):
                with open(request["reference"], "rb") as f:
                    reference = pickle.loads(f.read())
                if isinstance(reference, np.ndarray) and reference.dtype == object and reference.shape == ():
                    reference = reference.item()
                result["equals_reference"] = deep_equal(value, reference)
            if request.get("redump_protocol") is not None:
                pickled = raw
                if raw.startswith(b"\x93NUMPY"):
                    header_length = struct.unpack("<H", raw[8:10])[0]
                    pickled = raw[10 + header_length:]
                again = pickle.loads(pickled)
                again = object_array(interned(again.item())) if isinstance(again, np.ndarray) and again.dtype == object and again.shape == () else interned(again)
                redumped = pickle.dumps(again, protocol=request["redump_protocol"])
                result["redump_identical"] = redumped == pickled
        except Exception as error:  # reported to the Swift test, which fails with it
            result["error"] = "%s: %s" % (type(error).__name__, error)
        results.append(result)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--numpy1":
        generate_numpy1(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "check":
        check(json.load(sys.stdin))
    else:
        generate_all()
