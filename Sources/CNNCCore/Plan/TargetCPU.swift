import Foundation

/// The kind of x86 CPU generated kernels are shaped for: how many vector
/// registers a register block may fill and how wide one is. Swift code cannot
/// ask at compile time whether AVX-512 exists, so the generator decides, for
/// the CPU it runs on (the one `-target-cpu native` compiles for) unless told
/// otherwise (`cnnc generate --target-cpu`, or `CNNC_TARGET_CPU` for every
/// command). A SIMD16<Float> is one register with AVX-512 and two with AVX2:
/// a block of 20 accumulators that fits AVX-512's 32 registers needs 40 of
/// AVX2's 16, and spills to the stack on every multiply-add.
public enum TargetCPU: String, Codable, CaseIterable, Sendable {
    /// AVX2 and FMA, 16 registers of 8 floats (AMD Zen 3, Intel Haswell to Alder Lake).
    case avx2
    /// AVX-512, 32 registers of 16 floats, executed as two 256-bit halves (AMD Zen 4).
    case avx512on256 = "avx512-256"
    /// AVX-512, 32 registers of 16 floats, two 512-bit FMA units, one of
    /// which shares its port with every lane shuffle (Intel Xeon, Sapphire
    /// and Emerald Rapids).
    case avx512
    /// `avx512`'s registers and FMA units with broadcasts and shuffles on
    /// pipes of their own, and a broadcast load dearer than a plain one (AMD
    /// Zen 5 in servers and desktops: `broadcastsCostMoreThanShuffles`).
    case avx512Zen5 = "avx512-zen5"

    public static let environmentVariable = "CNNC_TARGET_CPU"

    /// Vector registers a kernel's register block may use.
    var vectorRegisters: Int { self == .avx2 ? 16 : 32 }
    /// Floats in one vector register.
    var registerLanes: Int { self == .avx2 ? 8 : 16 }

    /// Registers one SIMD value of `lanes` floats occupies.
    func registers(lanes: Int) -> Int { max(1, lanes / registerLanes) }

    /// Whether its FMA units are as wide as a register of 16 floats, so that a
    /// multiply-add of 8 floats does half the work one of 16 would in the same
    /// slot (on Zen 4 two of 8 take the slot one of 16 does). A layer of 8
    /// filters in vectors of 8 ran at 45-48% of SGEMM on a Zen 5
    /// (`PixelPairConvolutionEmitter`).
    var hasFullWidthFMA: Bool { self == .avx512 || self == .avx512Zen5 }

    /// Whether a multiply-add that takes its input from a broadcast load
    /// should rather take it from a plain load and an in-lane shuffle. On a
    /// Zen 5 a block of 2,048 multiply-adds each fed by its own load took
    /// 260 ns from aligned 512-bit loads, 345 from `vbroadcastss`, 400 from
    /// `vbroadcastf32x4` (a scratch program), and with three `vpermilps` to
    /// every four multiply-adds instead of the broadcasts, 294 ns for the whole
    /// layer (`ChunkLaneConvolutionEmitter.turnsChunks`). On Intel's
    /// servers a broadcast is a plain load and a shuffle takes the port of
    /// the second FMA unit, so the same trade would cost FMA slots there.
    var broadcastsCostMoreThanShuffles: Bool { self == .avx512Zen5 }

    /// Whether the register blocks measured on Zen 4 fit: 32 registers, and a
    /// SIMD value of `lanes` floats in one of them.
    func keepsAVX512Blocks(lanes: Int) -> Bool { vectorRegisters >= 32 && registers(lanes: lanes) == 1 }

    /// What the generated file's header says about it.
    var headerLine: String {
        "Kernels shaped for \(rawValue): \(vectorRegisters) vector registers of \(registerLanes) floats"
    }

    /// A baseline with exactly the features this kind's kernels assume, as
    /// LLVM names it: what a package made to be built on another machine is
    /// compiled for (`compilerCPU(host:buildsHere:)`).
    public var compilerCPU: String {
        switch self {
        case .avx2: "haswell"
        case .avx512on256: "znver4"
        case .avx512: "emeraldrapids"
        case .avx512Zen5: "znver5"
        }
    }

    /// What to compile this target's kernels for on a machine of kind `host`:
    /// its own features (`native`) for its own kind, wherever the package is
    /// built; for a kind chosen on purpose, the kind's baseline (`compilerCPU`)
    /// in a package to be built on another machine, but `native` again where
    /// it is built here and this machine has AVX-512 as the kind does, so that
    /// nothing a baseline has and this CPU lacks reaches the binary (`znver5`'s
    /// VP2INTERSECT on an Intel Xeon, `emeraldrapids`' AVX512-FP16 on a Zen),
    /// and a toolchain too old to know a baseline's name still compiles with
    /// AVX-512 and FMA. `avx2` keeps `haswell` on an AVX-512 machine, which
    /// `native` would compile with AVX-512. nil: to be built here, where this
    /// machine (AVX2 only) cannot run the kind.
    public func compilerCPU(host: TargetCPU, buildsHere: Bool) -> String? {
        if self == host { return "native" }
        guard buildsHere else { return compilerCPU }
        if self == .avx2 { return compilerCPU }
        return host == .avx2 ? nil : "native"
    }

    /// The target the generator uses unless told: `CNNC_TARGET_CPU` when set
    /// (an unknown value is an error the caller reports), else this machine's.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(UnknownTarget) -> TargetCPU {
        guard let name = environment[environmentVariable], !name.isEmpty else { return host }
        guard let target = TargetCPU(rawValue: name) else { throw UnknownTarget(name: name) }
        return target
    }

    public struct UnknownTarget: Error, CustomStringConvertible, Sendable {
        public var name: String
        public init(name: String) { self.name = name }
        public var description: String {
            "unknown target CPU '\(name)'; choose one of \(TargetCPU.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }

    /// This machine's kind, from the flags and vendor in /proc/cpuinfo; AVX2
    /// where they cannot be read (the smallest register file is never wrong,
    /// only slower).
    public static let host: TargetCPU = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return .avx2 }
        return classify(cpuinfo: text)
    }()

    /// The kind a /proc/cpuinfo describes (its first processor's entry).
    static func classify(cpuinfo: String) -> TargetCPU {
        var flags: Set<Substring> = [], vendor = "", family: Int?, model: Int?
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces), value = parts[1].trimmingCharacters(in: .whitespaces)
            if key == "flags", flags.isEmpty { flags = Set(parts[1].split(separator: " ")) }
            if key == "vendor_id", vendor.isEmpty { vendor = value }
            if key == "cpu family", family == nil { family = Int(value) }
            if key == "model", model == nil { model = Int(value) }
        }
        guard flags.contains("avx512f") else { return .avx2 }
        guard vendor == "AuthenticAMD" else { return .avx512 }
        // Zen 4 (family 25) splits 512-bit work into 256-bit halves, and so do
        // the Zen 5 of laptops (family 26, models 0x20-0x2F and 0x60-0x7F:
        // Strix Point, Krackan Point, Strix Halo); the Zen 5 of servers and
        // desktops (EPYC Turin, models 0x00-0x1F; Granite Ridge, 0x40-0x4F)
        // has two 512-bit FMA units.
        guard let family, family >= 26, let model else { return .avx512on256 }
        return family == 26 && ((0x20...0x2F).contains(model) || (0x60...0x7F).contains(model)) ? .avx512on256 : .avx512Zen5
    }
}
