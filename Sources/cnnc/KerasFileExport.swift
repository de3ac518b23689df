import CNNCCore
import CNNCData
import CNNCRuntime
import Foundation

/// `cnnc export`'s `.keras` file: the model's Keras JSON as `config.json` and
/// its weights in Keras 3's layout, placed as Keras's loader looks for them.
enum KerasFileExport {
    static func write(_ model: CheckedModel, weights: SafeTensors, to path: String) throws {
        let layers = kerasLayers(of: model, weights: weights)
        let bytes: [UInt8]
        do {
            bytes = try KerasWeightsFile.bytes(modelName: model.name, kind: model.kind == .functional ? .functional : .sequential, layers: layers)
        } catch {
            throw RuntimeError("cannot lay out the weights for \(path): \(error.message)")
        }
        do {
            try KerasArchiveWriter.write(config: KerasModelJSON.archiveConfigText(for: model), weights: bytes, to: path)
        } catch {
            throw RuntimeError(error.message)
        }
    }

    /// `model.layers` as Keras lists them (a Functional model's InputLayers
    /// among them, in its config's order), each with its weights in Keras's order.
    static func kerasLayers(of model: CheckedModel, weights: SafeTensors) -> [KerasWeightsFile.Layer] {
        var byLayer: [String: [HDF5Array]] = [:]
        let classes = Dictionary(model.layers.map { ($0.name, $0.className) }, uniquingKeysWith: { first, _ in first })
        for layer in KerasWeights.layers(of: model.weightTensors.map { ($0.name, $0.shape) }) {
            byLayer[layer.name] = layer.weights.compactMap { weight in
                weights.tensors["\(layer.name).\(weight.name)"].map { tensor in
                    // Normalization's count is an int in Keras (int32 under JAX, as Keras 3 saves it).
                    classes[layer.name] == "Normalization" && weight.name == "count"
                        ? HDF5Array.int32(shape: tensor.shape, tensor.values.map { Int32(exactly: $0.rounded()) ?? 0 })
                        : HDF5Array.float32(shape: tensor.shape, tensor.values)
                }
            }
        }
        let rows = model.exportedRows
        return rows.map { row in
            switch row {
            case .input(let index):
                return KerasWeightsFile.Layer(className: "InputLayer", name: model.inputs[index].name, weights: [])
            case .layer(let index):
                let layer = model.layers[index]
                return KerasWeightsFile.Layer(className: layer.className, name: layer.name, weights: byLayer[layer.name] ?? [])
            }
        }
    }
}
