/// What every generated model offers; the generated type fills in the sizes
/// as constants and the forward pass as specialized code.
public protocol CompiledModel: Sendable {
    /// One sample's input shape without the batch axis, e.g. `[28, 28, 1]`;
    /// for a model of several inputs, the flat packed sample `[inputCount]`
    /// (see `inputLayout`).
    static var inputShape: [Int] { get }
    /// Whether the generated file was compiled with optimization: without it,
    /// its kernels run 100 to 500 times slower (see `UnoptimizedBuildWarning`).
    static var compiledWithOptimization: Bool { get }
    /// One sample's output shape; for several outputs, `[outputCount]`.
    static var outputShape: [Int] { get }
    static var inputCount: Int { get }
    static var outputCount: Int { get }
    /// The model's inputs by Keras name, each at its offset in a packed
    /// sample of `inputCount` floats: one input after another, in order.
    static var inputLayout: [TensorLayout] { get }
    /// The model's outputs the same way, in a sample of `outputCount` floats.
    static var outputLayout: [TensorLayout] { get }
    /// Parameters in Keras's layout, in the order of `weightLayout`.
    static var parameterCount: Int { get }
    static var weightLayout: [TensorLayout] { get }
    /// Floating-point operations per sample: 2 x the multiply-adds of convolutions and Dense.
    static var flops: Int { get }
    /// Floats of scratch memory one forward pass needs.
    static var arenaCount: Int { get }
    /// Every layer in order, with Keras's names and each output's shape.
    static var layers: [LayerDescription] { get }

    /// The parameters in Keras's layout (one buffer, `weightLayout` offsets).
    var parameters: [Float] { get }

    /// A model with these parameters; throws when the count is wrong.
    init(parameters: [Float]) throws(RuntimeError)

    /// One forward pass over one sample; `arena` must hold `arenaCount` floats.
    func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)

    /// Samples that `predict(block:into:arena:)` runs at once, sharing every
    /// Dense weight it loads; 0 when the model has no such path.
    static var blockSamples: Int { get }
    /// Floats of scratch memory `predict(block:into:arena:)` needs.
    static var blockArenaCount: Int { get }

    /// The forward pass over `blockSamples` samples stored one after another;
    /// the same values as `predict(_:into:arena:)` sample by sample.
    func predict(block input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)

    /// Floats of scratch each worker after the first needs, beyond `arenaCount`,
    /// when `predict(_:into:arena:splittingAcross:)` splits a sample's layers.
    static var workerScratchCount: Int { get }

    /// One sample's forward pass with its larger layers split across the
    /// pool's workers; `arena` must hold `arenaCount + (workers − 1) ×
    /// workerScratchCount` floats. The same values as `predict(_:into:arena:)`.
    func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>,
                 splittingAcross pool: WorkerPool)

    /// The same forward pass, handing each layer's output (`layers[index]`,
    /// `outputCount` floats) to `observe` as soon as it is computed. The
    /// pointer is valid only during the call.
    func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>,
                 observingLayers observe: (_ index: Int, _ output: UnsafePointer<Float>) -> Void)
}

extension CompiledModel {
    /// Hand-written conformers (test doubles) are taken as optimized; generated models say.
    public static var compiledWithOptimization: Bool { true }

    /// One input and one output, for models generated before graphs had names for them.
    public static var inputLayout: [TensorLayout] { [TensorLayout(name: "input", shape: inputShape, offset: 0)] }
    public static var outputLayout: [TensorLayout] { [TensorLayout(name: "output", shape: outputShape, offset: 0)] }

    /// Models without layers to share across samples run one sample at a time.
    public static var blockSamples: Int { 0 }
    public static var blockArenaCount: Int { arenaCount }

    public func predict(block input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>) {
        for sample in 0..<Self.blockSamples {
            predict(input + sample * Self.inputCount, into: output + sample * Self.outputCount, arena: arena)
        }
    }

    /// Models without layers to split run a sample on one core.
    public static var workerScratchCount: Int { 0 }

    public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>,
                        splittingAcross pool: WorkerPool) {
        predict(input, into: output, arena: arena)
    }

    /// A model initialized as Keras initializes a new one: Glorot-uniform
    /// kernels, zero biases, BatchNormalization gamma 1, beta 0, mean 0, variance 1.
    public init(seed: UInt64) {
        // The count always matches: it comes from the same layout.
        try! self.init(parameters: KerasInitializers.parameters(for: Self.weightLayout, count: Self.parameterCount, seed: seed))
    }

    /// A model whose weights come from a safetensors file with Keras's names and layouts.
    public init(contentsOf path: String) throws(RuntimeError) {
        try self.init(parameters: SafeTensors.readParameters(path: path, matching: Self.weightLayout, count: Self.parameterCount))
    }

    /// Writes the parameters as safetensors, atomically.
    public func write(to path: String, metadata: [String: String] = [:]) throws(RuntimeError) {
        try SafeTensors.write(parameters: parameters, layout: Self.weightLayout, metadata: metadata, to: path)
    }

    /// One sample in, its outputs out. Allocates a scratch arena; for repeated
    /// calls keep a `ModelArena` and use `predict(_:into:arena:)`.
    public func predict(_ input: [Float]) throws(RuntimeError) -> [Float] {
        guard input.count == Self.inputCount else {
            throw RuntimeError("the input has \(input.count) values; the model takes \(Self.inputCount) (shape \(TensorLayout.shapeText(Self.inputShape)))")
        }
        let arena = ModelArena(count: Self.arenaCount)
        var output = [Float](repeating: 0, count: Self.outputCount)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                predict(source.baseAddress!, into: target.baseAddress!, arena: arena.pointer)
            }
        }
        return output
    }

    /// A batch of `count` samples, split across `threads` cores. For batch
    /// after batch, a `BatchPredictor` keeps its memory and threads between them.
    public func predict(batch input: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int = 1) throws(RuntimeError) {
        guard let (source, target) = try BatchPredictor<Self>.buffers(input, count: count, output) else { return }
        if count == 1 && threads > 1 {
            // One sample on several cores: a predictor splits its larger layers across them.
            return try BatchPredictor(model: self, threads: threads).predict(batch: input, count: count, into: output)
        }
        let sourceAddress = UInt(bitPattern: source), targetAddress = UInt(bitPattern: target)
        BatchSplitter.run(count: count, threads: threads) { range in
            let arena = ModelArena(count: BatchPredictor<Self>.arenaCount)
            BatchPredictor.run(self, samples: range, from: UnsafePointer(bitPattern: sourceAddress)!,
                               into: UnsafeMutablePointer(bitPattern: targetAddress)!, arena: arena.pointer)
        }
    }

    /// A batch as arrays: `input` holds `count` samples one after another.
    public func predict(batch input: [Float], threads: Int = 1) throws(RuntimeError) -> [Float] {
        guard input.count % Self.inputCount == 0 else {
            throw RuntimeError("the batch has \(input.count) values, not a multiple of the \(Self.inputCount) of one sample")
        }
        let count = input.count / Self.inputCount
        var output = [Float](repeating: 0, count: count * Self.outputCount)
        var failure: RuntimeError?
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                do throws(RuntimeError) { try predict(batch: source, count: count, into: target, threads: threads) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        return output
    }
}
