@testable import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// The built-in digits: reproducible, balanced, in range, and written out as numpy reads it.
@Suite struct BuiltinDigitsTests {
    static let small = BuiltinDigits(seed: 3, trainCount: 500, testCount: 120)

    @Test func sameSeedSameImagesOtherSeedOtherImages() {
        let first = Self.small.generate()
        #expect(first == Self.small.generate())
        let other = BuiltinDigits(seed: 4, trainCount: 500, testCount: 120).generate()
        #expect(first.train.pixels != other.train.pixels)
        #expect(first.train.labels != other.train.labels)
        // The test part is drawn apart from the training part.
        #expect(first.test?.image(0) != first.train.image(0))
    }

    /// A fingerprint of seed 0's first images: a change to drawing shows here first,
    /// and the same numbers on another machine show the arithmetic is portable.
    @Test func firstImagesOfSeedZeroArePinned() {
        let digits = BuiltinDigits(seed: 0, trainCount: 20, testCount: 0).generate()
        #expect(digits.test == nil)
        let bytes = digits.train.pixels.map(PixelScaling.byte)
        #expect(digits.train.labels == [5, 0, 2, 9, 6, 4, 3, 2, 8, 6, 8, 3, 9, 0, 1, 7, 4, 1, 5, 7])
        #expect(bytes.reduce(0) { $0 &* 31 &+ Int($1) } == 92_947_755_747_609_008)
    }

    @Test func classesAreBalancedAndShuffled() {
        let data = Self.small.generate()
        #expect(data.train.classCounts == [Int](repeating: 50, count: 10))
        #expect(data.test?.classCounts == [12, 12, 12, 12, 12, 12, 12, 12, 12, 12])
        #expect(data.train.labels.prefix(10) != [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(data.classNames == (0...9).map(String.init))
        #expect(data.name == "built-in digits (seed 3)")
    }

    @Test func pixelsAreBytesOver255InTheUnitRange() {
        let data = Self.small.generate()
        #expect(data.train.imageShape == [28, 28, 1])
        #expect(data.train.pixels.allSatisfy { $0 >= 0 && $0 <= 1 && PixelScaling.table[Int(PixelScaling.byte($0))] == $0 })
        // Every image has ink: its brightest pixel stands above its median (paper) by
        // at least the least contrast drawn, ink 0.55 on paper 0.3, less noise.
        for index in 0..<data.train.count {
            let sorted = data.train.image(index).sorted()
            #expect(sorted[783] - sorted[392] > 0.2, "image \(index)")
        }
    }

    @Test func drawingADigitUsesOnlyItsGenerator() {
        var first = SplitMix64(seed: 9)
        var second = SplitMix64(seed: 9)
        #expect(BuiltinDigits.draw(digit: 8, using: &first) == BuiltinDigits.draw(digit: 8, using: &second))
        #expect(first.next() == second.next())
    }

    @Test func writtenNPZReadsBackTheSame() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("digits.npz").path
        try Self.small.writeNPZ(to: path)
        var back = try DatasetSource.npz(path: path).load()
        let original = Self.small.generate()
        back.name = original.name
        back.classNames = original.classNames
        #expect(back == original)
    }

    /// `CNNC_BUILTIN_NPZ=path swift test --filter writeSampleNPZ` writes the default
    /// set for looking at (Tools/data/render-builtin.sh turns it into a PNG).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CNNC_BUILTIN_NPZ"] != nil))
    func writeSampleNPZ() throws {
        let path = try #require(ProcessInfo.processInfo.environment["CNNC_BUILTIN_NPZ"])
        try BuiltinDigits().writeNPZ(to: path)
    }
}
