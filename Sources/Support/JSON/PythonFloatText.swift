/// Formats a `Double` exactly as Python's `repr(float)` does.
///
/// Canonical JSON must agree with what the pipeline's own Python would print, and with an
/// independent Python implementation in the fixture script. Swift and Python both pick the
/// shortest digit string that round-trips (ties broken towards the exact value), but they
/// switch to exponent notation at different magnitudes: Swift at 2^53 and below 1e-4,
/// Python when the decimal exponent is above 16 or below -4. `1e15` is "1e+15" in Swift
/// and "1000000000000000.0" in Python. So the digits come from Swift and the layout follows
/// CPython's `float_repr` rule (`decpt <= -4 || decpt > 16` → exponent).
public enum PythonFloatText {
    public static func repr(_ value: Double) -> String {
        // Python's spellings; canonical JSON maps these to strings before getting here.
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let sign = value.sign == .minus ? "-" : ""
        guard value != 0 else { return sign + "0.0" }
        let (digits, decimalPoint) = shortestDigits(of: value.magnitude)
        if decimalPoint <= -4 || decimalPoint > 16 {
            let exponent = decimalPoint - 1
            var mantissa = String(digits.first ?? "0")
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponentDigits = String(exponent.magnitude)
            let paddedExponent = exponentDigits.count < 2 ? "0" + exponentDigits : exponentDigits
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + paddedExponent
        }
        if decimalPoint <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits
        }
        if decimalPoint < digits.count {
            let integerPart = digits.prefix(decimalPoint)
            let fractionPart = digits.dropFirst(decimalPoint)
            return sign + integerPart + "." + fractionPart
        }
        return sign + digits + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
    }

    /// The shortest round-trip significant digits of a positive finite value, without
    /// leading or trailing zeros, and the position of the decimal point relative to them
    /// (value = 0.DIGITS × 10^decimalPoint), read back from Swift's own shortest output.
    private static func shortestDigits(of value: Double) -> (digits: String, decimalPoint: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts.first ?? Substring(text)
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let integerDigitCount = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Substring(mantissa.filter { $0 != "." })
        var decimalPoint = integerDigitCount + exponent
        while digits.first == "0" {
            digits = digits.dropFirst()
            decimalPoint -= 1
        }
        while digits.last == "0" { digits = digits.dropLast() }
        return (String(digits), decimalPoint)
    }
}
