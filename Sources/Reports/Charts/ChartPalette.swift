/// Okabe–Ito's colour-blind-safe colours (Okabe & Ito 2008, "Color Universal Design") and the greys
/// the charts draw with.
public enum ChartPalette {
    public static let black = "#000000"
    public static let orange = "#E69F00"
    public static let skyBlue = "#56B4E9"
    public static let bluishGreen = "#009E73"
    public static let yellow = "#F0E442"
    public static let blue = "#0072B2"
    public static let vermillion = "#D55E00"
    public static let reddishPurple = "#CC79A7"

    /// Series colours in order: blue and vermillion first, the pair every kind of colour blindness
    /// tells apart; yellow last, as it is faint on white.
    public static let categorical = [blue, vermillion, bluishGreen, reddishPurple, orange, skyBlue, black, yellow]

    public static let text = "#222222"
    public static let axis = "#555555"
    public static let grid = "#E3E3E3"
    public static let notEvaluated = "#E0E0E0"

    /// The `index`-th series colour, repeating after eight.
    public static func colour(at index: Int) -> String {
        categorical[((index % categorical.count) + categorical.count) % categorical.count]
    }

    /// A fixed colour per structure of the case format, so every DVH in a report reads the same. Structures
    /// that are read together get distant hues: the three nested PTVs, the two femoral heads, and
    /// rectum beside bladder. Other names take the categorical colour at `index`.
    public static func structureColour(_ structure: String, index: Int) -> String {
        switch structure {
        case "PTV70": vermillion
        case "PTV56": bluishGreen
        case "PTV50.4": reddishPurple
        case "Rectum": blue
        case "Bladder": orange
        case "Femur_L": skyBlue
        case "Femur_R": black
        case "Bowel": yellow
        // The ninth standard structure: the eight Okabe–Ito hues are taken, and the prostate lies
        // inside PTV70, so a neutral grey keeps it apart from every target.
        case "Prostate": "#8C8C8C"
        default: colour(at: index)
        }
    }

    /// `hex` mixed with white: `amount` 0 is white, 1 the colour itself. Anything but `#RRGGBB` comes
    /// back unchanged.
    public static func tint(_ hex: String, _ amount: Double) -> String {
        let digits = Array(hex.utf8.dropFirst())
        guard hex.hasPrefix("#"), digits.count == 6,
            let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16)
        else {
            return hex
        }
        let share = min(1, max(0, amount))
        let channels = [value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF].map { channel in
            Int((255 - (255 - Double(channel)) * share).rounded())
        }
        return "#"
            + channels.map { channel in
                let text = String(channel, radix: 16, uppercase: true)
                return text.count == 1 ? "0" + text : text
            }.joined()
    }
}
