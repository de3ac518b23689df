/// The element-wise functions a layer's `activation` argument may name.
public enum Activation: String, Hashable, Sendable, Codable, CaseIterable {
    case linear, relu, sigmoid, softmax, tanh
}
