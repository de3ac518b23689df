/// Placeholder until Keras's optimizers land: plain SGD only.
public protocol Optimizer: Sendable {
    var iterations: Int { get }
    mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int)
}

public struct PlainSGD: Optimizer {
    public var learningRate: Float
    public private(set) var iterations = 0
    public init(learningRate: Float) { self.learningRate = learningRate }
    public mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { parameters[i] -= learningRate * gradients[i] }
        iterations += 1
    }
}
