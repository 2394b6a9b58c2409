/// The viewer page's CSS: image and controls on the left, a scrolling side panel on the right,
/// stacked on a narrow screen.
enum ViewerStyle {
    // No '<', '>' or '&' here: HTML reads inline CSS as raw text (MarkupDocument checks).
    static let css = """
        body { font-family: sans-serif; color: #1a1a1a; margin: 1em auto; max-width: 1320px; padding: 0 1em; line-height: 1.35; }
        h1 { font-size: 1.5em; margin: 0 0 0.1em; }
        h2 { font-size: 1.05em; margin: 1em 0 0.4em; border-bottom: 1px solid #ccc; padding-bottom: 0.15em; }
        .subtitle { color: #555; margin: 0; overflow-wrap: anywhere; }
        ul.notes { color: #444; font-size: 0.9em; margin: 0.4em 0; padding-left: 1.2em; }
        .viewer { display: grid; grid-template-columns: minmax(0, max-content) minmax(280px, 420px); gap: 1.5em; align-items: start; margin-top: 0.8em; }
        @media (max-width: 1000px) { .viewer { grid-template-columns: minmax(0, 1fr); } }
        .controls { display: flex; flex-wrap: wrap; gap: 0.6em 1.4em; align-items: center; }
        fieldset.planes { border: none; margin: 0; padding: 0; display: flex; gap: 0.8em; }
        fieldset.planes legend { float: left; font-weight: bold; margin-right: 0.6em; padding: 0; }
        .slider input { width: 260px; vertical-align: middle; }
        .position { font-family: monospace; margin: 0.4em 0; min-height: 1.3em; }
        canvas#view { display: block; background: #000; max-width: 100%; height: auto; cursor: crosshair; }
        .status { color: #555; }
        .status.error { color: #b00020; font-weight: bold; }
        .keys { font-size: 0.85em; color: #555; max-width: 640px; }
        aside { max-height: 92vh; overflow-y: auto; padding-right: 0.3em; }
        ul.structures { list-style: none; padding: 0; margin: 0; }
        ul.structures li { display: flex; justify-content: space-between; gap: 1em; padding: 0.1em 0; }
        .swatch { display: inline-block; width: 0.9em; height: 0.9em; margin: 0 0.4em 0 0.3em; vertical-align: -0.1em; border: 1px solid #888; }
        .volume { color: #555; font-size: 0.9em; }
        .colour-bar svg { display: block; }
        .caption { font-size: 0.85em; color: #444; }
        table.findings { border-collapse: collapse; font-size: 0.85em; width: 100%; }
        table.findings th, table.findings td { border: 1px solid #ddd; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
        table.findings thead th { background: #f0f0f0; }
        tr.error td:first-child { color: #b00020; font-weight: bold; }
        tr.warning td:first-child { color: #9a5b00; font-weight: bold; }
        p.clean { color: #1b6e20; }
        dl.metadata { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.1em 0.8em; margin: 0; font-size: 0.85em; }
        dl.metadata dt { font-weight: bold; }
        dl.metadata dd { margin: 0; font-family: monospace; overflow-wrap: anywhere; }
        details summary { cursor: pointer; color: #333; }
        footer { margin-top: 2em; color: #777; font-size: 0.85em; }
        """
}
