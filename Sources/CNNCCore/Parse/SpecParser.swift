/// The first stage of the pipeline: a spec file in, a `ModelSpec` out.
/// Keras JSON is recognised by its `class_name` key; anything else is read
/// as cnnc's own spec language.
public enum SpecParser {
    public static func parse(_ root: SpecValue, log: inout DiagnosticLog) -> ModelSpec {
        if root["class_name"] != nil {
            let spec = KerasJSONParser.parse(root, log: &log)
            if spec.format == .keras2JSON { Keras2Activations.refuseOtherFormulas(in: spec, log: &log) }
            return spec
        }
        return SpecLanguageParser.parse(root, log: &log)
    }
}
