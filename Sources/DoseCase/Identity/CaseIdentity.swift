import Support
import NumpyFormat

/// What an array is, for identity (DESIGN.md, "Identity"): canonical dtype spelling, shape, and the
/// SHA-256 of its canonical bytes (logical C order, little-endian, own element type).
public struct ArrayIdentity: Sendable, Hashable, Codable {
    public let dtype: String
    public let shape: [Int]
    public let sha256: String

    public init(dtype: String, shape: [Int], sha256: String) {
        self.dtype = dtype
        self.shape = shape
        self.sha256 = sha256
    }
}

/// What makes two cases the same data: every array's identity and the metadata's hash. Storage
/// details — compression, member order, byte order, memory order, pickle protocol — change none
/// of it.
public struct CaseIdentity: Sendable, Hashable, Codable {
    /// Numeric arrays by key (the metadata member is hashed separately, as decoded values).
    public let arrays: [String: ArrayIdentity]
    /// SHA-256 of the canonical JSON of the decoded metadata dict; nil when the case has none.
    public let metadataSHA256: String?

    public init(arrays: [String: ArrayIdentity], metadataSHA256: String?) {
        self.arrays = arrays
        self.metadataSHA256 = metadataSHA256
    }

    /// `{"arrays": {NAME: {"dtype", "shape", "sha256"}}, "metadata": SHA256 | null}` in canonical JSON.
    public var canonicalJSON: String {
        let arrayEntries = arrays.map { key, identity in
            MetadataEntry(key: .string(key), value: .dictionary([
                "dtype": .string(identity.dtype),
                "shape": .list(identity.shape.map { .int(Int64($0)) }),
                "sha256": .string(identity.sha256),
            ]))
        }
        let tree = MetadataValue.dict([
            MetadataEntry(key: .string("arrays"), value: .dict(arrayEntries)),
            MetadataEntry(key: .string("metadata"), value: metadataSHA256.map(MetadataValue.string) ?? .none),
        ])
        return CanonicalJSON.encode(tree)
    }

    /// SHA-256 (hex) of `canonicalJSON`.
    public var caseHash: String { SHA256Hex.of(Array(canonicalJSON.utf8)) }

    /// SHA-256 (hex) of the canonical JSON of a decoded metadata tree.
    public static func metadataHash(_ metadata: MetadataValue) -> String {
        SHA256Hex.of(CanonicalJSON.encodeUTF8(metadata))
    }
}
