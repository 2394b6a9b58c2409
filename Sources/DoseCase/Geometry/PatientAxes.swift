/// The pipeline's geometry convention (spec: npz-case-format.md, "Keys"): every volume is indexed
/// (Y = row, X = column, Z = slice) for a head-first-supine patient with identity orientation.
/// No origin or orientation is stored in a case, so this convention is all there is.
public enum PatientAxes {
    /// Array axis of rows; increasing row index = patient posterior.
    public static let row = 0
    /// Array axis of columns; increasing column index = patient LEFT.
    public static let column = 1
    /// Array axis of slices; increasing slice index = superior.
    public static let slice = 2

    /// Which side of the patient a column lies on, relative to a reference column (for example
    /// the body's or the prostate's centroid column).
    public static func side(ofColumn column: Double, relativeTo reference: Double) -> PatientSide {
        column > reference ? .left : (column < reference ? .right : .midline)
    }

    /// Whether structure A lies to the patient's left of structure B, from their centroid columns.
    public static func isPatientLeft(column a: Double, of b: Double) -> Bool { a > b }
}

public enum PatientSide: String, Sendable, Codable {
    case left, right, midline
}
