extension WeightPacking {
    /// The kernel that computes a 3x3 Conv2D's dL/dx, in Winograd F(2x2, 3x3)'s
    /// domain: the layer's kernel g (3, 3, inputChannels, outputs) turned half
    /// a turn, its channels swapped, U' = G g' Gᵀ; 16 matrices U'[ξ] of
    /// `outputs` rows x `paddedInputs` (the layer's input channels, zeros
    /// after), then `paddedInputs` zeros (the convolution's bias). Summed in
    /// Double and rounded to Float once, as the forward pass's U.
    ///
    /// Training derives it once a step (`TrainableModel.deriveStepWeights`),
    /// one filter at a time: its turned taps copied with the input channels
    /// contiguous, then G applied to the rows and to the columns, so that
    /// every sum runs along contiguous channels (a 3x3 sum per value instead
    /// took 1.5% of a ResNet-20 training step).
    public static func turnedWinograd(_ parameters: UnsafePointer<Float>, from offset: Int, inputChannels: Int, outputs: Int,
                                      paddedInputs: Int, into target: UnsafeMutablePointer<Float>) {
        let channels = inputChannels
        // taps[t]: tap t of the turned kernel (tap 8 − t of the layer's); rows[i][b]: (G g')[i][b].
        var taps = [Double](repeating: 0, count: 9 * channels)
        var rows = [Double](repeating: 0, count: 12 * channels)
        taps.withUnsafeMutableBufferPointer { taps in
            rows.withUnsafeMutableBufferPointer { rows in
                let t = taps.baseAddress!, r = rows.baseAddress!
                for filter in 0..<outputs {
                    for tap in 0..<9 {
                        let source = parameters + offset + tap * channels * outputs + filter
                        let turned = t + (8 - tap) * channels
                        for channel in 0..<channels { turned[channel] = Double(source[channel * outputs]) }
                    }
                    // G on the rows: G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]].
                    for b in 0..<3 {
                        let (g0, g1, g2) = (t + b * channels, t + (3 + b) * channels, t + (6 + b) * channels)
                        let (r0, r1, r2, r3) = (r + b * channels, r + (3 + b) * channels, r + (6 + b) * channels, r + (9 + b) * channels)
                        for c in 0..<channels {
                            r0[c] = g0[c]
                            r1[c] = 0.5 * (g0[c] + g1[c] + g2[c])
                            r2[c] = 0.5 * (g0[c] - g1[c] + g2[c])
                            r3[c] = g2[c]
                        }
                    }
                    // Then on the columns, each value rounded to Float once.
                    for i in 0..<4 {
                        let (h0, h1, h2) = (r + (3 * i) * channels, r + (3 * i + 1) * channels, r + (3 * i + 2) * channels)
                        let u = (0..<4).map { j in target + ((i * 4 + j) * outputs + filter) * paddedInputs }
                        for c in 0..<channels {
                            u[0][c] = Float(h0[c])
                            u[1][c] = Float(0.5 * (h0[c] + h1[c] + h2[c]))
                            u[2][c] = Float(0.5 * (h0[c] - h1[c] + h2[c]))
                            u[3][c] = Float(h2[c])
                        }
                        for row in u { (row + channels).update(repeating: 0, count: paddedInputs - channels) }
                    }
                }
            }
        }
        (target + 16 * outputs * paddedInputs).update(repeating: 0, count: paddedInputs)
    }
}
