import Support

/// One structure channel as the viewer lists and draws it.
struct ViewerStructure: Sendable, Equatable {
    let name: String
    /// The channel index in the case's `masks`.
    let channel: Int
    /// `#rrggbb`, the structure's colour in every report (`ChartPalette.structureColour`).
    let colour: String
    /// The layer holding its bit, and which bit (`ViewerLayer.structures`).
    let layer: String
    let bit: Int
    /// Counted on the case's own grid, before any downsampling; 0 for an empty channel.
    let volumeCC: Double

    var json: JSONValue {
        .object([
            "name": .string(name), "channel": .int(Int64(channel)), "colour": .string(colour), "layer": .string(layer),
            "bit": .int(Int64(bit)), "volumeCC": .number(volumeCC),
        ])
    }
}
