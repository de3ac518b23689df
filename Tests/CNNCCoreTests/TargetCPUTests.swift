@testable import CNNCCore
import CNNCRuntime
import Foundation
import Testing

/// The CPU kind kernels are shaped for: found from /proc/cpuinfo, forced by
/// name, and what it changes in the plan. Whatever CPU runs the tests, every
/// kind is also compiled and checked against Keras and the Float64 reference:
/// Tools/refresh-generated.sh shapes each folder of test models for one of
/// them (GeneratedInSyncTests.folders).
@Suite struct TargetCPUTests {
    static func cpuinfo(vendor: String, flags: String, family: Int = 25, model: Int = 17) -> String {
        "processor\t: 0\nvendor_id\t: \(vendor)\ncpu family\t: \(family)\nmodel\t\t: \(model)\nmodel name\t: AMD EPYC\n"
            + "flags\t\t: fpu sse2 \(flags)\n\nprocessor\t: 1\nvendor_id\t: \(vendor)\n"
    }

    @Test func theKindIsReadFromCpuinfo() {
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "AuthenticAMD", flags: "avx avx2 fma")) == .avx2)
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "AuthenticAMD", flags: "avx2 fma avx512f avx512bw")) == .avx512on256)
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "GenuineIntel", flags: "avx2 fma avx512f avx512bw")) == .avx512)
        #expect(TargetCPU.classify(cpuinfo: "") == .avx2)
        // Zen 5: two 512-bit FMA units in servers (EPYC Turin, family 26 model 2, as
        // /proc/cpuinfo printed it on the machine measured) and desktops; halves in laptops.
        let avx512 = "avx2 fma avx512f avx512bw avx512_vp2intersect"
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "AuthenticAMD", flags: avx512, family: 26, model: 2)) == .avx512Zen5)
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "AuthenticAMD", flags: avx512, family: 26, model: 0x44)) == .avx512Zen5)
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "AuthenticAMD", flags: avx512, family: 26, model: 0x24)) == .avx512on256)
        #expect(TargetCPU.classify(cpuinfo: Self.cpuinfo(vendor: "AuthenticAMD", flags: avx512, family: 26, model: 0x70)) == .avx512on256)
    }

    /// A layer of 5-8 filters puts two pixels' filters in a vector of 16 where
    /// the FMA units are that wide, where its taps outweigh the copy of its
    /// input in pairs, else two input channels of its filters where they
    /// are even; on Zen 4 it keeps its vectors of 8.
    @Test func aLayerOfFewFiltersPairsPixelsOnlyOnFullWidthUnits() throws {
        let spec = """
            input_shape: [32, 32, 3]
            layers:
              - Conv2D: {filters: 8, kernel_size: 5, activation: relu, name: five}
              - Conv2D: {filters: 6, kernel_size: 3, strides: 2, padding: same, name: strided}
              - Conv2D: {filters: 7, kernel_size: 3, padding: same, name: seven}
              - Conv2D: {filters: 8, kernel_size: 1, name: pointwise}
              - Conv2D: {filters: 16, kernel_size: 3, name: sixteen}
            """
        let model = try Frontend.load(text: spec, file: "p.yaml").get()
        func kinds(_ target: TargetCPU) -> [String] {
            ModelPlanner.plan(model, specPath: "p.yaml", target: target).nodes.map { node in
                guard case .convolution(let kernels) = node.kernel else { return "other" }
                switch kernels.direct {
                case .pixelPairs: return "pairs"
                case .chunkLanes(let kernel): return "chunks of \(kernel.lanes)"
                case .channelLanes: return "channels"
                default: return "other"
                }
            }
        }
        // 3x3 of stride 2 has 9 taps for 4 pixels of stride, too few for the copy: its 8
        // input channels go in pairs beside its 6 filters, as the 1x1 layer's 7 cannot.
        #expect(kinds(.avx512) == ["pairs", "chunks of 16", "pairs", "channels", "channels"])
        #expect(kinds(.avx512on256) == ["channels", "channels", "channels", "channels", "channels"])
        let swift = ModelGenerator(model: model, specPath: "p.yaml", target: .avx512).generate()
        // 28 pixels a row in 14 pairs, one block; 7 filters stored lane by lane, a row of 14 ending with pixels 12 and 13.
        #expect(swift.contains("s13 = madd(s13, repeated(xt.load2(at: ci * 2 + 156)), wv)"))
        #expect(swift.contains("yp.store(inOutputOrder(r13), at: 208)"))
        #expect(swift.contains("yp[90] = v[12]; yp[91] = v[1]"))
        // One channel to 8 filters: pairs read in place there, pixel lanes with shuffles on Zen 4.
        let grey = try Frontend.load(text: """
            input_shape: [28, 28, 1]
            layers:
              - Conv2D: {filters: 8, kernel_size: 3, padding: same}
            """, file: "g.yaml").get()
        func first(_ target: TargetCPU) -> DirectConvolution? {
            guard case .convolution(let kernels) = ModelPlanner.plan(grey, specPath: "g.yaml", target: target).nodes[0].kernel else { return nil }
            return kernels.direct
        }
        guard case .pixelPairs(let pairs)? = first(.avx512), case .pixelLanes? = first(.avx512on256) else {
            Issue.record("expected pixel pairs on avx512 and pixel lanes on avx512-256")
            return
        }
        #expect(pairs.readsPairsInPlace)
    }

    /// Where a row is at most half a register block, a block holds whole rows
    /// on full-width FMA units, so that it keeps more than the 8 chains of
    /// multiply-adds two 512-bit units need: 8 pixels of 16 filters 3 rows
    /// at a time (24 sums), 4 pairs of 8 filters 6 rows at a time, each call
    /// ending with the rows that make no whole band. A one-channel input to
    /// 6 filters (LeNet-5's first layer) goes 14 rows a block there, 4 on
    /// Zen 4's units, whose blocks stay one row.
    @Test func narrowRowsRunInBandsOnFullWidthUnits() throws {
        let model = try Frontend.load(text: """
            input_shape: [8, 8, 8]
            layers:
              - Conv2D: {filters: 16, kernel_size: 5, padding: same, name: sixteen}
              - Conv2D: {filters: 8, kernel_size: 5, padding: same, name: eight}
            """, file: "b.yaml").get()
        let wide = ModelGenerator(model: model, specPath: "b.yaml", target: .avx512).generate()
        #expect(wide.contains("for oy in stride(from: parts.lowerBound, to: parts.upperBound - 2, by: 3)"))
        #expect(wide.contains("for oy in (parts.lowerBound + parts.count / 3 * 3)..<parts.upperBound"))
        #expect(wide.contains("s23_0 = madd(s23_0, x23, w0)") && !wide.contains("s24_0"))
        #expect(wide.contains("for oy in stride(from: first, to: last - 5, by: 6)"))
        #expect(wide.contains("for oy in (first + (last - first) / 6 * 6)..<last"))
        let narrow = ModelGenerator(model: model, specPath: "b.yaml", target: .avx512on256).generate()
        #expect(!narrow.contains("by: 3)") && !narrow.contains("by: 6)"))

        let grey = try Frontend.load(text: """
            input_shape: [28, 28, 1]
            layers:
              - Conv2D: {filters: 6, kernel_size: 5, padding: same}
            """, file: "g.yaml").get()
        #expect(ModelGenerator(model: grey, specPath: "g.yaml", target: .avx512).generate()
            .contains("for oy in stride(from: parts.lowerBound * 14, to: parts.upperBound * 14, by: 14)"))
        #expect(ModelGenerator(model: grey, specPath: "g.yaml", target: .avx512on256).generate()
            .contains("for oy in stride(from: parts.lowerBound * 4, to: parts.upperBound * 4, by: 4)"))
    }

    /// Where a broadcast load costs more than a shuffle (Zen 5), a layer of
    /// few filters multiplies whole vectors of 16 input channels, turned
    /// within groups of its filter slots by XOR, against weights packed to
    /// meet them, and adds the groups up in registers; Intel's `avx512`
    /// keeps one broadcast of a chunk a multiply-add through a scratch.
    @Test func fewFiltersTurnWholeVectorsWhereBroadcastsCostMore() throws {
        let model = try Frontend.load(text: """
            input_shape: [8, 8, 32]
            layers:
              - Conv2D: {filters: 4, kernel_size: 1, name: four}
              - Conv2D: {filters: 32, kernel_size: 1, name: widen}
              - Conv2D: {filters: 8, kernel_size: 1, name: eight}
            """, file: "t.yaml").get()
        let zen5 = ModelGenerator(model: model, specPath: "t.yaml", target: .avx512Zen5).generate()
        #expect(zen5.contains("@inline(__always) func turned3(_ v: V16) -> V16 { V16(v[3], v[2], v[1], v[0], v[7], v[6], v[5], v[4]"))
        #expect(zen5.contains("do { let v = xp.load16(at: ci * 16 + 32); s1 = madd(s1, v, w0); t1 = madd(t1, turned1(v), w1); s1 = madd(s1, turned2(v), w2); t1 = madd(t1, turned3(v), w3) }"))
        #expect(zen5.contains("t7 = madd(t7, turned7(v), w7) }"))
        #expect(zen5.contains("let t1_0 = halfSums1(s0 + t0, s1 + t1)"))
        #expect(zen5.contains("WeightPacking.turnedChunkLanes(parameters, from: 0, inputs: 32, outputs: 4, slots: 4, lanes: 16, into: buffer,"))
        #expect(!zen5.contains("repeated(") && !zen5.contains("let sums = scratch.baseAddress!"))
        let intel = ModelGenerator(model: model, specPath: "t.yaml", target: .avx512).generate()
        #expect(intel.contains("repeated(xp.load4(at: ci * 4))") && intel.contains("let sums = scratch.baseAddress!"))
        #expect(!intel.contains("turned1") && !intel.contains("turnedChunkLanes"))
    }

    /// The packing that turned chunks read: lane g·slots + s of turn t holds
    /// row g·slots + (s XOR t)'s weight for filter s, zero for a slot past the filters.
    @Test func turnedChunksPackEachTurnsWeights() {
        let (inputs, outputs, slots, lanes) = (32, 3, 4, 16)
        let parameters = (0..<(inputs * outputs)).map { Float($0 + 1) }
        var packed = [Float](repeating: -1, count: inputs * slots)
        packed.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
            WeightPacking.turnedChunkLanes(parameters, from: 0, inputs: inputs, outputs: outputs, slots: slots, lanes: lanes, into: buffer, at: 0)
        }
        for vector in 0..<(inputs / lanes) {
            for turn in 0..<slots {
                for lane in 0..<lanes {
                    let (group, filter) = lane.quotientAndRemainder(dividingBy: slots)
                    let row = vector * lanes + group * slots + (filter ^ turn)
                    let expected = filter < outputs ? parameters[row * outputs + filter] : 0
                    #expect(packed[(vector * slots + turn) * lanes + lane] == expected)
                }
            }
        }
    }

    @Test func theEnvironmentForcesAKindByName() throws {
        #expect(try TargetCPU.fromEnvironment(["CNNC_TARGET_CPU": "avx2"]) == .avx2)
        #expect(try TargetCPU.fromEnvironment(["CNNC_TARGET_CPU": "avx512-256"]) == .avx512on256)
        #expect(try TargetCPU.fromEnvironment([:]) == TargetCPU.host)
        #expect { try TargetCPU.fromEnvironment(["CNNC_TARGET_CPU": "avx1024"]) } throws: {
            "\($0)" == "unknown target CPU 'avx1024'; choose one of avx2, avx512-256, avx512, avx512-zen5"
        }
    }

    @Test func aForcedKindBuiltHereUsesThisMachinesFeatures() {
        // This machine's own kind: its own features, built here or not (`cnnc build --no-build`).
        for kind in TargetCPU.allCases {
            #expect(kind.compilerCPU(host: kind, buildsHere: true) == "native" && kind.compilerCPU(host: kind, buildsHere: false) == "native")
        }
        // Another AVX-512 kind built here: this machine's own features as well.
        #expect(TargetCPU.avx512Zen5.compilerCPU(host: .avx512, buildsHere: true) == "native")
        #expect(TargetCPU.avx512.compilerCPU(host: .avx512Zen5, buildsHere: true) == "native")
        // AVX2 keeps Haswell's features on an AVX-512 machine; an AVX-512 kind cannot be built on an AVX2 one.
        #expect(TargetCPU.avx2.compilerCPU(host: .avx512Zen5, buildsHere: true) == "haswell")
        #expect(TargetCPU.avx512.compilerCPU(host: .avx2, buildsHere: true) == nil)
        // Another kind in a package to be built elsewhere: that kind's baseline.
        #expect(TargetCPU.avx512Zen5.compilerCPU(host: .avx512, buildsHere: false) == "znver5")
        #expect(TargetCPU.avx512.compilerCPU(host: .avx2, buildsHere: false) == "emeraldrapids")
        #expect(TargetCPU.avx2.compilerCPU(host: .avx512on256, buildsHere: false) == "haswell")
    }

    /// AVX-512 keeps the blocks measured on Zen 4; AVX2 gets the largest that
    /// fits 16 registers with its weights and a broadcast.
    static func depthwise(target: TargetCPU) throws -> DepthwiseConvolutionEmitter? {
        let spec = """
            input_shape: [14, 14, 32]
            layers:
              - DepthwiseConv2D: {kernel_size: 3, padding: same}
            """
        let program = ModelPlanner.plan(try Frontend.load(text: spec, file: "d.yaml").get(), specPath: "d.yaml", target: target)
        guard case .convolution(let kernels) = program.nodes[0].kernel, case .depthwise(let kernel) = kernels.direct else { return nil }
        return kernel
    }

    @Test func registerBlocksFitTheRegisterFile() throws {
        typealias Block = ConvolutionEmitter.Blocking
        #expect(ConvolutionEmitter.registerBlock(lanes: 16, chunks: 4, width: 26, target: .avx512on256) == Block(chunks: 4, pixels: 5))
        #expect(ConvolutionEmitter.registerBlock(lanes: 16, chunks: 4, width: 26, target: .avx2) == Block(chunks: 1, pixels: 6))
        #expect(ConvolutionEmitter.registerBlock(lanes: 8, chunks: 4, width: 26, target: .avx2) == Block(chunks: 2, pixels: 6))
        // One vector of channels: 8 pixels on Zen 4, up to 16 on 512-bit FMA units (8 chains
        // in flight); a depthwise block 4 pixels of 16 channels, 8 there.
        #expect(ConvolutionEmitter.registerBlock(lanes: 16, chunks: 1, width: 10, target: .avx512on256) == Block(chunks: 1, pixels: 8))
        #expect(ConvolutionEmitter.registerBlock(lanes: 16, chunks: 1, width: 10, target: .avx512) == Block(chunks: 1, pixels: 16))
        #expect(ConvolutionEmitter.registerBlock(lanes: 16, chunks: 4, width: 26, target: .avx512) == Block(chunks: 4, pixels: 5))
        let depthwise = try #require(try Self.depthwise(target: .avx512on256)), wide = try #require(try Self.depthwise(target: .avx512))
        #expect(depthwise.pixelsPerBlock(width: 16) == 4 && wide.pixelsPerBlock(width: 16) == 8)
        // A Dense layer (one pixel): as many chunks as fit.
        #expect(ConvolutionEmitter.registerBlock(lanes: 16, chunks: 32, width: 1, target: .avx2) == Block(chunks: 3, pixels: 1))
        for lanes in [4, 8, 16] {
            for width in [1, 3, 8, 30] {
                let block = ConvolutionEmitter.registerBlock(lanes: lanes, chunks: 4, width: width, target: .avx2)
                let perVector = max(1, lanes / 8)
                #expect((block.chunks * block.pixels + block.chunks) * perVector + 1 <= 16, "lanes \(lanes), width \(width): \(block)")
            }
        }
    }

    /// What the choice changes in the Swift: a Winograd layer's transforms and
    /// its products' blocks; the same model's other kinds stay AVX-512's.
    @Test func aWinogradLayerIsShapedForEachKind() throws {
        let spec = """
            input_shape: [12, 12, 32]
            layers:
              - Conv2D: {filters: 32, kernel_size: 3, padding: same, activation: relu}
            """
        let model = try Frontend.load(text: spec, file: "w.yaml").get()
        let avx2 = ModelGenerator(model: model, specPath: "w.yaml", target: .avx2).generate()
        let avx512 = ModelGenerator(model: model, specPath: "w.yaml", target: .avx512).generate()
        #expect(avx2.contains("pc.load8(at:") && avx2.contains("mt.load8(at:") && !avx2.contains("pc.load16(at:"))
        #expect(avx512.contains("pc.load16(at:") && avx512.contains("mt.load16(at:"))
        // The products over 36 tiles: AVX2 in blocks of one chunk by 6 tiles, AVX-512 of both chunks at once.
        #expect(avx2.contains("var s5_0 = V16()") && !avx2.contains("var s0_1 = V16()"))
        #expect(avx512.contains("var s0_1 = V16()"))
        #expect(avx2.contains("// Kernels shaped for avx2: 16 vector registers of 8 floats."))
        #expect(avx512 == ModelGenerator(model: model, specPath: "w.yaml", target: .avx512on256).generate()
            .replacingOccurrences(of: "avx512-256", with: "avx512"))
    }
}

/// The CPU names a forced kind compiles for are ones this Swift's LLVM knows
/// ("x86-64-v3", clang's name for AVX2's level, is not one of them).
@Suite struct TargetCompilerCPUTests {
    @Test(arguments: TargetCPU.allCases)
    func swiftcAcceptsTheCompilerCPU(target: TargetCPU) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-cpu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("empty.swift")
        try "let x = 1\n".write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-target-cpu", target.compilerCPU, "-typecheck", file.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "swiftc -target-cpu \(target.compilerCPU)")
    }
}

/// What each kind's kernels become in machine code, compiled for the CPU the
/// kind names, whatever CPU runs the tests. Emerald Rapids' two 512-bit FMA
/// units do twice Zen 4's work only on 512-bit registers, and LLVM's tuning for
/// Intel's servers prefers 256-bit ones where it chooses (it does for the
/// loops it vectorizes itself): a kernel's SIMD16 multiply-adds must still be
/// zmm there, or the AVX-512 shapes would run at half the machine's rate.
@Suite struct TargetMachineCodeTests {
    @Test(arguments: TargetCPU.allCases)
    func kernelsMultiplyAddInTheKindsOwnRegisters(target: TargetCPU) throws {
        let products = try #require(RepositoryFiles.products(holding: "Modules/CNNCRuntime.swiftmodule"), "the runtime's module was not built")
        let spec = """
            input_shape: [12, 12, 16]
            layers:
              - Conv2D: {filters: 32, kernel_size: 3, padding: same, activation: relu}
              - Conv2D: {filters: 32, kernel_size: 1, activation: tanh}
            """
        let model = try Frontend.load(text: spec, file: "z.yaml").get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-isa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("z.swift"), assembly = folder.appendingPathComponent("z.s")
        try ModelGenerator(model: model, specPath: "z.yaml", target: target).generate().write(to: source, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "swiftc", "-O", "-D", "CNNC_FMA", "-target-cpu", target.compilerCPU, "-parse-as-library", "-module-name", "Z",
            "-S", source.path, "-o", assembly.path, "-I", products.appendingPathComponent("Modules").path,
            "-Xcc", "-fmodule-map-file=" + products.appendingPathComponent("CNNCSIMD.build/module.modulemap").path,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swiftc -O -target-cpu \(target.compilerCPU) of the generated file")
        let lines = try String(contentsOf: assembly, encoding: .utf8).split(separator: "\n")
        func count(_ instruction: String, _ register: String) -> Int {
            lines.filter { $0.contains(instruction) && $0.contains("%" + register) }.count
        }
        let wide = count("vfmadd", "zmm"), narrow = count("vfmadd", "ymm")
        if target == .avx2 {
            #expect(wide == 0 && narrow > 100, "AVX2: \(narrow) ymm and \(wide) zmm multiply-adds")
        } else {
            #expect(wide > 100 && narrow == 0, "\(target.compilerCPU): \(wide) zmm and \(narrow) ymm multiply-adds")
            // tanh's clamps: one MINPS and one MAXPS a bound, not comparisons and blends.
            #expect(count("vminps", "zmm") >= 2 && count("vmaxps", "zmm") >= 2)
        }
    }
}
