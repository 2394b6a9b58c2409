import Support
import Foundation
import NumpyFormat

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then
/// the raw little-endian data, offsets relative to its start. Only F32 tensors are read (the
/// engine is float32); everything about the file is checked before a byte is trusted.
public struct SafeTensors: Sendable, Equatable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    /// Headers above this are refused (a real header is a few hundred bytes per tensor).
    static let maximumHeaderBytes = 100 << 20

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        (self.tensors, self.metadata) = (tensors, metadata)
    }

    public static func read(path: String) throws -> SafeTensors {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafeTensorsError.unreadable(file: path) }
        return try decode([UInt8](data), file: path)
    }

    public static func decode(_ bytes: [UInt8], file: String) throws -> SafeTensors {
        guard bytes.count >= 8 else { throw SafeTensorsError.malformed(file: file, reason: "shorter than the 8-byte header length") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(min(maximumHeaderBytes, bytes.count - 8)) else {
            throw SafeTensorsError.malformed(file: file, reason: "header length \(headerLength) exceeds the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let header: JSONValue
        do {
            header = try JSONValue.parse(Array(bytes[8..<dataStart]))
        } catch {
            throw SafeTensorsError.malformed(file: file, reason: .cause(error, "the header is not JSON"))
        }
        guard case let .object(entries) = header else { throw SafeTensorsError.malformed(file: file, reason: "header is not a JSON object") }
        let dataCount = bytes.count - dataStart
        var tensors: [String: Tensor] = [:], metadata: [String: String] = [:]
        var ranges: [(name: String, range: Range<Int>)] = []
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard case let .object(pairs) = entry else { throw SafeTensorsError.malformed(file: file, reason: "__metadata__ is not an object") }
                for (key, value) in pairs {
                    guard let text = value.stringValue else {
                        throw SafeTensorsError.malformed(file: file, reason: "__metadata__ value of \(key) is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard let dtype = entry["dtype"]?.stringValue else { throw SafeTensorsError.malformed(file: file, reason: "\(name) has no dtype") }
            guard dtype == "F32" else { throw SafeTensorsError.unsupportedDType(file: file, tensor: name, dtype: dtype) }
            guard let shapeValues = entry["shape"]?.arrayValue, let offsetValues = entry["data_offsets"]?.arrayValue else {
                throw SafeTensorsError.malformed(file: file, reason: "\(name) lacks shape or data_offsets")
            }
            let shape = shapeValues.compactMap(\.intValue), offsets = offsetValues.compactMap(\.intValue)
            guard shape.count == shapeValues.count, shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
                throw SafeTensorsError.malformed(file: file, reason: "\(name) has shape \(shapeValues)")
            }
            guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataCount else {
                throw SafeTensorsError.malformed(file: file, reason: "\(name) has data_offsets \(offsetValues) outside the \(dataCount) data bytes")
            }
            let (count, overflow) = shape.reduce((1, false)) { partial, extent in
                let (product, overflowed) = partial.0.multipliedReportingOverflow(by: extent)
                return (product, partial.1 || overflowed)
            }
            // `count * 4` itself may overflow: it is only formed once known not to.
            let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: 4)
            guard !overflow, !byteOverflow, offsets[1] - offsets[0] == byteCount else {
                throw SafeTensorsError.malformed(file: file, reason: "\(name): shape \(shape) needs \(count) floats, data_offsets span \(offsets[1] - offsets[0]) bytes")
            }
            let begin = dataStart + offsets[0]
            let elements = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    let base = begin + 4 * index
                    let bits = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
                    buffer[index] = Float(bitPattern: bits)
                }
                initialized = count
            }
            tensors[name] = try Tensor(shape: shape, elements: elements)
            ranges.append((name, offsets[0]..<offsets[1]))
        }
        // The format requires the tensors to tile the data buffer: no overlap, no hole.
        var next = 0
        for entry in ranges.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
            guard entry.range.lowerBound == next else {
                throw SafeTensorsError.malformed(file: file, reason: "\(entry.name) starts at data byte \(entry.range.lowerBound), expected \(next) (overlap or hole)")
            }
            next = entry.range.upperBound
        }
        guard next == dataCount else { throw SafeTensorsError.malformed(file: file, reason: "\(dataCount - next) data bytes belong to no tensor") }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// The file's bytes: tensors in name order, the header padded with spaces to 8 bytes.
    public func encoded() -> [UInt8] {
        var header: [String: JSONValue] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name] ?? .zeros([0])
            let size = tensor.count * 4
            header[name] = .object(["dtype": .string("F32"), "shape": .array(tensor.shape.map { .int(Int64($0)) }),
                                    "data_offsets": .array([.int(Int64(offset)), .int(Int64(offset + size))])])
            offset += size
        }
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var text = Array(JSONValue.object(header).canonicalText.utf8)
        while text.count % 8 != 0 { text.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + text.count + offset)
        let length = UInt64(text.count)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        bytes += text
        for name in names {
            for value in tensors[name]?.elements ?? [] {
                let bits = value.bitPattern
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                          UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
            }
        }
        return bytes
    }

    /// Written atomically (temporary file, then rename): a reader never sees half a checkpoint.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }
}

public enum SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String)
    case malformed(file: String, reason: ErrorReason)
    case unsupportedDType(file: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case let .unreadable(file): return "\(file): cannot read the file"
        case let .malformed(file, reason): return "\(file): not a valid safetensors file: \(reason)"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor \(tensor) is \(dtype); the engine reads F32 weights only (convert with tensor.float())"
        }
    }
}

extension SafeTensorsError: CodedError {
    public var code: String {
        switch self {
        case .unreadable: "safetensors.unreadable"
        case .malformed: "safetensors.malformed"
        case .unsupportedDType: "safetensors.unsupported_dtype"
        }
    }
}
