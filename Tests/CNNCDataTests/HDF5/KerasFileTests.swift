import Foundation
import Testing

@testable import CNNCData

/// The files cnnc exists to read: Keras 3 weights and Keras 2 / tf.keras HDF5 files.
@Suite struct KerasFileTests {
    /// Checks every dataset of a Keras 3 weights file against the values numpy saved, and
    /// checks that the file holds no dataset the expectations do not know of.
    private func checkKeras3Weights(_ fileName: String) throws {
        let file = try Fixture.open(fileName)
        let expected = try Fixture.json("keras3_functional.expected.json")
        let datasets = try #require(expected["datasets"] as? [String: [String: Any]])
        #expect(datasets.count == 8)

        let found = allDatasets(in: file.root)
        #expect(Set(found.map(\.path)) == Set(datasets.keys))
        for (path, entry) in datasets {
            let dataset = try file.dataset(at: path)
            let shape = try #require(entry["shape"] as? [Int])
            let values = try #require(entry["values"] as? [Double])
            #expect(dataset.shape == shape, "\(path)")
            #expect(dataset.elementType == .float(bits: 32), "\(path)")
            // The JSON holds each float32 as the exact decimal of its double value.
            #expect(try dataset.floats() == values.map { Float($0) }, "\(path)")
        }

        let attributes = try #require(expected["attributes"] as? [String: [String: String]])
        for (groupPath, attributesOfGroup) in attributes {
            let group = try file.group(at: groupPath)
            for (name, value) in attributesOfGroup {
                #expect(try group.attribute(name).string == value, "\(groupPath) @\(name)")
                #expect(try group.attribute(name).shape == [], "h5py writes str attributes as scalars")
            }
        }
    }

    @Test func keras3SaveWeightsFileMatchesNumpy() throws {
        try checkKeras3Weights("keras3_functional.weights.h5")
    }

    @Test func keras3ArchiveWeightsFileMatchesNumpy() throws {
        // model.weights.h5 as taken out of the .keras zip archive.
        try checkKeras3Weights("keras3_functional.model.weights.h5")
    }

    @Test func keras3LayoutIsListedInStoredOrder() throws {
        let file = try Fixture.open("keras3_functional.weights.h5")
        #expect(file.superblockVersion == 0)
        #expect(file.root.path == "/")
        #expect(file.root.children.map(\.name) == ["layers", "vars"])
        let layers = try file.group(at: "layers")
        #expect(layers.children.map(\.name) == ["batch_normalization", "conv2d", "dense", "flatten", "input_layer"])
        #expect(layers.children.allSatisfy { $0.kind == .group })
        let batchNorm = try file.group(at: "/layers/batch_normalization/vars")
        #expect(batchNorm.path == "layers/batch_normalization/vars")
        #expect(batchNorm.children == (0..<4).map { HDF5Child(name: "\($0)", kind: .dataset) })
        #expect(try batchNorm.attribute("name").value == .strings(["batch_normalization"]))
        let kernel = try layers.dataset("conv2d/vars/0")
        #expect(kernel.path == "layers/conv2d/vars/0")
        #expect(kernel.name == "0")
        #expect(kernel.elementCount == 3 * 3 * 2 * 3)
        #expect(try file.group(at: "vars").attribute("name").string == "tiny_functional")
    }

    /// tf.keras `model.save("x.h5")`: attributes at the root, weights under model_weights,
    /// names as arrays of fixed-length byte strings.
    @Test func keras2WholeModelFile() throws {
        let file = try Fixture.open("keras2_model.h5")
        #expect(try file.root.attribute("keras_version").string == "2.15.0")
        #expect(try file.root.attribute("backend").string == "tensorflow")
        let config = try #require(try file.root.attribute("model_config").string)
        let parsed = try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any]
        #expect(parsed?["class_name"] as? String == "Sequential")
        try checkKeras2Weights(try file.group(at: "model_weights"))
    }

    /// tf.keras `model.save_weights("x.h5")`: the same weight layout at the root.
    @Test func keras2WeightsOnlyFile() throws {
        let file = try Fixture.open("keras2_weights_only.h5")
        try checkKeras2Weights(file.root)
    }

    private func checkKeras2Weights(_ weights: HDF5Group) throws {
        let expected = try #require(try Fixture.json("keras2.expected.json")["weights"] as? [String: [String: Any]])
        let layerNames = try weights.attribute("layer_names")
        #expect(layerNames.value == .strings(["input_1", "conv2d", "flatten", "dense"]))
        #expect(layerNames.shape == [4])

        var seen: Set<String> = []
        for layerName in layerNames.strings ?? [] {
            let layer = try weights.group(layerName)
            let weightNames = try layer.attribute("weight_names")
            if layerName == "input_1" || layerName == "flatten" {
                // Keras 2 writes np.array([]) for layers without weights: float64, shape (0,).
                #expect(weightNames.value == .floats([]))
                #expect(weightNames.shape == [0])
                continue
            }
            for weightName in weightNames.strings ?? [] {
                let entry = try #require(expected[weightName])
                let dataset = try layer.dataset(weightName)
                #expect(dataset.shape == entry["shape"] as? [Int])
                #expect(try dataset.floats() == (entry["values"] as? [Double] ?? []).map { Float($0) })
                seen.insert(weightName)
            }
        }
        #expect(seen == Set(expected.keys))
    }
}
