/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast, seedable generator whose output
/// is the same on every platform and Swift version, which `SystemRandomNumberGenerator`
/// and Foundation's generators are not.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for item `index` of a stream seeded with `seed`: independent of how
    /// many items come before it, so record 17 is the same whether 20 or 20 million are
    /// generated.
    ///
    /// Every SplitMix64 sequence is the same cycle entered at a different place (the state
    /// only ever grows by the same constant), so streams must start at unrelated places:
    /// seeding item `i` with `base + i * constant` would make item `i + 1`'s numbers those of
    /// item `i` shifted by one. The start is a hash of the seed and the index instead.
    public init(seed: UInt64, stream index: UInt64) {
        state = Self.mix(Self.mix(seed ^ 0x6A09_E667_F3BC_C909) ^ Self.mix(index &+ 0xBB67_AE85_84CA_A73B))
    }

    /// SplitMix64's output function: a bijective 64-bit mixer.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `range` (Lemire's multiply-shift; the tiny bias is irrelevant
    /// here and keeps the output independent of the standard library's algorithm).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let product = next().multipliedFullWidth(by: span)
        return range.lowerBound + Int(product.high)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        nextUnit() < p
    }

    /// A uniformly chosen element.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[int(in: 0...(items.count - 1))]
    }

    /// `count` distinct elements of `items` (in the order drawn).
    public mutating func pickDistinct<T: Hashable>(_ items: [T], count: Int) -> [T] {
        var chosen: [T] = []
        var seen = Set<T>()
        let wanted = min(count, items.count)
        while chosen.count < wanted {
            let item = pick(items)
            if seen.insert(item).inserted { chosen.append(item) }
        }
        return chosen
    }
}

/// Samples ranks 0..<n with probability proportional to 1 / (rank + 1)^exponent.
public struct ZipfSampler: Sendable {
    /// Cumulative probabilities, the last one 1.
    private let cumulative: [Double]

    public init(count: Int, exponent: Double = 1.0) {
        precondition(count > 0)
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for rank in 0..<count {
            let weight = 1.0 / _pow(Double(rank + 1), exponent)
            total += weight
            weights[rank] = total
        }
        cumulative = weights.map { $0 / total }
    }

    public var count: Int { cumulative.count }

    public func sample(_ rng: inout SplitMix64) -> Int {
        let u = rng.nextUnit()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < u { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// x^y for the exponents used here, without importing Foundation into this file.
@inline(__always)
func _pow(_ x: Double, _ y: Double) -> Double {
    if y == 1 { return x }
    // exp(y * ln x) through the standard library's elementary functions is not available
    // without Foundation/Numerics; a handful of exponents is all we need.
    return Double.exp(y * Double.log(x))
}

extension Double {
    /// Natural logarithm by argument reduction and the atanh series (accurate to ~1e-15).
    static func log(_ x: Double) -> Double {
        precondition(x > 0)
        let exponent = Double(x.exponent)
        let mantissa = x.significand  // in [1, 2)
        let t = (mantissa - 1) / (mantissa + 1)
        let t2 = t * t
        var term = t
        var sum = 0.0
        var k = 1.0
        while abs(term / k) > 1e-17 {
            sum += term / k
            term *= t2
            k += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }

    /// e^x by range reduction to [-ln2/2, ln2/2] and a Taylor series.
    static func exp(_ x: Double) -> Double {
        let ln2 = 0.693_147_180_559_945_3
        let n = (x / ln2).rounded()
        let r = x - n * ln2
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while abs(term) > 1e-17 {
            term *= r / k
            sum += term
            k += 1
        }
        return Double(sign: .plus, exponent: Int(n), significand: sum)
    }
}
