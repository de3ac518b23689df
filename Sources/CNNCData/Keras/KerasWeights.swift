/// The weights in a Keras HDF5 file, under cnnc's tensor names
/// (`<layer>.<weight>`, as `CheckedModel.weightTensors` and safetensors name
/// them). Three layouts are read, recognised by what the file holds:
///
/// - Keras 3 (`model.weights.h5` in a `.keras`, `save_weights("w.weights.h5")`):
///   `layers/<path>/vars/0, 1, …`, where `<path>` is Keras's own name for the
///   layer's place (`conv2d_1`), not the layer's name, which the `vars`
///   group's `name` attribute gives. The numbers follow `layer.weights`.
/// - Keras 2 whole model (`model.save("m.h5")`): the root's `model_config`,
///   and `model_weights/` holding a group per layer whose `weight_names`
///   attribute lists its datasets (`res_bn1/gamma:0`).
/// - Keras 2 weights only (`save_weights("w.h5")`): the same groups at the root.
///
/// Every weight the model has must be found with its exact shape, and every
/// weight the file has must belong to the model: a file of another model is
/// an error that names the first difference, never a partial load.
public enum KerasWeights {
    /// One layer of the model that has weights: its name, and each weight's
    /// name and shape in Keras's order (`layer.weights`).
    public struct Layer: Sendable {
        public var name: String
        public var weights: [(name: String, shape: [Int])]

        public init(name: String, weights: [(name: String, shape: [Int])]) {
            self.name = name
            self.weights = weights
        }
    }

    /// A model's weight tensors (`<layer>.<weight>`, as
    /// `CheckedModel.weightTensors` lists them: layer by layer, each layer's in
    /// Keras's order) grouped by layer. Weight names hold no dot; layer names may.
    public static func layers(of tensors: [(name: String, shape: [Int])]) -> [Layer] {
        var layers: [Layer] = []
        for tensor in tensors {
            guard let dot = tensor.name.lastIndex(of: ".") else { continue }
            let layer = String(tensor.name[..<dot]), weight = String(tensor.name[tensor.name.index(after: dot)...])
            if layers.last?.name == layer {
                layers[layers.count - 1].weights.append((weight, tensor.shape))
            } else {
                layers.append(Layer(name: layer, weights: [(weight, tensor.shape)]))
            }
        }
        return layers
    }

    /// The tensors by `<layer>.<weight>`, float32.
    public static func read(_ file: HDF5File, for layers: [Layer]) throws(DataError) -> [String: [Float]] {
        var tensors: [String: [Float]] = [:]
        try read(file, for: layers) { tensors[$0] = $1 }
        return tensors
    }

    /// The same, handing each tensor to `each` as it is read (by
    /// `<layer>.<weight>`), so that a caller which puts the values in place
    /// never holds them all twice; `each` may throw to stop.
    public static func read(_ file: HDF5File, for layers: [Layer], each: (String, [Float]) throws -> Void) throws(DataError) {
        do {
            if file.root.children.contains(where: { $0.name == "layers" }) {
                return try keras3(file, layers, each)
            }
            if file.root.children.contains(where: { $0.name == "model_weights" }) {
                return try keras2(file.group(at: "model_weights"), file.path, layers, each)
            }
            if (try? file.root.attribute("layer_names")) != nil {
                return try keras2(file.root, file.path, layers, each)
            }
        } catch let error as DataError {
            throw error
        } catch let error as HDF5Error {
            throw DataError(error.message)
        } catch {
            throw DataError("\(file.path): \(error)")
        }
        let found = file.root.children.prefix(8).map(\.name).joined(separator: ", ")
        throw DataError("\(file.path): an HDF5 file without Keras weights (no 'layers' group as Keras 3 writes, no 'model_weights' group or 'layer_names' attribute as Keras 2 writes; it holds \(found.isEmpty ? "nothing" : found))")
    }

    /// The optimizer's state a Keras 3 file keeps beside the weights
    /// (`optimizer/vars`: the step count, the learning rate, and a slot per
    /// weight for momentum and the like), as Keras's summary counts it:
    /// elements, and bytes at each one's own width. Nil when the file keeps
    /// none (a model saved before it was trained, or never compiled).
    public static func optimizerState(_ file: HDF5File) -> (parameters: Int, bytes: Int)? {
        guard let vars = try? file.group(at: "optimizer/vars"), !vars.datasets.isEmpty else { return nil }
        var parameters = 0, bytes = 0
        for dataset in vars.datasets {
            let width = switch dataset.elementType {
            case .float(let bits), .signedInteger(let bits), .unsignedInteger(let bits): bits / 8
            default: 4
            }
            parameters += dataset.elementCount
            bytes += dataset.elementCount * width
        }
        return (parameters, bytes)
    }

    // MARK: Keras 3

    private static func keras3(_ file: HDF5File, _ layers: [Layer], _ each: (String, [Float]) throws -> Void) throws {
        // Keras's place names (`conv2d_1`) by the layer names their `vars` groups carry.
        var places: [String: HDF5Group] = [:]
        try collectPlaces(in: file.group(at: "layers"), into: &places, path: file.path)
        for layer in layers {
            guard let vars = places.removeValue(forKey: layer.name) else {
                throw DataError("\(file.path): no weights for layer '\(layer.name)' (\(names(layer))); the file has weights of \(list(places.filter { !$0.value.datasets.isEmpty }.keys))")
            }
            let stored = vars.datasets.sorted { (Int($0.name) ?? Int.max) < (Int($1.name) ?? Int.max) }
            guard stored.map(\.name) == layer.weights.indices.map(String.init) else {
                throw DataError("\(file.path): layer '\(layer.name)' has \(stored.count) weights in the file (\(vars.path)/\(stored.map(\.name).joined(separator: ", "))), the model's layer has \(layer.weights.count) (\(names(layer))); is this the file of another model?")
            }
            for (dataset, weight) in zip(stored, layer.weights) {
                try each("\(layer.name).\(weight.name)", values(dataset, as: weight, of: layer, file.path))
            }
        }
        let extra = places.filter { !$0.value.datasets.isEmpty }.keys
        guard extra.isEmpty else {
            throw DataError("\(file.path): weights of layers the model does not have: \(list(extra)); is this the file of another model?")
        }
    }

    /// The `vars` groups under `layers` by layer name. A model nested in the
    /// model keeps its own layers' places in its `layers` group: cnnc flattens
    /// the model, so they are read as the model's own.
    private static func collectPlaces(in layers: HDF5Group, into places: inout [String: HDF5Group], path: String) throws {
        for place in layers.groups {
            if let nested = try? place.group("layers") {
                try collectPlaces(in: nested, into: &places, path: path)
                continue
            }
            guard let vars = try? place.group("vars") else { continue }
            guard let name = (try? vars.attribute("name"))?.string else {
                throw DataError("\(path): '\(vars.path)' does not say which layer it holds (no 'name' attribute, which Keras 3.x writes); save the model again with a current Keras 3")
            }
            if let earlier = places[name], !earlier.datasets.isEmpty, !vars.datasets.isEmpty {
                throw DataError("\(path): two layers named '\(name)' have weights ('\(earlier.path)' and '\(vars.path)'); cnnc flattens nested models, so their layers need names of their own")
            }
            if places[name]?.datasets.isEmpty ?? true { places[name] = vars }
        }
    }

    // MARK: Keras 2

    private static func keras2(_ weights: HDF5Group, _ path: String, _ layers: [Layer], _ each: (String, [Float]) throws -> Void) throws {
        let stored = (try weights.attribute("layer_names")).strings ?? []
        var remaining = Set(stored)
        // A model nested in this one is one group under its own name, holding its
        // layers' weights as `<layer>/<weight>:0`: by inner layer, its group and weight names.
        var nested: [String: (model: String, group: HDF5Group, weightNames: [String])] = [:]
        for name in stored where !layers.contains(where: { $0.name == name }) {
            guard let group = try? weights.group(name) else { continue }
            for weightName in (try? group.attribute("weight_names"))?.strings ?? [] {
                let parts = weightName.split(separator: "/")
                guard parts.count >= 2 else { continue }
                nested[String(parts[parts.count - 2]), default: (name, group, [])].weightNames.append(weightName)
            }
        }
        for layer in layers {
            let group: HDF5Group, weightNames: [String]
            if remaining.remove(layer.name) != nil, let own = try? weights.group(layer.name) {
                group = own
                weightNames = (try own.attribute("weight_names")).strings ?? []
            } else if let inner = nested.removeValue(forKey: layer.name) {
                (group, weightNames) = (inner.group, inner.weightNames)
                remaining.remove(inner.model)
            } else {
                throw DataError("\(path): no weights for layer '\(layer.name)' (\(names(layer))); the file has layers \(list(stored))")
            }
            // `res_bn1/gamma:0` → `gamma`; a layer reused in another model may have a longer prefix.
            let expected = Set(layer.weights.map(\.name))
            let byBase = Dictionary(weightNames.map { (keras3Name(base($0), expected: expected), $0) }, uniquingKeysWith: { first, _ in first })
            guard Set(byBase.keys) == expected, byBase.count == weightNames.count else {
                throw DataError("\(path): layer '\(layer.name)' has the weights \(weightNames.joined(separator: ", ")) in the file, the model's layer has \(names(layer)); is this the file of another model?")
            }
            for weight in layer.weights {
                try each("\(layer.name).\(weight.name)", values(group.dataset(byBase[weight.name]!), as: weight, of: layer, path))
            }
        }
        // Layers with weights the model lacks, nested models' inner layers as `model/layer`.
        let extra = remaining.filter { name in
            ((try? weights.group(name))?.attributes.first { $0.name == "weight_names" }?.strings ?? []).isEmpty == false
        } + nested.map { "\($0.value.model)/\($0.key)" }
        guard extra.isEmpty else {
            throw DataError("\(path): weights of layers the model does not have: \(list(extra)); is this the file of another model?")
        }
    }

    /// Keras 2 named DepthwiseConv2D's kernel `depthwise_kernel`; Keras 3 (and
    /// cnnc) name it `kernel`. SeparableConv2D keeps `depthwise_kernel` in both.
    private static func keras3Name(_ base: String, expected: Set<String>) -> String {
        base == "depthwise_kernel" && !expected.contains(base) && expected.contains("kernel") ? "kernel" : base
    }

    private static func base(_ weightName: String) -> String {
        let last = weightName.split(separator: "/").last.map(String.init) ?? weightName
        return last.split(separator: ":").first.map(String.init) ?? last
    }

    // MARK: Shared

    private static func values(_ dataset: HDF5Dataset, as weight: (name: String, shape: [Int]), of layer: Layer, _ path: String) throws -> [Float] {
        guard dataset.shape == weight.shape else {
            throw DataError("\(path): '\(dataset.path)', the \(weight.name) of layer '\(layer.name)', has shape \(shape(dataset.shape)); the model's is \(shape(weight.shape))")
        }
        return try dataset.floats()
    }

    private static func names(_ layer: Layer) -> String {
        layer.weights.map { "\($0.name) \(shape($0.shape))" }.joined(separator: ", ")
    }

    private static func shape(_ dimensions: [Int]) -> String {
        "(" + dimensions.map(String.init).joined(separator: ", ") + (dimensions.count == 1 ? ",)" : ")")
    }

    private static func list<S: Sequence>(_ names: S) -> String where S.Element == String {
        let sorted = names.sorted()
        if sorted.isEmpty { return "none" }
        let shown = sorted.prefix(12).map { "'\($0)'" }.joined(separator: ", ")
        return sorted.count > 12 ? "\(shown) and \(sorted.count - 12) more" : shown
    }
}
