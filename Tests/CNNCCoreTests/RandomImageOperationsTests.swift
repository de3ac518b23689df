import CNNCCore
import CNNCData
import CNNCRuntime
import Foundation
import Testing

/// Each image augmentation layer's training transform against Keras's own
/// `transform_images` for the same parameters
/// (Tools/keras-fixtures/make_random_image_fixtures.py: 2 images of 7x9x2 per
/// case, every fill mode and both interpolations), the layer read from the
/// arguments Keras wrote; and each gradient as the adjoint of its transform.
@Suite struct RandomImageOperationsTests {
    static let folder = "Tests/Fixtures/keras/random_image"
    static let cases: [String] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: RepositoryFiles.path("\(folder)/cases.json"))),
              let index = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return index.keys.sorted()
    }()
    static let (height, width, channels) = (7, 9, 2)

    /// The layer Keras's arguments describe, as cnnc reads it from a spec.
    static func transform(_ name: String) throws -> RandomImageTransform {
        let data = try Data(contentsOf: URL(fileURLWithPath: RepositoryFiles.path("\(folder)/cases.json")))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        let entry = try #require(index[name])
        let className = try #require(entry["class_name"] as? String)
        let arguments = String(decoding: try JSONSerialization.data(withJSONObject: entry["config"] ?? [:], options: [.sortedKeys]), as: UTF8.self)
        let model = try Frontend.load(text: "input_shape: [\(height), \(width), \(channels)]\nlayers:\n  - \(className): \(arguments)\n", file: "\(name).yaml").get()
        guard case .identityAtInference(.randomImage(let layer)) = model.layers[0].operation else {
            throw RuntimeError("\(name): not an augmentation layer")
        }
        return layer.transform
    }

    /// cnnc's transform of one image with Keras's parameters for it.
    static func apply(_ transform: RandomImageTransform, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, parameters p: [Float]) {
        let (h, w, c) = (height, width, channels)
        switch transform {
        case .flip(let horizontal, let vertical):
            if p[0] == 1 { RandomImageOperations.flip(x, y, height: h, width: w, channels: c, horizontal: horizontal, vertical: vertical) } else { y.update(from: x, count: h * w * c) }
        case .rotation(_, let sampling):
            affine(RandomImageOperations.rotation(degrees: p[0], height: h, width: w), sampling, x, y)
        case .zoom(_, _, let sampling):
            affine(RandomImageOperations.zoom(height: p[0], width: p[1], height: h, width: w), sampling, x, y)
        case .translation(_, _, let sampling):
            affine(RandomImageOperations.translation(dy: p[0], dx: p[1]), sampling, x, y)
        case .contrast(_, let values):
            RandomImageOperations.contrast(x, y, factor: p[0], height: h, width: w, channels: c, low: Float(values.lowerBound), high: Float(values.upperBound))
        case .brightness(_, let values):
            RandomImageOperations.brightness(x, y, delta: p[0], count: h * w * c, low: Float(values.lowerBound), high: Float(values.upperBound))
        }
    }

    static func fill(_ sampling: AffineSampling) -> RandomImageOperations.Fill {
        RandomImageOperations.Fill(sampling.fillMode, value: Float(sampling.fillValue))!
    }

    static func affine(_ t: [Float], _ sampling: AffineSampling, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        RandomImageOperations.affine(x, y, transform: t, height: height, width: width, channels: channels, bilinear: sampling.bilinear, fill: fill(sampling))
    }

    @Test func everyLayerAndFillModeIsCovered() {
        #expect(Self.cases.count == 13)
    }

    @Test(arguments: cases)
    func transformEqualsKeras(name: String) throws {
        let transform = try Self.transform(name)
        let arrays = Dictionary(uniqueKeysWithValues: try NPZTensors.read(path: RepositoryFiles.path("\(Self.folder)/\(name).npz")).map { ($0.name, $0.array) })
        let x = try #require(arrays["x"]), expected = try #require(arrays["y"]), parameters = try #require(arrays["parameters"])
        let size = Self.height * Self.width * Self.channels, perImage = parameters.values.count / 2
        var y = [Float](repeating: .nan, count: 2 * size)
        for image in 0..<2 {
            x.values.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    Self.apply(transform, x.baseAddress! + image * size, y.baseAddress! + image * size,
                               parameters: Array(parameters.values[(image * perImage)..<((image + 1) * perImage)]))
                }
            }
        }
        let worst = zip(y, expected.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 2e-6, "\(name): worst difference from Keras \(worst)")
    }

    /// ⟨T(x), g⟩ = ⟨x, Tᵀ(g)⟩ for the flips and the affine transforms, whose
    /// gradients are their adjoints (they are linear in the image).
    @Test(arguments: cases.filter { !$0.hasPrefix("contrast") && !$0.hasPrefix("brightness") })
    func gradientIsTheAdjoint(name: String) throws {
        let transform = try Self.transform(name)
        var generator = CNNCRuntime.SplitMix64(seed: 7)
        let size = Self.height * Self.width * Self.channels
        let x = (0..<size).map { _ in Float(generator.nextUnit() - 0.5) }, g = (0..<size).map { _ in Float(generator.nextUnit() - 0.5) }
        let parameters: [Float] = switch transform {
        case .flip: [1]
        case .rotation: [33]
        case .zoom: [0.7, 1.3]
        case .translation: [1.4, -2.6]
        default: []
        }
        var y = [Float](repeating: 0, count: size), back = g
        Self.apply(transform, x, &y, parameters: parameters)
        let (h, w, c) = (Self.height, Self.width, Self.channels)
        switch transform {
        case .flip(let horizontal, let vertical):
            RandomImageOperations.flipGradient(&back, height: h, width: w, channels: c, horizontal: horizontal, vertical: vertical)
        case .rotation(_, let sampling), .zoom(_, _, let sampling), .translation(_, _, let sampling):
            let t = switch transform {
            case .rotation: RandomImageOperations.rotation(degrees: parameters[0], height: h, width: w)
            case .zoom: RandomImageOperations.zoom(height: parameters[0], width: parameters[1], height: h, width: w)
            default: RandomImageOperations.translation(dy: parameters[0], dx: parameters[1])
            }
            if case .constant = Self.fill(sampling) {
                // The fill value is no function of the image: with it 0 the transform is linear.
                var zeroFilled = [Float](repeating: 0, count: size)
                RandomImageOperations.affine(x, &zeroFilled, transform: t, height: h, width: w, channels: c, bilinear: sampling.bilinear, fill: .constant(0))
                y = zeroFilled
            }
            RandomImageOperations.affineGradient(&back, transform: t, height: h, width: w, channels: c, bilinear: sampling.bilinear, fill: Self.fill(sampling))
        default:
            return
        }
        var forward: Double = 0, backward: Double = 0
        for index in 0..<size {
            forward += Double(y[index]) * Double(g[index])
            backward += Double(x[index]) * Double(back[index])
        }
        let allowed: Double = 1e-5 * Swift.max(1, Swift.abs(forward))
        #expect(Swift.abs(forward - backward) <= allowed, "\(name): ⟨T x, g⟩ = \(forward), ⟨x, Tᵀ g⟩ = \(backward)")
    }
}
