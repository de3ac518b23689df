/// What `cnnc bench` asks the model executable to time (`ModelJob.bench`);
/// cnnc has checked every number before it builds.
public struct BenchmarkOptions: Codable, Sendable, Equatable {
    public var batchSize = 1
    public var threads = 1
    /// Seconds of timed batches (warm-up comes on top).
    public var seconds = 2.0
    /// Safetensors weights; nil means Keras's default initialization with `seed`.
    public var weights: String?
    /// The name reported in the results (the spec's model name).
    public var name: String?
    public var seed: UInt64 = 1
    public var mode = Mode.inference
    /// `--per-layer`: also time each layer of one sample's forward pass.
    public var perLayer = false
    /// FLOPs per sample of each layer, in the model's `layers` order, for the
    /// per-layer GFLOP/s (cnnc knows them from the checked model).
    public var layerFLOPs: [Int]?
    /// Bytes each layer reads and writes per sample (`CheckedModel.trafficBytes`),
    /// nil for a layer that computes nothing, for the per-layer GB/s.
    public var layerBytes: [Int?]?
    /// The CPU kind the kernels were shaped for (`avx2`, `avx512-256`, `avx512`), as cnnc chose it.
    public var kernels: String?

    /// What is timed.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Forward passes.
        case inference
        /// train_on_batch: forward, backward and an SGD update.
        case training
    }

    public init() {}
}
