import NumpyFormat

/// Which structure each mask channel holds. Taken from `metadata.structure_channels` when the
/// case carries it, else the standard order; the channel count always comes from the `masks`
/// array itself (never assumed to be 8).
public struct ChannelCatalog: Sendable, Hashable, Codable {
    public enum Source: String, Sendable, Codable {
        case metadata = "structure_channels"
        case standardOrder = "standard_order"
    }

    public let channels: [StructureChannel]
    public let source: Source

    public init(channels: [StructureChannel], source: Source) {
        self.channels = channels
        self.source = source
    }

    public var count: Int { channels.count }

    public func channel(named name: String) -> StructureChannel? { channels.first { $0.name == name } }
    public func index(of name: String) -> Int? { channel(named: name)?.index }

    /// Builds the catalog for `channelCount` channels. Metadata names win; channels the metadata
    /// does not name fall back to the standard name for that index, or `channel_<i>`.
    public static func from(metadata: MetadataValue?, channelCount: Int) -> ChannelCatalog {
        var named: [Int: String] = [:]
        if let entries = metadata?["structure_channels"]?.dictionaryEntries {
            for entry in entries {
                guard let index = entry.key.asInt ?? entry.key.asString.flatMap(Int.init), let name = entry.value.asString else { continue }
                named[index] = name
            }
        }
        let channels = (0..<max(channelCount, 0)).map { index in
            StructureChannel(index: index, name: named[index]
                ?? (index < StructureChannel.standardOrder.count ? StructureChannel.standardOrder[index] : "channel_\(index)"))
        }
        return ChannelCatalog(channels: channels, source: named.isEmpty ? .standardOrder : .metadata)
    }
}
