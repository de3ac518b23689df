/// What the plan stage trains today: graphs of one input and one output,
/// with branches and merges. Every checked model compiles for inference; a
/// model beyond that is read, checked, summarized, exported and run, and
/// `cnnc train` gets a located error instead.
extension CheckedModel {
    /// Why `cnnc train` cannot train this model yet; nil when it can. A graph
    /// of one input and one output trains (its backward pass sums gradients
    /// where a tensor fans out, see `GradientRoutes`) when it returns its last
    /// layer, which every checked graph does unless it returns its input.
    public var trainingGap: Diagnostic? {
        if let gap = severalTensorsGap(doing: "trains") { return gap }
        for layer in layers {
            if case .dropout(let config) = layer.operation, let shape = config.noiseShape, let batch = shape.first, let batch {
                return Diagnostic(.error, "\(layer.name): Dropout's noise_shape gives the batch axis the size \(batch), so one mask would be shared by the samples of a batch; cnnc draws each sample's mask on its own (write null for the batch axis, as EfficientNet does); it runs this model with predict, verify and bench", at: layer.location)
            }
        }
        if outputs != [.layer(layers.count - 1)] {
            return Diagnostic(.error, "cnnc trains a model that returns a layer's output; this model returns its input '\(inputs[0].name)'", at: inputs[0].location)
        }
        return nil
    }

    /// Why `cnnc evaluate` cannot score this model on a labelled data set
    /// (images in, class scores out); nil when it can.
    public var evaluationGap: Diagnostic? { severalTensorsGap(doing: "evaluates") }

    /// Training and evaluation read one array of images and one of labels.
    private func severalTensorsGap(doing what: String) -> Diagnostic? {
        let scope = "cnnc \(what) models of one input and one output so far (it runs this model with cnnc predict, verify and bench)"
        if inputs.count > 1 {
            return Diagnostic(.error, "\(scope); this model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", ")))", at: inputs[1].location)
        }
        if outputs.count > 1 {
            let last = outputs.last.map { tensor in
                if case .layer(let index) = tensor { layers[index].location } else { inputs[0].location }
            } ?? inputs[0].location
            return Diagnostic(.error, "\(scope); this model has \(outputs.count) outputs (\(outputs.map(name(of:)).joined(separator: ", ")))", at: last)
        }
        return nil
    }
}

extension CheckedModel {
    /// Bytes a compiled model holds besides its code: the parameters twice (in
    /// Keras's layout, and packed for the kernels) and one sample's
    /// activations at their peak; nil when that overflows an Int.
    public var compiledMemoryBytes: Int? {
        let (twice, overflow) = parameters.multipliedReportingOverflow(by: 8)
        let (total, overflowAgain) = twice.addingReportingOverflow(peakActivationBytes)
        return overflow || overflowAgain ? nil : total
    }

    /// Why a machine of `physicalMemory` bytes cannot hold this model once
    /// compiled, at its largest layer: said before a build starts, not as an
    /// allocation failure after it. `severity` is a warning for `cnnc check`,
    /// which compiles nothing.
    public func memoryGap(physicalMemory: UInt64, severity: Diagnostic.Severity = .error) -> Diagnostic? {
        let needed = compiledMemoryBytes
        if let needed, UInt64(needed) <= physicalMemory { return nil }
        let largest = layers.max { $0.parameters < $1.parameters }
        let amount = needed.map { "about \(Formatting.bytes($0))" } ?? "more bytes than an Int counts"
        return Diagnostic(severity, "the compiled model needs \(amount) (\(Formatting.thousands(parameters)) parameters, kept twice, and one sample's activations), more than this machine's \(Formatting.bytes(Int(clamping: physicalMemory))) of memory; its largest layer is '\(largest?.name ?? "?")'",
                          at: largest?.location ?? inputs[0].location)
    }
}
