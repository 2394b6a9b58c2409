import Audit

/// A `ValueHistogram` (the checks' own) as a line over its bin centres, each point the share of
/// the counted values in that bin; `merging` adjacent bins into one for display (the CT's
/// 0.001-wide bins into 0.01).
enum EvidenceHistogram {
    static func points(_ histogram: ValueHistogram, merging: Int = 1) -> [LineChart.Point] {
        let group = max(1, merging), total = Double(max(histogram.total, 1))
        return stride(from: 0, to: histogram.counts.count, by: group).map { first in
            let last = min(first + group, histogram.counts.count)
            let count = histogram.counts[first..<last].reduce(0, +)
            let centre = histogram.lower + (Double(first) + Double(last - first) / 2) * histogram.width
            return LineChart.Point(x: centre, y: 100 * Double(count) / total)
        }
    }
}
