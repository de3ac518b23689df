/// The front end in one call: read a spec file, parse it, check it.
/// The command-line tool, the build plugin and the tests all enter here.
public enum Frontend {
    /// The checked model of the spec at `path`, or every diagnostic it earned, in file order.
    public static func load(path: String) -> Result<CheckedModel, DiagnosticsError> {
        do {
            return check(try SpecReader.read(path: path))
        } catch {
            return .failure(error)
        }
    }

    /// The same for spec text already in memory; `file` names it in diagnostics.
    public static func load(text: String, file: String) -> Result<CheckedModel, DiagnosticsError> {
        do {
            return check(try SpecReader.parse(text: text, file: file))
        } catch {
            return .failure(error)
        }
    }

    private static func check(_ root: SpecValue) -> Result<CheckedModel, DiagnosticsError> {
        var log = DiagnosticLog()
        let spec = SpecParser.parse(root, log: &log)
        let model = ModelChecker.check(spec, log: &log)
        if model == nil, !log.hasErrors {
            // Every refusal should have said why; never fail silently if one did not.
            log.error("cnnc could not check this model and has no more precise message; please report it with the file", at: root.location)
        }
        guard var model, !log.hasErrors else {
            let diagnostics = OneLineLayerContext.annotate(log.sorted, root: root)
            return .failure(DiagnosticsError(diagnostics + [ModelChecker.supportedLayersNote(spec)].compactMap { $0 }))
        }
        model.notes = OneLineLayerContext.annotate(model.notes, root: root)
        return .success(model)
    }
}
