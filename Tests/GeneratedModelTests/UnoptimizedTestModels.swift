import Foundation

/// RandomModels, FixtureModels and GraphModels are compiled with -Onone on
/// purpose (Package.swift: the same bits, a fraction of the build), so their
/// models must not warn that they are unoptimized. Every suite that makes
/// them touches this first, in its `init`; the variable is set once for the
/// whole test process, before any model is made.
enum UnoptimizedTestModels {
    static let allowed: Void = { setenv("CNNC_UNOPTIMIZED_OK", "1", 1) }()
}
