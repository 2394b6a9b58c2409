import NumpyFormat

/// Which version of the preprocessing pipeline wrote a case (spec, "Container" and "metadata").
public enum FormatVersion: String, Sendable, Hashable, Codable, CaseIterable {
    /// Legacy `numpy.savez` output: no SDF, no `script_version`, spacing unknown.
    case v2_0 = "2.0"
    /// Fixed 512×512×256 grid at 1×1×2 mm; the D95 artifact's version; CT not in HU.
    case v2_2 = "2.2"
    case v2_3 = "2.3"
    /// Adds PTV50.4 (channel 8) and `dvh_validation`; absent structures' SDF is 0.0.
    case v2_4 = "2.4"
    /// A `script_version` dosecurate does not know.
    case unknown
}

/// A format version and how it was determined.
public struct FormatVersionEvidence: Sendable, Hashable, Codable {
    public let version: FormatVersion
    /// `script_version` as stored, when present.
    public let scriptVersion: String?
    /// True when the version was inferred from the keys present rather than read.
    public let inferred: Bool

    public init(version: FormatVersion, scriptVersion: String?, inferred: Bool) {
        self.version = version
        self.scriptVersion = scriptVersion
        self.inferred = inferred
    }

    /// `script_version` decides when present; without it, the keys do: no `masks_sdf` means the
    /// legacy v2.0 layout, otherwise the metadata keys each later version introduced.
    public static func determine(metadata: MetadataValue?, arrayKeys: Set<String>) -> FormatVersionEvidence {
        if let script = metadata?["script_version"]?.asString {
            let version: FormatVersion = switch script {
            case "2.2.0", "2.2": .v2_2
            case "2.3.0", "2.3": .v2_3
            case "2.4.0", "2.4": .v2_4
            default: .unknown
            }
            return FormatVersionEvidence(version: version, scriptVersion: script, inferred: false)
        }
        let version: FormatVersion
        if !arrayKeys.contains("masks_sdf") {
            version = .v2_0
        } else if metadata?["dvh_validation"] != nil {
            version = .v2_4
        } else if metadata?["voxel_spacing_mm"] != nil {
            version = .v2_3
        } else if metadata?["target_spacing_mm"] != nil {
            version = .v2_2
        } else {
            version = .unknown
        }
        return FormatVersionEvidence(version: version, scriptVersion: nil, inferred: true)
    }
}
