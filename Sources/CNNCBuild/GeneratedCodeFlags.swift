/// The compiler settings generated code needs, written once. Generated kernels
/// are fast only when optimized for this CPU: `-O -target-cpu native`, and
/// `CNNC_FMA` to say that fused multiply-add instructions exist (set both or
/// neither). The model packages cnnc builds take them from here; Package.swift
/// (`generatedCodeSettings`) and the README show the same line for users'
/// manifests, and a test holds them to this one.
public enum GeneratedCodeFlags {
    public static let unsafeFlags = unsafeFlags(cpu: "native")
    public static let defines = ["CNNC_FMA"]

    /// The same for another CPU: a kind's baseline (`TargetCPU.compilerCPU(host:buildsHere:)`)
    /// for a package to be built elsewhere, or `haswell` for AVX2 kernels on an AVX-512 machine.
    public static func unsafeFlags(cpu: String) -> [String] { ["-O", "-target-cpu", cpu] }

    /// The settings as a SwiftPM manifest writes them:
    /// `[.unsafeFlags(["-O", "-target-cpu", "native"]), .define("CNNC_FMA")]`.
    public static var swiftSettings: String { swiftSettings(cpu: "native") }

    public static func swiftSettings(cpu: String) -> String {
        let flags = unsafeFlags(cpu: cpu).map { "\"\($0)\"" }.joined(separator: ", ")
        return "[" + ([".unsafeFlags([\(flags)])"] + defines.map { ".define(\"\($0)\")" }).joined(separator: ", ") + "]"
    }
}
