@testable import CNNCData
import Foundation
import Testing

/// Every way an MNIST folder can be wrong gives a message naming the file and the fix.
@Suite struct IDXErrorTests {
    /// An IDX images file: `count` images of `rows` x `columns`, pixel values 0, 1, 2, ...
    static func images(count: Int, rows: Int = 2, columns: Int = 2) -> [UInt8] {
        [0, 0, 8, 3] + [count, rows, columns].flatMap(bigEndian) + (0..<(count * rows * columns)).map { UInt8($0 % 256) }
    }

    static func labels(_ values: [UInt8]) -> [UInt8] {
        [0, 0, 8, 1] + bigEndian(values.count) + values
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
    }

    /// A folder holding `files` (name → bytes); the message of loading it as MNIST.
    static func loadMessage(_ files: [String: [UInt8]]) throws -> String {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        return TestSupport.message { _ = try DatasetSource.mnist(directory: folder.path).load() }
            .replacingOccurrences(of: folder.path, with: "DIR")
    }

    static let trainImages = "train-images-idx3-ubyte"
    static let trainLabels = "train-labels-idx1-ubyte"

    @Test func aWellFormedTinyFolderLoads() throws {
        let message = try Self.loadMessage([Self.trainImages: Self.images(count: 3), Self.trainLabels: Self.labels([0, 9, 3])])
        #expect(message == "(no error)")
    }

    @Test func missingDirectory() {
        let message = TestSupport.message { _ = try DatasetSource(parsing: "mnist:/no/such/folder").load() }
        #expect(message == "/no/such/folder: no such directory")
        let file = TestSupport.repository.appendingPathComponent("Package.swift").path
        #expect(TestSupport.message { _ = try DatasetSource.mnist(directory: file).load() }
            == "\(file): is a file; give the directory that holds the IDX files")
    }

    @Test func missingFilesSayWhatIsThereAndWhatIsExpected() throws {
        let message = try Self.loadMessage([Self.trainImages: Self.images(count: 3), "notes.txt": []])
        #expect(message == "DIR: missing train-labels-idx1-ubyte (plain or .gz); it has notes.txt, train-images-idx3-ubyte")
        let empty = try Self.loadMessage([:])
        #expect(empty == "DIR: missing train-images-idx3-ubyte and train-labels-idx1-ubyte (plain or .gz); it is empty")
    }

    @Test func halfATestPairIsMissingAFile() throws {
        let message = try Self.loadMessage([
            Self.trainImages: Self.images(count: 3), Self.trainLabels: Self.labels([0, 1, 2]),
            "t10k-images-idx3-ubyte": Self.images(count: 1),
        ])
        #expect(message.hasPrefix("DIR: missing t10k-labels-idx1-ubyte (plain or .gz); it has t10k-images-idx3-ubyte, "))
    }

    @Test func wrongMagic() throws {
        // The two files swapped: labels where the images belong.
        let message = try Self.loadMessage([Self.trainImages: Self.labels([0, 1]), Self.trainLabels: Self.images(count: 2)])
        #expect(message == "DIR/train-images-idx3-ubyte: not an IDX images file: it starts with 0x00000801, an IDX images file with 0x00000803")
    }

    @Test func truncatedFileSaysExpectedAndActualBytes() throws {
        let message = try Self.loadMessage([Self.trainImages: Array(Self.images(count: 3).dropLast(5)), Self.trainLabels: Self.labels([0, 1, 2])])
        #expect(message == "DIR/train-images-idx3-ubyte: the file is truncated: a header and 3x2x2 bytes needs 28 bytes, the file has 23")
        let headerOnly = try Self.loadMessage([Self.trainImages: Array(Self.images(count: 3).prefix(10)), Self.trainLabels: Self.labels([0])])
        #expect(headerOnly == "DIR/train-images-idx3-ubyte: the file is truncated: the header of an IDX images file needs 16 bytes, the file has 10")
    }

    @Test func extraBytesAreNotIgnored() throws {
        let message = try Self.loadMessage([Self.trainImages: Self.images(count: 1), Self.trainLabels: Self.labels([0]) + [7, 7]])
        #expect(message == "DIR/train-labels-idx1-ubyte: the file has 11 bytes, 2 more than the header's 1 bytes describe")
    }

    @Test func imageAndLabelCountsMustMatch() throws {
        let message = try Self.loadMessage([Self.trainImages: Self.images(count: 3), Self.trainLabels: Self.labels([0, 1])])
        #expect(message == "DIR/train-images-idx3-ubyte has 3 images but DIR/train-labels-idx1-ubyte has 2 labels; they must pair up one to one")
    }

    @Test func labelsOutOfRange() throws {
        let message = try Self.loadMessage([Self.trainImages: Self.images(count: 3), Self.trainLabels: Self.labels([0, 10, 1])])
        #expect(message == "DIR/train-labels-idx1-ubyte: label 10 of item 1 is out of range: labels must be 0 to 9")
    }

    /// Real gzip'd labels, cut short and damaged.
    @Test func badGzipStreams() throws {
        let real = [UInt8](try #require(FileManager.default.contents(atPath: TestSupport.sharedData + "/mnist/t10k-labels-idx1-ubyte.gz")))
        let gz = Self.trainLabels + ".gz"
        let cut = try Self.loadMessage([Self.trainImages: Self.images(count: 3), gz: Array(real.prefix(2000))])
        #expect(cut.hasPrefix("DIR/train-labels-idx1-ubyte.gz: bad gzip stream: "))
        #expect(cut.hasSuffix("; the file may be damaged or incompletely downloaded"))
        var damaged = real
        for index in stride(from: 1000, to: 1100, by: 7) { damaged[index] ^= 0x5A }
        let corrupt = try Self.loadMessage([Self.trainImages: Self.images(count: 3), gz: damaged])
        #expect(corrupt.hasPrefix("DIR/train-labels-idx1-ubyte.gz: bad gzip stream: "))
        let header = try Self.loadMessage([Self.trainImages: Self.images(count: 3), gz: [0x1F, 0x8B, 7, 0, 0, 0, 0, 0, 0, 3, 1, 2]])
        #expect(header == "DIR/train-labels-idx1-ubyte.gz: bad gzip stream: compression method 7 is not deflate; the file may be damaged or incompletely downloaded")
    }

    /// The exact reasons Gzip gives, on streams cut at every length of a small real file.
    @Test func gzipNeverAcceptsAShortenedStream() throws {
        let real = [UInt8](try #require(FileManager.default.contents(atPath: TestSupport.sharedData + "/mnist/t10k-labels-idx1-ubyte.gz")))
        #expect(try Gzip.decompress(real, path: "x").count == 10_008)
        for length in stride(from: 0, to: real.count, by: 97) {
            let message = TestSupport.message { _ = try Gzip.decompress(Array(real.prefix(length)), path: "x") }
            #expect(message.hasPrefix("x: bad gzip stream: "), "\(length): \(message)")
        }
        let damaged = real.enumerated().map { $0.offset == real.count - 3 ? $0.element ^ 1 : $0.element }
        #expect(TestSupport.message { _ = try Gzip.decompress(damaged, path: "x") }
            == "x: bad gzip stream: the data does not match its checksum (CRC-32 or length); the file may be damaged or incompletely downloaded")
    }
}
