/// BatchNormalization in training mode, as Keras's `fit` runs it: each channel
/// is normalized with the mean and the biased variance of the whole batch
/// (over samples and positions), and the gradient flows through those
/// statistics too:
///
///     x̂ = (x − μ) / σ,  σ = sqrt(var + ε),  y = γ·x̂ + β
///     dL/dγ = Σ dy·x̂,  dL/dβ = Σ dy
///     dL/dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
///
/// (means and sums over the batch and the positions, per channel). The sums
/// cross samples, so this layer is where a training step's phases meet (see
/// `TrainableModel`). Per layer, the sums the samples add to (Doubles) and the
/// statistics the runtime derives from them (Floats) each have a slice:
///
///     sums:       Σx | Σx² | Σdy | Σdy·x̂                  (4 × channels)
///     statistics: mean | variance | 1/σ | mean(dy) | mean(dy·x̂)   (5 × channels)
struct NormalizationTraining: Codable, Hashable, Sendable {
    var layer: CheckedLayer
    var index: Int
    var function: String
    var config: BatchNormalizationConfig
    var channels: Int
    /// Positions per sample that share a channel's statistics (1 for a vector).
    var positions: Int
    /// Keras-layout offsets in the parameter buffer (`k`, `gk`).
    var gammaOffset: Int?
    var betaOffset: Int?
    var meanOffset: Int
    var varianceOffset: Int
    var sumOffset: Int
    var statisticsOffset: Int
    /// The ReLU that alone reads this layer's output, run in its store
    /// (`ReLUInStore`): relu(y) goes straight into the ReLU's output, and
    /// nothing writes y. (A pass over the tensor saved for every
    /// BatchNormalization-ReLU pair of a ResNet.)
    var fusedReLU: ReLUInStore? = nil

    static let sumsPerChannel = 4
    static let statisticsPerChannel = 5

    /// Every BatchNormalization layer of the model that normalizes with the
    /// batch's statistics, with its slices laid out in order. A frozen one
    /// (`trainable: false`) is left out: Keras's fit runs it in inference mode,
    /// with its moving statistics, which then stay as they are.
    static func plan(model: CheckedModel, weights: WeightPlan) -> [NormalizationTraining] {
        var plans: [NormalizationTraining] = []
        var sums = 0, statistics = 0
        for (index, layer) in model.layers.enumerated() {
            guard case .batchNormalization(let config) = layer.operation, !layer.frozen,
                  case .normalization(let packed)? = weights.packing[index] else { continue }
            let offset = { (tensor: Int?) in tensor.map { weights.tensors[$0].offset } }
            plans.append(NormalizationTraining(
                layer: layer, index: index, function: SwiftNames.layerFunction(index: index, layerName: layer.name),
                config: config, channels: packed.channels, positions: layer.outputShape.elementCount / packed.channels,
                gammaOffset: offset(packed.gammaTensor), betaOffset: offset(packed.betaTensor),
                meanOffset: weights.tensors[packed.meanTensor].offset, varianceOffset: weights.tensors[packed.varianceTensor].offset,
                sumOffset: sums, statisticsOffset: statistics, fusedReLU: ReLUInStore.after(index, in: model)))
            sums += sumsPerChannel * packed.channels
            statistics += statisticsPerChannel * packed.channels
        }
        return plans
    }

    /// Passes over the positions for `vectors` vectors of 4 channels, `perPass`
    /// of them a pass so that their sums stay in registers: a loop over the
    /// whole passes (EfficientNet's 1,280 channels are 160 of them), then one
    /// for the rest. `body` writes a pass of `count` vectors from channel `c0`.
    private static func emitPasses(vectors: Int, perPass: Int, into out: inout SourceWriter,
                                   _ body: (inout SourceWriter, _ count: Int) -> Void) {
        let whole = vectors / perPass, rest = vectors % perPass
        if whole > 0 {
            out.block(whole == 1 ? "do" : "for pass in 0..<\(whole)") { out in
                out.line("let c0 = \(whole == 1 ? "0" : "pass * \(4 * perPass)")")
                body(&out, perPass)
            }
        }
        if rest > 0 {
            out.block("do") { out in
                out.line("let c0 = \(4 * perPass * whole)")
                body(&out, rest)
            }
        }
    }

    /// 4 Floats at `pointer` + `offset`, as a vector.
    private static func loadFloats(_ pointer: String, _ offset: String) -> String {
        "UnsafeRawPointer(\(offset == "0" ? pointer : "\(pointer) + \(offset)")).loadUnaligned(as: SIMD4<Float>.self)"
    }

    /// 4 Doubles at `pointer` + `offset`, as a vector.
    private static func loadDoubles(_ pointer: String, _ offset: String) -> String {
        "UnsafeRawPointer(\(pointer) + \(offset)).loadUnaligned(as: SIMD4<Double>.self)"
    }

    /// Stores the vector `value` at `pointer` + `offset`.
    private static func storeDoubles(_ value: String, _ pointer: String, _ offset: String) -> String {
        "UnsafeMutableRawPointer(\(pointer) + \(offset)).storeBytes(of: \(value), as: SIMD4<Double>.self)"
    }

    private var count: Int { positions * channels }
    private func sum(_ slice: Int) -> Int { sumOffset + slice * channels }
    private func statistic(_ slice: Int) -> Int { statisticsOffset + slice * channels }
    private var gamma: String { gammaOffset.map { "k[\($0) + c]" } ?? "1" }

    func emitFunctions(into out: inout SourceWriter) {
        let header = "// \(layer.name): BatchNormalization in training mode, over the batch and \(positions) position\(positions == 1 ? "" : "s")"

        out.line(header + ": this sample's part of Σx and Σx²")
        out.line("@inline(never)")
        out.block("static func \(function)_statistics(_ x: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Double>)") { out in
            // Sums of 4 channels in a vector of Doubles, held in registers over the positions
            // (added to in memory, each waited on the store before: 3% of a ResNet-20 step).
            // Every channel still adds its positions in order, from the sums so far.
            Self.emitPasses(vectors: channels / 4, perPass: 4, into: &out) { out, count in
                for v in 0..<count {
                    out.line("var s\(v) = \(Self.loadDoubles("sums", "\(sum(0) + 4 * v) + c0")), q\(v) = \(Self.loadDoubles("sums", "\(sum(1) + 4 * v) + c0"))")
                }
                out.loop("position", count: positions) { out, position in
                    out.line("let v = \((position * channels).offsetting("x")) + c0")
                    for v in 0..<count { out.line("let d\(v) = SIMD4<Double>(\(Self.loadFloats("v", "\(4 * v)"))); s\(v) += d\(v); q\(v) += d\(v) * d\(v)") }
                }
                for v in 0..<count {
                    out.line("\(Self.storeDoubles("s\(v)", "sums", "\(sum(0) + 4 * v) + c0")); \(Self.storeDoubles("q\(v)", "sums", "\(sum(1) + 4 * v) + c0"))")
                }
            }
            if channels % 4 != 0 {
                let first = channels / 4 * 4
                out.loop("position", count: positions) { out, position in
                    out.line("let v = \((position * channels).offsetting("x"))")
                    out.line("for c in \(first)..<\(channels) { let value = Double(v[c]); sums[\(sum(0)) + c] += value; sums[\(sum(1)) + c] += value * value }")
                }
            }
        }
        out.line()

        out.line(header + ": y = γ·(x − mean)/σ + β with the batch's mean and σ" + (fusedReLU == nil ? "" : ", then its ReLU"))
        out.line("@inline(never)")
        out.block("static func \(function)_normalize(_ x: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.loop("position", count: positions) { out, position in
                out.line("let v = \((position * channels).offsetting("x")), o = \((position * channels).offsetting("y"))")
                let beta = betaOffset.map { " + k[\($0) + c]" } ?? ""
                let normalized = "\(gamma) * ((v[c] - s[\(statistic(0)) + c]) * s[\(statistic(2)) + c])\(beta)"
                if let fusedReLU {
                    out.line("for c in 0..<\(channels) { let n = \(normalized); o[c] = \(fusedReLU.clamp.scalar("n")) }")
                } else {
                    out.line("for c in 0..<\(channels) { o[c] = \(normalized) }")
                }
            }
        }
        out.line()

        out.line(header + ": this sample's part of Σdy and Σdy·x̂, which are also dL/dβ and dL/dγ")
        out.line("@inline(never)")
        out.block("static func \(function)_gradientSums(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ gk: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Double>)") { out in
            // Positions inner, 4 channels a vector: every load is contiguous and the sums of
            // 8 channels stay in registers. (Channel by channel, each sum was one chain of
            // dependent additions read at a stride: 7% of a ResNet-20 training step; then,
            // summed in memory, each addition waited on the store before.) Each channel
            // still adds its positions in order from 0, so no bit changes.
            Self.emitPasses(vectors: channels / 4, perPass: 2, into: &out) { out, count in
                for v in 0..<count {
                    out.line("let mean\(v) = \(Self.loadFloats("s", "\(statistic(0) + 4 * v) + c0")), inverse\(v) = \(Self.loadFloats("s", "\(statistic(2) + 4 * v) + c0"))")
                    out.line("var g\(v) = SIMD4<Double>(), gx\(v) = SIMD4<Double>()")
                }
                out.loop("position", count: positions) { out, position in
                    out.line("let at = \(position * channels) + c0")
                    for v in 0..<count {
                        let at = v == 0 ? "at" : "at + \(4 * v)"
                        out.line("let d\(v) = SIMD4<Double>(\(Self.loadFloats("dy", at))), n\(v) = SIMD4<Double>((\(Self.loadFloats("x", at)) - mean\(v)) * inverse\(v))")
                        out.line("g\(v) += d\(v); gx\(v) += d\(v) * n\(v)")
                    }
                }
                for v in 0..<count {
                    out.block("for lane in 0..<4") { out in
                        out.line(v == 0 ? "let c = c0 + lane" : "let c = c0 + \(4 * v) + lane")
                        out.line("sums[\(sum(2)) + c] += g\(v)[lane]; sums[\(sum(3)) + c] += gx\(v)[lane]")
                        if let gammaOffset { out.line("gk[\(gammaOffset) + c] += Float(gx\(v)[lane])") }
                        if let betaOffset { out.line("gk[\(betaOffset) + c] += Float(g\(v)[lane])") }
                    }
                }
            }
            guard channels % 4 != 0 else { return }
            let first = channels / 4 * 4, rest = channels - first
            out.temporaryAllocation(of: "Double", capacity: 2 * rest, named: "buffer") { out in
                // The channels after the last whole vector, each summed in a Double of its own.
                out.line("let g = buffer.baseAddress!, gx = g + \(rest)")
                out.line("g.initialize(repeating: 0, count: \(2 * rest))")
                out.loop("position", count: positions) { out, position in
                    out.line("let at = \(position * channels + first)")
                    out.line("for c in 0..<\(rest) { let d = Double(dy[at + c]); g[c] += d; gx[c] += d * Double((x[at + c] - s[\(statistic(0) + first) + c]) * s[\(statistic(2) + first) + c]) }")
                }
                out.block("for c in 0..<\(rest)") { out in
                    out.line("sums[\(sum(2) + first) + c] += g[c]; sums[\(sum(3) + first) + c] += gx[c]")
                    if let gammaOffset { out.line("gk[\(gammaOffset + first) + c] += Float(gx[c])") }
                    if let betaOffset { out.line("gk[\(betaOffset + first) + c] += Float(g[c])") }
                }
            }
        }
        out.line()

        out.line(header + ": dL/dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂))")
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            out.loop("position", count: positions) { out, position in
                out.line("let at = \(position * channels)")
                out.block("for c in 0..<\(channels)") { out in
                    out.line("let inverse = s[\(statistic(2)) + c], normalized = (x[at + c] - s[\(statistic(0)) + c]) * inverse")
                    out.line("dx[at + c] = \(gamma) * inverse * (dy[at + c] - s[\(statistic(3)) + c] - normalized * s[\(statistic(4)) + c])")
                }
            }
        }
        out.line()
    }

    /// The runtime's step after the forward phase that ends here: mean, biased variance, 1/σ.
    func emitForwardStatistics(into out: inout SourceWriter) {
        out.line("// \(layer.name): the batch's mean and (biased, as Keras's) variance over samples × \(positions)")
        out.line("let n = Double(samples * \(positions))")
        out.block("for c in 0..<\(channels)") { out in
            out.line("let mean = sums[\(sum(0)) + c] / n, variance = Swift.max(sums[\(sum(1)) + c] / n - mean * mean, 0)")
            out.line("statistics[\(statistic(0)) + c] = Float(mean); statistics[\(statistic(1)) + c] = Float(variance)")
            out.line("statistics[\(statistic(2)) + c] = Float(1 / (variance + \(config.epsilon)).squareRoot())")
        }
    }

    /// The runtime's step after the backward phase that reached here: mean(dy), mean(dy·x̂).
    func emitBackwardStatistics(into out: inout SourceWriter) {
        out.line("// \(layer.name): mean(dy) and mean(dy·x̂) over samples × \(positions)")
        out.line("let n = Double(samples * \(positions))")
        out.block("for c in 0..<\(channels)") { out in
            out.line("statistics[\(statistic(3)) + c] = Float(sums[\(sum(2)) + c] / n); statistics[\(statistic(4)) + c] = Float(sums[\(sum(3)) + c] / n)")
        }
    }

    /// Keras: moving = moving·momentum + batch·(1 − momentum), in float32.
    func emitMovingAverageUpdate(into out: inout SourceWriter) {
        out.line("// \(layer.descriptionName): momentum \(config.momentum)")
        out.block("for c in 0..<\(channels)") { out in
            out.line("parameters[\(meanOffset) + c] = parameters[\(meanOffset) + c] * Float(\(config.momentum)) + statistics[\(statistic(0)) + c] * Float(\(1 - config.momentum))")
            out.line("parameters[\(varianceOffset) + c] = parameters[\(varianceOffset) + c] * Float(\(config.momentum)) + statistics[\(statistic(1)) + c] * Float(\(1 - config.momentum))")
        }
    }
}
