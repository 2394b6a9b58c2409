/// Whether a case id can name a file. Case ids come from `metadata.case_id`, which another
/// institution's pipeline wrote: a prediction is saved as `<caseId>_pred.npz` and gamma maps as
/// `<caseId>.npz`, so an id such as `../../x` would write outside the folder the user named.
public enum CaseIdName {
    /// Linux's limit on one path component.
    public static let maximumBytes = 255

    /// Why `caseId` is not a plain file name, or nil when it is one: not empty, not `.` or `..`,
    /// no `/` or `\`, no control characters (C0, DEL, C1), at most 255 UTF-8 bytes.
    public static func problem(with caseId: String) -> String? {
        if caseId.isEmpty { return "it is empty" }
        if caseId == "." || caseId == ".." { return "it is '\(caseId)', a folder reference" }
        if caseId.utf8.count > maximumBytes { return "it is \(caseId.utf8.count) bytes long, over \(maximumBytes)" }
        for scalar in caseId.unicodeScalars {
            if scalar == "/" || scalar == "\\" { return "it holds a path separator '\(scalar)'" }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                return "it holds the control character U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))"
            }
        }
        return nil
    }

    /// `caseId` quoted so a message shows it on one line, whatever it holds (JSON-style escapes),
    /// cut to its first 80 characters.
    public static func quoted(_ caseId: String) -> String {
        var text = ""
        for scalar in caseId.unicodeScalars.prefix(80) {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                text += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return "\"\(text)\"" + (caseId.unicodeScalars.count > 80 ? "…" : "")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
