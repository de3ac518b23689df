extension ModelProgram {
    /// `summary --memory`'s last line: what the generated code allocates per
    /// sample, from the plan, beside the table's estimate from shapes. The
    /// inference arena holds activations by liveness, then scratch (padded
    /// inputs, Winograd tiles); the training arena keeps every output, the
    /// gradients and masks.
    public var arenaSummaryLine: String {
        var line = " Generated code, per sample: inference arena \(Formatting.bytes(arena.total * 4))"
            + " (activations \(Formatting.bytes(arena.activation * 4)), scratch \(Formatting.bytes(arena.scratch * 4)))"
        if training.unsupportedReason == nil { line += "; training arena \(Formatting.bytes(training.arena.total * 4))" }
        return line
    }
}
