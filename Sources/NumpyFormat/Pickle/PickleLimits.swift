/// Bounds the decoder enforces before it allocates or recurses, so a hostile or corrupt
/// metadata member costs at most these amounts (spec "metadata": reading must be safe).
///
/// Real metadata is a few kilobytes, nests about 6 levels deep and holds a few hundred
/// values; the defaults leave two to three orders of magnitude of headroom above that.
public struct PickleLimits: Sendable, Hashable {
    /// Largest single `str`, `bytes` or `bytearray` payload, in bytes.
    public var maxItemBytes: Int
    /// Deepest nesting of containers (lists, tuples, dicts, sets, object arrays) and of
    /// open MARKs. Materialising the value tree recurses this deep, so keep it in the
    /// hundreds: each level costs a few hundred bytes of stack.
    public var maxDepth: Int
    /// Most values in the decoded tree, counting a value once for every place it appears.
    /// This is what stops a "billion laughs" pickle, where memo references make a small
    /// input expand into an exponentially large tree.
    public var maxTotalItems: Int
    /// Longest LONG1/LONG4 integer payload, in bytes. Turning a huge integer into decimal
    /// text is quadratic; CPython caps int→str at 4300 digits for the same reason, and
    /// 2048 bytes (about 4900 digits) is above that.
    public var maxIntegerBytes: Int

    public init(
        maxItemBytes: Int = 64 * 1024 * 1024,
        maxDepth: Int = 200,
        maxTotalItems: Int = 1_000_000,
        maxIntegerBytes: Int = 2048
    ) {
        self.maxItemBytes = maxItemBytes
        self.maxDepth = maxDepth
        self.maxTotalItems = maxTotalItems
        self.maxIntegerBytes = maxIntegerBytes
    }

    public static let `default` = PickleLimits()
}
