@testable import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The real MNIST and Fashion-MNIST files from ../shared/data.
///
/// Reference values from numpy, reading the same files:
///
///     x = np.frombuffer(gzip.open(f"{part}-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28)
///     y = np.frombuffer(gzip.open(f"{part}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
///     y[:10], int(x[0].astype(np.int64).sum()), int(x.astype(np.int64).sum()), x[0, 14, 14]
@Suite struct MNISTTests {
    static let mnist = TestSupport.sharedData + "/mnist"
    static let fashion = TestSupport.sharedData + "/fashion-mnist"

    /// MNIST from its .gz files, read once for the tests that compare against
    /// it: 55 million pixels take seconds to read and to check in a debug build.
    static let gzippedMNIST = Result { try DatasetSource(parsing: "mnist:\(mnist)").load() }

    /// The sum of the bytes the pixels came from (pixels are bytes / 255), in
    /// one pass over the buffer: a debug build's generic `reduce` takes seconds.
    static func byteSum(_ pixels: [Float]) -> Int {
        pixels.withUnsafeBufferPointer { buffer in
            var sum = 0
            for pixel in buffer { sum += Int((pixel * 255).rounded()) }
            return sum
        }
    }

    @Test func mnistReadsAsPublished() throws {
        let data = try Self.gzippedMNIST.get()
        #expect(data.name == "MNIST")
        #expect(data.classNames == (0...9).map(String.init))
        #expect(data.train.count == 60_000)
        #expect(data.train.imageShape == [28, 28, 1])
        #expect(data.train.classCount == 10)
        #expect(data.train.labels.prefix(10) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        #expect(data.train.labels.last == 8)
        #expect(data.train.classCounts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(Self.byteSum(Array(data.train.image(0))) == 27_525)
        #expect(Self.byteSum(data.train.pixels) == 1_567_298_545)
        // x[0, 14, 14] = 240 becomes 240 / 255 in float32, as Keras users scale it.
        #expect(data.train.image(0)[14 * 28 + 14] == Float(240) / 255)
        let range = data.train.pixels.withUnsafeBufferPointer { pixels in
            pixels.reduce((low: Float.infinity, high: -Float.infinity)) { (min($0.low, $1), max($0.high, $1)) }
        }
        #expect(range.low == 0 && range.high == 1)

        let test = try #require(data.test)
        #expect(test.count == 10_000)
        #expect(test.labels.prefix(10) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        #expect(test.classCounts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(Self.byteSum(Array(test.image(0))) == 18_454)
        #expect(Self.byteSum(test.pixels) == 264_923_200)
    }

    @Test func fashionMNISTReadsAsPublished() throws {
        let data = try DatasetSource(parsing: "fashion-mnist:\(Self.fashion)").load()
        #expect(data.name == "Fashion-MNIST")
        #expect(data.classNames?.first == "T-shirt/top" && data.classNames?.last == "Ankle boot")
        #expect(data.train.count == 60_000)
        #expect(data.train.labels.prefix(10) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(data.train.classCounts == [Int](repeating: 6000, count: 10))
        #expect(Self.byteSum(Array(data.train.image(0))) == 76_247)
        let test = try #require(data.test)
        #expect(test.labels.prefix(10) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(Self.byteSum(Array(test.image(0))) == 33_456)
    }

    /// Our gzip reader against the system's gzip, on the largest file.
    @Test func gunzipMatchesTheSystemTool() throws {
        let path = Self.mnist + "/train-images-idx3-ubyte.gz"
        let compressed = try #require(FileManager.default.contents(atPath: path))
        let ours = try Gzip.decompress([UInt8](compressed), path: path)
        #expect(ours.count == 47_040_016)
        #expect(ours == [UInt8](try TestSupport.gunzipWithSystemTool(path)))
    }

    /// Plain files (the originals, or the dotted names of other mirrors) read the same as .gz.
    @Test func plainAndGzippedFilesReadTheSame() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        for (index, name) in names.enumerated() {
            // Half under the original names, half under the dotted ones (train-labels.idx1-ubyte).
            let plainName = index % 2 == 0 ? name : name.replacingOccurrences(of: "-idx", with: ".idx")
            try TestSupport.gunzipWithSystemTool("\(Self.mnist)/\(name).gz").write(to: folder.appendingPathComponent(plainName))
        }
        let plain = try DatasetSource(parsing: "mnist:\(folder.path)").load()
        #expect(plain == (try Self.gzippedMNIST.get()))
    }

    /// A gzip'd file saved without its .gz (as browsers do) is still recognised by its bytes.
    @Test func gzipIsRecognisedByContentNotName() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try FileManager.default.copyItem(atPath: "\(Self.mnist)/\(name).gz", toPath: folder.appendingPathComponent(name).path)
        }
        let images = try IDXFolder(directory: folder.path).read(
            images: folder.appendingPathComponent("t10k-images-idx3-ubyte").path,
            labels: folder.appendingPathComponent("t10k-labels-idx1-ubyte").path)
        #expect(images.count == 10_000)
        #expect(images.labels.prefix(3) == [7, 2, 1])
    }

    /// Without the t10k pair the set has no test part; training alone is
    /// enough. (The training pair here is MNIST's 10,000 test images under
    /// the training names: a sixth of the reading.)
    @Test func testPartIsOptional() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for part in ["images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"] {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("train-" + part).path, withDestinationPath: "\(Self.mnist)/t10k-\(part)")
        }
        let data = try DatasetSource.mnist(directory: folder.path).load()
        #expect(data.train.count == 10_000)
        #expect(data.train.labels.prefix(3) == [7, 2, 1])
        #expect(data.test == nil)
    }
}
