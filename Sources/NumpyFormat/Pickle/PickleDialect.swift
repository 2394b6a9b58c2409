/// Which numpy's pickle to imitate when writing metadata (spec "metadata", measured):
/// numpy 2.x writes protocol 4 and names `numpy._core.multiarray`; numpy 1.x writes
/// protocol 3 and names `numpy.core.multiarray`. numpy 2 can read both spellings; numpy 1
/// cannot import `numpy._core`, so `.numpy1` is the choice for files old tools must read.
public enum PickleDialect: Sendable, Hashable, CaseIterable {
    case numpy2
    case numpy1

    var protocolVersion: UInt8 {
        switch self {
        case .numpy2: return 4
        case .numpy1: return 3
        }
    }

    var multiarrayModule: String {
        switch self {
        case .numpy2: return "numpy._core.multiarray"
        case .numpy1: return "numpy.core.multiarray"
        }
    }
}
