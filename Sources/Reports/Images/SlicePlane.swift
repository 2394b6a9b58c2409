import DoseCase

/// The three orthogonal planes, drawn in the radiological convention: the viewer faces the
/// patient (feet first in axial views), so the patient's left is on the image's right. With the
/// case format's axes (spec npz-case-format.md, "Keys": column ↑ = patient left, row ↑ =
/// posterior, slice ↑ = superior, head-first supine):
/// - axial (one slice): image x = column, image y = row — patient right on the left, anterior at the top;
/// - coronal (one row): image x = column, image y = slice from the top down — superior up, patient left on the right;
/// - sagittal (one column): image x = row, image y = slice from the top down — superior up, anterior on the left.
public enum SlicePlane: String, Sendable, CaseIterable {
    case axial, coronal, sagittal

    /// "Axial", for panel titles.
    public var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// The patient direction at each edge of the image: "R"/"L", "A"/"P", "S"/"I".
    public var edgeLetters: (left: String, right: String, top: String, bottom: String) {
        switch self {
        case .axial: ("R", "L", "A", "P")
        case .coronal: ("R", "L", "S", "I")
        case .sagittal: ("A", "P", "S", "I")
        }
    }

    /// The grid axis (`PatientAxes`) held fixed by the plane.
    public var fixedAxis: Int {
        switch self {
        case .axial: PatientAxes.slice
        case .coronal: PatientAxes.row
        case .sagittal: PatientAxes.column
        }
    }

    /// The grid axis running left to right across the image (index ascending to the right).
    var horizontalAxis: Int { self == .sagittal ? PatientAxes.row : PatientAxes.column }

    /// The grid axis running down the image.
    var verticalAxis: Int { self == .axial ? PatientAxes.row : PatientAxes.slice }

    /// Whether the vertical axis's index grows upwards (slices: superior up) rather than down (rows: anterior at the top).
    var verticalIndexGrowsUp: Bool { verticalAxis == PatientAxes.slice }
}
