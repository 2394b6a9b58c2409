/// A numpy scalar (`numpy.float64`, `numpy.int64`, `numpy.bool_`, ...) from metadata.
///
/// The pipeline stores many numbers as numpy scalars because they come out of array
/// reductions (spec "metadata"); keeping the dtype lets the writer pickle them back as
/// the same numpy type, so a re-written file loads identically in Python.
public struct NumpyScalar: Sendable, Hashable {
    /// numpy's `dtype.str`: "<f8", "<i8", "|b1", "<f4", "|u1", "<U5", "|S3", ...
    public let descr: String
    /// `.bool` for `b1`; `.int` (or `.bigInt` for large `u8`) for integer dtypes; `.float`
    /// for `f2`/`f4`/`f8` (widened exactly to `Double`); `.string` for `U`; `.bytes` for `S`.
    public let value: MetadataValue

    /// Checks that `value` is representable in `descr`, so every scalar can be written back.
    public init(descr: String, value: MetadataValue) throws(PickleError) {
        guard let dtype = PickledDType(descr: descr), dtype.kind != .object else {
            throw .unsupportedDType(descr: descr)
        }
        try self.init(dtype: dtype, value: value)
    }

    init(dtype: PickledDType, value: MetadataValue) throws(PickleError) {
        guard dtype.itemSize > 0 else { throw .unsupportedDType(descr: dtype.descr) }
        guard dtype.encodeElement(value) != nil else {
            throw .invalidValue(reason: "\(value.kindDescription) does not fit numpy dtype \(dtype.descr)")
        }
        self.descr = dtype.descr
        // Store exactly what numpy would hold: a float32 scalar is the rounded value.
        if case .float(let number) = value, dtype.itemSize < 8 {
            self.value = .float(dtype.itemSize == 4 ? Double(Float(number)) : Double(Float16(number)))
        } else {
            self.value = value
        }
    }

    /// Builds a scalar from raw element bytes in the dtype's own byte order.
    init(dtype: PickledDType, rawBytes: ArraySlice<UInt8>) throws(PickleError) {
        guard dtype.itemSize > 0 else { throw .unsupportedDType(descr: dtype.descr) }
        guard let value = dtype.decodeElement(rawBytes) else {
            throw .invalidValue(reason: "\(rawBytes.count) bytes are not a valid numpy \(dtype.descr) value")
        }
        self.descr = dtype.descr
        self.value = value
    }

    var dtype: PickledDType? { PickledDType(descr: descr) }

    public static func float64(_ value: Double) -> NumpyScalar {
        NumpyScalar(trustedDescr: "<f8", value: .float(value))
    }

    public static func float32(_ value: Float) -> NumpyScalar {
        NumpyScalar(trustedDescr: "<f4", value: .float(Double(value)))
    }

    public static func int64(_ value: Int64) -> NumpyScalar {
        NumpyScalar(trustedDescr: "<i8", value: .int(value))
    }

    public static func bool(_ value: Bool) -> NumpyScalar {
        NumpyScalar(trustedDescr: "|b1", value: .bool(value))
    }

    /// For the factory methods above, whose value always fits.
    private init(trustedDescr: String, value: MetadataValue) {
        self.descr = trustedDescr
        self.value = value
    }
}
