@testable import CNNCCore
import Testing

/// The 1-D Winograd algorithms a Conv1D runs by: their transforms compute a
/// correlation exactly (in Double, against the sum written out), the kernels'
/// transforms hold only numbers a Float multiplies by exactly, the choice of
/// m, and what the plan makes of such a layer. Their numbers against Keras:
/// `Tests/Fixtures/specs/winograd_line.yaml` (KerasOutputsTests).
@Suite struct WinogradLineTests {
    /// Every F(m, r) the points allow, for r from 3 to 7.
    static let all: [WinogradLine] = (3...7).flatMap { taps in
        (2...(WinogradLine.longestPatch - taps + 1)).map { WinogradLine(outputs: $0, taps: taps) }
    }

    @Test(arguments: all)
    func transformsComputeTheCorrelation(line: WinogradLine) {
        let n = line.patch
        #expect(line.inputTransform.count == n && line.inputTransform.allSatisfy { $0.count == n })
        #expect(line.outputTransform.count == line.outputs && line.outputTransform.allSatisfy { $0.count == n })
        #expect(line.kernelTransform.count == n && line.kernelTransform.allSatisfy { $0.count == line.taps })
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(line.outputs * 10 + line.taps)
        func draw() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for _ in 0..<5 {
            let d = (0..<n).map { _ in draw() }, g = (0..<line.taps).map { _ in draw() }
            let u = line.kernelTransform.map { row in zip(row, g).map(*).reduce(0, +) }
            let v = line.inputTransform.map { row in zip(row, d).map(*).reduce(0, +) }
            let products = zip(u, v).map(*)
            for (i, row) in line.outputTransform.enumerated() {
                let winograd = zip(row, products).map(*).reduce(0, +)
                let direct = (0..<line.taps).map { d[i + $0] * g[$0] }.reduce(0, +)
                #expect(abs(winograd - direct) < 1e-12, "F(\(line.outputs), \(line.taps)) output \(i): \(winograd) against \(direct)")
            }
        }
    }

    /// Bᵀ and Aᵀ hold products of the points, short binary fractions, so the
    /// generated transforms multiply by them exactly; G's fractions (thirds,
    /// fifteenths…) the weights apply in Double. Bᵀ's rows are signed so that
    /// G's divide by positive numbers: its first row (the point 0) is (1 / |f₀|, 0, …).
    @Test(arguments: all)
    func theKernelsTransformsAreExactInFloat(line: WinogradLine) {
        for value in (line.inputTransform + line.outputTransform).joined() {
            #expect(Double(Float(value)) == value && !(value == 0 && value.sign == .minus))
        }
        #expect(line.kernelTransform[0][0] > 0 && line.kernelTransform[0].dropFirst().allSatisfy { $0 == 0 })
    }

    @Test func theTileHasTheFewestProductsOverTheOutput() {
        // har_conv1d's second layer: 58 outputs of 5 taps, 15 tiles of F(4, 5) (120 products against 290).
        #expect(WinogradLine.choice(taps: 5, length: 58) == WinogradLine(outputs: 4, taps: 5))
        #expect(WinogradLine.choice(taps: 3, length: 150) == WinogradLine(outputs: 6, taps: 3))
        #expect(WinogradLine.choice(taps: 3, length: 8) == WinogradLine(outputs: 4, taps: 3))
        #expect(WinogradLine.choice(taps: 7, length: 144) == WinogradLine(outputs: 2, taps: 7))
        // Too few taps, too many for 8 points, or too short a sequence to fill two tiles.
        #expect(WinogradLine.choice(taps: 2, length: 100) == nil)
        #expect(WinogradLine.choice(taps: 8, length: 100) == nil)
        #expect(WinogradLine.choice(taps: 5, length: 3) == nil)
    }

    /// A Conv1D of whole vectors of channels runs by its line at inference,
    /// its U packed for inference alone; training runs it by the direct kernel.
    @Test func aConv1DRunsByItsLineAtInferenceAndTrainsDirectly() throws {
        let program = try PlanSnippetTests.program("""
            input_shape: [60, 32]
            layers:
              - Conv1D: {filters: 64, kernel_size: 5, padding: same, activation: relu}
              - GlobalAveragePooling1D
              - Dense: {units: 2, activation: softmax}
            """)
        guard case .convolution(let kernels) = program.nodes[0].kernel, let winograd = kernels.winograd,
              case .kernel(let packed)? = program.weights.packing[0] else {
            Issue.record("expected a Winograd kernel, got \(program.nodes[0].kernel)")
            return
        }
        #expect(winograd.kernel.line == WinogradLine(outputs: 4, taps: 5) && packed.winogradLine == winograd.kernel.line)
        #expect(winograd.kernel.fusedReLU && kernels.trainingWinograd == nil)
        // 15 tiles in one chunk (U's 8 x 32 x 64 floats outweigh them), from a row padded by 2 steps each side.
        #expect(winograd.kernel.tileRows == 1 && winograd.kernel.tileColumns == 15 && winograd.kernel.inputWidth == 64)
        #expect(winograd.padding.padding == Padding2D(top: 0, bottom: 0, left: 2, right: 2))
        #expect(program.weights.packedCount >= packed.winogradOffset! + 8 * 32 * 64)
        #expect(program.training.winogradKernelGradients.isEmpty && program.training.winogradTrainingForwards.isEmpty)
        let swift = ModelGenerator.render(program)
        #expect(swift.contains("forward by Winograd's F(4, 5)"))
        #expect(swift.contains("if forInference { WeightPacking.winogradLine(parameters, from: 0, taps: 5, inputChannels: 32, outputs: 64, paddedOutputs: 64, transform: [1.0, 0.0, 0.0, 0.0, 0.0, "))
        let training = String(swift[swift.range(of: "// MARK: - Training")!.lowerBound...])
        #expect(!training.contains(winograd.kernel.function + "("))
        #expect(training.contains("Self.\(program.nodes[0].function)(UnsafePointer(p), "))
    }

    /// Channels that do not fill vectors of 8, a stride or a dilation keep the direct kernel.
    @Test func otherConv1DLayersStayDirect() throws {
        let program = try PlanSnippetTests.program("""
            input_shape: [64, 9]
            layers:
              - Conv1D: {filters: 32, kernel_size: 5}
              - Conv1D: {filters: 32, kernel_size: 5, strides: 2}
              - Conv1D: {filters: 32, kernel_size: 3, dilation_rate: 2}
            """)
        for node in program.nodes {
            guard case .convolution(let kernels) = node.kernel else { continue }
            #expect(kernels.winograd == nil, "\(node.layer.name)")
        }
    }
}
