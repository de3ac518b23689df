import CNNCRuntime
import CNNCTraining
import Foundation
import Synchronization
import Testing

/// A tiny hand-written model to test the runtime's batch paths without the generator.
struct Doubler: CompiledModel {
    static let inputShape = [3]
    static let outputShape = [3]
    static let inputCount = 3
    static let outputCount = 3
    static let parameterCount = 1
    static let flops = 3
    static let arenaCount = 0
    static let weightLayout = [TensorLayout(name: "scale.kernel", shape: [1], offset: 0)]
    static let layers = [LayerDescription(name: "scale", className: "Dense", outputShape: [3])]
    let parameters: [Float]

    init(parameters: [Float]) throws(RuntimeError) {
        guard parameters.count == 1 else { throw RuntimeError("one parameter") }
        self.parameters = parameters
    }

    func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>) {
        for i in 0..<3 { output[i] = input[i] * parameters[0] }
    }

    func predict(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, arena: UnsafeMutablePointer<Float>,
                 observingLayers observe: (Int, UnsafePointer<Float>) -> Void) {
        predict(input, into: output, arena: arena)
        observe(0, UnsafePointer(output))
    }
}

@Suite struct BatchTests {
    @Test func threadsSplitTheBatchWithoutChangingResults() throws {
        let model = try Doubler(parameters: [2])
        let input = (0..<(3 * 101)).map(Float.init)
        let one = try model.predict(batch: input, threads: 1)
        let two = try model.predict(batch: input, threads: 2)
        let many = try model.predict(batch: input, threads: 7)
        #expect(one == input.map { $0 * 2 })
        #expect(two == one && many == one)
    }

    /// Every worker runs each job exactly once, whether its thread was
    /// spinning (back-to-back jobs) or asleep (after a pause longer than the spin).
    @Test func workerPoolRunsEveryWorkerOncePerJob() {
        let pool = WorkerPool(workers: 3)
        let runs = Mutex<[Int]>([0, 0, 0])
        for round in 0..<300 {
            if round % 100 == 99 { Thread.sleep(forTimeInterval: 4 * WorkerPool.spinSeconds) }
            pool.run { worker in runs.withLock { $0[worker] += 1 } }
            #expect(runs.withLock { $0 } == [round + 1, round + 1, round + 1])
        }
    }

    @Test func batchPredictorKeepsResultsAcrossBatchesAndThreads() throws {
        let model = try Doubler(parameters: [3])
        let input = (0..<(3 * 37)).map(Float.init)
        let expected = input.map { $0 * 3 }
        for threads in [1, 2, 5] {
            let predictor = BatchPredictor(model: model, threads: threads)
            for count in [37, 1, 2, 0, 37] {
                var output = [Float](repeating: -1, count: 3 * count)
                try input.withUnsafeBufferPointer { source in
                    try output.withUnsafeMutableBufferPointer { target in try predictor.predict(batch: source, count: count, into: target) }
                }
                #expect(output == Array(expected.prefix(3 * count)), "\(threads) threads, batch of \(count)")
            }
        }
    }

    @Test func wrongSizesAreErrors() throws {
        let model = try Doubler(parameters: [2])
        #expect(throws: RuntimeError.self) { try model.predict([1, 2]) }
        #expect(throws: RuntimeError.self) { try model.predict(batch: [1, 2, 3, 4]) }
        #expect(throws: RuntimeError.self) { try Doubler(parameters: []) }
    }

    @Test func batchShapesAcceptedByTheRunner() throws {
        #expect(try Doubler.batchCount(of: NPYFile(shape: [5, 3], values: []), path: "x") == 5)
        #expect(try Doubler.batchCount(of: NPYFile(shape: [3], values: []), path: "x") == 1)
        #expect(throws: RuntimeError.self) { try Doubler.batchCount(of: NPYFile(shape: [5, 4], values: []), path: "x") }
        // A one-unit head's targets as Keras's fit takes them: (N,) for (N, 1).
        let head = TensorLayout(name: "score", shape: [1], offset: 0)
        #expect(try head.batchCount(of: NPYFile(shape: [8], values: []), path: "y.npz", role: "output") == 8)
        #expect(try head.batchCount(of: NPYFile(shape: [8, 1], values: []), path: "y.npz", role: "output") == 8)
        let packed = try SamplePacking.pack([NPYFile(shape: [3], values: [1, 0, 1]), NPYFile(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])],
                                            layout: [head, TensorLayout(name: "box", shape: [2], offset: 1)], sources: ["a", "b"], role: "output")
        #expect(packed.shape == [3, 3] && packed.values == [1, 1, 2, 0, 3, 4, 1, 5, 6])
    }

    @Test func kerasInitializersFollowGlorot() {
        let layout = [
            TensorLayout(name: "c.kernel", shape: [3, 3, 2, 4], offset: 0),
            TensorLayout(name: "c.bias", shape: [4], offset: 72),
            TensorLayout(name: "n.gamma", shape: [4], offset: 76),
            TensorLayout(name: "n.moving_variance", shape: [4], offset: 80),
        ]
        let values = KerasInitializers.parameters(for: layout, count: 84, seed: 7)
        let limit = Float((6.0 / Double(18 + 36)).squareRoot())
        #expect(values[0..<72].allSatisfy { abs($0) <= limit })
        #expect(values[0..<72].contains { abs($0) > limit / 2 })
        #expect(values[72..<76].allSatisfy { $0 == 0 })
        #expect(values[76..<84].allSatisfy { $0 == 1 })
        #expect(KerasInitializers.parameters(for: layout, count: 84, seed: 7) == values)
    }
}
