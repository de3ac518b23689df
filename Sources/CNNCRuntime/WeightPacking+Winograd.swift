extension WeightPacking {
    /// A 3x3 kernel `(3, 3, inputChannels, outputs)` in Winograd F(2x2, 3x3)'s
    /// domain: U = G g Gᵀ per input and output channel, with
    /// G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]], stored as 16 matrices
    /// U[ξ] of inputChannels rows x paddedOutputs (ξ = 4·row + column of U).
    ///
    /// Training repacks after every step, so this runs once a step: one input
    /// channel at a time, its nine taps' rows of outputs transformed side by
    /// side (`transformTaps`).
    public static func winograd(_ parameters: [Float], from offset: Int, inputChannels: Int, outputs: Int, paddedOutputs: Int,
                                into packed: inout [Float], at target: Int) {
        parameters.withUnsafeBufferPointer { source in
            packed.withUnsafeMutableBufferPointer { destination in
                let kernel = source.baseAddress! + offset, u = destination.baseAddress! + target
                transformTaps(count: outputs, rows: inputChannels) { channel, taps in
                    for tap in 0..<9 {
                        let row = kernel + (tap * inputChannels + channel) * outputs
                        for output in 0..<outputs { taps[tap * outputs + output] = Double(row[output]) }
                    }
                } into: { channel, xi in
                    u + (xi * inputChannels + channel) * paddedOutputs
                }
            }
        }
    }

    /// The kernel that computes a 3x3 Conv2D's dL/dx, in Winograd F(2x2, 3x3)'s
    /// domain: the layer's kernel g (3, 3, inputChannels, outputs) turned half
    /// a turn, its channels swapped, U' = G g' Gᵀ; 16 matrices U'[ξ] of
    /// `outputs` rows x `paddedInputs` (the layer's input channels, zeros
    /// after), then `paddedInputs` zeros (the convolution's bias).
    ///
    /// Training derives it once a step (`TrainableModel.deriveStepWeights`),
    /// one filter at a time: its turned taps copied with the input channels
    /// contiguous, then transformed side by side.
    public static func turnedWinograd(_ parameters: UnsafePointer<Float>, from offset: Int, inputChannels: Int, outputs: Int,
                                      paddedInputs: Int, into target: UnsafeMutablePointer<Float>) {
        let kernel = parameters + offset
        transformTaps(count: inputChannels, rows: outputs) { filter, taps in
            // Tap t of the turned kernel is tap 8 − t of the layer's.
            for tap in 0..<9 {
                let source = kernel + tap * inputChannels * outputs + filter
                let turned = taps + (8 - tap) * inputChannels
                for channel in 0..<inputChannels { turned[channel] = Double(source[channel * outputs]) }
            }
        } into: { filter, xi in
            target + (xi * outputs + filter) * paddedInputs
        }
        for row in 0..<16 * outputs { (target + row * paddedInputs + inputChannels).update(repeating: 0, count: paddedInputs - inputChannels) }
        (target + 16 * outputs * paddedInputs).update(repeating: 0, count: paddedInputs)
    }

    /// G t Gᵀ for `rows` kernels' nine taps: `fill(row, taps)` writes row's
    /// taps (nine runs of `count` values, tap-major), which are transformed
    /// side by side, G on the rows and then on the columns, so every sum runs
    /// along contiguous values; `destination(row, ξ)` is where ξ's `count`
    /// Floats go. Summed in Double and rounded to Float once. (The form of one sum of up
    /// to nine terms per value took 1.5% of a ResNet-20 training step.)
    private static func transformTaps(count: Int, rows: Int, fill: (Int, UnsafeMutablePointer<Double>) -> Void,
                                      into destination: (Int, Int) -> UnsafeMutablePointer<Float>) {
        let taps = UnsafeMutablePointer<Double>.allocate(capacity: 9 * count)
        let mixed = UnsafeMutablePointer<Double>.allocate(capacity: 12 * count)
        defer { taps.deallocate(); mixed.deallocate() }
        for row in 0..<rows {
            fill(row, taps)
            // G on the rows: G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]].
            for b in 0..<3 {
                let (g0, g1, g2) = (taps + b * count, taps + (3 + b) * count, taps + (6 + b) * count)
                let (r0, r1, r2, r3) = (mixed + b * count, mixed + (3 + b) * count, mixed + (6 + b) * count, mixed + (9 + b) * count)
                for c in 0..<count {
                    r0[c] = g0[c]
                    r1[c] = 0.5 * (g0[c] + g1[c] + g2[c])
                    r2[c] = 0.5 * (g0[c] - g1[c] + g2[c])
                    r3[c] = g2[c]
                }
            }
            // Then on the columns, each value rounded to Float once.
            for i in 0..<4 {
                let (h0, h1, h2) = (mixed + (3 * i) * count, mixed + (3 * i + 1) * count, mixed + (3 * i + 2) * count)
                let (u0, u1, u2, u3) = (destination(row, 4 * i), destination(row, 4 * i + 1), destination(row, 4 * i + 2), destination(row, 4 * i + 3))
                for c in 0..<count {
                    u0[c] = Float(h0[c])
                    u1[c] = Float(0.5 * (h0[c] + h1[c] + h2[c]))
                    u2[c] = Float(0.5 * (h0[c] - h1[c] + h2[c]))
                    u3[c] = Float(h2[c])
                }
            }
        }
    }
}
