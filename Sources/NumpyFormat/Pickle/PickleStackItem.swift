/// What sits on the unpickler's stack and in its memo.
enum PickleStackItem: Sendable {
    /// A finished immutable value: None, bool, int, float, str, bytes, numpy scalar.
    case value(MetadataValue)
    /// A container or numpy object under construction, by index into `PickleObjectGraph`.
    case node(Int)
    /// An allowed global, never called — only interpreted by `PickleReconstruction`.
    case callable(PickleAllowedGlobal)
}
