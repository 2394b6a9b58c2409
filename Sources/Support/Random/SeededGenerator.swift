/// dosecurate's random numbers (phantom cohorts, bootstrap resamples): a documented algorithm, not
/// the platform RNG, so the same seed gives the same numbers on every machine and every Swift
/// version, and a NumPy script can replay them.
///
/// Algorithm: xoshiro256** (Blackman & Vigna, 2018) whose 256-bit state is filled by SplitMix64
/// from `seed` and `stream` (SplitMix64 of the seed, then of the stream XOR-ed in, then four
/// outputs). Derived values use only integer arithmetic and IEEE +, −, ×, ÷, which round the same
/// everywhere; nothing here calls libm, whose last bits may differ between platforms.
public struct SeededGenerator: Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for one purpose (`stream`) of one seed: streams never overlap in
    /// practice and adding a stream never changes another's numbers.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SplitMix64(state: seed)
        mixer.state = mixer.next() ^ stream
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }

    /// Uniform in [0, 1): the top 53 bits as a fraction, exact in binary64.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lower, upper).
    public mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double { lower + (upper - lower) * nextUnit() }

    /// Uniform integer in 0..<bound, without modulo bias (rejection of the short top range).
    public mutating func nextInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let value = next()
            if value < limit { return value % bound }
        }
    }

    /// Approximately standard normal: the Irwin–Hall sum of 12 uniforms minus 6 (mean 0, variance
    /// 1, tails cut at ±6). Chosen over Box–Muller because it needs no log, sin or cos.
    public mutating func nextGaussian() -> Double {
        var sum = 0.0
        for _ in 0..<12 { sum += nextUnit() }
        return sum - 6
    }
}

/// SplitMix64 (Steele, Lea & Flood, 2014), used only to seed xoshiro256**.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private extension UInt64 {
    func rotatedLeft(by count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
