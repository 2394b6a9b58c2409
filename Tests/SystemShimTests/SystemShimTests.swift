import CArchive
import CBLAS
import CHDF5
import CXML2
import Foundation
import XCTest

/// One smoke test per system-library shim: it links, and the wrapped calls do real work.
final class SystemShimTests: XCTestCase {
    func testLibarchiveWritesAndReadsAZipInMemory() throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var used = 0
        let writer = try XCTUnwrap(archive_write_new())
        XCTAssertEqual(archive_write_set_format_zip(writer), dc_archive_ok())
        XCTAssertEqual(archive_write_open_memory(writer, &buffer, buffer.count, &used), dc_archive_ok())
        let entry = try XCTUnwrap(archive_entry_new())
        archive_entry_set_pathname(entry, "hello.txt")
        archive_entry_set_filetype(entry, dc_archive_regular_file_type())
        archive_entry_set_size(entry, 5)
        XCTAssertEqual(archive_write_header(writer, entry), dc_archive_ok())
        XCTAssertEqual(archive_write_data(writer, "hello", 5), 5)
        archive_entry_free(entry)
        XCTAssertEqual(archive_write_close(writer), dc_archive_ok())
        archive_write_free(writer)

        let reader = try XCTUnwrap(archive_read_new())
        defer { archive_read_free(reader) }
        archive_read_support_format_zip(reader)
        XCTAssertEqual(archive_read_open_memory(reader, buffer, used), dc_archive_ok())
        var header: OpaquePointer?
        XCTAssertEqual(archive_read_next_header(reader, &header), dc_archive_ok())
        XCTAssertEqual(String(cString: archive_entry_pathname(header)), "hello.txt")
        var text = [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(archive_read_data(reader, &text, 16), 5)
        XCTAssertEqual(String(decoding: text.prefix(5), as: UTF8.self), "hello")
    }

    func testHDF5WritesAndReadsAFloatDataset() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shim-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = H5Fcreate(path, dc_h5f_acc_trunc(), dc_h5p_default(), dc_h5p_default())
        XCTAssertGreaterThanOrEqual(file, 0)
        var dimensions: [hsize_t] = [2, 3]
        let space = H5Screate_simple(2, &dimensions, nil)
        let dataset = H5Dcreate2(file, "dose", dc_h5t_native_float(), space, dc_h5p_default(), dc_h5p_default(), dc_h5p_default())
        XCTAssertGreaterThanOrEqual(dataset, 0)
        let values: [Float] = [0, 0.5, 1, 1.5, 2, 70]
        XCTAssertGreaterThanOrEqual(H5Dwrite(dataset, dc_h5t_native_float(), dc_h5s_all(), dc_h5s_all(), dc_h5p_default(), values), 0)
        H5Dclose(dataset)
        H5Sclose(space)
        H5Fclose(file)

        let reopened = H5Fopen(path, dc_h5f_acc_rdonly(), dc_h5p_default())
        XCTAssertGreaterThanOrEqual(reopened, 0)
        let readBack = H5Dopen2(reopened, "dose", dc_h5p_default())
        var result = [Float](repeating: -1, count: 6)
        XCTAssertGreaterThanOrEqual(H5Dread(readBack, dc_h5t_native_float(), dc_h5s_all(), dc_h5s_all(), dc_h5p_default(), &result), 0)
        H5Dclose(readBack)
        H5Fclose(reopened)
        XCTAssertEqual(result, values)
    }

    func testLibxml2BuildsAndSerialisesADocument() throws {
        let document = try XCTUnwrap(xmlNewDoc("1.0"))
        defer { xmlFreeDoc(document) }
        let root = xmlNewNode(nil, "testsuite")
        xmlDocSetRootElement(document, root)
        xmlNewProp(root, "tests", "3")
        var bytes: UnsafeMutablePointer<xmlChar>?
        var length: Int32 = 0
        xmlDocDumpMemory(document, &bytes, &length)
        let text = String(cString: try XCTUnwrap(bytes))
        dc_xml_free(bytes)
        XCTAssertTrue(text.contains("<testsuite tests=\"3\"/>"), text)
    }

    func testOpenBLASMultipliesMatrices() {
        // [1 2; 3 4] × [5 6; 7 8] = [19 22; 43 50]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        dc_sgemm_row_major(0, 0, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
        dc_sgemm_row_major(1, 0, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [26, 30, 38, 44])
    }
}
