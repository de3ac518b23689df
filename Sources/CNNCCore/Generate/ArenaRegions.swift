extension InferenceArena {
    /// Names the four regions of `arena` (and `w`, bound by the caller) for a
    /// forward pass; `observe` is declared nil where the entry point has no
    /// observer, so the shared forward calls compile away.
    func declareRegions(observed: Bool, into out: inout SourceWriter) {
        out.line("let a = arena, b = arena + \(activation), p = arena + \(2 * activation), s = arena + \(2 * activation + padded)")
        if !observed { out.line("let observe: ((Int, UnsafePointer<Float>) -> Void)? = nil") }
        out.line(observed ? "_ = (a, b, p, s, w)" : "_ = (a, b, p, s, w, observe)")
    }
}
