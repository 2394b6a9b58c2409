import NumpyFormat

/// `metadata.phi`: no identifying data in the metadata or the case id. Findings name where the
/// data sits, never the data itself, so a report can be shared.
public struct MetadataPHICheck: CaseCheck {
    public static let id = "metadata.phi"
    /// Keys (lower-cased, without `_`, `-`, spaces) that hold identifying data by their name.
    public static let identifyingKeys: Set<String> = [
        "patientname", "patientsname", "patientid", "patientsid", "otherpatientids", "birthdate", "patientbirthdate",
        "patientsbirthdate", "dateofbirth", "dob", "mrn", "medicalrecordnumber", "ssn", "socialsecuritynumber",
        "patientaddress", "patientsaddress", "accessionnumber",
    ]
    /// An MRN-like run of digits in an id.
    public static let mrnDigitRun = 7

    public let definition = CheckDefinition(
        id: id, purpose: "no identifying data in metadata or the case id",
        severityRule: "error for a DICOM person name (DOE^JOHN) or keys such as patient_name, patient_id, birth_date; warning for runs of \(mrnDigitRun)+ digits in ids",
        measures: ["paths"], thresholds: ["mrnDigitRun": Double(mrnDigitRun)])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let digitRun = limits.wholeNumber("mrnDigitRun") ?? Self.mrnDigitRun
        var identifying: [String] = [], personNames: [String] = [], mrnLike: [String] = []
        if let metadata = facts.metadata {
            walk(metadata, path: "metadata", key: nil) { path, key, value in
                if let key, Self.identifyingKeys.contains(Self.normalised(key)) { identifying.append(path) }
                guard case let .string(text) = value else { return }
                if Self.isDICOMPersonName(text) { personNames.append(path) }
                if let key, Self.isIdKey(key), Self.longestDigitRun(text) >= digitRun { mrnLike.append(path) }
            }
        }
        let caseId = facts.caseId
        if Self.longestDigitRun(caseId) >= digitRun, !mrnLike.contains("metadata.case_id") { mrnLike.append("case id") }
        var findings: [AuditFinding] = []
        if !identifying.isEmpty || !personNames.isEmpty {
            var parts: [String] = []
            if !identifying.isEmpty { parts.append("identifying keys \(identifying.joined(separator: ", "))") }
            if !personNames.isEmpty { parts.append("DICOM person names (LAST^FIRST) at \(personNames.joined(separator: ", "))") }
            findings.append(finding(.error, "identifying data in metadata: " + parts.joined(separator: "; "),
                                    ["paths": .list((identifying + personNames).map(Measured.text))]))
        }
        if !mrnLike.isEmpty {
            findings.append(finding(.warning, "MRN-like run of \(digitRun)+ digits in \(mrnLike.joined(separator: ", "))",
                                    ["paths": .list(mrnLike.map(Measured.text))]))
        }
        return findings
    }

    private func walk(_ value: MetadataValue, path: String, key: String?,
                      _ visit: (_ path: String, _ key: String?, _ value: MetadataValue) -> Void) {
        visit(path, key, value)
        switch value {
        case let .dict(entries):
            for entry in entries {
                let name = CanonicalJSON.keyText(entry.key)
                walk(entry.value, path: "\(path).\(name)", key: name, visit)
            }
        case let .list(items), let .tuple(items), let .set(items):
            for (index, item) in items.enumerated() { walk(item, path: "\(path)[\(index)]", key: key, visit) }
        default:
            break
        }
    }

    static func normalised(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    static func isIdKey(_ key: String) -> Bool {
        // snake_case `case_id`, camelCase `caseId`/`studyID`; not words that merely end in "id" (`grid`).
        key.lowercased() == "id" || key.lowercased().hasSuffix("_id") || key.hasSuffix("Id") || key.hasSuffix("ID")
    }

    /// The longest DICOM PN value: three component groups of at most 64 characters, two `=`
    /// between them (4 bytes per character at most in UTF-8).
    static let longestPersonNameBytes = (3 * 64 + 2) * 4

    /// DICOM PN form: family name, `^`, given name (further `^` components allowed), letters only.
    /// Longer text is no person name: a 62 MB string is refused by its length, not split.
    static func isDICOMPersonName(_ text: String) -> Bool {
        guard text.utf8.count <= longestPersonNameBytes else { return false }
        let components = text.split(separator: "^", omittingEmptySubsequences: false)
        guard components.count >= 2, components.count <= 5, !components[0].isEmpty, !components[1].isEmpty else { return false }
        return components.allSatisfy { component in
            component.allSatisfy { $0.isLetter || $0 == " " || $0 == "-" || $0 == "'" || $0 == "." }
        }
    }

    /// Over the UTF-8 bytes: ASCII digits are single bytes, and no other character's bytes are.
    static func longestDigitRun(_ text: String) -> Int {
        var longest = 0, current = 0
        for byte in text.utf8 {
            current = (0x30...0x39).contains(byte) ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
