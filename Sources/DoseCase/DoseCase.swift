import NumpyFormat

/// One processed case: its metadata and the facts derived from it at open time, with arrays
/// loaded lazily, one at a time, as typed volumes.
public struct DoseCase: Sendable {
    /// How the case id was found (DESIGN.md, "Identity").
    public enum CaseIdSource: String, Sendable, Codable {
        case metadata = "metadata.case_id"
        case fileName = "file name"
    }

    public let file: String
    public let archive: NPZArchive
    /// The decoded metadata dict; nil when the case has no `metadata` member.
    public let metadata: MetadataValue?
    public let caseId: String
    public let caseIdSource: CaseIdSource
    public let formatVersion: FormatVersionEvidence
    public let spacing: VoxelSpacing
    public let channels: ChannelCatalog
    /// `metadata.case_type.type` as stored (compare with `CaseSurvey.impliedPlanType`).
    public let storedPlanType: String?
    public let prescription: Prescription
    /// The grid every volume must share, from the `ct` header (or `dose` when `ct` is absent).
    public let shape: VolumeShape?
    /// Each numeric member's shape as its header declares it, read before any data: a member is
    /// checked against the grid before its buffer is allocated, so a header cannot make the
    /// process allocate what the file does not hold.
    let declaredShapes: [String: [Int]]

    /// Opens a case: reads the ZIP directory, the `masks` / `ct` headers and the metadata (decoded
    /// by the restricted unpickler, never executed). No volume is inflated.
    public static func open(path: String, limits: PickleLimits = .default) throws -> DoseCase {
        let archive = try NPZArchive(path: path)
        let keys = Set(archive.keys)
        // One pass: the headers that size the case and the metadata pickle; no volume is inflated.
        let preview = try archive.preview()
        var metadata: MetadataValue?
        switch preview["metadata"] {
        case let .pickledObject(pickled)?:
            do {
                metadata = try PickleDecoder(limits: limits).metadataDictionary(fromPickle: pickled.pickle)
            } catch {
                throw DoseCaseError.unreadableMetadata(file: path, reason: .cause(error))
            }
        case let .array(header)?:
            throw DoseCaseError.unreadableMetadata(file: path, reason: "holds a numeric \(header.dtype.descr) array, not a pickled dict")
        case nil:
            break
        }
        let (caseId, caseIdSource) = identify(path: path, metadata: metadata)
        var channelCount = 0
        if case let .array(masks)? = preview["masks"] {
            // A header may declare any first axis with zero-sized others; refuse before a
            // catalog of a billion channels is built.
            channelCount = masks.shape.first ?? 0
            guard channelCount <= maximumChannels else {
                throw DoseCaseError.wrongShape(file: path, key: "masks", expected: "(C ≤ \(maximumChannels), Y, X, Z)",
                                               found: "\(masks.shape)")
            }
        }
        var grid: [Int]?
        for key in ["ct", "dose"] {
            if case let .array(header)? = preview[key] { grid = header.shape; break }
        }
        return DoseCase(
            file: path, archive: archive, metadata: metadata,
            caseId: caseId, caseIdSource: caseIdSource,
            formatVersion: FormatVersionEvidence.determine(metadata: metadata, arrayKeys: keys),
            spacing: VoxelSpacing.from(metadata: metadata),
            channels: ChannelCatalog.from(metadata: metadata, channelCount: channelCount),
            storedPlanType: PlanType.stored(in: metadata),
            prescription: Prescription.from(metadata: metadata),
            shape: grid.flatMap { $0.count == 3 ? VolumeShape(rows: $0[0], columns: $0[1], slices: $0[2]) : nil },
            declaredShapes: preview.compactMapValues { if case let .array(header) = $0 { header.shape } else { nil } })
    }

    public var arrayKeys: [String] { archive.keys }

    /// Far above the pipeline's 8 or 9 structure channels.
    public static let maximumChannels = 64

    /// A 3D float volume (`ct`, `dose`): float64 data is narrowed to float32, integer data widened.
    public func volume(_ key: String) throws -> Volume<Float> {
        try checkDeclaredGrid(key, spatialAxesFrom: 0)
        let array = try numericArray(key)
        guard array.shape.count == 3 else {
            throw DoseCaseError.wrongShape(file: file, key: key, expected: "(Y, X, Z)", found: "\(array.shape)")
        }
        let shape = VolumeShape(rows: array.shape[0], columns: array.shape[1], slices: array.shape[2])
        try checkGrid(shape, key: key)
        return Volume(uncheckedShape: shape, elements: try array.elements(as: Float.self, casting: .sameKind))
    }

    /// `masks` as 0/1 bytes. Bool and uint8 masks are read as they are; a mask stored in another
    /// numeric dtype (the audit's `format.dtypes` warning) is read as nonzero → 1, so a case the
    /// audit kept stays usable downstream.
    public func masks() throws -> ChannelStack<UInt8> {
        do {
            return try channelStack("masks", as: UInt8.self, casting: .safe)
        } catch NPYError.castNotAllowed {
            let values = try channelStack("masks", as: Double.self, casting: .sameKind)
            return ChannelStack(catalog: values.catalog, shape: values.shape, elements: values.elements.map { $0 != 0 ? 1 : 0 })
        }
    }

    /// `masks_sdf`: signed distance / 50 mm, negative inside.
    public func signedDistances() throws -> ChannelStack<Float> { try channelStack("masks_sdf", as: Float.self, casting: .sameKind) }

    /// The 13 plan constraints (spec, "constraints").
    public func constraints() throws -> [Float] {
        let array = try numericArray("constraints")
        return try array.elements(as: Float.self, casting: .sameKind)
    }

    private func numericArray(_ key: String) throws -> NPYArray {
        guard archive.keys.contains(key) else { throw DoseCaseError.missingArray(file: file, key: key, available: archive.keys) }
        return try archive.read(key)
    }

    private func channelStack<Element: NPYElement>(_ key: String, as type: Element.Type, casting: NPYCasting) throws -> ChannelStack<Element> {
        try checkDeclaredGrid(key, spatialAxesFrom: 1)
        let array = try numericArray(key)
        guard array.shape.count == 4, array.shape[0] == channels.count else {
            throw DoseCaseError.wrongShape(file: file, key: key, expected: "(\(channels.count), Y, X, Z)", found: "\(array.shape)")
        }
        let shape = VolumeShape(rows: array.shape[1], columns: array.shape[2], slices: array.shape[3])
        try checkGrid(shape, key: key)
        return ChannelStack(catalog: channels, shape: shape, elements: try array.elements(as: type, casting: casting))
    }

    /// Refuses a member whose declared grid is not the case's before anything is read.
    private func checkDeclaredGrid(_ key: String, spatialAxesFrom first: Int) throws {
        guard shape != nil, let declared = declaredShapes[key], declared.count == first + 3 else { return }
        try checkGrid(VolumeShape(rows: declared[first], columns: declared[first + 1], slices: declared[first + 2]), key: key)
    }

    private func checkGrid(_ found: VolumeShape, key: String) throws {
        if let shape, shape != found {
            throw DoseCaseError.wrongShape(file: file, key: key, expected: shape.description, found: found.description)
        }
    }

    /// The case id (DESIGN.md, "Identity"): `metadata.case_id` when present and non-empty, else
    /// the file name without `.npz` (for `ARCHIVE!member`, the member's).
    public static func identify(path: String, metadata: MetadataValue?) -> (caseId: String, source: CaseIdSource) {
        if let stored = metadata?["case_id"]?.asString, !stored.isEmpty { return (stored, .metadata) }
        return (fileStem(path), .fileName)
    }

    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasSuffix(".npz") ? String(name.dropLast(4)) : name
    }
}
