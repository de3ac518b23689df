/// What the plan stage trains today: graphs of any inputs and outputs, with
/// branches and merges. Every checked model compiles for inference; a model
/// beyond that is read, checked, summarized, exported and run, and
/// `cnnc train` gets a located error instead.
extension CheckedModel {
    /// Why `cnnc train` cannot train this model yet; nil when it can. A graph
    /// trains (its backward pass sums gradients where a tensor fans out, see
    /// `GradientRoutes`, and each output's loss starts it there) when each
    /// output is a different layer's, which every checked graph's are unless
    /// it returns an input or one tensor twice.
    public var trainingGap: Diagnostic? {
        for layer in layers {
            if case .dropout(let config) = layer.operation, let shape = config.noiseShape, let batch = shape.first, let batch {
                return Diagnostic(.error, "\(layer.name): Dropout's noise_shape gives the batch axis the size \(batch), so one mask would be shared by the samples of a batch; cnnc draws each sample's mask on its own (write null for the batch axis, as EfficientNet does); it runs this model with predict, verify and bench", at: layer.location)
            }
        }
        for output in outputs {
            if case .input(let index) = output {
                return Diagnostic(.error, "cnnc trains a model whose outputs are layers' outputs; this model returns its input '\(inputs[index].name)'", at: inputs[index].location)
            }
        }
        if case .layer(let index)? = outputs.first(where: { output in outputs.filter { $0 == output }.count > 1 }) {
            return Diagnostic(.error, "cnnc trains a model that returns each tensor once; this model returns '\(layers[index].name)' \(outputs.filter { $0 == .layer(index) }.count) times (Keras would train it with the sum of their losses: return it once, with that loss)", at: layers[index].location)
        }
        return nil
    }

    /// The activation that ends each output (linear for an input returned
    /// as it is), which decides the loss each output implies.
    public var outputActivations: [Activation] {
        outputs.map { output in
            guard case .layer(let index) = output else { return .linear }
            switch layers[index].operation {
            case .activation(let activation): return activation
            case .softmax: return .softmax
            case let operation: return operation.fusedActivation
            }
        }
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
