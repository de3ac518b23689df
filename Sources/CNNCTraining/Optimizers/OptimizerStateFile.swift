import CNNCRuntime
import Foundation

/// An optimizer's state (`Optimizer.state`: its slots by Keras's names and
/// the step count) as a safetensors file, written atomically like the weights.
///
/// Weights and optimizer state are two files, and no rename moves two files
/// at once: a run killed between them would leave weights of one epoch beside
/// the state of the next, and `--resume` would go on from a mix. So the state
/// records a digest of the weights it belongs to, the state it replaces is
/// kept beside it (`.previous`), and a resume takes whichever of the two
/// matches the weights, or refuses.
public enum OptimizerStateFile {
    static let format = "cnnc-optimizer-state-1"

    /// Writes the state of the optimizer whose model now has `parameters`,
    /// first moving the state it replaces to `previousPath(of:)`.
    public static func write(_ state: [String: [Float]], belongingTo parameters: [Float], to path: String) throws(RuntimeError) {
        let (layout, values) = tensors(of: state)
        if FileManager.default.fileExists(atPath: path), rename(path, previousPath(of: path)) != 0 {
            throw RuntimeError("cannot keep the previous optimizer state at \(previousPath(of: path)): \(String(cString: strerror(errno)))")
        }
        try SafeTensors.write(parameters: values, layout: layout,
                              metadata: ["format": format, "weights": digest(of: parameters)], to: path)
    }

    /// The state saved with the weights `parameters` (from the same epoch of
    /// the same run); nil when there is no saved state at all. A state that
    /// belongs to other weights is an error: resuming from it would not
    /// continue the run.
    public static func read(belongingTo parameters: [Float], at path: String) throws(RuntimeError) -> [String: [Float]]? {
        let candidates = [path, previousPath(of: path)].filter { FileManager.default.fileExists(atPath: $0) }
        guard !candidates.isEmpty else { return nil }
        let wanted = digest(of: parameters)
        for candidate in candidates {
            let file = try SafeTensors.read(path: candidate, kind: "optimizer state")
            guard file.metadata["format"] == format else { throw RuntimeError("\(candidate) is not an optimizer state cnnc wrote") }
            if file.metadata["weights"] == wanted { return file.tensors.mapValues(\.values) }
        }
        throw RuntimeError("\(path) holds the optimizer state of other weights than the ones being resumed (the run was stopped while saving, or the files come from different runs); resuming would not continue the run. Start again, or pass the weights with --initial-weights to start a fresh optimizer from them")
    }

    /// A state as safetensors' tensors: each name's values, names in order.
    public static func tensors(of state: [String: [Float]]) -> (layout: [TensorLayout], values: [Float]) {
        var layout: [TensorLayout] = []
        var values: [Float] = []
        for name in state.keys.sorted() {
            let tensor = state[name] ?? []
            layout.append(TensorLayout(name: name, shape: [tensor.count], offset: values.count))
            values += tensor
        }
        return (layout, values)
    }

    /// Where the state replaced by the last save is kept: `W.optimizer.previous.safetensors`.
    public static func previousPath(of path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().path + ".previous.safetensors"
    }

    /// FNV-1a over the parameters' bits: which weights a state belongs to.
    static func digest(of parameters: [Float]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in parameters {
            var bits = value.bitPattern
            for _ in 0..<4 {
                hash ^= UInt64(bits & 0xff)
                hash = hash &* 0x100_0000_01b3
                bits >>= 8
            }
        }
        return String(hash, radix: 16)
    }
}
