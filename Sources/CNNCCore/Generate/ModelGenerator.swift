/// The third stage of the pipeline: a `CheckedModel` in, one Swift source
/// file out. The file declares a type for the model whose sizes are all
/// constants and whose forward pass is a sequence of specialized layer
/// functions over one arena; it imports only `CNNCRuntime`.
public struct ModelGenerator {
    /// The version written into generated headers.
    public static let cnncVersion = "0.1.0"

    public var model: CheckedModel
    /// The spec's path as it should appear in the header (keep it relative for reproducible output).
    public var specPath: String

    public init(model: CheckedModel, specPath: String) {
        self.model = model
        self.specPath = specPath
    }

    public var typeName: String { SwiftNames.typeName(forSpecPath: specPath) }

    /// The buffers a layer reads and writes: the caller's input (read-only)
    /// or one of the two halves of the arena.
    enum Buffer: String {
        case input, a, b
        var other: Buffer { self == .a ? .b : .a }
    }

    public func generate() -> String {
        let weights = WeightPlan(model: model)
        var out = SourceWriter()
        writeHeader(into: &out)
        var functions = SourceWriter()
        var forward = ForwardWriter()
        var largestActivation = model.inputShape.elementCount
        var largestPadded = 0
        var largestScratch = 0
        var vectorTypes: Set<Int> = []
        var current = Buffer.input
        let tail = BatchedTail(model: model, weights: weights)
        /// The forward pass's calls before the tail, and where they leave their result.
        var head: (forward: String, result: Buffer)?

        func makeWritable(_ count: Int, into forward: inout ForwardWriter) {
            guard current == .input else { return }
            forward.line("a.update(from: input, count: \(count))")
            current = .a
        }

        for (index, layer) in model.layers.enumerated() {
            if index == tail?.start { head = (forward.sequential.text, current) }
            let function = SwiftNames.layerFunction(index: index, layerName: layer.name)
            let comment = "\(layer.name): \(layer.className), \(layer.inputShape) → \(layer.outputShape), \(Formatting.thousands(layer.parameters)) parameters"
            largestActivation = max(largestActivation, layer.outputShape.elementCount)
            functions.line("// \(comment)")
            forward.line("// \(comment)")
            let source = current == .input ? "input" : "UnsafePointer(\(current.rawValue))"
            switch layer.operation {
            case .conv2D, .dense:
                guard case .kernel(let packed)? = weights.packing[index] else { continue }
                var reads = source
                let winograd = winogradEmitter(layer, function: function + "_winograd", packed: packed)
                if let padding = layer.padding, padding != .zero {
                    let padder = PaddingEmitter(function: function + "_pad", input: layer.inputShape, padding: padding)
                    largestPadded = max(largestPadded, padder.paddedCount)
                    padder.emit(into: &functions)
                    functions.line()
                    functions.line("// \(comment)")
                    if winograd == nil { forward.line("Self.\(padder.function)(\(source), p)") }
                    reads = "UnsafePointer(p)"
                }
                // The direct kernel: inference's unless Winograd's is, and training's always.
                let direct = emitConvolution(layer, function: function, packed: packed, into: &functions)
                vectorTypes.insert(direct.lanes)
                // The backward pass keeps input channels in lanes for dL/dx.
                vectorTypes.insert(WeightPlan.lanes(forOutputs: layer.inputShape.lastAxis))
                let target = current.other
                if let winograd {
                    let padder = winogradPadding(layer, for: winograd, function: function + "_winograd_pad")
                    largestPadded = max(largestPadded, padder.paddedCount)
                    largestScratch = max(largestScratch, winograd.scratchCount)
                    functions.line()
                    functions.line("// \(comment), by Winograd's F(2x2, 3x3)")
                    padder.emit(into: &functions)
                    functions.line()
                    winograd.emit(into: &functions)
                    forward.line("Self.\(padder.function)(\(source), p)")
                    forward.kernel(parts: splitParts(winograd.parts, layer)) { worker, parts in
                        let scratch = worker.map { "s + \($0) * \(winograd.scratchCount)" } ?? "s"
                        return "Self.\(winograd.function)(UnsafePointer(p), w, \(target.rawValue), \(scratch)\(parts.map { ", \($0)" } ?? ""))"
                    }
                } else {
                    forward.kernel(parts: splitParts(direct.parts, layer)) { _, parts in
                        "Self.\(function)(\(reads), w, \(target.rawValue)\(parts.map { ", \($0)" } ?? ""))"
                    }
                }
                current = target
                let activation = layerActivation(layer.operation)
                if activation != .linear && activation != .relu {
                    let post = ElementwiseEmitter(function: function + "_activation", kind: .activation(activation), shape: layer.outputShape)
                    functions.line()
                    functions.line("// \(layer.name): its \(activation.rawValue) activation")
                    post.emit(into: &functions)
                    forward.line("Self.\(post.function)(\(current.rawValue))")
                }
            case .maxPooling2D(let config), .averagePooling2D(let config):
                let kind: PoolingEmitter.Kind = if case .maxPooling2D = layer.operation { .max } else { .average }
                PoolingEmitter(function: function, kind: kind, input: layer.inputShape, output: layer.outputShape,
                               window: config.poolSize, strides: config.strides, padding: layer.padding ?? .zero)
                    .emit(into: &functions)
                forward.line("Self.\(function)(\(source), \(current.other.rawValue))")
                current = current.other
            case .globalAveragePooling2D, .globalMaxPooling2D:
                let kind: PoolingEmitter.Kind = if case .globalMaxPooling2D = layer.operation { .max } else { .average }
                GlobalPoolingEmitter(function: function, kind: kind, input: layer.inputShape).emit(into: &functions)
                forward.line("Self.\(function)(\(source), \(current.other.rawValue))")
                current = current.other
            case .zeroPadding2D(let padding):
                PaddingEmitter(function: function, input: layer.inputShape, padding: padding).emit(into: &functions)
                forward.line("Self.\(function)(\(source), \(current.other.rawValue))")
                current = current.other
            case .flatten, .dropout, .identityAtInference:
                functions.line("// Nothing to compute at inference: \(layer.className == "Flatten" ? "the channels-last layout is already flat" : "dropout is active only in training").")
                forward.line("// (no computation at inference)")
            case .activation, .softmax, .relu:
                guard let kind = ElementwiseEmitter.Kind(layer.operation) else { continue }
                makeWritable(layer.inputShape.elementCount, into: &forward)
                ElementwiseEmitter(function: function, kind: kind, shape: layer.outputShape).emit(into: &functions)
                forward.line("Self.\(function)(\(current.rawValue))")
            case .batchNormalization:
                guard case .normalization(let packed)? = weights.packing[index] else { continue }
                makeWritable(layer.inputShape.elementCount, into: &forward)
                ElementwiseEmitter(function: function, kind: .batchNormalization(scaleOffset: packed.scaleOffset, shiftOffset: packed.shiftOffset),
                                   shape: layer.outputShape).emit(into: &functions)
                forward.line("Self.\(function)(\(current.rawValue), w)")
            }
            forward.line("observe?(\(index), \(current == .input ? "input" : "UnsafePointer(\(current.rawValue))"))")
            functions.line()
        }
        let finalSource = current == .input ? "input" : current.rawValue
        forward.line("output.update(from: \(finalSource), count: \(model.outputShape.elementCount))")

        let arena = ArenaLayout(activation: largestActivation, padded: largestPadded, scratch: largestScratch)
        var blockPath = SourceWriter()
        if let tail, let head {
            var tailFunctions = SourceWriter(), tailBody = SourceWriter()
            let tailResult = tail.emit(functions: &tailFunctions, body: &tailBody)
            tail.emitEntryPoint(headForward: head.forward, headResult: head.result == .input ? "input" : head.result.rawValue, arena: arena,
                                tailFunctions: tailFunctions, tailBody: tailBody, tailResult: tailResult, into: &blockPath)
        }
        writeType(weights: weights, arena: arena, functions: functions, forward: forward, blockPath: blockPath, into: &out)
        TrainingGenerator(model: model, weights: weights, typeName: typeName).emit(into: &out)
        writeMultiplyAdd(vectorTypes: vectorTypes.sorted(), into: &out)
        return out.text
    }

    /// Two activation buffers (`a`, `b`), a padded input (`p`), and scratch for
    /// Winograd's transformed tiles (`s`).
    struct ArenaLayout {
        var activation: Int
        var padded: Int
        var scratch: Int
        var total: Int { 2 * activation + padded + scratch }

        /// Names the four regions of `arena` (and `w`, bound by the caller) for a
        /// forward pass; `observe` is declared nil where the entry point has no
        /// observer, so the shared forward calls compile away.
        func declareRegions(observed: Bool, into out: inout SourceWriter) {
            out.line("let a = arena, b = arena + \(activation), p = arena + \(2 * activation), s = arena + \(2 * activation + padded)")
            if !observed { out.line("let observe: ((Int, UnsafePointer<Float>) -> Void)? = nil") }
            out.line(observed ? "_ = (a, b, p, s, w)" : "_ = (a, b, p, s, w, observe)")
        }
    }

    /// The parts to split a layer's kernel into across workers, or 1 to keep
    /// it on one core: splitting pays only for a layer of at least 0.5 MFLOPs
    /// and 8 FLOPs per byte it writes, because the next layer then reads
    /// half its input from the other core's cache (splitting mnist_convnet's
    /// first convolution, 0.4 MFLOPs for 86 KB, made a sample slower).
    private func splitParts(_ parts: Int, _ layer: CheckedLayer) -> Int {
        let outputBytes = layer.outputShape.elementCount * MemoryLayout<Float>.size
        return layer.flops >= 500_000 && layer.flops >= 8 * outputBytes ? parts : 1
    }

    /// The Winograd kernel for a 3x3 stride-1 Conv2D whose weights were packed for it.
    private func winogradEmitter(_ layer: CheckedLayer, function: String, packed: WeightPlan.PackedKernel) -> WinogradConvolutionEmitter? {
        guard case .conv2D(let config) = layer.operation, let transformed = packed.winogradOffset else { return nil }
        return WinogradConvolutionEmitter(
            function: function, inputChannels: layer.inputShape.lastAxis,
            outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
            packed: packed, transformedOffset: transformed, fusedReLU: config.activation == .relu)
    }

    /// The layer's padding plus the row and column of zeros an odd output size
    /// needs, so that every tile's 4x4 patch lies inside the padded input.
    private func winogradPadding(_ layer: CheckedLayer, for winograd: WinogradConvolutionEmitter, function: String) -> PaddingEmitter {
        var padding = layer.padding ?? .zero
        padding.bottom += winograd.inputHeight - (layer.inputShape.dimensions[0] + padding.top + padding.bottom)
        padding.right += winograd.inputWidth - (layer.inputShape.dimensions[1] + padding.left + padding.right)
        return PaddingEmitter(function: function, input: layer.inputShape, padding: padding)
    }

    private func layerActivation(_ operation: LayerOperation) -> Activation {
        switch operation {
        case .conv2D(let config): config.activation
        case .dense(let config): config.activation
        default: .linear
        }
    }

    /// The kernel for a Conv2D or Dense layer: output pixels in lanes where that
    /// suits the layer (see `PixelLaneConvolutionEmitter`), output channels
    /// otherwise. Returns the SIMD width it uses and the parts a call can be limited to.
    private func emitConvolution(_ layer: CheckedLayer, function: String, packed: WeightPlan.PackedKernel,
                                 into out: inout SourceWriter) -> (lanes: Int, parts: Int) {
        let padding = layer.padding ?? .zero
        if case .conv2D(let config) = layer.operation,
           PixelLaneConvolutionEmitter.suits(inputChannels: layer.inputShape.lastAxis, strides: config.strides,
                                             outputs: config.filters, outputWidth: layer.outputShape.dimensions[1]) {
            let emitter = PixelLaneConvolutionEmitter(
                function: function, inputWidth: layer.inputShape.dimensions[1] + padding.left + padding.right,
                kernel: config.kernelSize, strides: config.strides, dilation: config.dilationRate,
                outputHeight: layer.outputShape.dimensions[0], outputWidth: layer.outputShape.dimensions[1],
                packed: packed, fusedReLU: config.activation == .relu)
            emitter.emit(into: &out)
            return (emitter.lanes, emitter.parts)
        }
        let emitter = convolution(layer, function: function, packed: packed)
        emitter.emit(into: &out)
        return (packed.lanes, emitter.parts)
    }

    private func convolution(_ layer: CheckedLayer, function: String, packed: WeightPlan.PackedKernel) -> ConvolutionEmitter {
        let padding = layer.padding ?? .zero
        switch layer.operation {
        case .conv2D(let config):
            return ConvolutionEmitter(
                function: function,
                inputHeight: layer.inputShape.dimensions[0] + padding.top + padding.bottom,
                inputWidth: layer.inputShape.dimensions[1] + padding.left + padding.right,
                inputChannels: layer.inputShape.lastAxis, kernel: config.kernelSize, strides: config.strides,
                dilation: config.dilationRate, outputHeight: layer.outputShape.dimensions[0],
                outputWidth: layer.outputShape.dimensions[1], packed: packed, fusedReLU: config.activation == .relu)
        default:
            // Dense over a vector is a 1x1 convolution of a 1x1 image; over an
            // image it is a 1x1 convolution of that image, as Keras computes it.
            let dimensions = layer.inputShape.dimensions
            let height = dimensions.count == 3 ? dimensions[0] : 1
            let width = dimensions.count == 3 ? dimensions[1] : (dimensions.count == 2 ? dimensions[0] : 1)
            let activation = layerActivation(layer.operation)
            return ConvolutionEmitter(
                function: function, inputHeight: height, inputWidth: width, inputChannels: layer.inputShape.lastAxis,
                kernel: .square(1), strides: .square(1), dilation: .square(1), outputHeight: height, outputWidth: width,
                packed: packed, fusedReLU: activation == .relu)
        }
    }

    private func writeHeader(into out: inout SourceWriter) {
        out.line("// Generated by cnnc \(Self.cnncVersion) from \(specPath). Do not edit: change the spec and run")
        out.line("// `cnnc generate \(specPath)` again.")
        out.line("//")
        out.line("// Model \"\(model.name)\": input \(model.inputShape), output \(model.outputShape),")
        out.line("// \(Formatting.thousands(model.parameters)) parameters, \(Formatting.thousands(model.flops)) FLOPs per sample.")
        out.line("// Build with `-O -target-cpu native -D CNNC_FMA` for fused multiply-adds (see README).")
        out.line()
        out.line("import CNNCRuntime")
        out.line("import Foundation")
        out.line()
        out.line("// If this does not compile, the file was generated for another version of")
        out.line("// CNNCRuntime: regenerate it with the cnnc that matches your runtime.")
        out.block("fileprivate struct _CNNCRuntimeVersionCheck: CNNCRuntimeAPIVersionCheck") { out in
            out.line("struct _3: CNNCRuntimeAPIVersion3 {}")
            out.line("typealias Version = _3")
        }
        out.line()
    }

    private func writeType(weights: WeightPlan, arena: ArenaLayout, functions: SourceWriter, forward: ForwardWriter, blockPath: SourceWriter,
                           into out: inout SourceWriter) {
        out.doc("The \"\(model.name)\" model from \(specPath), compiled by cnnc.")
        out.block("public struct \(typeName): CompiledModel") { out in
            out.line("public static let inputShape = \(model.inputShape.dimensions)")
            out.line("public static let outputShape = \(model.outputShape.dimensions)")
            out.line("public static let inputCount = \(model.inputShape.elementCount)")
            out.line("public static let outputCount = \(model.outputShape.elementCount)")
            out.line("public static let parameterCount = \(weights.parameterCount)")
            out.line("/// FLOPs per sample: 2 x the multiply-adds of Conv2D and Dense.")
            out.line("public static let flops = \(model.flops)")
            out.line("/// Two activation buffers of \(arena.activation) floats, \(arena.padded) for padded convolution inputs, \(arena.scratch) of Winograd scratch.")
            out.line("public static let arenaCount = \(arena.total)")
            out.line("static let packedCount = \(weights.packedCount)")
            out.line()
            out.doc("Every layer with Keras's name and class, and one sample's output shape.")
            out.line("public static let layers: [LayerDescription] = [")
            for layer in model.layers {
                out.line("    LayerDescription(name: \"\(layer.name)\", className: \"\(layer.className)\", outputShape: \(layer.outputShape.dimensions)),")
            }
            out.line("]")
            out.line()
            out.doc("The weight tensors in Keras's names and layouts, and their place in `parameters`.")
            out.line("public static let weightLayout: [TensorLayout] = [")
            for tensor in weights.tensors {
                out.line("    TensorLayout(name: \"\(tensor.name)\", shape: \(tensor.shape), offset: \(tensor.offset)),")
            }
            out.line("]")
            out.line()
            out.line("public let parameters: [Float]")
            out.doc("The parameters rearranged for the kernels (see `WeightPacking`).")
            out.line("let packed: [Float]")
            out.line()
            out.block("public init(parameters: [Float]) throws(RuntimeError)") { out in
                out.block("guard parameters.count == Self.parameterCount else") { out in
                    out.line("throw RuntimeError(\"\(typeName) has \\(Self.parameterCount) parameters; got \\(parameters.count)\")")
                }
                out.line("self.parameters = parameters")
                guard !weights.packing.isEmpty else {
                    out.line("self.packed = []")
                    return
                }
                out.line("var packed = [Float](repeating: 0, count: Self.packedCount)")
                for index in model.layers.indices {
                    guard let packing = weights.packing[index] else { continue }
                    switch packing {
                    case .kernel(let kernel):
                        let tensor = weights.tensors[kernel.kernelTensor]
                        out.line("WeightPacking.kernel(parameters, from: \(tensor.offset), rows: \(kernel.rows), outputs: \(kernel.outputs), paddedOutputs: \(kernel.paddedOutputs), into: &packed, at: \(kernel.kernelOffset))")
                        let bias = kernel.biasTensor.map { "\(weights.tensors[$0].offset)" } ?? "nil"
                        out.line("WeightPacking.bias(parameters, from: \(bias), count: \(kernel.outputs), into: &packed, at: \(kernel.biasOffset))")
                        if let transformed = kernel.winogradOffset {
                            out.line("WeightPacking.winograd(parameters, from: \(tensor.offset), inputChannels: \(kernel.rows / 9), outputs: \(kernel.outputs), paddedOutputs: \(kernel.paddedOutputs), into: &packed, at: \(transformed))")
                        }
                    case .normalization(let norm):
                        func offset(_ tensor: Int?) -> String { tensor.map { "\(weights.tensors[$0].offset)" } ?? "nil" }
                        out.line("WeightPacking.batchNormalization(parameters, gamma: \(offset(norm.gammaTensor)), beta: \(offset(norm.betaTensor)), mean: \(offset(norm.meanTensor)), variance: \(offset(norm.varianceTensor)), epsilon: Float(\(norm.epsilon)), channels: \(norm.channels), into: &packed, scaleAt: \(norm.scaleOffset), shiftAt: \(norm.shiftOffset))")
                    }
                }
                out.line("self.packed = packed")
            }
            out.line()
            out.doc("One forward pass over one sample, in inference mode.",
                    "`arena` must hold `arenaCount` floats; it is scratch, overwritten by every call.")
            out.block("public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)") { out in
                out.line("forward(input, output, arena, nil)")
            }
            out.line()
            out.doc("The forward pass, handing each layer's output to `observe` (for `cnnc verify` and `--dump-layers`).")
            out.block("public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, observingLayers observe: (_ index: Int, _ output: UnsafePointer<Float>) -> Void)") { out in
                out.line("withoutActuallyEscaping(observe) { observe in forward(input, output, arena, observe) }")
            }
            out.line()
            out.doc("The layers in order over `arena`; inlined into both entry points, so the",
                    "plain `predict` has no observer calls left after optimization.")
            out.line("@inline(__always)")
            out.block("private func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ observe: ((Int, UnsafePointer<Float>) -> Void)?)") { out in
                out.block("packed.withUnsafeBufferPointer { weights in", opening: "") { out in
                    out.line("let w = weights.baseAddress!")
                    arena.declareRegions(observed: true, into: &out)
                    out.embed(forward.sequential.text)
                }
            }
            out.line()
            out.doc("Floats of Winograd scratch each worker after the first needs beyond `arenaCount`.")
            out.line("public static let workerScratchCount = \(arena.scratch)")
            out.line()
            out.doc("One sample with each convolution (and each Dense layer of several channel groups)",
                    "split across the pool's workers, by rows of output or groups of channels;",
                    "`arena` must hold `arenaCount + (pool.workers - 1) * workerScratchCount` floats.")
            out.block("public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, splittingAcross pool: WorkerPool)") { out in
                out.block("packed.withUnsafeBufferPointer { weights in", opening: "") { out in
                    out.line("let w = weights.baseAddress!")
                    arena.declareRegions(observed: false, into: &out)
                    out.embed(forward.split.text)
                }
            }
            out.line()
            out.embed(blockPath.text)
            out.embed(functions.text)
        }
    }

    /// The multiply-add the kernels use: fused when the build promises FMA
    /// (`-D CNNC_FMA` with `-target-cpu native`), else a multiply and an add,
    /// which never turns into a slow call to `fmaf` per lane.
    private func writeMultiplyAdd(vectorTypes: [Int], into out: inout SourceWriter) {
        guard !vectorTypes.isEmpty else { return }
        out.line()
        out.line("#if CNNC_FMA")
        for lanes in vectorTypes {
            out.line("@inline(__always) private func madd(_ a: SIMD\(lanes)<Float>, _ x: SIMD\(lanes)<Float>, _ w: SIMD\(lanes)<Float>) -> SIMD\(lanes)<Float> { a.addingProduct(x, w) }")
        }
        out.line("#else")
        for lanes in vectorTypes {
            out.line("@inline(__always) private func madd(_ a: SIMD\(lanes)<Float>, _ x: SIMD\(lanes)<Float>, _ w: SIMD\(lanes)<Float>) -> SIMD\(lanes)<Float> { a + x * w }")
        }
        out.line("#endif")
    }
}
