import CNNCCore
import CNNCRuntime
import CNNCTraining
import Foundation
import Testing

/// `cnnc bench` end to end: it builds the model in a fresh cache, times it
/// for a fraction of a second and ends with a JSON line whose figures agree
/// with each other. No timing thresholds: only keys, units and consistency.
@Suite struct BenchCommandTests {
    @Test func benchEndsWithConsistentJSON() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path]
        let run = try CommandLineTests.cnnc(["bench", "Specs/seed_edge_6x6.cnn.yaml", "--batch-size", "3", "--threads", "2", "--seconds", "0.1"], environment: environment)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("seed_edge_6x6: batch 3, 2 threads, inference"))
        let last = try #require(run.output.split(separator: "\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(Set(["model", "batch", "threads", "mode", "median_ms", "images_per_s", "gflops"]).isSubset(of: json.keys))
        #expect(json["model"] as? String == "seed_edge_6x6")
        #expect(json["batch"] as? Int == 3)
        #expect(json["threads"] as? Int == 2)
        #expect(json["mode"] as? String == "inference")
        #expect(json["kernels"] as? String == TargetCPU.host.rawValue && (json["cpu"] as? String)?.isEmpty == false)
        let median = try #require(json["median_ms"] as? Double)
        let imagesPerSecond = try #require(json["images_per_s"] as? Double)
        let gigaflops = try #require(json["gflops"] as? Double)
        #expect(median > 0)
        // 3 images per median batch; 4x4 outputs x 9 taps x 2 = 288 FLOPs per image (6 significant digits printed).
        #expect(abs(imagesPerSecond / (3 / (median / 1e3)) - 1) < 1e-4)
        #expect(abs(gigaflops / (imagesPerSecond * 288 / 1e9) - 1) < 1e-4)

        // With weights from a file, the same model times without rebuilding.
        let weights = folder.appendingPathComponent("edge.safetensors").path
        let layout = [TensorLayout(name: "vertical_edge.kernel", shape: [3, 3, 1, 1], offset: 0)]
        try SafeTensors.write(parameters: [1, 0, -1, 1, 0, -1, 1, 0, -1], layout: layout, metadata: [:], to: weights)
        let withWeights = try CommandLineTests.cnnc(["bench", "Specs/seed_edge_6x6.cnn.yaml", "--seconds", "0.05", "--weights", weights], environment: environment)
        #expect(withWeights.status == 0, "\(withWeights.errors)")
        #expect(!withWeights.errors.contains("compiling"))
        #expect(withWeights.output.contains("weights \(weights)"))
    }

    /// Bad requests fail with a sentence before anything is compiled.
    @Test func badRequestsFailClearlyWithoutBuilding() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path]
        let cases: [([String], String)] = [
            (["--batch-size", "0"], "--batch-size must be at least 1"),
            (["--threads", "0"], "--threads must be at least 1"),
            (["--seconds=-1"], "--seconds must be a positive number"),
            (["--weights", folder.appendingPathComponent("missing.safetensors").path], "missing.safetensors: no such weights file"),
        ]
        for (arguments, message) in cases {
            let run = try CommandLineTests.cnnc(["bench", "Specs/seed_edge_6x6.cnn.yaml"] + arguments, environment: environment)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.errors.contains(message), "\(arguments): \(run.errors)")
        }
        let unknown = try CommandLineTests.cnnc(["bench", "no/such/spec.yaml"], environment: environment)
        #expect(unknown.status == 1)
        #expect(unknown.errors == "no/such/spec.yaml:1:1: error: no such spec file\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("cache").path))
    }
}
