import Foundation
import Lineage
import SharedCohort
import XCTest

/// The commit a plain `swift build` embeds (EmbedBuildCommit plugin) is the checkout's HEAD.
final class BuildCommitTests: XCTestCase {
    func testTheEmbeddedCommitIsTheCheckoutsHead() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let head = try TestProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["git", "-C", repository.path, "rev-parse", "HEAD"])
        guard head.status == 0 else {
            XCTAssertNil(ToolBuild.commit, "outside a git checkout the commit is nil")
            return
        }
        XCTAssertEqual(ToolBuild.commit, head.output.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(ToolBuild.commit?.count, 40)
    }
}
