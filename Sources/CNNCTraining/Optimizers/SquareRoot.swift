import CNNCRuntime

extension Float {
    /// The IEEE square root (NaN below zero), written so loops vectorize it.
    /// On Linux `squareRoot()` is C's `sqrtf`, which may set errno for a
    /// negative argument, so LLVM keeps it a scalar call; once the argument
    /// cannot be negative, the call becomes a vector `sqrtps`.
    @inline(__always) var vectorizableSquareRoot: Float {
        (self >= 0 ? self : .nan).squareRoot()
    }
}
