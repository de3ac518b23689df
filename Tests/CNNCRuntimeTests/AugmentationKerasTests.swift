import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// ImageTransform against Keras's own `ImageDataGenerator.apply_transform`
/// (fixtures by Tools/keras-fixtures/make_augmentation_fixtures.py).
@Suite struct AugmentationKerasTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var fill_mode: String
        var cval: Double
        var theta, tx, ty, shear, zx, zy: Double
        var flip_horizontal, flip_vertical: Bool
        var testDescription: String { name }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keras/augmentation").path

    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: "\(folder)/cases.json") else { return [] }
        return (try? JSONDecoder().decode([Case].self, from: data)) ?? []
    }()

    @Test func everyParameterSetAndFillModeHasAFixture() {
        #expect(Self.cases.count == 53)
        #expect(Set(Self.cases.map(\.fill_mode)) == ["nearest", "constant", "reflect", "wrap"])
    }

    @Test(arguments: cases) func transformMatchesKeras(_ fixture: Case) throws {
        let input = try NPYFile.read(path: "\(Self.folder)/input.npy")
        let expected = try NPYFile.read(path: "\(Self.folder)/\(fixture.name).npy")
        #expect(input.shape == [7, 9, 2] && expected.shape == [7, 9, 2])
        let parameters = ImageTransformParameters(
            theta: fixture.theta, tx: fixture.tx, ty: fixture.ty, shear: fixture.shear, zx: fixture.zx, zy: fixture.zy,
            flipHorizontal: fixture.flip_horizontal, flipVertical: fixture.flip_vertical)
        let fillMode = try FillMode(keras: fixture.fill_mode, cval: fixture.cval)
        let output = ImageTransform.apply(parameters, to: input.values, height: 7, width: 9, channels: 2, fillMode: fillMode)
        let worst = zip(output, expected.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "largest difference from Keras \(worst)")
    }

    @Test func identityAndFlipsCopyPixelsExactly() throws {
        let input = try NPYFile.read(path: "\(Self.folder)/input.npy")
        let flipped = try NPYFile.read(path: "\(Self.folder)/flip_horizontal_nearest.npy")
        let output = ImageTransform.apply(ImageTransformParameters(flipHorizontal: true), to: input.values,
                                          height: 7, width: 9, channels: 2, fillMode: .nearest)
        #expect(output == flipped.values)
        #expect(ImageTransform.apply(ImageTransformParameters(), to: input.values, height: 7, width: 9, channels: 2,
                                     fillMode: .reflect) == input.values)
    }
}
