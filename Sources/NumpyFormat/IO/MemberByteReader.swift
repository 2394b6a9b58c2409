/// Where an `NPYMemberReader` gets a member's inflated bytes: `ZipMemberInflater` for a `.npz`
/// on disk, `ArchiveReader` for a `.npz` streamed out of a delivery archive.
protocol MemberByteReader: AnyObject {
    /// Fills `buffer` with the member's next bytes; returns how many were written, which is less
    /// than the buffer only at the member's end.
    func read(into buffer: UnsafeMutableRawBufferPointer, member: String) throws -> Int
    /// Confirms the member ends where its header says and that its CRC-32 matches.
    func finishMember(_ member: String) throws
}
