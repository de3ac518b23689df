extension WeightPacking {
    /// G (n x 3) of Winograd's F(m x m, 3x3), n = m + 2, for m = 2 or 4:
    /// the kernel transform of the algorithm the generated code's transforms
    /// compute (`WinogradTile` in CNNCCore, which names the same points:
    /// 0, 1, −1 and ∞ for F(2x2); 0, 1, −1, 2, −½ and ∞ for F(4x4)).
    static func winogradKernelTransform(tile: Int) -> [[Double]] {
        switch tile {
        case 2: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        default: [[1, 0, 0], [-1.0 / 3, -1.0 / 3, -1.0 / 3], [1.0 / 3, -1.0 / 3, 1.0 / 3],
                  [1.0 / 15, 2.0 / 15, 4.0 / 15], [-16.0 / 15, 8.0 / 15, -4.0 / 15], [0, 0, 1]]
        }
    }

    /// A 3x3 kernel `(3, 3, inputChannels, outputs)` in the domain of Winograd's
    /// F(tile x tile, 3x3): U = G g Gᵀ per input and output channel
    /// (`winogradKernelTransform`), stored as n² matrices U[ξ] of
    /// inputChannels rows x paddedOutputs (ξ = n·row + column of U), or with
    /// `panelWidth` each matrix in panels of that many output channels, each
    /// panel's rows one after another (as `panels` packs a kernel).
    ///
    /// Training repacks after every step, so this runs once a step: one input
    /// channel at a time, its nine taps' rows of outputs transformed side by
    /// side (`transformTaps`).
    public static func winograd(_ parameters: [Float], from offset: Int, inputChannels: Int, outputs: Int, paddedOutputs: Int,
                                tile: Int = 2, panelWidth: Int? = nil, into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        parameters.withUnsafeBufferPointer { source in
            let kernel = source.baseAddress! + offset, u = packed.baseAddress! + target
            guard let width = panelWidth else {
                return transformKernel(kernel, inputChannels: inputChannels, outputs: outputs, paddedOutputs: paddedOutputs, tile: tile, into: u)
            }
            // Each channel's n² rows go to a row of scratch, then lane by lane into their panels.
            let transforms = (tile + 2) * (tile + 2)
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: transforms * outputs)
            defer { rows.deallocate() }
            transformTaps(tile: tile, count: outputs, rows: inputChannels) { channel, taps in
                gatherTaps(kernel, channel: channel, inputChannels: inputChannels, outputs: outputs, into: taps)
            } into: { _, xi in
                rows + xi * outputs
            } finishing: { channel in
                for xi in 0..<transforms {
                    let matrix = u + xi * inputChannels * paddedOutputs
                    for first in stride(from: 0, to: outputs, by: width) {
                        (matrix + (first * inputChannels + channel * width)).update(from: rows + xi * outputs + first, count: min(width, outputs - first))
                    }
                }
            }
        }
    }

    /// A Conv1D's kernel `(taps, inputChannels, outputs)` in the domain of a
    /// 1-D Winograd F(m, taps) whose G (n x taps, row-major in `transform`)
    /// the generated code hands over (`WinogradLine` in CNNCCore):
    /// U[ξ] = Σ_k G[ξ][k] · g[k], stored as n matrices U[ξ] of inputChannels
    /// rows x paddedOutputs, summed in Double and rounded to Float once.
    /// Only inference reads it (training runs such a layer directly), so it
    /// runs once, when the model is made.
    public static func winogradLine(_ parameters: [Float], from offset: Int, taps: Int, inputChannels: Int, outputs: Int, paddedOutputs: Int,
                                    transform: [Double], into packed: UnsafeMutableBufferPointer<Float>, at target: Int) {
        let n = taps > 0 ? transform.count / taps : 0
        var sums = [Double](repeating: 0, count: outputs)
        for xi in 0..<n {
            for channel in 0..<inputChannels {
                for output in 0..<outputs { sums[output] = 0 }
                for tap in 0..<taps where transform[xi * taps + tap] != 0 {
                    let factor = transform[xi * taps + tap], row = offset + (tap * inputChannels + channel) * outputs
                    for output in 0..<outputs { sums[output] += factor * Double(parameters[row + output]) }
                }
                let destination = target + (xi * inputChannels + channel) * paddedOutputs
                for output in 0..<outputs { packed[destination + output] = Float(sums[output]) }
            }
        }
    }

    /// U = G g Gᵀ of `kernel` into n² matrices of inputChannels x paddedOutputs
    /// from `u` (the padding after each row's outputs left as it is).
    private static func transformKernel(_ kernel: UnsafePointer<Float>, inputChannels: Int, outputs: Int, paddedOutputs: Int, tile: Int,
                                        into u: UnsafeMutablePointer<Float>) {
        transformTaps(tile: tile, count: outputs, rows: inputChannels) { channel, taps in
            gatherTaps(kernel, channel: channel, inputChannels: inputChannels, outputs: outputs, into: taps)
        } into: { channel, xi in
            u + (xi * inputChannels + channel) * paddedOutputs
        }
    }

    /// Input channel `channel`'s nine taps of every output, tap-major, as `transformTaps` reads them.
    private static func gatherTaps(_ kernel: UnsafePointer<Float>, channel: Int, inputChannels: Int, outputs: Int,
                                   into taps: UnsafeMutablePointer<Double>) {
        for tap in 0..<9 {
            let row = kernel + (tap * inputChannels + channel) * outputs
            for output in 0..<outputs { taps[tap * outputs + output] = Double(row[output]) }
        }
    }

    /// A 3x3 Conv2D's kernel in the domain of F(tile x tile, 3x3), as
    /// `winograd` packs it (n² matrices of inputChannels x paddedOutputs,
    /// zeros after the outputs), then its bias (zeros without one) padded so
    /// too: what a Winograd kernel reads from a pointer of its own. Training
    /// derives it once a step for a forward pass by F(2x2) where inference
    /// runs by F(4x4) (`WinogradTrainingForward` in CNNCCore).
    public static func winograd(_ parameters: UnsafePointer<Float>, from offset: Int, bias: Int?, inputChannels: Int, outputs: Int,
                                paddedOutputs: Int, tile: Int, into target: UnsafeMutablePointer<Float>) {
        let transforms = (tile + 2) * (tile + 2)
        transformKernel(parameters + offset, inputChannels: inputChannels, outputs: outputs, paddedOutputs: paddedOutputs, tile: tile, into: target)
        for row in 0..<transforms * inputChannels { (target + row * paddedOutputs + outputs).update(repeating: 0, count: paddedOutputs - outputs) }
        let biasTarget = target + transforms * inputChannels * paddedOutputs
        if let bias { biasTarget.update(from: parameters + bias, count: outputs) } else { biasTarget.update(repeating: 0, count: outputs) }
        (biasTarget + outputs).update(repeating: 0, count: paddedOutputs - outputs)
    }

    /// The kernel that computes a 3x3 Conv2D's dL/dx, in the domain of
    /// Winograd's F(tile x tile, 3x3): the layer's kernel g (3, 3,
    /// inputChannels, outputs) turned half a turn, its channels swapped,
    /// U' = G g' Gᵀ; n² matrices U'[ξ] of `outputs` rows x `paddedInputs`
    /// (the layer's input channels, zeros after), then `paddedInputs` zeros
    /// (the convolution's bias).
    ///
    /// Training derives it once a step (`TrainableModel.deriveStepWeights`),
    /// one filter at a time: its turned taps copied with the input channels
    /// contiguous, then transformed side by side.
    public static func turnedWinograd(_ parameters: UnsafePointer<Float>, from offset: Int, inputChannels: Int, outputs: Int,
                                      paddedInputs: Int, tile: Int = 2, into target: UnsafeMutablePointer<Float>) {
        let kernel = parameters + offset, transforms = (tile + 2) * (tile + 2)
        transformTaps(tile: tile, count: inputChannels, rows: outputs) { filter, taps in
            // Tap t of the turned kernel is tap 8 − t of the layer's.
            for tap in 0..<9 {
                let source = kernel + tap * inputChannels * outputs + filter
                let turned = taps + (8 - tap) * inputChannels
                for channel in 0..<inputChannels { turned[channel] = Double(source[channel * outputs]) }
            }
        } into: { filter, xi in
            target + (xi * outputs + filter) * paddedInputs
        }
        for row in 0..<transforms * outputs { (target + row * paddedInputs + inputChannels).update(repeating: 0, count: paddedInputs - inputChannels) }
        (target + transforms * outputs * paddedInputs).update(repeating: 0, count: paddedInputs)
    }

    /// G t Gᵀ for `rows` kernels' nine taps: `fill(row, taps)` writes row's
    /// taps (nine runs of `count` values, tap-major), which are transformed
    /// side by side, G on the rows and then on the columns, so every sum runs
    /// along contiguous values; `destination(row, ξ)` is where ξ's `count`
    /// Floats go, and `finish(row)` runs once all of a row's are there (to
    /// move them into panels). Summed in Double and rounded to Float once. (The form of one sum of up
    /// to nine terms per value took 1.5% of a ResNet-20 training step.)
    private static func transformTaps(tile: Int, count: Int, rows: Int, fill: (Int, UnsafeMutablePointer<Double>) -> Void,
                                      into destination: (Int, Int) -> UnsafeMutablePointer<Float>,
                                      finishing finish: (Int) -> Void = { _ in }) {
        let g = winogradKernelTransform(tile: tile), n = g.count
        let taps = UnsafeMutablePointer<Double>.allocate(capacity: 9 * count)
        let mixed = UnsafeMutablePointer<Double>.allocate(capacity: 3 * n * count)
        defer { taps.deallocate(); mixed.deallocate() }
        for row in 0..<rows {
            fill(row, taps)
            // G on the rows: mixed[a][b] = Σ_k G[a][k] · taps[k][b].
            for a in 0..<n {
                let (w0, w1, w2) = (g[a][0], g[a][1], g[a][2])
                for b in 0..<3 {
                    let (t0, t1, t2) = (taps + b * count, taps + (3 + b) * count, taps + (6 + b) * count)
                    let r = mixed + (3 * a + b) * count
                    for c in 0..<count { r[c] = w0 * t0[c] + w1 * t1[c] + w2 * t2[c] }
                }
            }
            // Then on the columns, U[a][b] = Σ_l G[b][l] · mixed[a][l], each value rounded to Float once.
            for a in 0..<n {
                let (h0, h1, h2) = (mixed + (3 * a) * count, mixed + (3 * a + 1) * count, mixed + (3 * a + 2) * count)
                for b in 0..<n {
                    let (w0, w1, w2) = (g[b][0], g[b][1], g[b][2])
                    let u = destination(row, n * a + b)
                    for c in 0..<count { u[c] = Float(w0 * h0[c] + w1 * h1[c] + w2 * h2[c]) }
                }
            }
            finish(row)
        }
    }
}
