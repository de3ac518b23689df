/// The version of cnnc, written once: `cnnc --version` prints it, generated
/// headers name it, and the weights a model executable saves record it
/// (cnnc hands it to the executable in its job).
public enum CNNCVersion {
    public static let current = "0.2.0"
}
