/// A file or member name as the bytes the file system or archive holds: names need not be UTF-8,
/// and one that is not must still be reported, not dropped or silently repaired.
public enum RawFileName {
    /// The name as text, or nil when its bytes are not UTF-8.
    public static func text(_ bytes: [UInt8]) -> String? { String(validating: bytes, as: UTF8.self) }

    /// The bytes with everything outside printable ASCII (and `\`) written `\xNN`, for messages.
    public static func escaped(_ bytes: [UInt8]) -> String {
        bytes.map { (0x20..<0x7F).contains($0) && $0 != 0x5C ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16, uppercase: true) }
            .joined()
    }
}
