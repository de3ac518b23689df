/// The weights file of a Keras 3 model: `model.weights.h5` inside a `.keras` archive, or
/// what `model.save_weights("x.weights.h5")` writes. Keras 3.15's loader
/// (`keras.saving.load_model`, `model.load_weights`) reads it back.
///
/// The layout (keras/src/saving/saving_lib.py, `_save_state` with `H5IOStore`):
///
///     vars                      name = the model's name; the model has no variables of its own
///     layers/<place>/vars       name = the layer's name; datasets 0, 1, … in
///                               `layer.weights` order; present for weightless layers too
///     optimizer/vars            name = the optimizer's name; 0, 1, … in
///                               `optimizer.variables` order (only for a compiled model)
///
/// `<place>` is Keras's name for the layer's position in `model.layers` (see
/// `places(forClassNames:)`), never the layer's name. A Sequential model's
/// `model.layers` leaves out its InputLayer; a Functional model's includes each one.
public enum KerasWeightsFile {
    public enum ModelKind: Sendable, Equatable {
        /// `keras.Sequential`: a leading InputLayer is not one of `model.layers`.
        case sequential
        /// `keras.Model(inputs, outputs)` (class_name "Functional"): InputLayers count.
        case functional
    }

    /// One layer of `model.layers` (for a Functional model in Keras's order, which is
    /// the order of the `layers` list in its config.json).
    public struct Layer: Sendable, Equatable {
        /// Keras's class name: `Conv2D`, `BatchNormalization`, `InputLayer`, …
        public var className: String
        /// The layer's name (`conv2d_1`, `stem`): Keras stores it, but finds the layer by place.
        public var name: String
        /// In `layer.weights` order: Conv2D and Dense kernel then bias; BatchNormalization
        /// gamma, beta, moving mean, moving variance (those it has).
        public var weights: [HDF5Array]

        public init(className: String, name: String, weights: [HDF5Array]) {
            self.className = className
            self.name = name
            self.weights = weights
        }

        /// float32 weights given as shapes and values.
        public init(className: String, name: String, float32Weights: [(shape: [Int], values: [Float])]) {
            self.init(
                className: className, name: name,
                weights: float32Weights.map { HDF5Array.float32(shape: $0.shape, $0.values) })
        }
    }

    /// A compiled model's optimizer state.
    public struct Optimizer: Sendable, Equatable {
        /// `optimizer.name` ("adam").
        public var name: String
        /// In `optimizer.variables` order: the step count (a scalar of dtype "int": int32,
        /// int64 under the TensorFlow backend; keras/src/backend/common/dtypes.py), the
        /// learning rate, then the slots of each trainable weight (Adam: momentum and
        /// velocity per weight).
        public var variables: [HDF5Array]

        public init(name: String, variables: [HDF5Array]) {
            self.name = name
            self.variables = variables
        }
    }

    /// The bytes of `model.weights.h5`.
    public static func bytes(
        modelName: String, kind: ModelKind, layers: [Layer], optimizer: Optimizer? = nil
    ) throws(HDF5WriteError) -> [UInt8] {
        try builder(modelName: modelName, kind: kind, layers: layers, optimizer: optimizer).bytes()
    }

    /// The file's tree, for a caller that wants to add to it before writing.
    public static func builder(
        modelName: String, kind: ModelKind, layers: [Layer], optimizer: Optimizer? = nil
    ) throws(HDF5WriteError) -> HDF5Builder {
        var file = HDF5Builder()
        try file.createGroup("vars")
        try file.setAttribute("name", modelName, on: "vars")

        let saved = try savedLayers(kind: kind, layers: layers)
        let places = places(forClassNames: saved.map(\.className))
        var placed: [String: Layer] = [:]
        for (layer, place) in zip(saved, places) {
            guard !place.isEmpty else {
                throw HDF5WriteError(
                    message: "layer '\(layer.name)': its class name '\(layer.className)' has no letters, digits or "
                        + "'_', so Keras cannot name its place in the weights file")
            }
            if let other = placed.updateValue(layer, forKey: place) {
                throw HDF5WriteError(
                    message: "layers '\(other.name)' (\(other.className)) and '\(layer.name)' (\(layer.className)) "
                        + "would both be saved at 'layers/\(place)'; Keras cannot save this model either")
            }
            try writeVariables(layer.weights, at: "layers/\(place)/vars", name: layer.name, into: &file)
        }
        if let optimizer {
            try writeVariables(optimizer.variables, at: "optimizer/vars", name: optimizer.name, into: &file)
        }
        return file
    }

    /// `model.layers`: without a Sequential model's leading InputLayer.
    private static func savedLayers(kind: ModelKind, layers: [Layer]) throws(HDF5WriteError) -> [Layer] {
        guard kind == .sequential, let first = layers.first, canonicalClassName(first.className) == "InputLayer" else {
            return layers
        }
        guard first.weights.isEmpty else {
            throw HDF5WriteError(message: "InputLayer '\(first.name)' has \(first.weights.count) weights; it has none in Keras")
        }
        return Array(layers.dropFirst())
    }

    /// A `vars` group: its `name` attribute, and one dataset per variable named by position.
    private static func writeVariables(
        _ variables: [HDF5Array], at path: String, name: String, into file: inout HDF5Builder
    ) throws(HDF5WriteError) {
        try file.createGroup(path)
        try file.setAttribute("name", name, on: path)
        for (index, variable) in variables.enumerated() {
            try file.createDataset("\(path)/\(index)", variable)
        }
    }
}
