import Support
import XCTest

/// Errors that wrap another keep it as a value (its code and message), found through the case's
/// `ErrorReason` without each error listing its wrapping cases.
final class CodedErrorTests: XCTestCase {
    private enum Inner: CodedError {
        case refused
        var code: String { "inner.refused" }
        var description: String { "refused by the inner layer" }
    }

    private enum Outer: CodedError, Equatable {
        case unreadable(file: String, reason: ErrorReason)
        case plain
        var code: String {
            switch self {
            case .unreadable: "outer.unreadable"
            case .plain: "outer.plain"
            }
        }
        var description: String {
            switch self {
            case let .unreadable(file, reason): "\(file): \(reason)"
            case .plain: "plain"
            }
        }
    }

    func testTheCauseIsTheWrappedErrorsCodeAndMessage() {
        let error = Outer.unreadable(file: "a.npz", reason: .cause(Inner.refused, "reading metadata"))
        XCTAssertEqual(error.cause?.code, "inner.refused")
        XCTAssertEqual(error.cause?.description, "refused by the inner layer")
        XCTAssertEqual(error.description, "a.npz: reading metadata: refused by the inner layer")
        XCTAssertEqual(Outer.unreadable(file: "a.npz", reason: .cause(Inner.refused)).description, "a.npz: refused by the inner layer")
    }

    func testATextReasonHasNoCause() {
        let error = Outer.unreadable(file: "a.npz", reason: "holds a numeric array, not a pickled dict")
        XCTAssertNil(error.cause)
        XCTAssertEqual(error.description, "a.npz: holds a numeric array, not a pickled dict")
        XCTAssertNil(Outer.plain.cause)
    }

    /// A cause without a code (a Foundation error) is named by its type; equal causes compare equal.
    func testCausesWithoutACodeAreNamedByTheirType() {
        struct Foreign: Error {}
        XCTAssertEqual(ErrorCause(Foreign()).code, "Foreign")
        XCTAssertEqual(Outer.unreadable(file: "x", reason: .cause(Inner.refused)), Outer.unreadable(file: "x", reason: .cause(Inner.refused)))
        XCTAssertNotEqual(Outer.unreadable(file: "x", reason: .cause(Inner.refused)), Outer.unreadable(file: "x", reason: "refused by the inner layer"))
    }
}
