import CNNCRuntime
import CNNCTraining
import CNNCZoo
import Testing

/// The lecture's worked convolutions, computed by the generated code.
@Suite struct SeedConvolutionTests {
    /// The 6x6 image and the vertical-edge filter give the slide's 4x4 output.
    @Test func verticalEdgeFilter() throws {
        let image: [Float] = [
            3, 0, 1, 2, 7, 4,
            1, 5, 8, 9, 3, 1,
            2, 7, 2, 5, 1, 3,
            0, 1, 3, 1, 7, 8,
            4, 2, 1, 6, 2, 8,
            2, 4, 5, 2, 3, 9,
        ]
        // Keras's kernel layout (kh, kw, cin, cout): rows of [1, 0, -1].
        let filter: [Float] = [1, 0, -1, 1, 0, -1, 1, 0, -1]
        let model = try SeedEdge6x6(parameters: filter)
        #expect(try model.predict(image) == [
            -5, -4, 0, 8,
            -10, -2, 2, 3,
            0, -2, -4, -7,
            -3, -2, -3, -16,
        ])
    }

    /// The 7x7 image with stride 2. The slide shows 9, 31, 10 on the first row
    /// and 29 below; 9, 31 and 29 are right, but the third window is
    /// 7·3 + 4·4 + 6·(−1) + 3·3 + 1·0 + 7·(−1) + 1·0 + 3·2 + 8·(−4) = 7, not 10
    /// (numpy agrees: `(x[0:3, 4:7] * f).sum() == 7`). cnnc computes the sum.
    @Test func stridedConvolution() throws {
        let image: [Float] = [
            3, 0, 1, 2, 7, 4, 6,
            1, 5, 8, 9, 3, 1, 7,
            2, 7, 2, 5, 1, 3, 8,
            0, 1, 3, 1, 7, 8, 9,
            4, 2, 1, 6, 2, 8, 0,
            2, 4, 5, 2, 3, 9, 0,
            6, 7, 5, 7, 4, 8, 6,
        ]
        let filter: [Float] = [3, 4, -1, 3, 0, -1, 0, 2, -4]
        let output = try SeedStrided7x7(parameters: filter).predict(image)
        #expect(output == [
            9, 31, 7,
            29, 31, 35,
            14, 35, 39,
        ])
    }
}
