@testable import CNNCCore
import Foundation
import Testing

/// Snippet tests of the plan stage, in the style of swift-openapi-generator's:
/// a few lines of spec in, the decisions of the plan (or a short piece of the
/// Swift rendered from it) out. Whole files are pinned by GeneratedInSyncTests.
@Suite struct PlanSnippetTests {
    static func model(_ yaml: String) throws -> CheckedModel {
        switch Frontend.load(text: yaml, file: "snippet.yaml") {
        case .success(let model): return model
        case .failure(let error):
            Issue.record("the snippet did not check:\n\(error)")
            throw error
        }
    }

    static func program(_ yaml: String) throws -> ModelProgram {
        ModelPlanner.plan(try model(yaml), specPath: "snippet.yaml", target: .avx512on256)
    }

    /// The lines of `text` (trimmed) from the first that is `start`, `count` of them.
    static func lines(of text: String, from start: String, count: Int) -> [String] {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = all.firstIndex(of: start) else { return [] }
        return Array(all[first..<min(all.count, first + count)])
    }

    @Test func aSequentialModelIsTheChainOverItsInput() throws {
        let model = try Self.model("""
            input_shape: [8, 8, 1]
            layers:
              - Conv2D: {filters: 4, kernel_size: 3}
              - Flatten
              - Dense: {units: 2}
            """)
        #expect(model.inputs.map(\.name) == ["input_layer"])
        #expect(model.layers.map(\.inputs) == [[.input(0)], [.layer(0)], [.layer(1)]])
        #expect(model.outputs == [.layer(2)])
        #expect(model.isChain)
    }

    /// A sequence is planned as an image of one row: a causal Conv1D becomes a
    /// Conv2D with a (1, k) window over a (1, steps, channels) input padded
    /// dilation·(k − 1) steps on the left only, its kernel keeps Keras's
    /// (k, cin, filters) layout, and what the user reads keeps Keras's shapes.
    @Test func aCausalConv1DIsAConv2DOfOneRowPaddedOnTheLeft() throws {
        let program = try Self.program("""
            input_shape: [10, 3]
            layers:
              - Conv1D: {filters: 4, kernel_size: 3, dilation_rate: 2, padding: causal, name: c}
              - MaxPooling1D: {name: p}
            """)
        let conv = program.nodes[0]
        guard case .conv2D(let config) = conv.layer.operation else {
            Issue.record("Conv1D planned as \(conv.layer.operation)")
            return
        }
        #expect(config.kernelSize == Size2D(1, 3) && config.dilationRate == Size2D(1, 2))
        #expect(conv.layer.inputShape == TensorShape([1, 10, 3]) && conv.layer.outputShape == TensorShape([1, 10, 4]))
        #expect(conv.layer.padding == Padding2D(top: 0, bottom: 0, left: 4, right: 0))
        #expect(conv.kerasOutputShape == TensorShape([10, 4]))
        #expect(conv.comment == "c: Conv1D, (None, 10, 3) → (None, 10, 4), 40 parameters")
        #expect(program.weights.tensors.map(\.shape) == [[3, 3, 4], [4]])
        guard case .maxPooling2D(let pooling) = program.nodes[1].layer.operation else {
            Issue.record("MaxPooling1D planned as \(program.nodes[1].layer.operation)")
            return
        }
        #expect(pooling.poolSize == Size2D(1, 2) && pooling.strides == Size2D(1, 2))
        #expect(program.inputShape == TensorShape([10, 3]) && program.outputShape == TensorShape([5, 4]))
    }

    /// A buffer as the plan names it.
    static func name(_ buffer: InferenceBuffer, in program: ModelProgram) -> String {
        switch buffer {
        case .input: "input"
        case .region(let region): program.arena.regions[region].name
        }
    }

    @Test func computingLayersGetRegionsAndInPlaceLayersShareTheirInputs() throws {
        let program = try Self.program("""
            input_shape: [6, 6, 2]
            layers:
              - Conv2D: {filters: 4, kernel_size: 3, name: c1}
              - ReLU: {name: r}
              - MaxPooling2D: {name: p}
              - Flatten: {name: f}
              - Dense: {units: 3, name: d}
            """)
        let buffers = program.nodes.map { "\($0.layer.name): \(Self.name($0.reads, in: program))→\(Self.name($0.writes, in: program))" }
        #expect(buffers == ["c1: input→l0_c1", "r: l0_c1→l0_c1", "p: l0_c1→l2_p", "f: l2_p→l2_p", "d: l2_p→l4_d"])
        #expect(program.results.map { Self.name($0, in: program) } == ["l4_d"])
        // c1's 64 floats live until p has read them; d's 3 then reuse their memory.
        let regions = program.arena.regions.map { "\($0.name) @\($0.offset) ×\($0.count) \($0.firstNode)–\($0.lastNode)" }
        #expect(regions == ["l0_c1 @0 ×64 0–2", "l2_p @64 ×16 2–4", "l4_d @0 ×3 4–4"])
        #expect(program.arena.total == 80)
    }

    @Test func reshapeIsAViewRescalingActsInPlaceAndCroppingCopies() throws {
        let program = try Self.program("""
            input_shape: [4, 4, 2]
            layers:
              - Conv2D: {filters: 3, kernel_size: 1, name: c}
              - Rescaling: {scale: [1, 2, 3], offset: 0.5, name: s}
              - Reshape: {target_shape: [2, -1, 3], name: v}
              - Cropping2D: {cropping: [[0, 1], [2, 2]], name: k}
              - Normalization: {name: n}
            """)
        let buffers = program.nodes.map { "\($0.layer.name): \(Self.name($0.reads, in: program))→\(Self.name($0.writes, in: program))" }
        #expect(buffers == ["c: input→l0_c", "s: l0_c→l0_c", "v: l0_c→l0_c", "k: l0_c→l3_k", "n: l3_k→l3_k"])
        #expect(program.nodes.map(\.layer.outputShape.dimensions) == [[4, 4, 3], [4, 4, 3], [2, 8, 3], [1, 4, 3], [1, 4, 3]])
        // Normalization keeps Keras's weights (mean, variance, count) and reads a folded scale and shift.
        #expect(program.weights.tensors.suffix(3).map(\.name) == ["n.mean", "n.variance", "n.count"])
        #expect(program.weights.tensors.suffix(3).map(\.shape) == [[3], [3], []])
        guard case .inPlace(let kernel) = program.nodes[4].kernel else { Issue.record("Normalization is not in place"); return }
        #expect(kernel.needsWeights)
    }

    /// LayerNormalization keeps Keras's gamma and beta and PReLU its alpha (the
    /// input's shape, 1 along shared_axes); both run in place on copies in the
    /// packed buffer. Over a sequence, planned as an image of one row,
    /// shared_axes still count Keras's axes: [1] shares one alpha row along the steps.
    @Test func layerNormalizationAndPReLUKeepKerasWeightsAndRunInPlace() throws {
        let program = try Self.program("""
            input_shape: [5, 3]
            layers:
              - Conv1D: {filters: 4, kernel_size: 2, name: c}
              - LayerNormalization: {center: false, name: n}
              - PReLU: {shared_axes: [1], name: p}
              - PReLU: {name: q}
            """)
        #expect(program.weights.tensors.suffix(3).map(\.name) == ["n.gamma", "p.alpha", "q.alpha"])
        #expect(program.weights.tensors.suffix(3).map(\.shape) == [[4], [1, 4], [4, 4]])
        #expect(program.parameterCount == 2 * 3 * 4 + 4 + 4 + 4 + 16)
        let buffers = program.nodes.map { "\($0.layer.name): \(Self.name($0.reads, in: program))→\(Self.name($0.writes, in: program))" }
        #expect(buffers == ["c: input→l0_c", "n: l0_c→l0_c", "p: l0_c→l0_c", "q: l0_c→l0_c"])
        func forward(_ index: Int) -> String {
            guard case .inPlace(let kernel) = program.nodes[index].kernel, kernel.needsWeights else { return "" }
            var out = SourceWriter()
            kernel.emit(into: &out)
            return out.text
        }
        // The packed buffer: c's kernel (6 rows of 4) and bias, then the copies of n.gamma, p.alpha,
        // q.alpha, each block on a cache line (a multiple of 16 floats).
        #expect(forward(2).contains("let v = x + position * 4, a = 64"))
        #expect(forward(3).contains("let v = x + position * 4, a = 80 + ((position / 1) % 4) * 4"))
        #expect(forward(1).contains("let scale = inverse * w[48 + c]; v[c] = v[c] * scale + (-mean * scale) }"))
    }

    @Test func conv2DTransposeKeepsKerasKernelLayoutAndCropsAsKeras() throws {
        let program = try Self.program("""
            input_shape: [3, 4, 2]
            layers:
              - Conv2DTranspose: {filters: 5, kernel_size: 4, strides: 2, padding: same, name: t}
              - UpSampling2D: {size: [2, 3], interpolation: bilinear, name: u}
            """)
        // Keras's kernel (kh, kw, filters, cin): output channels before input channels.
        #expect(program.weights.tensors.map(\.name) == ["t.kernel", "t.bias"])
        #expect(program.weights.tensors.map(\.shape) == [[4, 4, 5, 2], [5]])
        #expect(program.nodes.map(\.layer.outputShape.dimensions) == [[6, 8, 5], [12, 24, 5]])
        guard case .convolution(let kernels) = program.nodes[0].kernel, case .transposed(let kernel) = kernels.direct else {
            Issue.record("Conv2DTranspose has no transposed kernel"); return
        }
        // 'same', 4 taps, strides 2: jax pads the spread input by min(⌈4/2⌉, 3) = 2 before,
        // so input 0's first tap lands one row and one column above the output.
        #expect(kernel.crop == Size2D(1, 1))
        #expect(kernels.padding == nil && kernels.winograd == nil)
    }

    /// A BatchNormalization with no convolution before it (DenseNet's, after
    /// a concatenation) runs the ReLU that alone reads it in its own pass,
    /// from its input, which it no longer copies; one whose output another
    /// layer reads too, or whose channels make no vectors of 8, keeps its passes.
    @Test func aBatchNormalizationAloneRunsItsReLUInItsPass() throws {
        let spec = """
            input_shape: [4, 4, 16]
            layers:
              - BatchNormalization: {name: n}
              - ReLU: {name: r}
              - Conv2D: {filters: 8, kernel_size: 1, name: c}
            """
        let program = try Self.program(spec)
        guard case .inPlace(let normalization) = program.nodes[0].kernel else { Issue.record("no in-place kernel"); return }
        #expect(normalization.fusedClamp == .relu(maxValue: nil) && program.nodes[0].fusion?.followers == [1])
        #expect(program.nodes[1].fusedInto == 0)
        var out = SourceWriter()
        normalization.emitFused(into: &out)
        #expect(out.text.contains("static func l0_n_fused(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>)"))
        #expect(out.text.contains("let en = scaleShift(v.load16(at: 0), scale.load16(at: 0), shift.load16(at: 0))"))
        #expect(out.text.contains("let er = V16().replacing(with: en, where: en .> 0)"))
        let text = ModelGenerator(model: try Self.model(spec), specPath: "snippet.yaml", target: .avx512on256).generate()
        #expect(text.contains("Self.l0_n_fused(input, arena.advanced(by: Arena.l0_n), w)"))
        // Six channels: no vectors of 8, so the normalization and the ReLU keep their own passes.
        let six = try Self.program(spec.replacingOccurrences(of: "[4, 4, 16]", with: "[4, 4, 6]"))
        #expect(six.nodes[0].fusion == nil && six.nodes[1].fusedInto == nil)
    }

    /// Bilinear UpSampling2D by whole factors: each phase of the factor has
    /// constant weights and fixed neighbours (the lower one clamped at the
    /// first pixel, the upper at the last), rows are calls of one nested
    /// function, and channels go by vectors (6 channels: 4 + 2).
    @Test func bilinearUpSamplingWeighsEachPhaseByConstants() throws {
        let program = try Self.program("""
            input_shape: [3, 4, 6]
            layers:
              - UpSampling2D: {size: [2, 3], interpolation: bilinear, name: u}
            """)
        guard case .upSampling(let kernel) = program.nodes[0].kernel else {
            Issue.record("UpSampling2D has no upsampling kernel"); return
        }
        var out = SourceWriter()
        kernel.emit(into: &out)
        let text = out.text
        // Columns by 3: 1/3 back to the left neighbour, the pixel itself, 1/3 on to the right one.
        #expect(text.contains("let (low0_4, high0_4) = (V4(repeating: 0.3333333), V4(repeating: 0.6666667))"))
        #expect(text.contains("let (low1_4, high1_4) = (V4(repeating: 1.0), V4(repeating: 0.0))"))
        #expect(text.contains("let (low2_2, high2_2) = (V2(repeating: 0.6666666), V2(repeating: 0.33333334))"))
        #expect(text.contains("let left = Swift.max(column - 1, 0) * 6, right = column * 6"))
        #expect(text.contains("let left = column * 6, right = Swift.min(column + 1, 3) * 6"))
        #expect(text.contains("let upper: V2 = low2_2 * top.load2(at: left + 4) + high2_2 * top.load2(at: right + 4)"))
        // Rows by 2: a quarter of the row above and three of its own, then three of its own and a quarter of the one below.
        #expect(text.contains("row(x + Swift.max(inputRow - 1, 0) * 24, x + inputRow * 24, 0.25, 0.75, y + inputRow * 144)"))
        #expect(text.contains("row(x + inputRow * 24, x + Swift.min(inputRow + 1, 2) * 24, 0.75, 0.25, y + (inputRow * 2 + 1) * 72)"))
        var backward = SourceWriter()
        kernel.emitBackward(into: &backward)
        #expect(backward.text.contains("top.store(top.load4(at: right) + high0_4 * upper, at: right)"))
        #expect(backward.text.contains("bottom.store(bottom.load2(at: right + 4) + high2_2 * lower, at: right + 4)"))
    }

    /// Strides equal to the kernel (a U-Net's 2x2 up-convolution): each output
    /// pixel has one tap, and blocks of input pixels run every tap at once;
    /// 7 pixels a row are a block of 4 (16 sums, 4 weight vectors) and 3 alone.
    /// Overlapping taps or `output_padding` keep the general form.
    @Test func aTransposedConvolutionWhoseTapsTileRunsBlocksOfPixels() throws {
        func kernel(_ layer: String, _ target: TargetCPU = .avx512on256) throws -> TransposedConvolutionEmitter? {
            let program = ModelPlanner.plan(try Self.model("input_shape: [3, 7, 2]\nlayers:\n  - \(layer)"), specPath: "snippet.yaml", target: target)
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .transposed(let kernel) = kernels.direct else { return nil }
            return kernel
        }
        let up = try #require(try kernel("Conv2DTranspose: {filters: 16, kernel_size: 2, strides: 2, activation: relu}"))
        #expect(up.tapsTile && up.pixelBlock == 4)
        var out = SourceWriter()
        up.emit(into: &out)
        #expect(out.text.contains("for ix in stride(from: 0, to: 4, by: 4) {") && out.text.contains("for ix in 4..<7 {"))
        #expect(out.text.contains("let xp = x + (iy * 7 + ix) * 2, yp = y + (iy * 28 + ix * 2) * 16"))
        #expect(out.text.contains("do { let xv = V16(repeating: xp[2 + c]); s1_0 = madd(s1_0, xv, w0); s1_1 = madd(s1_1, xv, w1); s1_2 = madd(s1_2, xv, w2); s1_3 = madd(s1_3, xv, w3) }"))
        // Pixel 1's tap (1, 0): output row 1 (14 pixels on), column 2, 16 filters a pixel.
        #expect(out.text.contains("s1_2 = zeroingNegatives(s1_2)") && out.text.contains("let target = yp + 256"))
        #expect(try kernel("Conv2DTranspose: {filters: 16, kernel_size: 2, strides: 2}", .avx2)?.pixelBlock == 1)
        #expect(try kernel("Conv2DTranspose: {filters: 16, kernel_size: 3, strides: 2}")?.tapsTile == false)
        #expect(try kernel("Conv2DTranspose: {filters: 16, kernel_size: 2, strides: 2, output_padding: 1}")?.tapsTile == false)
        // 'same' with strides equal to the kernel crops nothing: it tiles too.
        #expect(try kernel("Conv2DTranspose: {filters: 16, kernel_size: 3, strides: 3, padding: same}")?.tapsTile == true)
    }

    /// A convolution to at most 4 filters puts chunks of input channels of
    /// every filter in lanes (2 channels for 4 filters, 8 for one), with the
    /// kernel packed in that order, tap by tap; not where the channels are no
    /// whole number of chunks or the output is small (panels).
    @Test func aConvolutionToFewFiltersPutsChunksOfChannelsInLanes() throws {
        func kernel(_ input: String, _ layer: String) throws -> ChunkLaneConvolutionEmitter? {
            let program = try Self.program("input_shape: \(input)\nlayers:\n  - \(layer)")
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .chunkLanes(let kernel) = kernels.direct else { return nil }
            return kernel
        }
        let four = try #require(try kernel("[5, 7, 6]", "Conv2D: {filters: 4, kernel_size: 1, activation: relu}"))
        #expect(four.parts == 1 && four.chunkedOffset == 48)
        var out = SourceWriter()
        four.emit(into: &out)
        #expect(out.text.contains("@inline(__always) func repeated(_ v: V2) -> V8 { let v4 = V4(lowHalf: v, highHalf: v); let v8 = V8(lowHalf: v4, highHalf: v4); return v8 }"))
        // 35 pixels: blocks of 8, the fifth moved back to end with the output.
        #expect(out.text.contains("let p0 = Swift.min((run * 8 + b) * 8, 27)"))
        #expect(out.text.contains("s7 = madd(s7, repeated(xp.load2(at: ci * 2 + 42)), wv)"))
        #expect(out.text.contains("let o3 = t1_3 + biases") && out.text.contains("yp.store(r3, at: 24)"))
        let one = try #require(try kernel("[5, 7, 8]", "Conv2D: {filters: 1, kernel_size: 1, strides: [1, 2]}"))
        out = SourceWriter()
        one.emit(into: &out)
        #expect(!out.text.contains("repeated") && out.text.contains("let t3_0 = pairSums(t2_0, t2_1)"))
        #expect(out.text.contains("a7 = flatOffset(p0 + 7, 4, 56, 16)"))
        // 73 pixels: a run of 8 blocks and one of 2; 65 pixels: one run of 9, since
        // the last block alone, moved back to pixel 57, would write pixels of the run before.
        let split = try #require(try kernel("[1, 73, 8]", "Conv2D: {filters: 4, kernel_size: 1}"))
        out = SourceWriter()
        split.emit(into: &out)
        #expect(split.parts == 2 && out.text.contains("let blocks = run == 1 ? 2 : 8"))
        let merged = try #require(try kernel("[5, 13, 8]", "Conv2D: {filters: 4, kernel_size: 1}"))
        out = SourceWriter()
        merged.emit(into: &out)
        #expect(merged.parts == 1 && out.text.contains("let blocks = 9") && out.text.contains("capacity: 576,"))
        #expect(try kernel("[5, 7, 6]", "Conv2D: {filters: 3, kernel_size: 1}") != nil)
        #expect(try kernel("[5, 7, 6]", "Conv2D: {filters: 2, kernel_size: 1}") == nil)
        #expect(try kernel("[4, 4, 8]", "Conv2D: {filters: 4, kernel_size: 1}") == nil)
        // 3x3 'same' to one filter reads the padded input (9 wide): each tap moves every pixel's offset.
        let mask = try #require(try kernel("[5, 7, 8]", "Conv2D: {filters: 1, kernel_size: 3, padding: same}"))
        out = SourceWriter()
        mask.emit(into: &out)
        #expect(out.text.contains("a7 = flatOffset(p0 + 7, 7, 72, 8)") && out.text.contains("let xt = x + ky * 72 + kx * 8"))
        #expect(out.text.contains("let wt = chunked + (ky * 3 + kx) * 8") && out.text.contains("s7 = madd(s7, xt.load8(at: a7), wv)"))
        #expect(try kernel("[5, 7, 8]", "Conv2D: {filters: 5, kernel_size: 1}") == nil)
    }

    /// A row kernel's packed rows get a cache line after them where their
    /// lines, a power of two of them, would put a column of many rows in a
    /// few sets of the L2: 256 rows of 1024 filters (ResNet50's 256 → 1024
    /// step), 136 of them, and 512 rows of 512; not 128 rows of 1024, 960
    /// filters (60 lines: 4 rows a set), a Winograd layer, or a small output
    /// read in panels. The rows are packed, and read, that far apart.
    @Test func rowsThatWouldShareFewCacheSetsArePaddedByALine() throws {
        func packed(_ input: String, _ layer: String) throws -> WeightPlan.PackedKernel? {
            let program = try Self.program("input_shape: \(input)\nlayers:\n  - \(layer)")
            guard case .kernel(let kernel) = program.weights.packing[0] else { return nil }
            return kernel
        }
        let resnet = try #require(try packed("[14, 14, 256]", "Conv2D: {filters: 1024, kernel_size: 1}"))
        #expect(resnet.rowPadding == 16 && resnet.rowStride == 1040 && resnet.biasOffset == 256 * 1040)
        #expect(try packed("[14, 14, 136]", "Conv2D: {filters: 1024, kernel_size: 1}")?.rowStride == 1040)
        #expect(try packed("[14, 14, 512]", "Conv2D: {filters: 512, kernel_size: 1}")?.rowStride == 528)
        #expect(try packed("[14, 14, 128]", "Conv2D: {filters: 1024, kernel_size: 1}")?.rowPadding == 0)
        #expect(try packed("[14, 14, 256]", "Conv2D: {filters: 960, kernel_size: 1}")?.rowPadding == 0)
        #expect(try packed("[14, 14, 256]", "Conv2D: {filters: 1024, kernel_size: 3, padding: same}")?.rowPadding == 0)
        #expect(try packed("[4, 4, 256]", "Conv2D: {filters: 1024, kernel_size: 1}")?.rowPadding == 0)
        // A SeparableConv2D's 1x1 step likewise (Xception's 728 → 1024 on 19x19), not its depthwise step.
        let separable = try Self.program("input_shape: [19, 19, 728]\nlayers:\n  - SeparableConv2D: {filters: 1024, kernel_size: 3, padding: same}")
        guard case .separable(let depthwise, let pointwise)? = separable.weights.packing[0] else { throw CancellationError() }
        #expect(pointwise.rowStride == 1040 && depthwise.rowPadding == 0)
        let swift = ModelGenerator(model: try Self.model("input_shape: [14, 14, 256]\nlayers:\n  - Conv2D: {filters: 1024, kernel_size: 1}"),
                                   specPath: "snippet.yaml", target: .avx512on256).generate()
        #expect(swift.contains("WeightPacking.kernel(parameters, from: 0, rows: 256, outputs: 1024, paddedOutputs: 1040, into: buffer, at: 0)"))
        #expect(swift.contains("let w0 = wp.load16(at: ci * 1040)"))
    }

    /// A shared layer's calls read one packing, so a kernel with a packing
    /// of its own must suit every call: a head of 2 filters over 12x12 and
    /// 2x2 pixels keeps its filters in lanes (chunk lanes' blocks of 8 pixels
    /// would start before the small call's first pixel), and so does a
    /// one-channel layer whose second call has rows too short for pixel lanes.
    @Test func aSharedLayerTakesAKernelOfItsOwnPackingOnlyWhereEveryCallSuitsIt() throws {
        func directKernels(_ yaml: String) throws -> [DirectConvolution] {
            try Self.program(yaml).nodes.compactMap { node in
                if case .convolution(let kernels) = node.kernel { kernels.direct } else { nil }
            }
        }
        func head(_ filters: Int, channels: Int, size: Int) -> String {
            """
            input_shape: [12, 12, \(channels)]
            layers:
              - MaxPooling2D: {pool_size: \(size), name: coarse}
              - Conv2D: {inputs: input_layer, filters: \(filters), kernel_size: 1, name: head}
              - Call: {layer: head, inputs: coarse}
              - Flatten: {inputs: head, name: f1}
              - Flatten: {inputs: "head[1]", name: f2}
              - Concatenate: {inputs: [f1, f2], name: both}
            """
        }
        for kernel in try directKernels(head(2, channels: 8, size: 6)) {
            guard case .channelLanes = kernel else { Issue.record("a call of the shared head is not in channel lanes: \(kernel)"); continue }
        }
        // Both calls large: chunk lanes for both.
        #expect(try directKernels(head(2, channels: 8, size: 2)).allSatisfy { if case .chunkLanes = $0 { true } else { false } })
        for kernel in try directKernels(head(4, channels: 1, size: 3)) {
            guard case .channelLanes = kernel else { Issue.record("a call of the shared one-channel layer is not in channel lanes: \(kernel)"); continue }
        }
    }

    /// Permute copies whole channel runs when the channels stay last, and reads
    /// with a stride otherwise; a sequence's Permute keeps its row of one first.
    /// RepeatVector's (n, features) and UpSampling1D's nearest (1, size) are
    /// planned over the same image of one row.
    @Test func permuteCopiesRunsAndASequenceStaysOneRow() throws {
        let program = try Self.program("""
            input_shape: [3, 4, 2]
            layers:
              - Permute: {dims: [2, 1, 3], name: rows}
              - Permute: {dims: [3, 1, 2], name: channels}
              - Reshape: {target_shape: [8, 3], name: s}
              - UpSampling1D: {size: 3, name: u}
              - Permute: {dims: [2, 1], name: t}
              - Flatten: {name: f}
              - Dense: {units: 5, name: d}
              - RepeatVector: {n: 2, name: r}
            """)
        #expect(program.nodes.map(\.layer.outputShape.dimensions) == [[4, 3, 2], [2, 4, 3], [1, 8, 3], [1, 24, 3], [1, 3, 24], [72], [5], [1, 2, 5]])
        #expect(program.nodes.map(\.kerasOutputShape.dimensions).suffix(4) == [[3, 24], [72], [5], [2, 5]])
        guard case .permute(let sequence) = program.nodes[4].kernel,
              case .upSampling(let upSampling) = program.nodes[3].kernel else { Issue.record("not planned as Permute and UpSampling2D"); return }
        #expect(sequence.order == [0, 2, 1])
        #expect(upSampling.config == UpSampling2DConfig(size: Size2D(1, 3), interpolation: .nearest))
        var out = SourceWriter()
        for node in program.nodes.prefix(2) {
            if case .permute(let kernel) = node.kernel { kernel.emit(into: &out) }
        }
        #expect(out.text.contains("(y + i0 * 6 + i1 * 2).update(from: x + i0 * 2 + i1 * 8, count: 2)"))
        #expect(out.text.contains("for i in 0..<3 { to[i] = from[i * 2] }"))
    }

    @Test func aTensorReadAgainLaterIsNotOverwrittenInPlace() throws {
        var model = try Self.model("""
            input_shape: [4, 4, 2]
            layers:
              - Conv2D: {filters: 2, kernel_size: 1, name: c}
              - ReLU: {name: r}
              - MaxPooling2D: {name: p}
            """)
        // A branch: p reads c's output too, after r has run.
        model.layers[2].inputs = [.layer(0)]
        model.outputs = [.layer(2)]
        let program = ModelPlanner.plan(model, specPath: "branch.yaml", target: .avx512on256)
        #expect(program.nodes[1].copiesInputFirst)
        #expect(Self.name(program.nodes[1].writes, in: program) == "l1_r")
        let c = try #require(program.arena.regions.first { $0.name == "l0_c" })
        let r = try #require(program.arena.regions.first { $0.name == "l1_r" })
        #expect(c.lastNode == 2)  // fan-out keeps it alive until p
        #expect(c.offset != r.offset)
        // The ReLU reads c and writes r in one pass, not a copy and a pass in place.
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("Self.l1_r_from(UnsafePointer(arena.advanced(by: Arena.l0_c)), arena.advanced(by: Arena.l1_r))"))
        #expect(swift.contains("static func l1_r_from(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {"))
        #expect(!swift.contains(".update(from: UnsafePointer(arena.advanced(by: Arena.l0_c))"))
    }

    /// A residual connection: dL/d(the branch) is the Add's dy, which stays in
    /// `g`; the shortcut's tensor, read by the Add and the branch, gathers its
    /// slot into `g` (`g += slot`) instead of adding `g` to the slot and
    /// copying the slot back.
    @Test func aResidualAddLeavesTheBranchGradientInGAndGathersTheShortcut() throws {
        let program = try Self.program("""
            input_shape: [6, 6, 4]
            layers:
              - Conv2D: {filters: 4, kernel_size: 1, name: stem}
              - Conv2D: {filters: 4, kernel_size: 1, name: branch}
              - Add: {inputs: [stem, branch], name: sum}
              - Flatten: {}
              - Dense: {units: 2, activation: softmax}
            """)
        let steps = program.training.phases.flatMap(\.steps).flatMap(\.leaves)
        #expect(steps.contains(.mergeBackward(layer: 2, accumulates: [false, false], leftInG: 1)))
        #expect(steps.contains(.gatherGradient(tensor: 0)))
        #expect(!steps.contains(.loadGradient(layer: 1)) && !steps.contains(.loadGradient(layer: 0)))
        let swift = ModelGenerator.render(program)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        #expect(training.contains("Self.l2_sum_backward(UnsafePointer(g), e0)"))
        #expect(training.contains("static func l2_sum_backward(_ dy: UnsafePointer<Float>, _ dx0: UnsafeMutablePointer<Float>)"))
        #expect(training.contains("for i in 0..<144 { g[i] += e0[i] }"))
        #expect(!training.contains("g.update(from: e"))
    }

    /// A ReLU that alone reads a BatchNormalization in training, or an Add
    /// whose inference clamps, runs in that layer's store; its derivative
    /// reads its output. A ReLU with a slope below, or a normalization read by
    /// another layer too, is left as it was.
    @Test func trainingRunsAReLUInTheStoreOfItsBatchNormalizationOrAdd() throws {
        let program = try Self.program("""
            input_shape: [4, 4, 2]
            layers:
              - Conv2D: {filters: 2, kernel_size: 1, name: c}
              - BatchNormalization: {name: bn}
              - ReLU: {name: r}
              - Conv2D: {filters: 2, kernel_size: 1, name: c2}
              - BatchNormalization: {name: bn2}
              - ReLU: {negative_slope: 0.1, name: leaky}
              - Add: {inputs: [r, leaky], name: sum}
              - ReLU: {max_value: 6, name: r6}
              - Flatten: {}
              - Dense: {units: 2, activation: softmax}
            """)
        #expect(program.training.normalizations.map(\.fusedReLU?.relu) == [2, nil])
        #expect(program.training.mergeReLUs.map(\.relu) == [7])
        let swift = ModelGenerator.render(program)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        #expect(training.contains("Self.l1_bn_normalize(UnsafePointer(o0), statistics, k, o2)"))
        #expect(training.contains("// r: written by bn's store"))
        #expect(!training.contains("Self.l2_r_forward("))
        #expect(training.contains("Self.l2_r_derivative(UnsafePointer(o2), UnsafePointer(o2), g)"))
        #expect(training.contains("Self.l5_leaky_forward(UnsafePointer(o4), o5)"))
        #expect(training.contains("Self.l6_sum_fused(UnsafePointer(o2), UnsafePointer(o5), o7)"))
        #expect(training.contains("Self.l7_r6_derivative(UnsafePointer(o7), UnsafePointer(o7), g)"))
        // 2 channels: fewer than a vector of 4, summed one Double each.
        #expect(training.contains("for c in 0..<2 { let value = Double(v[c]); sums[0 + c] += value; sums[2 + c] += value * value }"))

        let shared = try Self.model("""
            input_shape: [4, 4, 2]
            layers:
              - BatchNormalization: {name: bn}
              - ReLU: {name: r}
              - Add: {inputs: [bn, r]}
              - Flatten: {}
              - Dense: {units: 2}
            """)
        #expect(ReLUInStore.after(0, in: shared) == nil)
    }

    @Test func theAllocatorReusesMemoryOnlyAfterTheLastReader() {
        let requests: [ArenaAllocator.Request] = [
            .init(count: 100, first: 0, last: 1), .init(count: 50, first: 1, last: 2), .init(count: 100, first: 2, last: 3),
        ]
        let (offsets, total) = ArenaAllocator.place(requests)
        #expect(offsets == [0, 112, 0])
        #expect(total == 176)
        for i in requests.indices {
            for j in requests.indices where i < j && requests[i].overlapsInTime(requests[j]) {
                let apart = offsets[i] + requests[i].count <= offsets[j] || offsets[j] + requests[j].count <= offsets[i]
                #expect(apart, "requests \(i) and \(j) are alive together and overlap")
            }
        }
    }

    @Test func anInPlaceLayerOnTheModelsInputCopiesItFirst() throws {
        let program = try Self.program("""
            input_shape: [4]
            layers:
              - Activation: {activation: tanh, name: t}
              - Dense: {units: 2, name: d}
            """)
        #expect(program.nodes[0].copiesInputFirst)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("// t: Activation, (None, 4) → (None, 4), 0 parameters\n"))
        #expect(Self.lines(of: swift, from: "// t", count: 4) == [
            "// t",
            "arena.advanced(by: Arena.l0_t).update(from: input, count: 4)",
            "Self.l0_t(arena.advanced(by: Arena.l0_t))",
            "observe?(0, UnsafePointer(arena.advanced(by: Arena.l0_t)))",
        ])
    }

    /// silu's derivative needs z, which y = z·sigmoid(z) does not give back:
    /// training keeps it (`z0`) for the fused activation; tanh differentiates from y.
    @Test func aFusedActivationWhoseDerivativeReadsItsInputKeepsThePreActivation() throws {
        let program = try Self.program("""
            input_shape: [4]
            layers:
              - Dense: {units: 3, activation: silu, name: s}
              - Dense: {units: 2, activation: tanh, name: t}
            """)
        #expect(program.training.arena.preActivations == [0: 3])
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("Self.l0_s(input, w, z0)\n"))
        #expect(swift.contains("o0.update(from: z0, count: 3)\n"))
        #expect(swift.contains("Self.l0_s_derivative(UnsafePointer(z0), UnsafePointer(o0), g)\n"))
        #expect(swift.contains("if !fused { Self.l1_t_derivative(UnsafePointer(o1), g) }\n"))
        #expect(swift.contains("VectorMath.multiply(g, byDerivative: VectorMath.siluDerivative, at: x, count: 3)\n"))
    }

    /// A short activation after a convolution (and its BatchNormalization),
    /// or its own, runs in the fused kernel's store; silu keeps its pass, and
    /// observing every layer calls the unfused kernels and the passes.
    @Test func shortActivationsRunInTheConvolutionsStore() throws {
        let swift = ModelGenerator.render(try Self.program("""
            input_shape: [6, 6, 16]
            layers:
              - Conv2D: {filters: 16, kernel_size: 1, name: a}
              - BatchNormalization: {name: a_bn}
              - Activation: {activation: hard_silu, name: a_act}
              - Conv2D: {filters: 16, kernel_size: 1, activation: hard_sigmoid, name: b}
              - Conv2D: {filters: 16, kernel_size: 1, name: c}
              - Activation: {activation: silu, name: c_act}
            """))
        #expect(swift.contains("// with a_bn and a_act in its store, unless every layer's output is observed"))
        #expect(swift.contains("VectorMath.hardSilu(e0_0n)"))
        #expect(swift.contains("// with its activation in its store, unless every layer's output is observed"))
        #expect(swift.contains("let e0_0f = VectorMath.hardSigmoid(s0_0)"))
        #expect(!swift.contains("c_fused"), "silu is long: it keeps its pass")
        #expect(swift.contains("// b: at inference, with its activation in its store"))
        // b's own activation pass is called only when every layer is observed.
        #expect(Self.lines(of: swift, from: "// b", count: 8).suffix(6) == [
            "if observe == nil {",
            "Self.l3_b_fused(UnsafePointer(arena.advanced(by: Arena.l0_a)), w.advanced(by: 304), arena.advanced(by: Arena.l3_b))",
            "} else {",
            "Self.l3_b(UnsafePointer(arena.advanced(by: Arena.l0_a)), w.advanced(by: 304), arena.advanced(by: Arena.l3_b))",
            "Self.l3_b_activation(arena.advanced(by: Arena.l3_b))",
            "}",
        ])
    }

    /// In the block path's layer-major functions, a 1x1 convolution that reads
    /// the block's input runs each slice of its weights (16 output channels)
    /// for all 8 samples in turn, so the slice is read from memory once a
    /// block; one whose 4 pixels a sample would fill few registers runs over
    /// all samples in one call. An activation's pass follows for each sample,
    /// and a layer in its store leaves a comment.
    @Test func layerMajorConvolutionsReadEachWeightSliceOnceABlock() throws {
        let swift = ModelGenerator.render(try Self.program("""
            input_shape: [2, 2, 512]
            layers:
              - Conv2D: {filters: 512, kernel_size: 1, name: wide}
              - BatchNormalization: {name: wide_bn}
              - Conv2D: {filters: 64, kernel_size: 1, activation: sigmoid, name: narrow}
              - Flatten
              - Dense: {units: 10, activation: softmax}
            """))
        #expect(Self.lines(of: swift, from: "private func layerMajor(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>) {", count: 24) == [
            "private func layerMajor(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>) {",
            "let observe: ((Int, UnsafePointer<Float>) -> Void)? = nil",
            "_ = (arena, w, observe)",
            "// wide",
            "// with wide_bn in its store, unless every layer's output is observed",
            "for part in 0..<32 {",
            "for sample in 0..<8 {",
            "let input = input + sample * Self.inputCount, arena = arena + sample * Self.arenaCount",
            "_ = (input, arena)",
            "Self.l0_wide_fused(input, w, arena.advanced(by: Arena.l0_wide), w.advanced(by: 262656), part..<part + 1)",
            "}",
            "}",
            "// wide_bn",
            "// in wide's store",
            "// narrow",
            "Self.l2_narrow_samples(UnsafePointer(arena.advanced(by: Arena.l0_wide)), w.advanced(by: 263680), arena.advanced(by: Arena.l2_narrow))",
            "for sample in 0..<8 {",
            "let input = input + sample * Self.inputCount, arena = arena + sample * Self.arenaCount",
            "_ = (input, arena)",
            "Self.l2_narrow_activation(arena.advanced(by: Arena.l2_narrow))",
            "}",
            "}",
            "",
            "// dense over 8 samples: Dense, (None, 256) → (None, 10)",
        ])
    }

    /// A Dense layer on a vector is a 1x1 convolution on one pixel: its
    /// kernel is packed in panels and streamed, four vectors of channels a
    /// group, each its own chain of multiply-adds and its own panel; a kernel
    /// beyond 256 KB asks for its panels 4 KB ahead, a smaller one (in L2)
    /// does not. The block path's tail reads the same panels for 8 samples.
    @Test func aDenseLayerStreamsItsKernelFromPanelsInFourChains() throws {
        let program = try Self.program("""
            input_shape: [4096]
            layers:
              - Dense: {units: 512, activation: relu, name: wide}
              - Dense: {units: 10, name: narrow}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, case .channelLanes(let wide) = kernels.direct,
              case .convolution(let narrowKernels) = program.nodes[1].kernel, case .channelLanes(let narrow) = narrowKernels.direct else {
            Issue.record("no channel-lane kernels: \(program.nodes.map(\.kernel))")
            return
        }
        #expect(wide.flatOutput && wide.packed.panelWidth == 16 && wide.chunksPerGroup == 4 && wide.pixelsPerBlock == 1)
        #expect(wide.parts == 8 && wide.partsAreChannelGroups && wide.inputChannelsPerPass == nil)
        #expect(narrow.flatOutput && narrow.packed.panelWidth == 8 && narrow.chunksPerGroup == 2)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("WeightPacking.panels(parameters, from: 0, rows: 4096, outputs: 512, width: 16, into: buffer, at: 0)"))
        let wideBody = Self.lines(of: swift, from: "static func l0_wide(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ parts: Range<Int> = 0..<8) {", count: 24)
        #expect(wideBody.contains("let w3 = wp.load16(at: ci * 16 + 196608)"))
        #expect(wideBody.contains("wp.prefetch(at: ci * 16 + 197632)"))
        let narrowBody = Self.lines(of: swift, from: "static func l1_narrow(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ parts: Range<Int> = 0..<1) {", count: 24)
        #expect(!narrowBody.isEmpty && !narrowBody.contains { $0.contains("prefetch") })
        let tail = try #require(program.batchedTail)
        guard case .dense(let block, _) = tail.steps[0].kernel else {
            Issue.record("no Dense step in the tail: \(tail.steps[0].kernel)")
            return
        }
        #expect(block.flatOutput && block.chunksPerGroup == 3 && block.pixelsPerBlock == 8)
        // AVX2: vectors of 16 are two registers each, so two chains of channels make four sums.
        let avx2 = ModelPlanner.plan(try Self.model("input_shape: [4096]\nlayers:\n  - Dense: {units: 512}\n"), specPath: "snippet.yaml", target: .avx2)
        guard case .convolution(let avx2Kernels) = avx2.nodes[0].kernel, case .channelLanes(let avx2Wide) = avx2Kernels.direct else {
            Issue.record("no channel-lane kernel on AVX2: \(avx2.nodes[0].kernel)")
            return
        }
        #expect(avx2Wide.flatOutput && avx2Wide.chunksPerGroup >= 2)
    }

    /// Keras's other names of an activation read as the one Keras serializes,
    /// and the LeakyReLU layer (Keras 2's `alpha`) as ReLU with that slope;
    /// the ELU layer keeps its alpha.
    @Test func activationAliasesAndLeakyReLU() throws {
        let model = try Self.model("""
            input_shape: [4]
            layers:
              - Dense: {units: 3, activation: swish}
              - Activation: {activation: hard_swish}
              - LeakyReLU: {}
              - LeakyReLU: {alpha: 0.1}
              - ELU
              - ELU: {alpha: 0.5}
            """)
        #expect(model.layers.map(\.operation) == [
            .dense(DenseConfig(units: 3, useBias: true, activation: .silu)), .activation(.hardSilu),
            .relu(ReLUConfig(maxValue: nil, negativeSlope: 0.3, threshold: 0)),
            .relu(ReLUConfig(maxValue: nil, negativeSlope: 0.1, threshold: 0)), .elu(alpha: 1), .elu(alpha: 0.5),
        ])
        #expect(model.layers.map(\.name) == ["dense", "activation", "leaky_re_lu", "leaky_re_lu_1", "elu", "elu_1"])
    }

    @Test func aThreeByThreeConvolutionOfSixteenChannelsRunsByWinogradAndSplits() throws {
        let program = try Self.program("""
            input_shape: [32, 32, 16]
            layers:
              - Conv2D: {filters: 16, kernel_size: 3, padding: same, activation: relu}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, let winograd = kernels.winograd else {
            Issue.record("expected a Winograd kernel, got \(program.nodes[0].kernel)")
            return
        }
        #expect(winograd.kernel.fusedReLU)
        #expect(winograd.padding.padding == Padding2D(top: 1, bottom: 1, left: 1, right: 1))
        #expect(kernels.splitParts == winograd.kernel.parts)
        #expect(program.arena.scratch == winograd.kernel.scratchCount)
    }

    /// A 3x3 layer of at most 16 tiles (ResNet50's 7x7 and 14x14 stages at
    /// 224x224: 4 and 16 tiles of F(4x4)) whose U outgrows the L2 reads U in
    /// panels, its products small outputs that ask for their lines 4 KB
    /// ahead; a U as large over 49 tiles keeps rows, as does a smaller U over
    /// 4 tiles. Training's F(2x2) forward pass packs its own U in rows.
    @Test func aWinogradLayerOfFewTilesReadsItsKernelInPanels() throws {
        let program = try Self.program("""
            input_shape: [7, 7, 512]
            layers:
              - Conv2D: {filters: 512, kernel_size: 3, padding: same, name: few}
              - Conv2D: {filters: 64, kernel_size: 1, name: reduce}
              - Conv2D: {filters: 64, kernel_size: 3, padding: same, name: small}
              - ZeroPadding2D: {padding: 11}
              - Conv2D: {filters: 128, kernel_size: 1, name: widen}
              - Conv2D: {filters: 128, kernel_size: 3, padding: same, name: many}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        guard case .convolution(let few) = program.nodes[0].kernel, let fewWinograd = few.winograd,
              case .convolution(let small) = program.nodes[2].kernel, let smallWinograd = small.winograd,
              case .convolution(let many) = program.nodes[5].kernel, let manyWinograd = many.winograd else {
            Issue.record("expected three Winograd kernels: \(program.nodes.map(\.kernel))")
            return
        }
        // Its U from memory: F(2x2)'s, 16 matrices against F(4x4)'s 36 (`WinogradTile.choice`).
        #expect(fewWinograd.kernel.tile == .two && fewWinograd.kernel.packed.winogradPanels)
        #expect(smallWinograd.kernel.tile == .four && !smallWinograd.kernel.packed.winogradPanels)
        #expect(manyWinograd.kernel.tile == .four && !manyWinograd.kernel.packed.winogradPanels)
        let product = fewWinograd.kernel.product(tiles: 16)
        #expect(product.flatOutput && product.packed.panelWidth == 16 && product.packed.rows == 512)
        #expect(!manyWinograd.kernel.product(tiles: 49).flatOutput)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("tile: 2, panelWidth: 16, into: buffer"))
        let lines = Self.lines(of: swift, from: "static func l0_few_winograd_product16(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ parts: Range<Int> = 0..<32) {", count: 40)
        #expect(lines.contains("let w0 = wp.load16(at: ci * 16)") && lines.contains("wp.prefetch(at: ci * 16 + 1024)"))
        // Training's forward pass runs by F(2x2) already, from the U inference reads; the F(4x4) layers have one of their own.
        #expect(program.training.winogradTrainingForwards.first { $0.layer == 0 } == nil)
        let forward = try #require(program.training.winogradTrainingForwards.first { $0.layer == 5 })
        #expect(!forward.kernel.kernel.packed.winogradPanels && !forward.kernel.kernel.product(tiles: 16).flatOutput)
    }

    /// A 1x1 layer on 7x7 pixels with over 1 MB of weights (ResNet50's last
    /// stage at 224x224) reads them in panels, asked for ahead, as a small
    /// output does; with less, or on 8x8 pixels, it keeps rows.
    @Test func aPointwiseLayerOnSevenBySevenPixelsStreamsLargeWeightsInPanels() throws {
        let program = try Self.program("""
            input_shape: [8, 8, 512]
            layers:
              - Conv2D: {filters: 1024, kernel_size: 1, name: wide_8x8}
              - MaxPooling2D: {pool_size: 2, strides: 1}
              - Conv2D: {filters: 512, kernel_size: 1, name: wide_7x7}
              - Conv2D: {filters: 64, kernel_size: 1, name: narrow_7x7}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        func direct(_ index: Int) -> ConvolutionEmitter? {
            guard case .convolution(let kernels) = program.nodes[index].kernel, case .channelLanes(let kernel) = kernels.direct else { return nil }
            return kernel
        }
        let wide8 = try #require(direct(0)), wide7 = try #require(direct(2)), narrow7 = try #require(direct(3))
        #expect(!wide8.flatOutput && wide7.flatOutput && !narrow7.flatOutput)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("WeightPacking.panels(parameters, from: \(512 * 1024 + 1024), rows: 1024, outputs: 512, width: 16"))
        #expect(swift.contains("wp.prefetch(at: ci * 16 + 1024)"))
    }

    /// Training's forward pass runs the Winograd kernel inference chose where
    /// that is F(2x2) (a 10x10 output), with its padded input and scratch in
    /// room of their own after the rest of the training arena, which the
    /// backward pass's Winograd kernels share.
    @Test func trainingRunsTheWinogradKernelForward() throws {
        let program = try Self.program("""
            input_shape: [10, 10, 16]
            layers:
              - Conv2D: {filters: 16, kernel_size: 3, padding: same, activation: relu}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, let winograd = kernels.winograd else {
            Issue.record("expected a Winograd kernel, got \(program.nodes[0].kernel)")
            return
        }
        let arena = program.training.arena
        #expect(winograd.kernel.tile == .two && program.training.winogradTrainingForwards.isEmpty)
        #expect(arena.winogradScratchOffset == arena.winogradPaddedOffset + winograd.padding.paddedCount)
        let kernelGradient = try #require(program.training.winogradKernelGradients.first)
        #expect(arena.total == arena.winogradScratchOffset + max(winograd.kernel.scratchCount, kernelGradient.kernel.scratchCount))
        let swift = ModelGenerator.render(program)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        #expect(training.contains("Self.\(winograd.padding.function)("))
        #expect(training.contains("Self.\(winograd.kernel.function)(UnsafePointer(arena.advanced(by: \(arena.winogradPaddedOffset)))"))
    }

    /// dL/dx of a 3x3 stride-1 layer runs by Winograd with the kernel turned
    /// once a step: same padding borders dL/dz by 1, valid padding by 2; a
    /// strided layer and one of too few channels keep the direct kernels.
    @Test func trainingComputesInputGradientsByWinograd() throws {
        let program = try Self.program("""
            input_shape: [18, 18, 3]
            layers:
              - Conv2D: {filters: 16, kernel_size: 3, padding: same}
              - Conv2D: {filters: 16, kernel_size: 3, padding: valid}
              - Conv2D: {filters: 16, kernel_size: 3, padding: same}
              - Conv2D: {filters: 16, kernel_size: 3, strides: 2, padding: same}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        let gradients = program.training.winogradInputGradients
        #expect(gradients.map(\.layer) == [1, 2])
        // Both by F(4x4) (dL/dx of 18x18 and 16x16): the first's 16x16 dL/dz takes 4 more rows and columns for 5x5 tiles.
        #expect(gradients.map(\.kernel.kernel.tile) == [.four, .four])
        #expect(gradients.map(\.kernel.padding.padding) == [Padding2D(top: 2, bottom: 4, left: 2, right: 4), Padding2D(top: 1, bottom: 1, left: 1, right: 1)])
        #expect(gradients.map(\.stepWeightsOffset) == [0, gradients[0].stepWeightCount])
        // The turned kernels, then the F(2x2) kernels of layers 1 and 2's training forward pass.
        #expect(program.training.winogradTrainingForwards.map(\.layer) == [1, 2])
        #expect(program.training.stepWeightCount == 2 * (36 * 16 * 16 + 16) + 2 * (16 * 16 * 16 + 16))
        let swift = ModelGenerator.render(program)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        #expect(training.contains("public static let stepWeightCount = \(program.training.stepWeightCount)"))
        #expect(training.contains("WeightPacking.turnedWinograd(k, from: 448, inputChannels: 16, outputs: 16, paddedInputs: 16, tile: 4, into: stepWeights)"))
        for gradient in gradients {
            #expect(training.contains("Self.\(gradient.kernel.kernel.function)(UnsafePointer(arena.advanced(by: \(program.training.arena.winogradPaddedOffset)))"))
        }
        #expect(!training.contains("l0_conv2d_input_gradient_winograd"))
        #expect(!training.contains("l3_conv2d_3_input_gradient_winograd"))
    }

    /// On AVX2 (blocks of 6 pixels by one SIMD16 vector), an 8-pixel row
    /// would be blocks of 4+4; ResNet-20's stride-2 layer (32 channels a tap)
    /// instead runs blocks of 6 through its 64 flattened pixels (9 of 6, 2 of
    /// 5), each pixel's offset worked out once a block; its calls' parts are
    /// those blocks. With 16 channels a tap it keeps rows.
    @Test func narrowRowsOfManyChannelsRunBlocksAcrossRows() throws {
        func direct(_ channels: Int) throws -> ConvolutionEmitter? {
            let model = try Self.model("""
                input_shape: [16, 16, \(channels)]
                layers:
                  - Conv2D: {filters: 64, kernel_size: 3, strides: 2, padding: same}
                  - Flatten
                  - Dense: {units: 2, activation: softmax}
                """)
            let program = ModelPlanner.plan(model, specPath: "snippet.yaml", target: .avx2)
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .channelLanes(let direct) = kernels.direct else { return nil }
            return direct
        }
        let wide = try #require(try direct(32))
        #expect(wide.spansRows && !wide.splitsRows && !wide.partsAreChannelGroups)
        #expect(wide.pixelRuns.map(\.blocks) == [9, 2] && wide.pixelRuns.map(\.pixels) == [6, 5])
        #expect(wide.parts == 11)
        var out = SourceWriter()
        wide.emit(into: &out)
        #expect(out.text.contains("for b in parts.clamped(to: 9..<11) {"))
        #expect(out.text.contains("let i0 = 54 + (b - 9) * 5"))
        #expect(out.text.contains("let x5 = V8(repeating: xp[a5 + ci])"))
        let narrow = try #require(try direct(16))
        #expect(!narrow.spansRows && narrow.splitsRows && narrow.parts == 8)
    }

    /// dL/dx of a strided layer is a convolution phase by phase: a 3x3
    /// stride-2 kernel gives four (sub-kernels 2x2, 2x1, 1x2, 1x1), each
    /// writing every other pixel of every other row of dL/dx from its own
    /// first position; a 1x1 stride-2 kernel gives one, and its other
    /// positions are zeros. No scattered sums, no `_unpad`.
    @Test func trainingComputesStridedInputGradientsPhaseByPhase() throws {
        let program = try Self.program("""
            input_shape: [16, 16, 8]
            layers:
              - Conv2D: {filters: 8, kernel_size: 1}
              - Conv2D: {filters: 16, kernel_size: 3, strides: 2, padding: same}
              - Conv2D: {filters: 16, kernel_size: 1, strides: 2}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        let swift = ModelGenerator.render(program)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        // 16x16 input, same padding (0 before, 1 after): phase (py, px) starts at dx's pixel (py, px);
        // its turned kernel (taps x 16 filters x 8 input channels) follows the previous phase's.
        for (phase, kernel, start) in [("0_0", "flipped", "dx"), ("0_1", "flipped + 512", "dx + 8"),
                                       ("1_0", "flipped + 768", "dx + 128"), ("1_1", "flipped + 1024", "dx + 136")] {
            let function = "l1_conv2d_1_backward_input_gradient_phase\(phase)"
            #expect(training.contains("Self.\(function)(UnsafePointer(bordered"))
            #expect(training.contains("UnsafePointer(\(kernel)), \(start))"), "\(function) reads \(kernel) and writes from \(start)")
            #expect(training.contains("static func \(function)("))
        }
        // A phase's row of 8 pixels is one block, and its rows are 2 of dL/dx's (of 16 pixels of 8 channels) apart.
        #expect(training.contains("let yp = y + oy * 256\n"))
        // The 1x1 kernel's one phase reads dL/dz as it is; the odd rows and columns of its 8x8x16 dL/dx are zeros.
        #expect(training.contains("dx.initialize(repeating: 0, count: 1024)"))
        #expect(training.contains("Self.l2_conv2d_2_backward_input_gradient_phase0_0(dz, UnsafePointer(flipped), dx)"))
        #expect(!training.contains("l2_conv2d_2_backward_input_gradient_phase1_"))
        #expect(!training.contains("l1_conv2d_1_unpad"))
    }

    /// dL/dkernel of a layer the forward pass runs by Winograd goes by the
    /// adjoint of the same transforms (here F(4x4)'s) when it has at least
    /// 16 tiles of F(2x2) (8x8 outputs), with the forward kernel's padded
    /// input; a 6x6 layer (9 tiles) keeps the
    /// direct sums. Each layer's S, summed over the batch among the step
    /// gradients, is folded into its dL/dkernel once a step.
    @Test func trainingComputesKernelGradientsByWinogradOnLargeLayers() throws {
        let program = try Self.program("""
            input_shape: [16, 16, 8]
            layers:
              - Conv2D: {filters: 16, kernel_size: 3, padding: same}
              - MaxPooling2D: {pool_size: 2}
              - Conv2D: {filters: 16, kernel_size: 3, padding: same}
              - Conv2D: {filters: 16, kernel_size: 3, padding: valid}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        let gradients = program.training.winogradKernelGradients
        #expect(gradients.map(\.layer) == [0, 2])
        guard case .convolution(let kernels) = program.nodes[0].kernel, let winograd = kernels.winograd, let gradient = gradients.first else {
            Issue.record("expected a Winograd kernel and its gradient")
            return
        }
        #expect(winograd.kernel.tile == .four && gradients.map(\.kernel.tile) == [.four, .four])
        #expect(gradient.padding == winograd.padding)
        #expect(gradient.kernel.tileRows * gradient.kernel.tileColumns == 16)
        #expect(gradients.map(\.stepGradientOffset) == [0, 36 * 8 * 16])
        #expect(program.training.stepGradientCount == 36 * 8 * 16 + 36 * 16 * 16)
        let swift = ModelGenerator.render(program)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        let parameters = program.weights.parameterCount
        #expect(training.contains("Self.\(gradient.kernel.function)(UnsafePointer(arena.advanced(by: \(program.training.arena.winogradPaddedOffset))), UnsafePointer(g), gradients.advanced(by: \(parameters)), "))
        #expect(training.contains("// dL/dkernel: by Winograd's adjoint, before this (\(gradient.kernel.function))"))
        #expect(training.contains("let (z00, z10, z20, z30, z40, z50) = winogradOutputAdjoint4(e00, e10, e20, e30)"))
        #expect(training.contains("let (g00, g10, g20) = winogradKernelAdjoint4(t00, t10, t20, t30, t40, t50)"))
        #expect(training.contains("public static let stepGradientCount = \(program.training.stepGradientCount)"))
        #expect(training.contains("Self.\(gradient.kernel.function)_fold(stepGradients, gradients)"))
        #expect(training.contains("Self.\(gradients[1].kernel.function)_fold(stepGradients.advanced(by: \(36 * 8 * 16)), gradients.advanced(by: \(gradients[1].kernelParameters)))"))
        #expect(program.training.arena.total >= program.training.arena.winogradScratchOffset + gradient.kernel.scratchCount)
    }

    /// Outputs from 7x7 on (but 9x9 and 10x10) run by F(4x4, 3x3), whose 36
    /// products make 16 outputs; smaller ones by F(2x2, 3x3). Inference packs
    /// U for F(4x4); training's forward pass runs by F(2x2) from a U of its
    /// own, derived once a step into the step weights with the bias after it.
    @Test func largeOutputsRunByFourByFourTilesAndTrainByTwoByTwo() throws {
        #expect([6, 7, 8, 9, 10, 11, 12, 16, 32].map { WinogradTile.choice(outputHeight: $0, outputWidth: $0) }
                == [.two, .four, .four, .two, .two, .four, .four, .four, .four])
        // Where F(4x4)'s U comes from memory (ResNet50's last stage, 512 channels on 7x7, and
        // InceptionV3's 448 → 384 on 8x8), its 4 tiles wait on 36 matrices' reads; F(2x2) reads 16.
        // On 14x14 pixels F(4x4) still does fewer multiply-adds than F(2x2) takes reading; a U the
        // caches keep (128 → 32 channels) is chosen by products alone.
        #expect(WinogradTile.choice(outputHeight: 7, outputWidth: 7, channelPairs: 512 * 512) == .two)
        #expect(WinogradTile.choice(outputHeight: 8, outputWidth: 8, channelPairs: 448 * 384) == .two)
        #expect(WinogradTile.choice(outputHeight: 14, outputWidth: 14, channelPairs: 256 * 256) == .four)
        #expect(WinogradTile.choice(outputHeight: 7, outputWidth: 7, channelPairs: 128 * 32) == .four)
        let lastStage = try Self.program("input_shape: [7, 7, 512]\nlayers:\n  - Conv2D: {filters: 512, kernel_size: 3, padding: same}")
        guard case .kernel(let packed)? = lastStage.weights.packing[0] else { throw CancellationError() }
        #expect(packed.winogradTile == .two && packed.winogradPanels)
        #expect(WinogradTile.combination([1, 1.5, -2, -1.5, 1, 0], of: ["d0", "d1", "d2", "d3", "d4", "d5"], vector: "VC")
                == "madd(madd(d0 + d4, (d1 - d3), VC_1_5), d2, VC_m2)")
        #expect(WinogradTile.combination([0, 1, -1, -1], of: ["m0", "m1", "m2", "m3"], vector: "VK") == "m1 - m2 - m3")
        // G's fractions round to Floats; a literal with an exponent still makes a name.
        #expect(WinogradTile.constantName("V", -16.0 / 15) == "V_m1_0666667" && WinogradTile.constantName("V", 1e-5) == "V_1e_05")
        let program = try Self.program("""
            input_shape: [16, 16, 16]
            layers:
              - Conv2D: {filters: 32, kernel_size: 3, padding: same, activation: relu}
              - Flatten
              - Dense: {units: 2, activation: softmax}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, let winograd = kernels.winograd,
              case .kernel(let packed)? = program.weights.packing[0] else {
            Issue.record("expected a Winograd kernel")
            return
        }
        #expect(winograd.kernel.tile == .four && packed.winogradTile == .four)
        #expect(winograd.kernel.tileRows == 4 && winograd.kernel.inputHeight == 18)
        #expect(program.weights.packedCount >= packed.winogradOffset! + 36 * 16 * 32)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("forward by Winograd's F(4x4, 3x3)"))
        #expect(swift.contains("for xi in 0..<36"))
        // The 1-D transforms are functions of the file, called once per row and column of a patch.
        #expect(swift.contains("private func winogradInput4(_ x0: V16, _ x1: V16, _ x2: V16, _ x3: V16, _ x4: V16, _ x5: V16) -> (V16, V16, V16, V16, V16, V16)"))
        #expect(swift.contains("let (b00, b01, b02, b03, b04, b05) = winogradInput4(d00, d01, d02, d03, d04, d05)"))
        #expect(swift.contains("let (s00, s10, s20, s30) = winogradOutput4(a00, a10, a20, a30, a40, a50)"))
        #expect(swift.contains("tile: 4, into: buffer"))
        let forward = try #require(program.training.winogradTrainingForwards.first)
        #expect(forward.layer == 0 && forward.kernel.kernel.tile == .two && forward.kernel.kernel.fusedReLU)
        #expect(forward.kernel.kernel.packed.biasOffset == 16 * 16 * 32)
        #expect(program.training.stepWeightCount == forward.stepWeightsOffset + 16 * 16 * 32 + 32)
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        #expect(training.contains("WeightPacking.winograd(k, from: 0, bias: \(16 * 9 * 32), inputChannels: 16, outputs: 32, paddedOutputs: 32, tile: 2, into: "))
        #expect(training.contains("Self.\(forward.kernel.kernel.function)(UnsafePointer(arena.advanced(by: \(program.training.arena.winogradPaddedOffset))), statistics"))
        #expect(training.contains("for xi in 0..<16"))
    }

    /// A Winograd layer whose transformed weights outweigh its tiles (VGG16's
    /// 8x8x512, by F(2x2) since its U comes from memory) takes every tile row
    /// in one group, so its products stream U once; a layer of many tiles and
    /// few channels keeps small groups that stay in cache, and two of them so
    /// that two workers share a sample.
    @Test func aWinogradLayerOfLargeWeightsStreamsThemOnce() throws {
        func winograd(_ yaml: String) throws -> WinogradConvolutionEmitter? {
            guard case .convolution(let kernels) = try Self.program(yaml).nodes[0].kernel else { return nil }
            return kernels.winograd?.kernel
        }
        let deep = try #require(try winograd("""
            input_shape: [8, 8, 512]
            layers:
              - Conv2D: {filters: 512, kernel_size: 3, padding: same}
            """))
        #expect(deep.tile == .two && deep.tileRows == 4 && deep.rowsPerGroup == 4 && deep.parts == 1)
        let wide = try #require(try winograd("""
            input_shape: [32, 32, 16]
            layers:
              - Conv2D: {filters: 16, kernel_size: 3, padding: same}
            """))
        #expect(wide.tile == .four && wide.tileRows == 8 && wide.rowsPerGroup < 8 && wide.parts >= 2)
    }

    /// A 1x1 output under `same` padding (InceptionV3's last stage) reads
    /// the input at the centre tap only: the other taps, and their weights, are skipped.
    @Test func tapsThatReadOnlyPaddingAreSkipped() throws {
        let program = try Self.program("""
            input_shape: [1, 1, 64]
            layers:
              - Conv2D: {filters: 32, kernel_size: [1, 3], padding: same}
              - Conv2D: {filters: 32, kernel_size: 3, padding: same}
            """)
        for (node, taps) in zip(program.nodes, [3, 9]) {
            guard case .convolution(let kernels) = node.kernel, case .channelLanes(let direct) = kernels.direct else {
                Issue.record("expected a channel-lane kernel, got \(node.kernel)")
                continue
            }
            #expect(direct.flatOutput)
            #expect(direct.liveTaps(pixels: 0..<1).map { [$0.ky, $0.kx] } == [[direct.kernel.height / 2, 1]])
            var out = SourceWriter()
            direct.emit(into: &out)
            #expect(out.text.contains("\(taps - 1) of the \(taps) taps read only padding for these pixels"), "\(out.text)")
        }
    }

    /// LeNet-5's first layer on a 29x29 input (29 rows: no block of 3 to 5
    /// rows divides them, see the next test) on AVX-512: two rows of output
    /// a block (22 sums), each input row loaded once for both rows that read
    /// it, through taps one row apart; a single row after the pairs. AVX2's
    /// 16 registers hold one row's.
    @Test func aPixelLaneKernelComputesTwoRowsWhereTheRegistersHoldThem() throws {
        let yaml = """
            input_shape: [29, 29, 1]
            layers:
              - Conv2D: {filters: 6, kernel_size: 5, padding: same, activation: tanh}
            """
        let swift = ModelGenerator.render(try Self.program(yaml))
        #expect(swift.contains("for oy in stride(from: rowRange.lowerBound, to: rowRange.upperBound - 1, by: 2) {"))
        #expect(swift.contains("if rowRange.count % 2 == 1 {"))
        // The second input row: the first output row's second row of taps, the second's first.
        #expect(Self.lines(of: swift, from: "let xp = row + kx + 33", count: 11) == [
            "let xp = row + kx + 33",
            "let wp0 = patterns + (kx + 5) * 96",
            "let w0_0 = wp0.load16(at: 0)",
            "let w0_2 = wp0.load16(at: 32)",
            "let w0_4 = wp0.load16(at: 64)",
            "let wp1 = patterns + kx * 96",
            "let w1_0 = wp1.load16(at: 0)",
            "let w1_2 = wp1.load16(at: 32)",
            "let w1_4 = wp1.load16(at: 64)",
            "let x0 = spread0(xp.load4(at: 0))",
            "s0_0 = madd(s0_0, x0, w0_0)",
        ])
        #expect(swift.contains("yp.store(s1_10, at: 332)"))
        let avx2 = ModelGenerator.render(ModelPlanner.plan(try Self.model(yaml), specPath: "snippet.yaml", target: .avx2))
        #expect(avx2.contains("for oy in parts {") && !avx2.contains("rowRange"))
    }

    /// LeNet-5's first layer itself on AVX-512: the 25 taps' patterns of one
    /// phase held in registers, 4 rows of output a block (the largest of 3 to
    /// 4 that divides 28), so a call's range counts blocks; each input vector
    /// loaded once for every row of the block that reads it. A 3x3 kernel
    /// leaves room for 8 rows (7 divide 28). AVX2's 16 registers hold one
    /// column of 5 taps' patterns at a time, loaded each column, and 7 rows.
    @Test func aPixelLaneKernelHoldsAPhasesPatternsWhereTheRegistersDo() throws {
        func direct(_ yaml: String, _ target: TargetCPU = .avx512on256) throws -> PixelLaneConvolutionEmitter? {
            let program = ModelPlanner.plan(try Self.model(yaml), specPath: "snippet.yaml", target: target)
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .pixelLanes(let direct) = kernels.direct else { return nil }
            return direct
        }
        let lenet = """
            input_shape: [28, 28, 1]
            layers:
              - Conv2D: {filters: 6, kernel_size: 5, padding: same, activation: tanh}
            """
        let kernel = try #require(try direct(lenet))
        #expect(kernel.stationaryRows == 4 && kernel.parts == 7)
        var out = SourceWriter()
        kernel.emit(into: &out)
        #expect(out.text.contains("_ parts: Range<Int> = 0..<7)"))
        #expect(out.text.contains("let firstRow = parts.lowerBound * 4"))
        #expect(out.text.contains("// The vectors of a row that start at filter 2 (of 25 taps' patterns held above)."))
        #expect(out.text.contains("for start in [32, 80, 128, 152] {"))
        #expect(out.text.contains("for oy in stride(from: parts.lowerBound * 4, to: parts.upperBound * 4, by: 4) {"))
        // The fourth input row of a block: output rows 0 to 3 through tap rows 3 to 0;
        // its pixels 1 to 4 (tap column 1), spread over the lanes of phase 2.
        #expect(out.text.contains("do { let xv = spread2(row.load4(at: 97)); s0 = madd(s0, xv, p3_1); s1 = madd(s1, xv, p2_1); s2 = madd(s2, xv, p1_1); s3 = madd(s3, xv, p0_1) }"))
        // Lane j of a vector starting at filter 2 holds pixel (2 + j) / 6.
        #expect(out.text.contains("func spread2(_ v: V4) -> V16 { V16(v[0], v[0], v[0], v[0], v[1], v[1], v[1], v[1], v[1], v[1], v[2], v[2], v[2], v[2], v[2], v[2]) }"))
        #expect(out.text.contains("let row = copied + (oy - firstRow) * 32 + start / 6, yp = y + oy * 168 + start"))
        #expect(out.text.contains("(copied + rows * 32).update(repeating: 0, count: 4)"))
        #expect(try direct(lenet.replacingOccurrences(of: "kernel_size: 5", with: "kernel_size: 3"))?.stationaryRows == 7)
        // 26 rows (3x3 taps, valid): no block of 3 to 8 divides them, 13 do; AVX2's registers leave 4, and pairs run.
        let rows26 = lenet.replacingOccurrences(of: "kernel_size: 5, padding: same", with: "kernel_size: 3")
        #expect(try direct(rows26)?.stationaryRows == 13)
        #expect(try direct(rows26, .avx2)?.stationaryRows == nil)
        #expect(kernel.holdsEveryTap)
        let avx2 = try #require(try direct(lenet, .avx2))
        #expect(avx2.stationaryRows == 7 && !avx2.holdsEveryTap)
        var avx2Text = SourceWriter()
        avx2.emit(into: &avx2Text)
        #expect(avx2Text.text.contains("let p0_1 = patterns.load8(at: 96); let p1_1 = patterns.load8(at: 576); let p2_1 = patterns.load8(at: 1056)"))
    }

    /// A layer large enough to split across workers (7 filters of 7x7 taps
    /// on 24x32 outputs, 0.53 MFLOPs, its input rows within the scratch) with a
    /// BatchNormalization in its store: the fused kernel, which the split
    /// calls, counts its parts in the blocks the unfused one was split by.
    @Test func aFusedPixelLaneKernelSplitsAsItsUnfusedOneDoes() throws {
        for target in [TargetCPU.avx2, .avx512on256] {
            let program = ModelPlanner.plan(try Self.model("""
                input_shape: [24, 32, 1]
                layers:
                  - Conv2D: {filters: 7, kernel_size: 7, padding: same, use_bias: false}
                  - BatchNormalization
                  - Flatten
                  - Dense: {units: 2}
                """), specPath: "snippet.yaml", target: target)
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .pixelLanes(let direct) = kernels.direct,
                  case .direct(.pixelLanes(let fused))? = kernels.fused else {
                Issue.record("expected a fused pixel-lane kernel for \(target), got \(program.nodes[0].kernel)")
                continue
            }
            #expect(fused.epilogue?.scaleShift == true && direct.stationaryRows != nil && kernels.splitParts > 1, "\(target)")
            #expect(fused.stationaryRows == direct.stationaryRows && fused.parts == direct.parts && kernels.splitParts == direct.parts,
                    "\(target)")
        }
    }

    @Test func aFirstConvolutionOnOneChannelKeepsPixelsInLanesAndStaysOnOneCore() throws {
        let yaml = """
            input_shape: [28, 28, 1]
            layers:
              - Conv2D: {filters: 8, kernel_size: 5, activation: tanh}
            """
        let program = try Self.program(yaml)
        // AVX2's registers hold 8 floats: its vectors of a row are that long.
        let avx2 = ModelPlanner.plan(try Self.model(yaml), specPath: "snippet.yaml", target: .avx2)
        if case .convolution(let kernels) = avx2.nodes[0].kernel, case .pixelLanes(let direct) = kernels.direct {
            #expect(direct.lanes == 8)
        } else {
            Issue.record("expected a pixel-lane kernel for avx2, got \(avx2.nodes[0].kernel)")
        }
        guard case .convolution(let kernels) = program.nodes[0].kernel, case .pixelLanes(let direct) = kernels.direct else {
            Issue.record("expected a pixel-lane kernel, got \(program.nodes[0].kernel)")
            return
        }
        #expect(direct.lanes == 16)
        #expect(kernels.winograd == nil)
        #expect(kernels.activation?.kind == .activation(.tanh))
        #expect(kernels.splitParts == 1)  // 0.23 MFLOPs: too small to split
    }

    /// 24 filters: on AVX2, 3 vectors of 8 (no padding computed); where a
    /// register holds 16 floats, vectors of 16 as packed. 32 filters keep 16.
    @Test func filtersThatHalfFillAVectorOfSixteenRunInVectorsOfEightOnAVX2() throws {
        func directLanes(filters: Int, target: TargetCPU) throws -> Int? {
            let model = try Self.model("""
                input_shape: [12, 12, 16]
                layers:
                  - Conv2D: {filters: \(filters), kernel_size: 3, strides: 2}
                """)
            let program = ModelPlanner.plan(model, specPath: "snippet.yaml", target: target)
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .channelLanes(let direct) = kernels.direct else { return nil }
            return direct.lanes
        }
        #expect(try directLanes(filters: 24, target: .avx2) == 8)
        #expect(try directLanes(filters: 24, target: .avx512on256) == 16)
        #expect(try directLanes(filters: 32, target: .avx2) == 16)
        // At stride 1, Winograd: its stores take 8 filters at a time, where 16 would run past the 24.
        for target in [TargetCPU.avx2, .avx512on256] {
            let program = ModelPlanner.plan(try Self.model("""
                input_shape: [16, 16, 16]
                layers:
                  - Conv2D: {filters: 24, kernel_size: 3, padding: same}
                """), specPath: "snippet.yaml", target: target)
            guard case .convolution(let kernels) = program.nodes[0].kernel, let winograd = kernels.winograd else {
                Issue.record("expected Winograd for 24 filters on \(target)")
                continue
            }
            #expect(winograd.kernel.outputLanes == 8)
        }
    }

    /// On AVX2 a vector of 16 is two registers, so a block holds one vector
    /// by at most 6 pixels: where a row (or Winograd's product of 4 tiles on
    /// an 8x8 output) has fewer, vectors of 8 hold more sums (3 by 4, 12
    /// registers, against 8). A row of 32 keeps vectors of 16 (1 by 6, 12),
    /// and AVX-512 keeps its own blocks.
    @Test func fewPixelsARowRunInVectorsOfEightOnAVX2WhereTheyHoldMoreSums() throws {
        func product(_ target: TargetCPU, size: Int) throws -> ConvolutionEmitter? {
            let model = try Self.model("input_shape: [\(size), \(size), 64]\nlayers:\n  - Conv2D: {filters: 64, kernel_size: 3, padding: same}\n")
            guard case .convolution(let kernels) = ModelPlanner.plan(model, specPath: "snippet.yaml", target: target).nodes[0].kernel else { return nil }
            return kernels.winograd?.kernel.product(tiles: 4)
        }
        let avx2 = try #require(try product(.avx2, size: 8))
        #expect(avx2.lanes == 8 && avx2.chunksPerGroup == 3 && avx2.pixelsPerBlock == 4)
        let avx512 = try #require(try product(.avx512on256, size: 8))
        #expect(avx512.lanes == 16 && avx512.chunksPerGroup == 4 && avx512.pixelsPerBlock == 4)
        let wide = ConvolutionEmitter(function: "wide", inputHeight: 1, inputWidth: 32, inputChannels: 64, kernel: .square(1), strides: .square(1),
                                      dilation: .square(1), outputHeight: 1, outputWidth: 32, packed: avx2.packed, fusedReLU: false, target: .avx2)
        #expect(wide.lanes == 16 && wide.chunksPerGroup == 1 && wide.pixelsPerBlock == 6)
    }

    /// Every vector type a generated kernel computes in has its multiply-add:
    /// on AVX2 a kernel packed for 16 lanes may run in 8 (`ConvolutionEmitter.lanes`),
    /// as dL/dx's of these layers and the 1x1 step of a SeparableConv2D do,
    /// where nothing else in the model asks for 8.
    @Test func everyVectorTypeAKernelUsesHasItsMultiplyAdd() throws {
        let specs = [
            "input_shape: [4, 64]\nlayers:\n  - Dense: {units: 64, activation: relu}\n  - Flatten\n  - Dense: {units: 16}\n",
            "input_shape: [4, 4, 32]\nlayers:\n  - Conv2D: {filters: 32, kernel_size: 3, padding: same}\n  - Conv2D: {filters: 32, kernel_size: 3, padding: same}\n  - Flatten\n  - Dense: {units: 16}\n",
            "input_shape: [8, 8, 32]\nlayers:\n  - SeparableConv2D: {filters: 64, kernel_size: 3, padding: same}\n  - GlobalAveragePooling2D\n  - Dense: {units: 16}\n",
            "input_shape: [4, 4, 24]\nlayers:\n  - Dense: {units: 40}\n  - Flatten\n  - Dense: {units: 13}\n",
        ]
        for spec in specs {
            for target in [TargetCPU.avx2, .avx512on256] {
                let program = ModelPlanner.plan(try Self.model(spec), specPath: "snippet.yaml", target: target)
                let swift = ModelGenerator.render(program)
                for lanes in [4, 8, 16] where swift.contains("V\(lanes).self") || swift.contains("V\(lanes)(") {
                    #expect(program.vectorWidths.contains(lanes), "\(target): SIMD\(lanes) kernels without their madd in \(spec)")
                }
            }
        }
    }

    /// A Dense layer shared by a call on a vector and a call on an image keeps
    /// its rows: both calls read one packing, and the image's 64 positions are
    /// no small output.
    @Test func aSharedDenseLayerTakesPanelsOnlyWhenEveryCallIsSmall() throws {
        let model = try Self.model("""
            {"class_name": "Functional", "config": {"name": "shared", "layers": [
              {"class_name": "InputLayer", "name": "image", "config": {"batch_shape": [null, 8, 8, 4], "name": "image"}, "inbound_nodes": []},
              {"class_name": "GlobalAveragePooling2D", "name": "pool", "config": {"name": "pool"}, "inbound_nodes": [[["image", 0, 0, {}]]]},
              {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 4}, "inbound_nodes": [[["pool", 0, 0, {}]], [["image", 0, 0, {}]]]},
              {"class_name": "Flatten", "name": "flat", "config": {"name": "flat"}, "inbound_nodes": [[["shared", 1, 0, {}]]]},
              {"class_name": "Concatenate", "name": "both", "config": {"name": "both", "axis": -1}, "inbound_nodes": [[["shared", 0, 0, {}], ["flat", 0, 0, {}]]]}
            ], "input_layers": [["image", 0, 0]], "output_layers": [["both", 0, 0]]}}
            """)
        let weights = WeightPlan(model: model)
        let kernels = weights.packing.values.compactMap { packing -> WeightPlan.PackedKernel? in
            if case .kernel(let kernel) = packing { kernel } else { nil }
        }
        #expect(!kernels.isEmpty && kernels.allSatisfy { $0.panelWidth == nil })
    }

    @Test func theVectorLayersAfterTheLastImageRunOverBlocksOfEightSamples() throws {
        let program = try Self.program("""
            input_shape: [4, 4, 2]
            layers:
              - Conv2D: {filters: 2, kernel_size: 3}
              - Flatten
              - Dense: {units: 5, activation: sigmoid}
              - Dropout: {rate: 0.5}
              - Dense: {units: 3}
            """)
        let tail = try #require(program.batchedTail)
        #expect(tail.start == 1)
        #expect(tail.inputWidth == 8)
        #expect(tail.width == 8)
        #expect(tail.steps.map { "\($0.reads.rawValue)→\($0.writes.rawValue)" } == ["ta→ta", "ta→tb", "tb→tb", "tb→ta"])
        #expect(tail.result == .ta)
    }

    @Test func batchNormalizationSplitsATrainingStepIntoPhases() throws {
        let program = try Self.program("""
            input_shape: [4]
            layers:
              - Dense: {units: 3, name: d1}
              - BatchNormalization: {name: bn}
              - Dense: {units: 2, name: d2}
            """)
        let phases = program.training.phases.map { $0.steps.filter { if case .note = $0 { false } else { true } } }
        #expect(phases == [
            [.forward(layer: 0), .addBatchStatistics(normalization: 0), .finish(returnsLoss: false)],
            [.forward(layer: 1), .forward(layer: 2), .copyOutput, .loss, .backward(layer: 2),
             .keepGradientAndAddSums(normalization: 0), .finish(returnsLoss: true)],
            [.normalizationBackward(normalization: 0), .backward(layer: 0), .finish(returnsLoss: false)],
        ])
        // Each phase declares only the arena values its steps name.
        #expect(program.training.phases.map(\.values) == [
            [.output(0)],
            [.output(0), .output(1), .outputGradient(1), .output(2)],
            [.output(0), .outputGradient(1)],
        ])
        #expect(program.training.swapsGradients)  // d2 writes dL/dx into h
    }

    /// A deep model's passes are cut into functions of at most
    /// `layersPerFunction` layers (the compiler's time grows faster than a
    /// function's length), and its training phase into parts of as many
    /// steps; the loss, and the output layer's backward step that reads it, stay.
    @Test func aDeepModelsPassesAreCutIntoFunctionsOfAFewLayers() throws {
        let convolutions = 2 * ModelProgram.layersPerFunction + 5
        let layers = String(repeating: "  - Conv2D: {filters: 2, kernel_size: 1, activation: relu}\n", count: convolutions)
        let program = try Self.program("input_shape: [2, 2, 2]\nlayers:\n\(layers)  - Flatten\n  - Dense: {units: 2, name: last}\n")
        let depth = convolutions + 1  // the index of the last layer
        let parts = program.training.parts
        // A note and 135 forward steps, then 134 backward ones after the output layer's.
        #expect(parts.map(\.steps.count) == [64, 64, 8, 64, 64, 6])
        let loss = program.training.phases[0].steps.filter { if case .callPart = $0 { false } else { true } }
        #expect(loss.filter { if case .note = $0 { false } else { true } }
                == [.copyOutput, .loss, .backward(layer: depth), .finish(returnsLoss: true)])
        // Every layer runs once, in order, whether in a part or in the phase.
        let forward = program.training.stepsRun.compactMap { if case .forward(let index) = $0 { index } else { nil } }
        #expect(forward == Array(0...depth))
        let swift = ModelGenerator.render(program)
        for name in ["forward", "forwardSplit", "head"] {
            #expect(swift.contains("\(name)_part2(") && !swift.contains("\(name)_part3("))
        }
        #expect(swift.contains("private func trainingPart5(") && swift.contains("trainingPart0(input, inputGradient, arena, statistics, sums, dropoutSeed, gradients, w, k, p, q, &g, &h)"))
        // A shallow model keeps one function for each pass.
        let shallow = ModelGenerator.render(try Self.program("input_shape: [4]\nlayers:\n  - Dense: {units: 2}\n"))
        #expect(!shallow.contains("_part0(") && !shallow.contains("trainingPart0("))
    }

    /// Layers of equal geometry call one set of kernels, each with its own
    /// weights; a layer that differs in anything (here its activation, or
    /// the shape it reads) has kernels of its own.
    @Test func layersOfEqualGeometryShareTheirKernels() throws {
        let program = try Self.program("""
            input_shape: [6, 6, 3]
            layers:
              - Conv2D: {filters: 4, kernel_size: 3, padding: same, activation: relu, name: a}
              - Conv2D: {filters: 4, kernel_size: 3, padding: same, activation: relu, name: b}
              - Conv2D: {filters: 4, kernel_size: 3, padding: same, activation: relu, name: c}
              - Conv2D: {filters: 4, kernel_size: 3, padding: same, activation: tanh, name: d}
              - MaxPooling2D: {pool_size: 2, name: p}
              - Flatten
              - Dense: {units: 2}
            """)
        let nodes = program.nodes
        #expect(nodes.map(\.sharesKernelsOf) == [nil, nil, 1, nil, nil, nil, nil])
        #expect(nodes[2].function == nodes[1].function)
        // a reads 3 channels and d has another activation: their kernels differ.
        #expect(Set(nodes[0...3].map(\.function)).count == 3)
        // Each convolution's weights: 4x3x3x3 + 4 for a, then 4x3x3x4 + 4 for each of the others.
        #expect(nodes[0...3].map { $0.weightBase?.parameters } == [0, 112, 260, 408])
        let swift = ModelGenerator.render(program)
        let kernel = nodes[1].function
        #expect(swift.components(separatedBy: "static func \(kernel)(").count == 2)
        #expect(swift.components(separatedBy: "static func \(kernel)_backward(").count == 2)
        #expect(swift.contains("Self.\(kernel)(UnsafePointer(p), w.advanced(by: \(nodes[2].weightBase!.packed)), o2)"))
        #expect(swift.contains("k.advanced(by: 260), gradients.advanced(by: 260)"))
        #expect(swift.contains("// The geometry of b: calls its kernels, with this layer's weights."))
    }

    /// A convolution with a small output reads each weight a few times only:
    /// it runs as blocks of the flattened output, its weights in panels read
    /// in order, and never by Winograd, whose weights are larger.
    @Test func aSmallOutputStreamsItsWeightsOnce() throws {
        let program = try Self.program("""
            input_shape: [2, 2, 32]
            layers:
              - Conv2D: {filters: 64, kernel_size: 3, padding: same, name: small}
              - Flatten
              - Dense: {units: 2}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, case .channelLanes(let direct) = kernels.direct else {
            Issue.record("no channel-lane kernel: \(program.nodes[0].kernel)")
            return
        }
        #expect(direct.flatOutput && kernels.winograd == nil && direct.packed.panelWidth == 16)
        // One block of all 4 pixels: the weights are read once, not once a row.
        #expect(direct.pixelRuns.map(\.blocks) == [1] && direct.pixelRuns.map(\.pixels) == [4])
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("WeightPacking.panels(parameters, from: 0, rows: 288, outputs: 64, width: 16, into: buffer, at: 0)"))
        #expect(swift.contains("let wp = kernel + c0 * 288 + (ky * 3 + kx) * 512"))
        // A larger output keeps rows, Winograd and the plain layout.
        let large = try Self.program("input_shape: [8, 8, 32]\nlayers:\n  - Conv2D: {filters: 64, kernel_size: 3, padding: same}\n")
        guard case .convolution(let largeKernels) = large.nodes[0].kernel else { return }
        #expect(largeKernels.winograd != nil && large.weights.packing.values.allSatisfy {
            if case .kernel(let packed) = $0 { packed.panelWidth == nil } else { true }
        })
    }

    /// Pixels of a flat block a multiple of 4 KB apart share one set of the L1
    /// cache (ResNet50's 1024-channel stage): a block holds at most 8 of them,
    /// the accumulators it gives up going to more vectors of channels.
    @Test func aFlatBlockReadsAtMostEightPixelsThroughOneCacheSet() throws {
        func block(channels: Int, side: Int = 4, filters: Int = 256) throws -> [Int] {
            let program = try Self.program("input_shape: [\(side), \(side), \(channels)]\nlayers:\n  - Conv2D: {filters: \(filters), kernel_size: 1}\n")
            guard case .convolution(let kernels) = program.nodes[0].kernel, case .channelLanes(let direct) = kernels.direct else {
                Issue.record("no channel-lane kernel: \(program.nodes[0].kernel)")
                return []
            }
            #expect(direct.flatOutput)
            return [direct.pixelsPerBlock, direct.chunksPerGroup]
        }
        // 1008 channels: 16 pixels over 4 KB - 64 bytes apart, no two in one set.
        #expect(try block(channels: 1008) == [16, 1])
        // 1024: every pixel in the same set; two blocks of 8, each 2 vectors of 16 channels.
        #expect(try block(channels: 1024) == [8, 2])
        #expect(try block(channels: 2048) == [8, 2])
        // 512: pixels 2 KB apart, 8 in each of two sets.
        #expect(try block(channels: 512) == [16, 1])
        // MobileNet's last stage: 49 pixels would be blocks of 25 in one vector; halved
        // twice to 7, the 25 accumulators become 3 vectors of channels (21, with 3 weight
        // vectors in AVX-512's 32 registers), not 1 (halving by halving, rounded down).
        #expect(try block(channels: 1024, side: 7, filters: 1024) == [7, 3])
    }

    /// In the layer-major functions, a 3x3 'same' convolution on 2x2 pixels
    /// runs over the block's 8 samples in one call: each place reads 4 of its
    /// 9 taps, and one place of the 8 samples makes a block (3 vectors of
    /// channels, 24 accumulators, in AVX-512's registers), after every
    /// sample's padded copy is made; its kernel, over 256 KB, is asked for
    /// 4 KB ahead of each panel load.
    @Test func aSmallPaddedOutputRunsOverTheBlocksSamples() throws {
        let program = try Self.program("""
            input_shape: [4, 4, 256]
            layers:
              - Conv2D: {filters: 512, kernel_size: 1, strides: 2, name: reduce}
              - Conv2D: {filters: 512, kernel_size: 3, padding: same, name: wide}
              - Flatten
              - Dense: {units: 10}
            """)
        let tail = try #require(program.batchedTail)
        #expect(tail.layerMajorStart == 0 && tail.start == 2)
        guard case .convolution(let reduce) = program.nodes[0].kernel, case .convolution(let wide) = program.nodes[1].kernel,
              let overSamples = wide.overSamples else {
            Issue.record("no kernel over samples for wide: \(program.nodes[1].kernel)")
            return
        }
        // reduce reads the block's input, not an arena: it runs sample by sample.
        #expect(reduce.overSamples == nil)
        let blocks = overSamples.flatBlocks
        #expect(blocks.count == 4 && blocks.allSatisfy { Set($0.map(\.position)).count == 1 && $0.map(\.sample) == Array(0..<8) })
        #expect(blocks.map { overSamples.liveTaps(pixels: [$0[0].position]).count } == [4, 4, 4, 4])
        #expect(overSamples.pixelsPerBlock == 8 && overSamples.chunksPerGroup == 3)
        let swift = ModelGenerator.render(program)
        let layerMajor = "private func layerMajor(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>) {"
        let lines = Self.lines(of: swift, from: layerMajor, count: 30)
        #expect(lines.drop { $0 != "// wide" }.dropFirst().prefix(6) == [
            "for sample in 0..<8 {",
            "let input = input + sample * Self.inputCount, arena = arena + sample * Self.arenaCount",
            "_ = (input, arena)",
            "Self.l1_wide_pad(UnsafePointer(arena.advanced(by: Arena.l0_reduce)), arena.advanced(by: Arena.l1_wide_padded))",
            "}",
            "Self.l1_wide_samples(UnsafePointer(arena.advanced(by: Arena.l1_wide_padded)), w.advanced(by: 131584), arena.advanced(by: Arena.l1_wide))",
        ])
        #expect(swift.contains("// 5 of the 9 taps read only padding for these pixels: skipped, with their weights"))
        // Its kernel (4.7 MB) comes from memory for the first samples' block: each panel load asks for the line 4 KB on.
        let all = swift.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let start = try #require(all.firstIndex { $0.hasPrefix("static func l1_wide_samples(") })
        let samplesBody = all[(start + 1)...].prefix { !$0.hasPrefix("static func ") }
        let loads = samplesBody.filter { $0.hasPrefix("let w") && $0.contains("= wp.load16(at: ci * ") }
        let asks = samplesBody.filter { $0.hasPrefix("wp.prefetch(at: ci * ") }
        #expect(!loads.isEmpty && asks.count == loads.count)
        #expect(asks.first.map { $0.hasSuffix(" + 1024)") } == true)
    }

    /// ResNetV2's 3x3 layers are 'valid' convolutions of a ZeroPadding2D's
    /// output: the kernel knows the zeros around its input as it knows its
    /// own 'same' padding, so a block over samples skips the taps that read
    /// only them, and runs over the block's samples as a 'same' layer does.
    @Test func aConvolutionOfAZeroPaddingsOutputSkipsItsZerosAsItsOwnPadding() throws {
        let program = try Self.program("""
            input_shape: [4, 4, 256]
            layers:
              - Conv2D: {filters: 512, kernel_size: 1, strides: 2, name: reduce}
              - ZeroPadding2D: {padding: 1, name: pad}
              - Conv2D: {filters: 512, kernel_size: 3, name: wide}
              - Flatten
              - Dense: {units: 10}
            """)
        guard case .convolution(let wide) = program.nodes[2].kernel, case .channelLanes(let direct) = wide.direct,
              let overSamples = wide.overSamples else {
            Issue.record("no kernel over samples for wide: \(program.nodes[2].kernel)")
            return
        }
        #expect(wide.padding == nil && direct.padding == Padding2D(top: 1, bottom: 1, left: 1, right: 1))
        #expect(overSamples.flatBlocks.map { overSamples.liveTaps(pixels: [$0[0].position]).count } == [4, 4, 4, 4])
        // A 'valid' layer on input no ZeroPadding2D made reads every tap.
        let plain = try Self.program("input_shape: [4, 4, 8]\nlayers:\n  - Conv2D: {filters: 16, kernel_size: 3}\n")
        guard case .convolution(let kernels) = plain.nodes[0].kernel, case .channelLanes(let valid) = kernels.direct else {
            Issue.record("no channel-lane kernel: \(plain.nodes[0].kernel)")
            return
        }
        #expect(valid.padding == .zero)
    }

    @Test func gradientBuffersAlternateOnlyWhenALayerAfterTheFirstWritesDLdx() throws {
        let one = try Self.program("input_shape: [4]\nlayers:\n  - Dense: {units: 2}\n")
        #expect(!one.training.swapsGradients)
        let two = try Self.program("input_shape: [4]\nlayers:\n  - Dense: {units: 3}\n  - Dense: {units: 2}\n")
        #expect(two.training.swapsGradients)
        #expect(ModelGenerator.render(two).contains("var g = arena.advanced(by: "))
        #expect(ModelGenerator.render(one).contains("let g = arena.advanced(by: "))
    }

    @Test func trainingOnlyLayersKeepTheirTypedArguments() throws {
        let program = try Self.program("""
            input_shape: [4, 4, 2]
            layers:
              - GaussianNoise: {stddev: 0.25}
              - SpatialDropout2D: {rate: 0.5}
              - ActivityRegularization: {l2: 0.01}
              - Flatten
              - Dense: {units: 2}
            """)
        #expect(program.training.trainingOnly.map(\.operation) == [
            .gaussianNoise(stddev: 0.25), .spatialDropout(rate: 0.5), .activityRegularization(l1: 0, l2: 0.01),
        ])
        // Its own output slot and a mask of one value per channel for SpatialDropout2D; ActivityRegularization aliases.
        #expect(program.training.arena.masks[1] != nil)
        #expect(program.training.arena.outputs[2] == .alias)
    }

    @Test func depthwiseLanesDivideTheChannels() throws {
        let program = try Self.program("""
            input_shape: [6, 6, 24]
            layers:
              - DepthwiseConv2D: {kernel_size: 3, name: d}
              - SeparableConv2D: {filters: 5, kernel_size: 3, depth_multiplier: 2, name: s}
            """)
        guard case .convolution(let depthwise) = program.nodes[0].kernel, case .convolution(let separable) = program.nodes[1].kernel else {
            Issue.record("no convolution kernels"); return
        }
        // 24 channels as three vectors of 8, not one of 16 and eight lanes one by one.
        #expect(depthwise.direct.lanes == 8 && depthwise.pointwise == nil)
        #expect(separable.direct.lanes == 16 && separable.pointwise?.inputChannels == 48)
        #expect(program.nodes[1].intermediate != nil && program.training.arena.intermediates[1] != nil)
    }

    /// A depthwise result larger than 256 KB is computed, and read by the 1x1 step, a block of rows at a time.
    @Test func aLargeSeparableLayerRunsInBlocksOfRows() throws {
        func program(_ size: Int) throws -> ModelProgram {
            try Self.program("input_shape: [\(size), \(size), 64]\nlayers:\n  - SeparableConv2D: {filters: 8, kernel_size: 3}")
        }
        func blocks(_ size: Int) throws -> Int? {
            guard case .convolution(let kernels) = try program(size).nodes[0].kernel else { return nil }
            return kernels.rowsPerBlock
        }
        #expect(try blocks(16) == nil)  // 49 KB
        #expect(try blocks(40) == 6)  // 361 KB, 9.5 KB a row
        #expect(ModelGenerator.render(try program(40)).contains("for r in stride(from: 0, to: 38, by: 6)"))
    }

    /// A SeparableConv2D on a small output runs its 1x1 step as a Conv2D's:
    /// from panels, in blocks of the flattened output, its parts groups of
    /// channels. In the layer-major functions every sample's depthwise step
    /// (which leaves out the padding's taps, with no padded copy) comes first,
    /// then each group for every sample in turn, so each slice of the weights
    /// is read from memory once a block.
    @Test func aSmallSeparableLayerRunsItsOneByOneStepFromPanelsOverTheBlock() throws {
        let program = try Self.program("""
            input_shape: [3, 3, 512]
            layers:
              - SeparableConv2D: {filters: 1024, kernel_size: 3, padding: same, name: sep}
              - GlobalAveragePooling2D
              - Dense: {units: 10, activation: softmax}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, let pointwise = kernels.pointwise else {
            Issue.record("no SeparableConv2D kernels: \(program.nodes[0].kernel)")
            return
        }
        #expect(pointwise.flatOutput && pointwise.packed.panelWidth == 16 && pointwise.partsAreChannelGroups)
        #expect(pointwise.parts == 64 && kernels.rowsPerBlock == nil && kernels.pointwiseSharesWeights)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("rows: 512, outputs: 1024, width: 16, into: buffer"))
        #expect(Self.lines(of: swift, from: "private func layerMajor(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ arena: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>) {", count: 16).dropFirst(3) == [
            "// sep",
            "for sample in 0..<8 {",
            "let input = input + sample * Self.inputCount, arena = arena + sample * Self.arenaCount",
            "_ = (input, arena)",
            "Self.l0_sep_depthwise(input, w, arena.advanced(by: Arena.l0_sep_depthwise))",
            "}",
            "for part in 0..<64 {",
            "for sample in 0..<8 {",
            "let input = input + sample * Self.inputCount, arena = arena + sample * Self.arenaCount",
            "_ = (input, arena)",
            "Self.l0_sep_pointwise(UnsafePointer(arena.advanced(by: Arena.l0_sep_depthwise)), w, arena.advanced(by: Arena.l0_sep), part..<part + 1)",
            "}",
            "}",
        ])
        // One sample on two cores: the depthwise step whole, then the groups split.
        #expect(swift.contains("pool.split(\(kernels.splitParts)) { worker, parts in Self.l0_sep_pointwise(UnsafePointer(arena.advanced(by: Arena.l0_sep_depthwise)), w, arena.advanced(by: Arena.l0_sep), parts) }"))
    }

    /// A row kernel whose weights outgrow the L2 (Xception's middle flow:
    /// 728 → 728 on 5x5 pixels, 2.1 MB) asks, row by row, for one line of
    /// each row of the next group's weights, and the last group of a pass
    /// for the next pass's first; so does one of 256 KB (256 → 256), which a
    /// larger model's other layers push out of the caches between samples;
    /// smaller weights are left to the hardware.
    @Test func aRowKernelOfLargeWeightsAsksForTheNextGroupsAhead() throws {
        func pointwise(_ channels: Int) throws -> String {
            let swift = ModelGenerator.render(try Self.program("input_shape: [5, 5, \(channels)]\nlayers:\n  - SeparableConv2D: {filters: \(channels), kernel_size: 3, padding: same}\n"))
            return String(swift[swift.range(of: "_pointwise(_ x:")!.lowerBound...])
        }
        let large = try pointwise(728)
        // 11 groups of 4 vectors, then 24 channels in 2; passes of 89 input channels.
        #expect(large.contains("// Input channels 0..<89, accumulated on the bias."))
        #expect(large.contains("let ahead0 = 64 + (oy * 1 + 0) % 4 * 16"))
        #expect(large.contains("wp.prefetch(at: ci * 736 + ahead0)"))
        #expect(large.contains("let ahead0 = 64800 + (oy * 1 + 0) % 4 * 16"))
        #expect(try pointwise(256).contains("wp.prefetch(at: ci * 256 + ahead0)"))
        #expect(try !pointwise(240).contains("prefetch"))
        // Blocks across rows (MobileNet's 28x28x256 1x1 layer, 156 blocks of 5 pixels and one of 4 a
        // group) ask for their share of the next group's rows before their loop, never in it.
        let swift = ModelGenerator.render(try Self.program("input_shape: [28, 28, 256]\nlayers:\n  - Conv2D: {filters: 256, kernel_size: 1}\n"))
        let spans = String(swift[swift.range(of: "static func l0_conv2d(_ x:")!.lowerBound...])
        #expect(spans.contains("for b in parts.clamped(to: 0..<156) {"))
        #expect(spans.contains("for row in stride(from: b * 2, to: Swift.min(b * 2 + 2, 256), by: 1) {"))
        #expect(spans.contains("wp.prefetch(at: row * 256 + 64); wp.prefetch(at: row * 256 + 80); wp.prefetch(at: row * 256 + 96); wp.prefetch(at: row * 256 + 112)"))
        #expect(!spans.contains("wp.prefetch(at: ci * "))
        let asks = try #require(spans.range(of: "for row in stride(")), loop = try #require(spans.range(of: "for ci in 0..<256 {"))
        #expect(asks.lowerBound < loop.lowerBound)
        // So do rows of several blocks (MobileNet's 14x14x512 steps: rows of 5 + 5 + 4 pixels), each block its share.
        let rows = ModelGenerator.render(try Self.program("input_shape: [14, 14, 512]\nlayers:\n  - Conv2D: {filters: 512, kernel_size: 1}\n"))
        let rowKernel = String(rows[rows.range(of: "static func l0_conv2d(_ x:")!.lowerBound...])
        #expect(rowKernel.contains("for row in stride(from: (oy * 3 + bx) * 13, to: Swift.min((oy * 3 + bx) * 13 + 13, 512), by: 1) {"))
        #expect(rowKernel.contains("for row in stride(from: (oy * 3 + 2) * 13, to: Swift.min((oy * 3 + 2) * 13 + 13, 512), by: 1) {"))
        #expect(!rowKernel.contains("wp.prefetch(at: ci * "))
    }

    /// Pooling cuts each axis into runs of positions whose clamped windows
    /// keep the same cells: a 3x3 stride-1 'same' window over 16 positions is
    /// the first edge, the 14 inside and the last edge, each loop with
    /// constant bounds; a window nearly as large as the axis makes more runs
    /// than is worth writing out, and becomes one whose cells each position
    /// works out (`pooling_large_windows` checks those against Keras).
    @Test func poolingRunsKeepConstantWindowsUnlessThereAreTooMany() throws {
        typealias Run = PoolingEmitter.AxisRun
        #expect(Run.runs(outputs: 16, inputs: 16, window: 3, stride: 1, before: 1)
            == [Run(first: 0, count: 1, cells: 1..<3), Run(first: 1, count: 14, cells: 0..<3), Run(first: 15, count: 1, cells: 0..<2)])
        #expect(Run.runs(outputs: 8, inputs: 16, window: 2, stride: 2, before: 0) == [Run(first: 0, count: 8, cells: 0..<2)])
        #expect(Run.runs(outputs: 15, inputs: 15, window: 11, stride: 1, before: 5) == [Run(first: 0, count: 15, cells: nil)])
        let swift = ModelGenerator.render(try Self.program("input_shape: [16, 16, 32]\nlayers:\n  - MaxPooling2D: {pool_size: 3, strides: 1, padding: same}\n"))
        #expect(swift.contains("for oy in 1..<15 {") && swift.contains("for ix in 1..<3 {") && !swift.contains("Swift.max(0,"))
    }

    /// EfficientNet's stochastic depth: identity at inference; in training
    /// one draw per sample, spread over it. A mask shared by a batch is refused by name.
    @Test func dropoutWithANoiseShapeDrawsOncePerCell() throws {
        let spec = """
            input_shape: [4, 4, 2]
            layers:
              - Conv2D: {filters: 2, kernel_size: 1}
              - Dropout: {rate: 0.2, noise_shape: [null, 1, 1, 1], name: drop}
              - GlobalAveragePooling2D
            """
        let program = try Self.program(spec)
        #expect(program.nodes[1].kernel == .nothing)
        #expect(program.training.unsupportedReason == nil)
        #expect(ModelGenerator.render(program).contains("for cell in 0..<1 {"))
        #expect(TrainingGenerator.maskCell(of: "i", shape: [4, 4, 2], mask: [1, 1, 1]) == "0")
        #expect(TrainingGenerator.maskCell(of: "i", shape: [4, 4, 2], mask: [1, 1, 2]) == "(i / 1) % 2")
        #expect(TrainingGenerator.maskCell(of: "i", shape: [4, 3, 2], mask: [4, 1, 2]) == "i / 6 * 2 + (i / 1) % 2")
        let shared = try Self.program(spec.replacingOccurrences(of: "[null, 1, 1, 1]", with: "[1, 1, 1, 1]"))
        #expect(shared.training.unsupportedReason?.contains("drop: Dropout's noise_shape gives the batch axis the size 1") == true)
        let wrong = Frontend.load(text: spec.replacingOccurrences(of: "[null, 1, 1, 1]", with: "[null, 2, 1, 1]"), file: "m.yaml")
        guard case .failure(let failure) = wrong else { Issue.record("a noise_shape that does not fit was accepted"); return }
        #expect(failure.diagnostics.contains { $0.message.contains("noise_shape [null, 2, 1, 1] does not fit the input (None, 4, 4, 2)") })
    }

    /// The training step's two gradient buffers hold any tensor's dL/d: every
    /// model input's too, which passes through them on its way out (a second
    /// input larger than every layer's output overran the arena).
    @Test func theGradientScratchHoldsEveryInput() throws {
        let program = try Self.program("""
            inputs:
              measurements: [4]
              image: [6, 6, 3]
            layers:
              - Dense: {inputs: measurements, units: 3, name: measured}
              - Conv2D: {inputs: image, filters: 2, kernel_size: 3, strides: 2, name: seen}
              - Flatten: {name: flat}
              - Concatenate: {inputs: [measured, flat], name: joined}
            """)
        let arena = program.training.arena
        #expect(arena.largestActivation == 108)
        #expect(arena.total >= arena.gradientOffset + 2 * 108)
    }

    /// A sequence runs as an image of one row, and so does its Dropout's
    /// noise_shape: [null, 5, 1] over (5, 8) is one draw a step, shared by
    /// the step's channels (it trapped in the generator, whose mask had one
    /// axis fewer than the lowered tensor).
    @Test func aSequencesNoiseShapeIsLoweredWithIt() throws {
        let program = try Self.program("""
            input_shape: [5, 8]
            layers:
              - Dropout: {rate: 0.5, noise_shape: [null, 5, 1], name: drop}
              - Dense: {units: 3}
            """)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("5 draw(s) of a 1x5x1 mask"), "\(swift.prefix(200))")
        #expect(swift.contains("m0[i] = m0[(i / 8) % 5]"))
    }

    @Test func thePlanPrintsAsStableJSONThatReadsBack() throws {
        let program = try Self.program("""
            input_shape: [8, 8, 3]
            layers:
              - Conv2D: {filters: 16, kernel_size: 3, padding: same}
              - BatchNormalization
              - GlobalAveragePooling2D
              - Dense: {units: 4, activation: softmax}
            """)
        let text = program.jsonText()
        #expect(text == program.jsonText())
        let decoded = try JSONDecoder().decode(ModelProgram.self, from: Data(text.utf8))
        #expect(decoded == program)
        #expect(ModelGenerator.render(decoded) == ModelGenerator.render(program))
    }
}
