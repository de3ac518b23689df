import CNNCRuntime

/// The training data of a model of several inputs or outputs, as Keras's
/// `fit(x={...}, y={...})` takes it: one array per input and per output,
/// named after it, each with one row per sample. `cnnc train` reads the
/// user's `.npz` and hands the model's executable this, as one safetensors
/// file (format `cnnc-named-arrays-1`).
public struct NamedArrays: Sendable {
    public static let fileFormat = "cnnc-named-arrays-1"

    public var arrays: [(name: String, array: NPYFile)]

    public init(_ arrays: [(name: String, array: NPYFile)]) { self.arrays = arrays }

    public subscript(name: String) -> NPYFile? { arrays.first { $0.name == name }?.array }

    public func write(to path: String) throws(RuntimeError) {
        var offset = 0
        let layout = arrays.map { entry in
            defer { offset += entry.array.values.count }
            return TensorLayout(name: entry.name, shape: entry.array.shape, offset: offset)
        }
        try SafeTensors.write(parameters: arrays.flatMap(\.array.values), layout: layout, metadata: ["format": Self.fileFormat], to: path)
    }

    public static func read(path: String) throws(RuntimeError) -> NamedArrays {
        let file = try SafeTensors.read(path: path, kind: "data set")
        guard file.metadata["format"] == fileFormat else {
            throw RuntimeError("\(path) is not a data set file cnnc wrote (format \(fileFormat))")
        }
        return NamedArrays(file.tensors.keys.sorted().map { name in (name, NPYFile(shape: file.tensors[name]!.shape, values: file.tensors[name]!.values)) })
    }

    /// The model's packed inputs and targets, by the names in `inputs` and
    /// `outputs` (class labels become one-hot, see `TargetArrays`); `path`
    /// names the file in messages.
    public func packed(inputs: [TensorLayout], outputs: [TensorLayout], loss: ModelLoss, path: String) throws(RuntimeError) -> (inputs: NPYFile, targets: NPYFile) {
        func lookUp(_ layout: [TensorLayout], role: String) throws(RuntimeError) -> [NPYFile] {
            let missing = layout.map(\.name).filter { self[$0] == nil }
            guard missing.isEmpty else {
                throw RuntimeError("\(path): no array for the model's \(role) \(missing.map { "'\($0)'" }.joined(separator: ", ")); it holds \(arrays.map { "'\($0.name)'" }.joined(separator: ", "))")
            }
            return layout.map { self[$0.name]! }
        }
        let x = try SamplePacking.pack(try lookUp(inputs, role: "input"), layout: inputs, sources: inputs.map { "\(path) (array '\($0.name)')" })
        let y = try TargetArrays.pack(try lookUp(outputs, role: "output"), layout: outputs, loss: loss, sources: outputs.map { "\(path) (array '\($0.name)')" })
        guard x.shape[0] == y.shape[0] else {
            throw RuntimeError("\(path): the inputs hold \(x.shape[0]) samples and the outputs \(y.shape[0]); every array needs one row per sample")
        }
        guard x.shape[0] > 0 else { throw RuntimeError("\(path): the arrays hold no samples; training needs at least one") }
        return (x, y)
    }
}
