/// What went wrong loading or running a compiled model, in words a user can act on.
public struct RuntimeError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
