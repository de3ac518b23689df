import CNNCRuntime
import CNNCTraining
import Testing

@Suite struct ImageAugmenterTests {
    static func ramp(count: Int) throws -> LabeledImages {
        let size = 6 * 8
        return try LabeledImages(height: 6, width: 8, channels: 1,
                                 pixels: (0..<(count * size)).map { Float($0 % size) / Float(size) },
                                 labels: (0..<count).map { Int32($0 % 3) }, classCount: 3)
    }

    @Test func drawnParametersStayWithinKerasRanges() throws {
        var options = AugmentationOptions()
        options.rotationRange = 20
        options.widthShiftRange = 0.25
        options.heightShiftRange = 3
        options.shearRange = 10
        options.zoomRange = AugmentationOptions.zoomRange(0.2)
        options.horizontalFlip = true
        let augmenter = try ImageAugmenter(options)
        var generator = SplitMix64(seed: 9)
        var flips = 0
        for _ in 0..<500 {
            let p = augmenter.randomParameters(height: 6, width: 8, using: &generator)
            #expect(abs(p.theta) <= 20 && abs(p.shear) <= 10)
            #expect(abs(p.ty) <= 0.25 * 8)                        // a fraction of the width
            #expect([-2, -1, 0, 1, 2].contains(p.tx))             // Keras's int form: whole pixels below 3
            #expect((0.8...1.2).contains(p.zx) && (0.8...1.2).contains(p.zy))
            #expect(!p.flipVertical)
            flips += p.flipHorizontal ? 1 : 0
        }
        #expect((200...300).contains(flips))
    }

    @Test func augmentingIsSeededAndKeepsLabels() throws {
        var options = AugmentationOptions()
        options.rotationRange = 15
        options.fillMode = .constant(cval: 0)
        let augmenter = try ImageAugmenter(options)
        let batch = try Self.ramp(count: 4)
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1), c = SplitMix64(seed: 2)
        let first = augmenter.augment(batch, using: &a)
        #expect(first == augmenter.augment(batch, using: &b))
        #expect(first != augmenter.augment(batch, using: &c))
        #expect(first.labels == batch.labels && first.pixels != batch.pixels)
        #expect(try ImageAugmenter(AugmentationOptions()).augment(batch, using: &a) == batch)
    }

    @Test func invalidOptionsAreRefused() {
        var options = AugmentationOptions()
        options.rotationRange = -1
        #expect(throws: RuntimeError.self) { try ImageAugmenter(options) }
        options = AugmentationOptions()
        options.zoomRange = 0...1
        #expect(throws: RuntimeError.self) { try ImageAugmenter(options) }
        #expect(throws: RuntimeError.self) { try FillMode(keras: "mirror") }
    }

    @Test func subsetsCopyTheChosenImagesInOrder() throws {
        let images = try Self.ramp(count: 5)
        let subset = images.subset([4, 0, 4])
        #expect(subset.count == 3 && subset.labels == [1, 0, 1])
        #expect(Array(subset.image(1)) == Array(images.image(0)))
        #expect(images.classCounts == [2, 2, 1])
        #expect(throws: RuntimeError.self) {
            try LabeledImages(height: 2, width: 2, channels: 1, pixels: [0, 0, 0, 0], labels: [3], classCount: 3)
        }
    }
}
