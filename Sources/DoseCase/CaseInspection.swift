import NumpyFormat

/// Everything `dosecurate inspect` reports about one file, as a value with a stable JSON form.
/// A file that could not be read carries only `file` and `error`.
public struct CaseInspection: Sendable, Encodable {
    public struct ArrayReport: Sendable, Encodable {
        /// Canonical dtype (identity); `storedDType` is what the file holds.
        public let dtype: String
        public let shape: [Int]
        public let sha256: String?
        public let storedDType: String
        public let fortranOrder: Bool
        public let compression: String
        public let compressedBytes: Int
        public let inflatedBytes: Int
    }
    public struct ChannelReport: Sendable, Encodable {
        public let index: Int
        public let name: String
        public let voxels: Int
        public let volumeCC: Double
    }
    public struct PlanTypeReport: Sendable, Encodable {
        public let stored: String?
        public let implied: String?
        public var agree: Bool { stored != nil && stored == implied }
        private enum CodingKeys: String, CodingKey { case stored, implied, agree }
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stored, forKey: .stored)
            try container.encode(implied, forKey: .implied)
            try container.encode(agree, forKey: .agree)
        }
    }

    public let file: String
    public var caseId: String?
    public var caseIdSource: String?
    public var formatVersion: String?
    public var formatVersionInferred: Bool?
    public var scriptVersion: String?
    public var caseHash: String?
    public var metadataHash: String?
    public var spacingMM: [Double]?
    public var spacingSource: String?
    public var spacingGuessed: Bool?
    public var planType: PlanTypeReport?
    public var normalizationDoseGy: Double?
    public var channels: [ChannelReport]?
    /// Member keys in archive order (the JSON `arrays` object is keyed by name).
    public var arrayOrder: [String] = []
    public var arrays: [String: ArrayReport] = [:]
    public var error: String?

    private enum CodingKeys: String, CodingKey {
        case file, caseId, caseIdSource, formatVersion, formatVersionInferred, scriptVersion, caseHash, metadataHash
        case spacingMM, spacingSource, spacingGuessed, planType, normalizationDoseGy, channels, arrays, error
    }

    /// Opens and surveys the case; any failure becomes `error` (the caller decides the exit code).
    public static func inspect(path: String) -> CaseInspection {
        var report = CaseInspection(file: path)
        do {
            let doseCase = try DoseCase.open(path: path)
            let survey = try doseCase.survey()
            report.caseId = doseCase.caseId
            report.caseIdSource = doseCase.caseIdSource.rawValue
            report.formatVersion = doseCase.formatVersion.version.rawValue
            report.formatVersionInferred = doseCase.formatVersion.inferred
            report.scriptVersion = doseCase.formatVersion.scriptVersion
            report.caseHash = survey.identity.caseHash
            report.metadataHash = survey.identity.metadataSHA256
            report.spacingMM = doseCase.spacing.millimetres
            report.spacingSource = doseCase.spacing.source.rawValue
            report.spacingGuessed = doseCase.spacing.isGuessed
            report.planType = PlanTypeReport(stored: doseCase.storedPlanType,
                                             implied: survey.impliedPlanType(channels: doseCase.channels)?.rawValue)
            report.normalizationDoseGy = doseCase.prescription.normalizationDoseGy
            report.channels = zip(doseCase.channels.channels, survey.channelVoxelCounts).map { channel, voxels in
                ChannelReport(index: channel.index, name: channel.name, voxels: voxels,
                              volumeCC: Double(voxels) * doseCase.spacing.voxelVolumeCC)
            }
            report.arrayOrder = doseCase.arrayKeys
            for key in doseCase.arrayKeys {
                guard let stored = survey.stored[key] else { continue }
                let identity = survey.identity.arrays[key]
                report.arrays[key] = ArrayReport(
                    dtype: identity?.dtype ?? stored.storedDType, shape: stored.shape, sha256: identity?.sha256,
                    storedDType: stored.storedDType, fortranOrder: stored.fortranOrder, compression: stored.compression,
                    compressedBytes: stored.compressedBytes, inflatedBytes: stored.inflatedBytes)
            }
        } catch {
            report.error = "\(error)"
        }
        return report
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encodeIfPresent(error, forKey: .error)
        guard error == nil else { return }
        try container.encode(caseId, forKey: .caseId)
        try container.encode(caseIdSource, forKey: .caseIdSource)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(formatVersionInferred, forKey: .formatVersionInferred)
        try container.encode(scriptVersion, forKey: .scriptVersion)
        try container.encode(caseHash, forKey: .caseHash)
        try container.encode(metadataHash, forKey: .metadataHash)
        try container.encode(spacingMM, forKey: .spacingMM)
        try container.encode(spacingSource, forKey: .spacingSource)
        try container.encode(spacingGuessed, forKey: .spacingGuessed)
        try container.encode(planType, forKey: .planType)
        try container.encode(normalizationDoseGy, forKey: .normalizationDoseGy)
        try container.encode(channels, forKey: .channels)
        try container.encode(arrays, forKey: .arrays)
    }
}
