extension InferenceArena {
    /// `enum Arena`: each region's offset as a named constant, with what it holds and when.
    func emitOffsets(into out: inout SourceWriter) {
        out.doc("Where the forward pass keeps each tensor in `arena`, in floats. A region is",
                "reused once the last layer that reads it has run (see `cnnc generate --emit-plan`).")
        out.block("enum Arena") { out in
            for region in regions.sorted(by: { ($0.firstNode, $0.offset) < ($1.firstNode, $1.offset) }) {
                let span = region.firstNode == region.lastNode ? "layer \(region.firstNode)" : "layers \(region.firstNode)–\(region.lastNode)"
                out.line("/// \(region.holds): \(Formatting.thousands(region.count)) floats, \(span)")
                out.line("static let \(region.name) = \(region.offset)")
            }
            out.line(scratch == 0 ? "/// The end of the regions (no layer needs Winograd scratch)"
                     : "/// Winograd's transformed tiles: \(Formatting.thousands(scratch)) floats, and as many again for each further worker")
            out.line("static let scratch = \(activation)")
        }
    }

    /// The prologue of a forward pass over `arena` (`w` is bound by the
    /// caller); `observe` is declared nil where the entry point has no
    /// observer, so the shared forward calls compile away.
    static func declarePrologue(observed: Bool, into out: inout SourceWriter) {
        if !observed { out.line("let observe: ((Int, UnsafePointer<Float>) -> Void)? = nil") }
        out.line(observed ? "_ = (arena, w)" : "_ = (arena, w, observe)")
    }
}
