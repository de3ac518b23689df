@testable import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// .npz files written by numpy (Tools/data/make_npz_fixtures.py), read back.
@Suite struct NPZTests {
    static func load(_ name: String) throws(DataError) -> Dataset {
        try DatasetSource(parsing: "npz:\(TestSupport.fixture(name))").load()
    }

    static func message(_ name: String) -> String {
        TestSupport.message { _ = try load(name) }.replacingOccurrences(of: TestSupport.fixture("x").dropLast(1), with: "")
    }

    /// The fixtures' formulas: bytes (7 i mod 256), floats Float(i / 7 − 1).
    static func sevens(_ count: Int) -> [Float] { (0..<count).map { Float((7 * $0) % 256) / 255 } }
    static func sevenths(_ count: Int) -> [Float] { (0..<count).map { Float(Double($0) / 7 - 1) } }

    /// The zip reader checks every file against its CRC-32 (CRCChecksum's, eight
    /// bytes a step, against the check values of the CRC catalogue and zlib's),
    /// so one flipped byte in a stored file is an error, not a wrong number.
    @Test func zipFilesAreCheckedAgainstTheirCRC() throws {
        #expect(CRCChecksum.checksum(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
        let text = Array("123456789".utf8)
        #expect(text.withUnsafeBytes { CRCChecksum.checksum($0) } == 0xCBF4_3926)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = long.withUnsafeBytes { CRCChecksum.checksum($0) }
        let split = long.withUnsafeBytes { CRCChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[13...]), continuing: CRCChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[..<13]))) }
        #expect(whole == split && whole == 0x8902_161E)  // zlib.crc32 of the same bytes

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.zip").path
        try ZipFile.write([("data.bin", long)], deflated: false, to: path)
        #expect(try ZipFile(path: path, kind: "a zip", writer: "zip").bytes(of: "data.bin", place: "a.zip") == long)
        var damaged = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let at = try #require((0..<(damaged.count - 4)).first { Array(damaged[$0..<($0 + 4)]) == Array(long[500..<504]) })
        damaged[at] ^= 0x40
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        #expect(TestSupport.message { _ = try ZipFile(path: path, kind: "a zip", writer: "zip").bytes(of: "data.bin", place: "a.zip") }
            == "a.zip: the data does not match its CRC-32; the file is damaged")
    }

    /// A deflated file is unpacked only up to the length its reader allows
    /// (a `.keras` file's config.json 64 MB): a 294 KB archive of spaces had
    /// taken 1.46 GB. The cap stops the unpacking, whatever the header says.
    @Test func unpackingStopsAtTheLongestAFileMayBe() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bomb.zip").path
        let spaces = [UInt8](repeating: 0x20, count: 100_000)
        try ZipFile.write([("config.json", spaces)], deflated: true, to: path)
        let zip = try ZipFile(path: path, kind: "a zip", writer: "zip")
        #expect(try zip.bytes(of: "config.json", place: "bomb.zip", longest: 100_000) == spaces)
        #expect(TestSupport.message { _ = try zip.bytes(of: "config.json", place: "bomb.zip", longest: 4096) }
            == "bomb.zip: unpacks to more than 4096 bytes, far more than such a file holds; the archive is damaged or not what it says")
    }

    @Test func uint8ImagesAreScaledAndLabelsKept() throws {
        let data = try Self.load("uint8.npz")
        #expect(data.name == "uint8.npz")
        #expect(data.classNames == nil)
        #expect(data.train.imageShape == [5, 4, 1])
        #expect(data.train.pixels == Self.sevens(6 * 5 * 4))
        #expect(data.train.labels == [0, 1, 2, 3, 4, 2])
        let test = try #require(data.test)
        #expect(test.pixels == Self.sevens(3 * 5 * 4))
        #expect(test.labels == [4, 0, 1])
        // int64 test labels and uint8 training labels; classes are the largest label + 1.
        #expect(data.train.classCount == 5 && test.classCount == 5)
    }

    @Test func float32ImagesAndOneHotLabelsFromACompressedArchive() throws {
        let data = try Self.load("float32_onehot.npz")
        #expect(data.train.imageShape == [3, 3, 2])
        #expect(data.train.pixels == Self.sevenths(4 * 3 * 3 * 2))
        #expect(data.train.labels == [2, 0, 1, 2])
        #expect(data.train.classCount == 3)
        #expect(data.test?.labels == [1, 1])
        #expect(data.test?.classCount == 3)
    }

    /// Rows that are not one-hot (label smoothing) are kept as the targets,
    /// each row's largest column its label; one-hot rows need no copy.
    @Test func smoothedLabelRowsAreKeptAsTargets() throws {
        let data = try Self.load("smoothed_rows.npz")
        #expect(data.train.labels == [2, 0])
        #expect(data.train.targets == [0.1, 0.1, 0.8, 0.8, 0.1, 0.1].map { Float($0) })
        #expect(data.test?.targets == nil && data.test?.labels == [1])
        let pooled = try data.train.appending(try #require(data.test))
        #expect(pooled.targets?.suffix(3) == [0, 1, 0])
        #expect(try Self.load("float32_onehot.npz").train.targets == nil)
        #expect(Self.message("negative_row.npz")
            == "negative_row.npz: row 1 of the label rows 'y_train' holds -0.2 in column 1; label rows are one-hot or class probabilities, finite and at least 0")
    }

    @Test func float64XAndYAreATrainingSetOnly() throws {
        let data = try Self.load("float64_xy.npz")
        #expect(data.train.imageShape == [4, 4, 1])
        #expect(data.train.pixels == Self.sevenths(5 * 16))
        #expect(data.train.labels == [1, 0, 1, 1, 0])
        #expect(data.test == nil)
    }

    @Test func missingArrayListsTheArraysThereAre() {
        #expect(Self.message("missing_labels.npz")
            == "missing_labels.npz: there is no array 'y_train'; the archive has only x_train, labels (save x_train, y_train and optionally x_test, y_test, or x and y)")
        #expect(Self.message("missing_test_labels.npz").hasPrefix("missing_test_labels.npz: there is no array 'y_test'; the archive has only x_train, y_train, x_test"))
    }

    @Test func unsupportedDTypes() {
        #expect(Self.message("int64_images.npz")
            == "int64_images.npz: array 'x_train' has dtype <i8; images must be uint8 (scaled by 1/255), float32 or float64")
        #expect(Self.message("complex_images.npz")
            == "complex_images.npz (array 'x_train'): the array's dtype <c8 is not supported; cnnc reads bool, integers, float32 and float64 here")
    }

    @Test func fortranOrderAndBigEndianAreRefusedWithTheFix() {
        #expect(Self.message("fortran_order.npz")
            == "fortran_order.npz (array 'x_train'): the array is in Fortran order; save it with numpy.ascontiguousarray first")
        #expect(Self.message("big_endian.npz")
            == "big_endian.npz (array 'x_train'): the array is big-endian (dtype >f4); save it little-endian with array.astype('<f4')")
    }

    @Test func labelsOutOfRange() {
        #expect(Self.message("negative_label.npz")
            == "negative_label.npz (array 'y_train'): label -1 of item 1 is out of range: labels must be 0 to 1")
        #expect(Self.message("fractional_label.npz")
            == "fractional_label.npz: array 'y_train' holds 1.5 at item 1; class indices must be whole numbers")
        #expect(Self.message("empty_one_hot_row.npz")
            == "empty_one_hot_row.npz: row 1 of the one-hot array 'y_train' has no positive entry; each row needs a 1 in its class's column")
        #expect(Self.message("one_hot_width_mismatch.npz")
            == "one_hot_width_mismatch.npz: the one-hot labels have 2 and 3 columns; training and test labels must have the same classes")
    }

    @Test func shapesThatAreNotImagesOrDoNotPair() {
        #expect(Self.message("count_mismatch.npz")
            == "count_mismatch.npz (array 'x_train') has 4 images but count_mismatch.npz (array 'y_train') has 3 labels; they must pair up one to one")
        // A vector per sample (tabular data) is a row of one channel, which a model of 9 inputs takes.
        #expect((try? Self.load("flat_images.npz"))?.train.imageShape == [1, 9, 1])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("npz-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scalars = folder.appendingPathComponent("scalars.npz").path
        try? NPZTensors.write([("x_train", NPYFile(shape: [4], values: [1, 2, 3, 4])), ("y_train", NPYFile(shape: [4], values: [0, 1, 0, 1]))], to: scalars)
        #expect(TestSupport.message { _ = try DatasetSource(parsing: "npz:\(scalars)").load() }
            == "\(scalars): array 'x_train' has shape (4,); samples must be (N, features), images (N, height, width) or (N, height, width, channels)")
        #expect(Self.message("test_size_mismatch.npz")
            == "test_size_mismatch.npz: the test images are 4x4x1 but the training images are 3x3x1; they must be the same size")
        #expect(Self.message("nan_pixel.npz") == "nan_pixel.npz: array 'x_train' holds nan at element 1; images must be finite numbers")
    }

    @Test func filesThatAreNotArchives() {
        #expect(Self.message("not_a_zip.npz") == "not_a_zip.npz: not an .npz file (it is not a zip archive; numpy.savez writes one)")
        #expect(Self.message("absent.npz") == "absent.npz: no such file")
    }

    /// A data set written by cnnc reads back exactly (pixels are multiples of 1/255).
    @Test func writeThenReadRoundTrip() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Self.load("uint8.npz")
        let path = folder.appendingPathComponent("copy.npz").path
        try original.writeNPZ(to: path)
        var copy = try DatasetSource.npz(path: path).load()
        copy.name = original.name
        #expect(copy == original)
    }
}
