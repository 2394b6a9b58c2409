/// One key/value pair of a pickled dict. A struct rather than a tuple because tuples
/// cannot be `Hashable`, and `MetadataValue` must be.
public struct MetadataEntry: Sendable, Hashable {
    public var key: MetadataValue
    public var value: MetadataValue

    public init(key: MetadataValue, value: MetadataValue) {
        self.key = key
        self.value = value
    }
}

extension MetadataValue {
    /// A dict from string keys, in the order given — the common shape of metadata.
    public static func dictionary(_ pairs: KeyValuePairs<String, MetadataValue>) -> MetadataValue {
        .dict(pairs.map { MetadataEntry(key: .string($0.key), value: $0.value) })
    }
}
