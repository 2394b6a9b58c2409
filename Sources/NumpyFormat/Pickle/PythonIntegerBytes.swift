/// Python ints in LONG1/LONG4 form: little-endian two's complement of any length.
///
/// Metadata rarely holds ints beyond 64 bits, but the spec lists them ("big ints"), so
/// they are converted to and from decimal text exactly, with a small schoolbook bignum
/// over 32-bit limbs. Lengths are bounded by `PickleLimits.maxIntegerBytes` before this runs.
enum PythonIntegerBytes {
    /// Decodes two's-complement bytes into `.int` when the value fits `Int64`, else `.bigInt`.
    static func decode(_ bytes: ArraySlice<UInt8>) -> MetadataValue {
        guard let last = bytes.last else { return .int(0) }
        let negative = last & 0x80 != 0
        // Magnitude bytes, little-endian: the value itself, or its two's-complement negation.
        var magnitude = Array(bytes)
        if negative { negateTwosComplement(&magnitude) }
        while magnitude.last == 0 { magnitude.removeLast() }
        if magnitude.count <= 8 {
            var value: UInt64 = 0
            for byte in magnitude.reversed() { value = value << 8 | UInt64(byte) }
            if !negative, let small = Int64(exactly: value) { return .int(small) }
            if negative, value <= UInt64(Int64.max) + 1 {
                return .int(value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value))
            }
        }
        var limbs: [UInt32] = []
        limbs.reserveCapacity(magnitude.count / 4 + 1)
        var index = 0
        while index < magnitude.count {
            var limb: UInt32 = 0
            for shift in 0..<4 where index + shift < magnitude.count {
                limb |= UInt32(magnitude[index + shift]) << UInt32(8 * shift)
            }
            limbs.append(limb)
            index += 4
        }
        return .bigInt((negative ? "-" : "") + decimalText(ofMagnitude: limbs))
    }

    /// The bytes CPython writes for an int: `nbits / 8 + 1` bytes of two's complement, one
    /// fewer for a negative value whose top byte is pure sign (`_pickle.c` `save_long`).
    /// Nil for `.bigInt` text that is not a decimal integer.
    static func encode(_ value: MetadataValue) -> [UInt8]? {
        let negative: Bool
        var limbs: [UInt32]
        switch value {
        case .int(let integer):
            negative = integer < 0
            let magnitude = integer.magnitude
            limbs = [UInt32(truncatingIfNeeded: magnitude), UInt32(truncatingIfNeeded: magnitude >> 32)]
        case .bigInt(let digits):
            guard let parsed = magnitudeLimbs(ofDecimal: digits) else { return nil }
            negative = parsed.negative
            limbs = parsed.limbs
        default:
            return nil
        }
        while limbs.last == 0 { limbs.removeLast() }
        guard let top = limbs.last else { return [] }  // zero: CPython writes LONG1 with 0 bytes
        let bitCount = (limbs.count - 1) * 32 + (32 - top.leadingZeroBitCount)
        var byteCount = bitCount / 8 + 1
        var bytes = [UInt8](repeating: 0, count: byteCount)
        for (limbIndex, limb) in limbs.enumerated() {
            for shift in 0..<4 where limbIndex * 4 + shift < byteCount {
                bytes[limbIndex * 4 + shift] = UInt8(truncatingIfNeeded: limb >> UInt32(8 * shift))
            }
        }
        if negative {
            negateTwosComplement(&bytes)
            if byteCount > 1, bytes[byteCount - 1] == 0xFF, bytes[byteCount - 2] & 0x80 != 0 {
                byteCount -= 1
                bytes.removeLast()
            }
        }
        return bytes
    }

    /// Parses `-?[0-9]+` into a sign and little-endian 32-bit limbs.
    static func magnitudeLimbs(ofDecimal text: String) -> (negative: Bool, limbs: [UInt32])? {
        let negative = text.hasPrefix("-")
        let digits = negative ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty else { return nil }
        var limbs: [UInt32] = [0]
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            var carry = UInt64(digit - UInt8(ascii: "0"))
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * 10 + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 { limbs.append(UInt32(carry)) }
        }
        return (negative, limbs)
    }

    /// Decimal digits of a little-endian limb magnitude, by repeated division by 10^9.
    static func decimalText(ofMagnitude limbs: [UInt32]) -> String {
        var remainingLimbs = limbs
        while remainingLimbs.last == 0 { remainingLimbs.removeLast() }
        guard !remainingLimbs.isEmpty else { return "0" }
        var chunks: [UInt32] = []
        while !remainingLimbs.isEmpty {
            var remainder: UInt64 = 0
            for index in remainingLimbs.indices.reversed() {
                let dividend = remainder << 32 | UInt64(remainingLimbs[index])
                remainingLimbs[index] = UInt32(dividend / 1_000_000_000)
                remainder = dividend % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while remainingLimbs.last == 0 { remainingLimbs.removeLast() }
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }

    /// Normalises decimal text (from a protocol-0 INT/LONG opcode) into `.int` or a
    /// canonical `.bigInt`; nil when it is not an integer.
    static func value(ofDecimal text: String) -> MetadataValue? {
        if let small = Int64(text) { return .int(small) }
        guard let parsed = magnitudeLimbs(ofDecimal: text.hasPrefix("+") ? String(text.dropFirst()) : text) else { return nil }
        let digits = decimalText(ofMagnitude: parsed.limbs)
        if let small = Int64((parsed.negative ? "-" : "") + digits) { return .int(small) }
        return .bigInt((parsed.negative && digits != "0" ? "-" : "") + digits)
    }

    /// Negates a little-endian two's-complement number in place (invert, add one).
    private static func negateTwosComplement(_ bytes: inout [UInt8]) {
        var carry = true
        for index in bytes.indices {
            bytes[index] = ~bytes[index]
            if carry {
                bytes[index] = bytes[index] &+ 1
                carry = bytes[index] == 0
            }
        }
    }
}
