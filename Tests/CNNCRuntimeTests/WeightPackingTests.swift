import CNNCRuntime
import Testing

/// The packings training derives from the Keras-layout weights.
@Suite struct WeightPackingTests {
    /// Turning a 3x3 kernel half a turn permutes G's rows (0 ↔ 3), so the
    /// turned kernel in Winograd's domain holds the forward kernel's U,
    /// transposed, with ξ's row and column each mapped by that permutation.
    /// The turned sums add the same terms in the opposite order; in Double
    /// they are exact for these weights (thousandths), so the bits are equal.
    @Test func theTurnedKernelIsTheForwardOneTransposedAndPermuted() {
        let (inputs, outputs, paddedInputs) = (5, 3, 8)
        var generator = SplitMix64(seed: 11)
        let kernel = (0..<9 * inputs * outputs).map { _ in Float(Int(generator.next() % 2001) - 1000) / 1000 }
        var forward = [Float](repeating: 0, count: 16 * inputs * outputs)
        forward.withUnsafeMutableBufferPointer { WeightPacking.winograd(kernel, from: 0, inputChannels: inputs, outputs: outputs, paddedOutputs: outputs, into: $0, at: 0) }
        var turned = [Float](repeating: .nan, count: 16 * outputs * paddedInputs + paddedInputs)
        kernel.withUnsafeBufferPointer { kernel in
            turned.withUnsafeMutableBufferPointer { turned in
                WeightPacking.turnedWinograd(kernel.baseAddress!, from: 0, inputChannels: inputs, outputs: outputs,
                                             paddedInputs: paddedInputs, into: turned.baseAddress!)
            }
        }
        let swapped = [3, 1, 2, 0]
        for i in 0..<4 {
            for j in 0..<4 {
                for filter in 0..<outputs {
                    for channel in 0..<paddedInputs {
                        let value = turned[((i * 4 + j) * outputs + filter) * paddedInputs + channel]
                        guard channel < inputs else {
                            #expect(value == 0)
                            continue
                        }
                        let expected = forward[((swapped[i] * 4 + swapped[j]) * inputs + channel) * outputs + filter]
                        #expect(value == expected, "ξ (\(i), \(j)), filter \(filter), channel \(channel)")
                    }
                }
            }
        }
        #expect(turned.suffix(paddedInputs).allSatisfy { $0 == 0 })
    }

    /// Panels of 2 output channels for 3 outputs: each panel's rows one after
    /// another, the second panel's missing channel zero (the buffer starts
    /// as zeros, as the generated `init` makes it), and nothing before `at`.
    @Test func panelsHoldEachVectorOfChannelsDownAllRows() {
        let kernel: [Float] = [1, 2, 3,
                               4, 5, 6]
        var packed = [Float](repeating: 0, count: 9)
        packed.withUnsafeMutableBufferPointer { WeightPacking.panels(kernel, from: 0, rows: 2, outputs: 3, width: 2, into: $0, at: 1) }
        #expect(packed == [0, 1, 2, 4, 5, 3, 0, 6, 0])
    }

    /// U in panels holds the values U in rows does, each matrix's vectors of
    /// channels down all its rows in turn: 5 outputs in panels of 4 leave
    /// the second panel's last 3 lanes as the buffer had them (zeros).
    @Test func winogradPanelsHoldTheRowsValuesPanelByPanel() {
        let (inputs, outputs, width, padded) = (3, 5, 4, 8)
        var generator = SplitMix64(seed: 5)
        let kernel = (0..<9 * inputs * outputs).map { _ in Float(Int(generator.next() % 2001) - 1000) / 1000 }
        for tile in [2, 4] {
            let transforms = (tile + 2) * (tile + 2)
            var rows = [Float](repeating: 0, count: transforms * inputs * padded + 1)
            rows.withUnsafeMutableBufferPointer {
                WeightPacking.winograd(kernel, from: 0, inputChannels: inputs, outputs: outputs, paddedOutputs: padded, tile: tile, into: $0, at: 1)
            }
            var panels = [Float](repeating: 0, count: transforms * inputs * padded + 1)
            panels.withUnsafeMutableBufferPointer {
                WeightPacking.winograd(kernel, from: 0, inputChannels: inputs, outputs: outputs, paddedOutputs: padded, tile: tile,
                                       panelWidth: width, into: $0, at: 1)
            }
            #expect(panels[0] == 0)
            for xi in 0..<transforms {
                for channel in 0..<inputs {
                    for output in 0..<padded {
                        let (panel, lane) = output.quotientAndRemainder(dividingBy: width)
                        let value = panels[1 + xi * inputs * padded + (panel * inputs + channel) * width + lane]
                        #expect(value == rows[1 + (xi * inputs + channel) * padded + output], "F(\(tile)): ξ \(xi), channel \(channel), output \(output)")
                    }
                }
            }
        }
    }
}
