import Support
import Foundation
import XCTest

/// Canonical JSON and record hashes against Python's `json` module (Fixtures/make_canonical_reference.py).
final class JSONValueTests: XCTestCase {
    struct Reference: Decodable {
        struct Document: Decodable { let input: String; let canonical: String; let sha256: String }
        let documents: [Document]
    }

    func testCanonicalTextAndHashEqualPythons() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/canonical_reference", withExtension: "json"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        XCTAssertEqual(reference.documents.count, 5)
        for document in reference.documents {
            let value = try JSONValue.parse(Array(document.input.utf8))
            XCTAssertEqual(value.canonicalText, document.canonical, document.input)
            XCTAssertEqual(value.canonicalSHA256, document.sha256, document.input)
            // Canonical text is a fixed point.
            XCTAssertEqual(try JSONValue.parse(value.canonicalUTF8), value)
        }
    }

    /// Records are stored pretty-printed and hashed over the canonical form: both texts of one
    /// value parse to the same value and so give the same hash.
    func testPrettyAndOneLineTextsHashTheSame() throws {
        let value = try JSONValue.parse(Array(#"{"b": [1, 2.5, {"z": null, "a": "\u00e9\n"}], "a": {}, "c": [], "d": true}"#.utf8))
        let pretty = String(decoding: value.prettyUTF8, as: UTF8.self)
        XCTAssertEqual(pretty, """
            {
              "a": {},
              "b": [
                1,
                2.5,
                {
                  "a": "é\\n",
                  "z": null
                }
              ],
              "c": [],
              "d": true
            }

            """)
        let reparsed = try JSONValue.parse(value.prettyUTF8)
        XCTAssertEqual(reparsed, value)
        XCTAssertEqual(reparsed.canonicalSHA256, value.canonicalSHA256)
        XCTAssertEqual(try JSONValue.parse(value.canonicalUTF8).canonicalSHA256, value.canonicalSHA256)
    }

    func testIntegersStayIntegersAndFractionsStayNumbers() throws {
        let value = try JSONValue.parse(Array(#"{"a": 35, "b": 35.0, "c": -7, "d": 1e2}"#.utf8))
        XCTAssertEqual(value["a"], .int(35))
        XCTAssertEqual(value["b"], .number(35))
        XCTAssertEqual(value["c"], .int(-7))
        XCTAssertEqual(value["d"], .number(100))
    }

    func testMalformedTextIsRefusedWithItsOffset() {
        let cases: [(String, String)] = [
            (#"{"a": 1, "a": 2}"#, "appears twice"), (#"{"a": 01}"#, "leading zero"), (#"[1, 2"#, "unterminated array"),
            (#"{"a": tru}"#, "expected true"), (#"{"a": "\x"}"#, "unknown escape"), (#"{} {}"#, "after the value"),
            (#"{"a": "\ud800"}"#, "lone high surrogate"), ("\"a\u{01}\"", "control character"),
            // A sign is not a hex digit (the fuzzer found `\u+04F` read as U+004F).
            (#"{"a": "\u+04F"}"#, "expected four hex digits"), (#"{"a": "\u-04F"}"#, "expected four hex digits"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try JSONValue.parse(Array(text.utf8)), text) { error in
                XCTAssertEqual((error as? JSONParseError)?.code, "support.invalid_json", "\(text): \(error)")
                guard let refusal = error as? JSONParseError else { return }
                // The reason is the wording a user reads: it says what was wrong.
                XCTAssertTrue(refusal.reason.contains(reason), "\(text): \(error)")
                XCTAssertTrue((0...text.utf8.count).contains(refusal.offset), "\(text): offset \(refusal.offset)")
                XCTAssertTrue("\(error)".contains("at byte \(refusal.offset)"), "\(text): the message gives the offset: \(error)")
            }
        }
    }

    func testDeepNestingIsRefusedNotACrash() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONValue.parse(Array(text.utf8))) {
            XCTAssertEqual(($0 as? JSONParseError)?.code, "support.invalid_json")
        }
    }

    func testCodableValuesRoundTripThroughTheTree() throws {
        struct Sample: Codable, Equatable { let name: String; let volumeCC: Double; let count: Int; let tags: [String] }
        let sample = Sample(name: "PTV70", volumeCC: 52.125, count: 3, tags: ["b", "a"])
        let tree = try JSONValue(encoding: sample)
        XCTAssertEqual(tree.canonicalText, #"{"count":3,"name":"PTV70","tags":["b","a"],"volumeCC":52.125}"#)
        XCTAssertEqual(try tree.decode(Sample.self), sample)
    }
}
