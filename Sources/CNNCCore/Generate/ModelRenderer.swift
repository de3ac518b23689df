import Foundation

/// Turns a `ModelProgram` into the model's Swift file: the header, the type
/// with its constants, weight packing and entry points, every layer's kernel
/// functions in the model's order, the block path and the training extension.
struct ModelRenderer {
    let program: ModelProgram
    /// False for a model that only runs forward (`ModelGenerator.includesTraining`).
    var includesTraining = true

    private var model: ModelProgram { program }
    private var specPath: String { program.specPath }
    private var typeName: String { program.typeName }

    /// The model as one file (`cnnc generate`, the build plugin, Generated/).
    func render() -> String {
        let parts = parts(splittingKernels: false)
        return parts.type + (parts.training ?? "") + parts.helpers
    }

    /// The model's Swift in the pieces `render` and `renderFiles` put together:
    /// the header and the type (with the kernels of its first layers, or all),
    /// the kernels of its later layers as an extension of the type (when
    /// `splittingKernels`, half of the kernels), the training extension,
    /// and the file-level helpers every file that has kernels needs a copy of.
    struct Parts {
        var type: String
        var laterKernels: String?
        var training: String?
        var helpers: String
    }

    func parts(splittingKernels: Bool) -> Parts {
        var header = SourceWriter()
        writeHeader(into: &header)
        var kernels: [String] = []
        var forward = ForwardWriter()
        for node in program.nodes {
            var functions = SourceWriter()
            emitFunctions(of: node, into: &functions)
            kernels.append(functions.text)
            forward.beginLayer()
            emitForward(node, into: &forward)
        }
        for (slot, result) in zip(program.outputLayout.slots, program.results) {
            let target = PointerExpression.offset("output", by: slot.offset)
            forward.line("\(target).update(from: \(pointer(result)), count: \(slot.shape.elementCount))")
        }
        let blockPath = blockPath()

        var later = 0
        if splittingKernels {
            // Kernels from the last layer back, while a layer's kernels lie mostly
            // in the later half of the kernels' source. Half of the kernels rather
            // than of the file: the forward passes that stay with the type cost
            // LLVM less than their size says (DenseNet121's forward-only model,
            // 64x64: 34.7 s in one file; 31.8–32.3 with half its kernels moved,
            // 33.3–35.9 with 65%, 34.1–37.4 with 85%, which balanced the files' sizes).
            let total = kernels.reduce(0) { $0 + $1.utf8.count }
            var bytes = 0
            for text in kernels.reversed() {
                guard 2 * bytes + text.utf8.count <= total else { break }
                bytes += text.utf8.count
                later += 1
            }
        }
        var laterKernels: String?
        if later > 0 {
            var out = SourceWriter()
            out.line()
            out.line("// MARK: - Layers, continued: the kernels of the later layers")
            out.line()
            out.block("extension \(typeName)") { out in out.embed(kernels.suffix(later).joined()) }
            laterKernels = out.text
        }
        var training: String?
        if includesTraining {
            var out = SourceWriter()
            TrainingGenerator(model: program).emit(into: &out)
            training = out.text
        }
        var type = header
        writeType(functions: kernels.dropLast(later).joined(), forward: forward, blockPath: blockPath, into: &type)
        return Parts(type: type.text, laterKernels: laterKernels, training: training, helpers: helpers())
    }

    /// The batched tail's entry point and its kernels over samples (empty without a tail).
    private func blockPath() -> SourceWriter {
        var blockPath = SourceWriter()
        guard let tail = program.batchedTail else { return blockPath }
        let headResult = tail.headResult(in: program.nodes)
        var head = ForwardWriter(), layerMajor = ForwardWriter(blockSamples: BatchedTailProgram.samples)
        for node in program.nodes[..<tail.layerMajorStart] {
            head.beginLayer()
            emitForward(node, into: &head)
        }
        for node in program.nodes[tail.layerMajorStart..<tail.start] {
            layerMajor.beginLayer()
            emitForward(node, into: &layerMajor)
        }
        BatchedTailRenderer(tail: tail)
            .emitEntryPoint(headForward: head.sequential, layerMajorForward: layerMajor.sequential,
                            layerMajorLoopsOverSamples: layerMajor.loopsOverSamples,
                            headResult: pointer(headResult),
                            crossing: program.arena.regions.filter { $0.firstNode < tail.layerMajorStart && $0.lastNode >= tail.layerMajorStart }
                                .map { ($0.name, $0.count) },
                            into: &blockPath)
        // The layer-major kernels over samples, once each (layers of one geometry share theirs).
        var written: Set<String> = []
        for node in program.nodes[tail.layerMajorStart..<tail.start] {
            guard case .convolution(let kernels) = node.kernel, let kernel = kernels.overSamples,
                  written.insert(kernel.function).inserted else { continue }
            blockPath.line()
            blockPath.line("// \(node.layer.name) and the layers of its geometry, for every sample of a block")
            kernel.emit(into: &blockPath)
        }
        return blockPath
    }

    /// The file-level declarations kernels call: vector types, multiply-add,
    /// store steps and Winograd's transforms, all `private` to their file.
    private func helpers() -> String {
        var out = SourceWriter()
        out.line()
        out.line("// MARK: - Vector types")
        out.line()
        for declaration in VectorTypes.declarations { out.line(declaration) }
        out.line()
        out.line("// MARK: - Loads by width")
        out.line()
        for declaration in VectorTypes.loadDeclarations { out.line(declaration) }
        writeMultiplyAdd(vectorTypes: program.vectorWidths, into: &out)
        writeStoreSteps(into: &out)
        if program.usesWinograd {
            out.line()
            out.line("// MARK: - Winograd's 1-D transforms")
            out.line()
            WinogradTile.emitHelpers(lanes: program.vectorWidths.filter { $0 == 8 || $0 == 16 }, into: &out)
        }
        return out.text
    }

    /// A layer's functions: its comment, then each kernel it may run.
    private func emitFunctions(of node: NodeProgram, into functions: inout SourceWriter) {
        let comment = node.comment
        functions.line("// \(comment)")
        if let owner = node.sharesKernelsOf {
            functions.line("// The geometry of \(program.nodes[owner].layer.name): calls its kernels, with this layer's weights.")
            functions.line()
            return
        }
        switch node.kernel {
        case .convolution(let kernels):
            if let padder = kernels.padding {
                padder.emit(into: &functions)
                functions.line()
                functions.line("// \(node.layer.name): the direct kernel")
            }
            // The direct kernel: the forward pass's unless Winograd's is.
            kernels.direct.emit(into: &functions)
            if let pointwise = kernels.pointwise {
                functions.line()
                functions.line("// \(node.layer.name): the 1x1 convolution of its depthwise result")
                pointwise.emit(into: &functions)
            }
            if let winograd = kernels.winograd {
                functions.line()
                functions.line("// \(node.layer.name): forward by Winograd's \(winograd.kernel.algorithm)")
                winograd.padding.emit(into: &functions)
                functions.line()
                winograd.kernel.emit(into: &functions)
            }
            if let post = kernels.activation {
                functions.line()
                functions.line("// \(node.layer.name): its \(node.layer.operation.fusedActivation.rawValue) activation")
                post.emit(into: &functions)
            }
            if let fused = kernels.fused {
                functions.line()
                let what = node.fusion?.ownActivation == true ? "its activation" : "the layers after it"
                functions.line("// \(node.layer.name): at inference, with \(what) in its store")
                fused.emit(into: &functions)
            }
        case .pooling(let kernel):
            kernel.emit(into: &functions)
        case .globalPooling(let kernel):
            kernel.emit(into: &functions)
        case .zeroPadding(let kernel):
            kernel.emit(into: &functions)
        case .cropping(let kernel):
            kernel.emit(into: &functions)
        case .upSampling(let kernel):
            kernel.emit(into: &functions)
        case .resizing(let kernel):
            kernel.emit(into: &functions)
        case .permute(let kernel):
            kernel.emit(into: &functions)
        case .repeatVector(let kernel):
            kernel.emit(into: &functions)
        case .inPlace(let kernel):
            kernel.emit(into: &functions)
            if kernel.fusedClamp != nil {
                functions.line()
                kernel.emitFused(into: &functions)
            }
            // A layer of this geometry whose input is read again later runs from it in one pass.
            let fromInput = program.nodes.contains { other in
                guard other.copiesInputFirst, case .inPlace(let theirs) = other.kernel else { return false }
                return theirs.function == kernel.function
            }
            if kernel.runsFromInput && fromInput {
                functions.line()
                kernel.emitFromInput(into: &functions)
            }
        case .merge(let kernel):
            kernel.emit(into: &functions)
        case .concatenate(let kernel):
            kernel.emit(into: &functions)
        case .nothing:
            let reason = switch node.layer.operation {
            case .flatten: "the channels-last layout is already flat"
            case .reshape: "the same channels-last values, read as another shape"
            default: "dropout is active only in training"
            }
            functions.line("// Nothing to compute at inference: \(reason).")
        }
        functions.line()
    }

    /// A buffer as generated code names it: `input` (or a later input's place
    /// in the packed sample), or its region of the arena.
    private func pointer(_ buffer: InferenceBuffer) -> String {
        switch buffer {
        case .input(let index):
            let offset = program.inputLayout.slots[index].offset
            return PointerExpression.offset("input", by: offset)
        case .region(let region):
            return PointerExpression.offset("arena", by: "Arena.\(program.arena.regions[region].name)")
        }
    }

    /// The same, to read from.
    private func readable(_ buffer: InferenceBuffer) -> String {
        if case .input = buffer { return pointer(buffer) }
        return "UnsafePointer(\(pointer(buffer)))"
    }

    /// A layer's calls in the forward pass, then the observer's. The layer is
    /// named here; its full description stands once, above its kernels.
    private func emitForward(_ node: NodeProgram, into forward: inout ForwardWriter) {
        forward.line("// \(node.layer.name)")
        let source = readable(node.reads)
        let target = pointer(node.writes)
        switch node.kernel {
        case .convolution(let kernels):
            if let fused = kernels.fused, let fusion = node.fusion {
                if let padder = fusion.absorbedPadding {
                    forward.line("// reading past \(program.nodes[padder].layer.name), unless every layer's output is observed")
                }
                if !fusion.followers.isEmpty { forward.line(followersComment(fusion)) }
                if fusion.ownActivation { forward.line("// with its activation in its store, unless every layer's output is observed") }
                let post = fusion.scaleShiftOffset.map { PointerExpression.offset("w", by: $0) }
                forward.unlessObserved(
                    plain: { emitConvolution(node, kernels, fused: (fused, post), into: &$0) },
                    observed: { emitConvolution(node, kernels, fused: nil, into: &$0) })
            } else {
                emitConvolution(node, kernels, fused: nil, into: &forward)
            }
        case .pooling, .globalPooling, .zeroPadding, .cropping, .upSampling, .resizing, .permute, .repeatVector:
            let call = "Self.\(node.function)(\(source), \(target))"
            // Only a ZeroPadding2D is ever read past (`EpilogueFusion.absorbPadding`).
            if let owner = node.fusedInto {
                forward.onlyObserved(call, otherwise: "// read past by \(program.nodes[owner].layer.name)")
            } else {
                forward.line(call)
            }
        case .merge(let merge) where merge.fusedClamp != nil && node.fusion != nil:
            let sources = ([source] + node.otherReads.map(readable)).joined(separator: ", ")
            if let fusion = node.fusion { forward.line(followersComment(fusion)) }
            forward.unlessObserved(plain: { $0.line("Self.\(merge.fusedFunction)(\(sources), \(target))") },
                                   observed: { $0.line("Self.\(node.function)(\(sources), \(target))") })
        case .merge, .concatenate:
            let sources = ([source] + node.otherReads.map(readable)).joined(separator: ", ")
            forward.line("Self.\(node.function)(\(sources), \(target))")
        case .nothing:
            forward.line("// (no computation at inference)")
        case .inPlace(let kernel) where node.copiesInputFirst && kernel.runsFromInput && node.fusedInto == nil:
            forward.line("Self.\(kernel.function)_from(\(source), \(target))")
        case .inPlace(let kernel) where kernel.fusedClamp != nil && node.fusion != nil:
            if let fusion = node.fusion { forward.line(followersComment(fusion)) }
            forward.unlessObserved(plain: { $0.line("Self.\(kernel.fusedFunction)(\(source), \(target), w)") },
                                   observed: { emitInPlace(node, kernel, into: &$0) })
        case .inPlace(let kernel):
            emitInPlace(node, kernel, into: &forward)
        }
        forward.observe("observe?(\(node.index), \(readable(node.writes)))")
    }

    /// An in-place layer's call, after the copy of its input where that input is read again later.
    private func emitInPlace(_ node: NodeProgram, _ kernel: ElementwiseEmitter, into forward: inout ForwardWriter) {
        let target = pointer(node.writes)
        if node.copiesInputFirst { forward.line("\(target).update(from: \(readable(node.reads)), count: \(node.layer.inputShape.elementCount))") }
        let call = kernel.needsWeights ? "Self.\(node.function)(\(target), w)" : "Self.\(node.function)(\(target))"
        if let owner = node.fusedInto {
            forward.onlyObserved(call, otherwise: "// in \(program.nodes[owner].layer.name)'s store")
        } else {
            forward.line(call)
        }
    }

    /// The forward pass's note on the layers a fused kernel runs in its store.
    private func followersComment(_ fusion: NodeFusion) -> String {
        let names = fusion.followers.map { program.nodes[$0].layer.name }.joined(separator: " and ")
        return "// with \(names) in its store, unless every layer's output is observed"
    }

    /// A convolution's kernel calls: its padding, then Winograd's kernel, a
    /// SeparableConv2D's two steps or the direct kernel; with `fused`, the
    /// fused kernel in place of the last, handed `post` (where the
    /// BatchNormalization's scale and shift are) when it reads them.
    private func emitConvolution(_ node: NodeProgram, _ kernels: ConvolutionKernels, fused: (kernel: FusedKernel, post: String?)?,
                                 into forward: inout ForwardWriter) {
        // A fused kernel that reads past a ZeroPadding2D reads that layer's input.
        let padder = fused == nil ? nil : node.fusion?.absorbedPadding
        let source = readable(padder.map { program.nodes[$0].reads } ?? node.reads)
        let target = pointer(node.writes)
        let padded = node.padded.map { PointerExpression.offset("arena", by: "Arena.\(program.arena.regions[$0].name)") }
        let post = fused?.post.map { ", \($0)" } ?? ""
        if let winograd = kernels.winograd, let padded {
            let function = fused?.kernel.function ?? winograd.kernel.function
            forward.line("Self.\(winograd.padding.function)(\(source), \(padded))")
            forward.kernel(parts: kernels.splitParts) { worker, parts in
                let scratch = PointerExpression.offset("arena", by: "Arena.scratch" + (worker.map { " + \($0) * \(winograd.kernel.scratchCount)" } ?? ""))
                return "Self.\(function)(UnsafePointer(\(padded)), \(node.packedWeights), \(target), \(scratch)\(post)\(parts.map { ", \($0)" } ?? ""))"
            }
        } else {
            var reads = source
            if let padder = kernels.padding, let padded {
                // Over samples, every sample's copy first.
                forward.eachSample(when: kernels.overSamples != nil || kernels.pointwiseSharesWeights, "Self.\(padder.function)(\(source), \(padded))")
                reads = "UnsafePointer(\(padded))"
            }
            if let pointwise = kernels.pointwise, let intermediate = node.intermediate {
                let middle = PointerExpression.offset("arena", by: "Arena.\(program.arena.regions[intermediate].name)")
                let second = fused?.kernel.function ?? pointwise.function
                if pointwise.flatOutput {
                    // SeparableConv2D on a small output: the depthwise step whole, then
                    // the 1x1 step's groups of channels, each for a whole block in the
                    // layer-major functions (so its weights' slices are read once a block).
                    forward.eachSample(when: kernels.pointwiseSharesWeights, "Self.\(kernels.direct.function)(\(reads), \(node.packedWeights), \(middle))")
                    forward.kernelSharingWeights(slices: pointwise.parts, splitParts: kernels.splitParts) { _, parts in
                        "Self.\(second)(UnsafePointer(\(middle)), \(node.packedWeights), \(target)\(post)\(parts.map { ", \($0)" } ?? ""))"
                    }
                } else {
                    // SeparableConv2D: both steps on the same rows.
                    func calls(_ rows: String?) -> String {
                        let range = rows.map { ", \($0)" } ?? ""
                        return "Self.\(kernels.direct.function)(\(reads), \(node.packedWeights), \(middle)\(range)); Self.\(second)(UnsafePointer(\(middle)), \(node.packedWeights), \(target)\(post)\(range))"
                    }
                    if let rows = kernels.rowsPerBlock {
                        forward.rowBlocks(height: pointwise.outputHeight, rows: rows, parts: kernels.splitParts, calls)
                    } else {
                        forward.kernel(parts: kernels.splitParts) { _, parts in calls(parts) }
                    }
                }
            } else {
                let function = fused?.kernel.function ?? kernels.direct.function
                func call(_ worker: String?, _ parts: String?) -> String {
                    "Self.\(function)(\(reads), \(node.packedWeights), \(target)\(post)\(parts.map { ", \($0)" } ?? ""))"
                }
                // A kernel alone in its layer whose parts are groups of output channels
                // runs each group for a whole block in the layer-major functions.
                if let overSamples = kernels.overSamples, forward.blockSamples != nil {
                    forward.overSamples("Self.\(overSamples.function)(\(reads), \(node.packedWeights), \(target)\(post))")
                } else if case .channelLanes(let kernel) = kernels.direct, kernel.partsAreChannelGroups, kernels.padding == nil {
                    forward.kernelSharingWeights(slices: kernel.parts, splitParts: kernels.splitParts, call)
                } else {
                    forward.kernel(parts: kernels.splitParts, call)
                }
            }
        }
        // A fused kernel that applies the layer's own activation leaves no pass after it.
        if let activation = kernels.activation, fused == nil || node.fusion?.ownActivation != true {
            forward.afterKernel("Self.\(activation.function)(\(target))")
        }
    }

    /// The modules every generated file imports (the type's and a second file alike).
    func writeImports(into out: inout SourceWriter) {
        out.line("import CNNCRuntime")
        out.line("import Foundation")
    }

    private func writeHeader(into out: inout SourceWriter) {
        out.line("// Generated by cnnc \(CNNCVersion.current) from \(specPath). Do not edit: change the spec and run")
        out.line("// `cnnc generate --target-cpu \(model.target.rawValue) \(specPath)` again.")
        out.line("//")
        let inputs = model.inputLayout.slots.count == 1 ? "input" : "inputs", outputs = model.outputLayout.slots.count == 1 ? "output" : "outputs"
        out.line("// Model \"\(model.modelName)\": \(inputs) \(model.inputLayout.description), \(outputs) \(model.outputLayout.description),")
        out.line("// \(Formatting.thousands(model.parameterCount)) parameters, \(Formatting.thousands(model.flops)) FLOPs per sample.")
        out.line("// \(model.target.headerLine).")
        out.line("// Build with `-O -target-cpu native -D CNNC_FMA` for fused multiply-adds (see README).")
        if !includesTraining {
            out.line("// Inference only: no training extension (`TrainableModel`), as cnnc builds a model to predict, verify or bench.")
        }
        out.line()
        writeImports(into: &out)
        out.line()
        out.line("// If this does not compile, the file was generated for another version of")
        out.line("// CNNCRuntime: regenerate it with the cnnc that matches your runtime.")
        out.block("fileprivate struct _CNNCRuntimeVersionCheck: CNNCRuntimeAPIVersionCheck") { out in
            out.line("struct _8: CNNCRuntimeAPIVersion8 {}")
            out.line("typealias Version = _8")
        }
        out.line()
    }

    private func writeType(functions: String, forward: ForwardWriter, blockPath: SourceWriter, into out: inout SourceWriter) {
        let weights = program.weights, arena = program.arena
        out.doc("The \"\(model.modelName)\" model from \(specPath), compiled by cnnc.")
        out.block("public struct \(typeName): CompiledModel") { out in
            out.line("public static let inputShape = \(model.inputShape.dimensions)")
            out.line("public static let outputShape = \(model.outputShape.dimensions)")
            out.line("public static let inputCount = \(model.inputShape.elementCount)")
            out.line("public static let outputCount = \(model.outputShape.elementCount)")
            out.doc("How this file was compiled: the standard library's assertion configuration is debug exactly at -Onone.")
            out.line("public static let compiledWithOptimization = !_isDebugAssertConfiguration()")
            writeSampleLayouts(into: &out)
            out.line("public static let parameterCount = \(weights.parameterCount)")
            out.line("/// FLOPs per sample: 2 x the multiply-adds of convolutions and Dense.")
            out.line("public static let flops = \(model.flops)")
            out.line("/// \(Formatting.thousands(arena.activation)) floats of activations and padded inputs (see `Arena`), \(Formatting.thousands(arena.scratch)) of Winograd scratch.")
            out.line("public static let arenaCount = \(arena.total)")
            out.line("static let packedCount = \(weights.packedCount)")
            out.line()
            arena.emitOffsets(into: &out)
            out.line()
            out.doc("Every layer with Keras's name and class, and one sample's output shape.")
            writeTable("public static let layers: [LayerDescription] = LayerDescription.table", rows: model.nodes.map {
                [("name", Self.json($0.layer.descriptionName)), ("className", Self.json($0.layer.className)),
                 ("outputShape", "\($0.kerasOutputShape.dimensions)")]
            }, into: &out)
            out.line()
            out.doc("The weight tensors in Keras's names and layouts, and their place in `parameters`.")
            writeTable("public static let weightLayout: [TensorLayout] = TensorLayout.table", rows: weights.tensors.map {
                [("name", Self.json($0.name)), ("shape", "\($0.shape)"), ("offset", "\($0.offset)")]
                    + ($0.initialValue.map { [("initialValue", "\(Float($0))")] } ?? [])
            }, into: &out)
            out.line()
            out.line("public let parameters: [Float]")
            out.doc("The parameters rearranged for the kernels (see `WeightPacking`), on a cache line.")
            out.line("let packed: PackedWeights")
            out.line()
            // Weights only inference reads: the F(4x4) Winograd weights of layers
            // whose training forward pass runs by F(2x2) (`TrainableModel.init(trainingParameters:)`).
            // and a Conv1D's `WinogradLine` weights (training runs that layer directly).
            let lineWeights = program.training.unsupportedReason != nil ? [] : weights.packing.values.compactMap { packing -> Int? in
                if case .kernel(let packed) = packing, packed.winogradLine != nil { packed.winogradOffset } else { nil }
            }
            let inferenceOnly = Set(program.training.winogradTrainingForwards.compactMap { forward -> Int? in
                if case .kernel(let packed)? = weights.packing[forward.layer] { packed.winogradOffset } else { nil }
            } + lineWeights)
            if !inferenceOnly.isEmpty {
                out.block("public init(parameters: [Float]) throws(RuntimeError)") { out in
                    out.line("try self.init(parameters: parameters, forInference: true)")
                }
                out.line()
                out.doc("The model packed for training steps only: without the Winograd weights that inference alone",
                        "reads (training's forward pass runs those layers by F(2x2), or a Conv1D's directly). It must not `predict`.")
                out.block("public init(trainingParameters parameters: [Float]) throws(RuntimeError)") { out in
                    out.line("try self.init(parameters: parameters, forInference: false)")
                }
                out.line()
            }
            out.block(inferenceOnly.isEmpty ? "public init(parameters: [Float]) throws(RuntimeError)"
                                            : "private init(parameters: [Float], forInference: Bool) throws(RuntimeError)") { out in
                out.block("guard parameters.count == Self.parameterCount else") { out in
                    out.line("throw RuntimeError(\"\(typeName) has \\(Self.parameterCount) parameters; got \\(parameters.count)\")")
                }
                out.line("UnoptimizedBuildWarning.check(model: \(SwiftNames.stringLiteral(typeName)), optimized: Self.compiledWithOptimization)")
                out.line("self.parameters = parameters")
                guard !weights.packing.isEmpty else {
                    out.line("self.packed = PackedWeights(count: 0)")
                    return
                }
                out.line("let packed = PackedWeights(count: Self.packedCount), buffer = packed.bufferForPacking")
                // A shared layer's later calls read the weights its first call packs.
                for index in model.nodes.indices where model.nodes[index].layer.sharesWeightsOf == nil {
                    guard let packing = weights.packing[index] else { continue }
                    switch packing {
                    case .kernel(let kernel):
                        writePacking(kernel, weights: weights, inferenceOnly: inferenceOnly, into: &out)
                    case .separable(let depthwise, let pointwise):
                        writePacking(depthwise, weights: weights, into: &out)
                        writePacking(pointwise, weights: weights, into: &out)
                    case .normalization(let norm):
                        func offset(_ tensor: Int?) -> String { tensor.map { "\(weights.tensors[$0].offset)" } ?? "nil" }
                        out.line("WeightPacking.batchNormalization(parameters, gamma: \(offset(norm.gammaTensor)), beta: \(offset(norm.betaTensor)), mean: \(offset(norm.meanTensor)), variance: \(offset(norm.varianceTensor)), epsilon: Float(\(norm.epsilon)), channels: \(norm.channels), into: buffer, scaleAt: \(norm.scaleOffset), shiftAt: \(norm.shiftOffset))")
                    case .layerNormalization(let gamma, let beta):
                        for copy in [gamma, beta].compactMap({ $0 }) { writeCopy(copy, weights: weights, into: &out) }
                    case .prelu(let alpha):
                        writeCopy(alpha, weights: weights, into: &out)
                    case .featureNormalization(let norm):
                        out.line("WeightPacking.normalization(parameters, mean: \(weights.tensors[norm.meanTensor].offset), variance: \(weights.tensors[norm.varianceTensor].offset), invert: \(norm.invert), channels: \(norm.channels), into: buffer, scaleAt: \(norm.scaleOffset), shiftAt: \(norm.shiftOffset))")
                    }
                }
                out.line("self.packed = packed")
            }
            out.line()
            out.doc("One forward pass over one sample, in inference mode.",
                    "`arena` must hold `arenaCount` floats; it is scratch, overwritten by every call.")
            out.block("public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>)") { out in
                out.line("packed.withUnsafeBufferPointer { forward(input, output, arena, $0.baseAddress!, nil) }")
            }
            out.line()
            out.doc("The forward pass, handing each layer's output to `observe` (for `cnnc verify` and `--dump-layers`).")
            out.block("public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, observingLayers observe: (_ index: Int, _ output: UnsafePointer<Float>) -> Void)") { out in
                out.line("withoutActuallyEscaping(observe) { observe in packed.withUnsafeBufferPointer { forward(input, output, arena, $0.baseAddress!, observe) } }")
            }
            out.line()
            // The passes are functions, not closure bodies: Swift type-checks a
            // closure's statements with the call around it, in time that grew
            // with the square of the layers (45 s against 1.5 s for 800).
            out.doc("The layers in order over `arena`; inlined into both entry points, so the",
                    "plain `predict` has no observer calls left after optimization.")
            LayerRunFunctions.inference("forward", extra: ("observe", "((Int, UnsafePointer<Float>) -> Void)?"), observed: true,
                                        layers: forward.sequential).emit(into: &out)
            out.line()
            out.doc("Floats of Winograd scratch each worker after the first needs beyond `arenaCount`.")
            out.line("public static let workerScratchCount = \(arena.scratch)")
            out.line()
            out.doc("One sample with each convolution (and each Dense layer of several channel groups)",
                    "split across the pool's workers, by rows of output or groups of channels;",
                    "`arena` must hold `arenaCount + (pool.workers - 1) * workerScratchCount` floats.")
            out.block("public func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>, splittingAcross pool: WorkerPool)") { out in
                out.line("packed.withUnsafeBufferPointer { forwardSplit(input, output, arena, $0.baseAddress!, pool) }")
            }
            out.line()
            LayerRunFunctions.inference("forwardSplit", extra: ("pool", "WorkerPool"), observed: false, layers: forward.split).emit(into: &out)
            out.line()
            if !blockPath.text.isEmpty {
                out.line("// MARK: - Block path: several samples share each Dense weight loaded")
                out.line()
                out.embed(blockPath.text)
            }
            out.line("// MARK: - Layers: each layer's kernels, in the model's order")
            out.line()
            out.embed(functions)
        }
    }

    /// `declaration(…)` of a table's rows as JSON text in a multi-line string
    /// literal, a row a line, which the runtime decodes once (`GeneratedTable`):
    /// an array literal of structs is slow to compile for a deep model. A row
    /// is its keys and their values as JSON, in the order they are written.
    private func writeTable(_ declaration: String, rows: [[(key: String, json: String)]], into out: inout SourceWriter) {
        let json = rows.enumerated().map { index, row in
            "{" + row.map { "\"\($0.key)\":\($0.json)" }.joined(separator: ",") + "}" + (index == rows.count - 1 ? "" : ",")
        }
        out.line(declaration + "(")
        for line in SwiftNames.multiLineStringLiteral(["["] + json + ["]"]) { out.line("    " + line) }
        out.line(")")
    }

    /// `text` as a JSON string (Foundation's encoder escapes what JSON requires).
    private static func json(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding a string cannot fail.
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// Each input's and output's name, shape and place in a packed sample: one
    /// tensor each for most models, whose packed shape is the tensor's own.
    private func writeSampleLayouts(into out: inout SourceWriter) {
        for (name, layout) in [("inputLayout", model.inputLayout), ("outputLayout", model.outputLayout)] {
            let what = name == "inputLayout" ? "input" : "output"
            out.doc(layout.slots.count == 1
                    ? "The model's \(what), by its Keras name."
                    : "The model's \(what)s by their Keras names, one after another in a sample of `\(what)Count` floats.")
            out.line("public static let \(name): [TensorLayout] = [")
            for slot in layout.slots {
                out.line("    TensorLayout(name: \(SwiftNames.stringLiteral(slot.name)), shape: \(slot.shape.dimensions), offset: \(slot.offset)),")
            }
            out.line("]")
        }
    }

    /// The lines that pack one kernel (and its bias, and its Winograd form) at model creation.
    private func writePacking(_ kernel: WeightPlan.PackedKernel, weights: WeightPlan, inferenceOnly: Set<Int> = [], into out: inout SourceWriter) {
        let tensor = weights.tensors[kernel.kernelTensor]
        if let inputs = kernel.transposedInputs {
            out.line("WeightPacking.transposedKernel(parameters, from: \(tensor.offset), taps: \(kernel.rows / inputs), inputs: \(inputs), outputs: \(kernel.outputs), paddedOutputs: \(kernel.paddedOutputs), into: buffer, at: \(kernel.kernelOffset))")
        } else if let width = kernel.panelWidth {
            out.line("WeightPacking.panels(parameters, from: \(tensor.offset), rows: \(kernel.rows), outputs: \(kernel.outputs), width: \(width), into: buffer, at: \(kernel.kernelOffset))")
        } else {
            out.line("WeightPacking.kernel(parameters, from: \(tensor.offset), rows: \(kernel.rows), outputs: \(kernel.outputs), paddedOutputs: \(kernel.rowStride), into: buffer, at: \(kernel.kernelOffset))")
        }
        let bias = kernel.biasTensor.map { "\(weights.tensors[$0].offset)" } ?? "nil"
        out.line("WeightPacking.bias(parameters, from: \(bias), count: \(kernel.outputs), into: buffer, at: \(kernel.biasOffset))")
        if let phased = kernel.phasedOffset {
            out.line("WeightPacking.phasedLanes(parameters, kernelFrom: \(tensor.offset), biasFrom: \(bias), taps: \(kernel.rows), outputs: \(kernel.outputs), stride: \(PixelLaneConvolutionEmitter.patternStride), into: buffer, at: \(phased))")
        }
        if let chunked = kernel.chunkedOffset, kernel.turnedChunks {
            out.line("WeightPacking.turnedChunkLanes(parameters, from: \(tensor.offset), inputs: \(kernel.rows), outputs: \(kernel.outputs), slots: \(ChunkLaneConvolutionEmitter.filterSlots(outputs: kernel.outputs)), lanes: \(kernel.chunkLanes), into: buffer, at: \(chunked))")
        } else if let chunked = kernel.chunkedOffset {
            out.line("WeightPacking.chunkLanes(parameters, from: \(tensor.offset), inputs: \(kernel.rows), outputs: \(kernel.outputs), slots: \(ChunkLaneConvolutionEmitter.filterSlots(outputs: kernel.outputs)), chunk: \(ChunkLaneConvolutionEmitter.chunk(outputs: kernel.outputs, lanes: kernel.chunkLanes)), into: buffer, at: \(chunked))")
        }
        if let transformed = kernel.winogradOffset, let line = kernel.winogradLine {
            let transform = line.kernelTransform.joined().map { "\($0)" }.joined(separator: ", ")
            let call = "WeightPacking.winogradLine(parameters, from: \(tensor.offset), taps: \(line.taps), inputChannels: \(kernel.rows / line.taps), outputs: \(kernel.outputs), paddedOutputs: \(kernel.paddedOutputs), transform: [\(transform)], into: buffer, at: \(transformed))"
            out.line(inferenceOnly.contains(transformed) ? "if forInference { \(call) }" : call)
        } else if let transformed = kernel.winogradOffset {
            let panels = kernel.winogradPanels ? ", panelWidth: \(kernel.lanes)" : ""
            let call = "WeightPacking.winograd(parameters, from: \(tensor.offset), inputChannels: \(kernel.rows / 9), outputs: \(kernel.outputs), paddedOutputs: \(kernel.paddedOutputs), tile: \(kernel.winogradTile.size)\(panels), into: buffer, at: \(transformed))"
            out.line(inferenceOnly.contains(transformed) ? "if forInference { \(call) }" : call)
        }
    }

    /// The line that copies a weight the kernels read as Keras keeps it.
    private func writeCopy(_ copy: WeightPlan.PackedCopy, weights: WeightPlan, into out: inout SourceWriter) {
        out.line("WeightPacking.copy(parameters, from: \(weights.tensors[copy.tensor].offset), count: \(copy.count), into: buffer, at: \(copy.offset))")
    }

    /// The multiply-add the kernels use: fused when the build promises FMA
    /// (`-D CNNC_FMA` with `-target-cpu native`), else a multiply and an add,
    /// which never turns into a slow call to `fmaf` per lane.
    private func writeMultiplyAdd(vectorTypes: [Int], into out: inout SourceWriter) {
        guard !vectorTypes.isEmpty else { return }
        out.line()
        out.line("// MARK: - Multiply-add")
        out.line()
        out.line("#if CNNC_FMA")
        writeVectorFunction("madd", parameters: ["a", "x", "w"], body: "a.addingProduct(x, w)", widths: vectorTypes, into: &out)
        out.line("#else")
        writeVectorFunction("madd", parameters: ["a", "x", "w"], body: "a + x * w", widths: vectorTypes, into: &out)
        out.line("#endif")
    }

    /// The steps a kernel's store applies to a vector of sums, as functions:
    /// a call the type checker settles at once, where the same expression
    /// written out at every store (`s * scale + shift`, `s.replacing(with: 0,
    /// where: s .< 0)`) weighed the SIMD operators' overloads each time, two
    /// thirds of the checking of a kernel with a fused BatchNormalization and
    /// ReLU. The same operations, so the same bits. For every width a store
    /// can have, whichever the kernels use; and the address step `flatOffset`.
    private func writeStoreSteps(into out: inout SourceWriter) {
        // Also without kernels of vectors: a BatchNormalization's pass scales and shifts by 8.
        let widths = [4, 8, 16]
        out.line()
        out.line("// MARK: - Store steps")
        out.line()
        out.line("// ReLU in a kernel's store: `x < 0 ? 0 : x` (−0 stays −0).")
        writeVectorFunction("zeroingNegatives", parameters: ["x"], body: "x.replacing(with: 0, where: x .< 0)", widths: widths, into: &out)
        out.line("// Activation(\"relu\") in a store, as its pass: Swift.max(x, 0) is `0 >= x ? 0 : x` (NaN stays, −0 becomes 0).")
        writeVectorFunction("maxWithZero", parameters: ["x"], body: "x.replacing(with: 0, where: x .<= 0)", widths: widths, into: &out)
        out.line("// A BatchNormalization's folded x·scale + shift in a store: a multiply, then an add, as its pass.")
        writeVectorFunction("scaleShift", parameters: ["x", "scale", "shift"], body: "x * scale + shift", widths: widths, into: &out)
        out.line("// A pixel's offset from its place in a flattened output: row · row stride + column · pixel stride.")
        out.line("@inline(__always) private func flatOffset(_ pixel: Int, _ width: Int, _ rowStride: Int, _ pixelStride: Int) -> Int { pixel / width * rowStride + pixel % width * pixelStride }")
    }

    /// `@inline(__always) private func name(_ p: SIMD<lanes>Float, …) -> SIMD<lanes>Float { body }` for each width.
    private func writeVectorFunction(_ name: String, parameters: [String], body: String, widths: [Int], into out: inout SourceWriter) {
        for lanes in widths {
            let type = "SIMD\(lanes)<Float>"
            out.line("@inline(__always) private func \(name)(\(parameters.map { "_ \($0): \(type)" }.joined(separator: ", "))) -> \(type) { \(body) }")
        }
    }
}
