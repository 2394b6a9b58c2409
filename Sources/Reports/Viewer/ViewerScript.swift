/// The viewer page's script: decodes the sheets into one byte array per layer, checks them against
/// the checksums the page was written with, and draws the chosen plane — CT grey, dose
/// colourwash, structure contours along shown-voxel edges, orientation letters — on a canvas.
/// State (plane, slice, dose, hidden structures) lives in the URL fragment, so a view can be
/// bookmarked and a headless browser can open one: `#plane=sagittal&slice=40&dose=off&hide=Bowel`.
///
/// Written to `MarkupElement.inlineScript`, which refuses `</script`, `<!--` and `]]>`.
enum ViewerScript {
    static let source = #"""
"use strict";
// Runs on the window's load event, when every sheet image is loaded: drawing them onto a canvas
// then decodes them synchronously, so the first picture is there when `load` has been handled (a
// headless browser's screenshot waits for exactly that; `img.decode()` promises may settle later).
window.addEventListener("load", function () {
  const data = JSON.parse(document.getElementById("viewer-data").textContent);
  const status = document.getElementById("status");
  const counts = data.grid.shape;                 // shown (row, column, slice) counts
  const spacing = data.grid.spacingMM;
  const [rows, columns, slices] = counts;
  const sliceSize = rows * columns;
  const stride = [columns, 1, sliceSize];         // a layer's step along row, column, slice
  // Radiological view, as Reports/Images/SlicePlane.swift: u runs right across the image, v down
  // it; flip: the vertical axis is slices, drawn superior up.
  const planes = {
    axial: { axis: 2, u: 1, v: 0, flip: false, edges: ["R", "L", "A", "P"] },
    coronal: { axis: 0, u: 1, v: 2, flip: true, edges: ["R", "L", "S", "I"] },
    sagittal: { axis: 1, u: 0, v: 2, flip: true, edges: ["A", "P", "S", "I"] },
  };
  const structures = data.structures.map(structure => Object.assign({ shown: structure.volumeCC > 0 }, structure));
  const doseColours = data.dose ? data.dose.colours.map(hex => hex === null ? null : [1, 3, 5].map(at => parseInt(hex.slice(at, at + 2), 16))) : [];
  const state = { plane: "axial", position: data.start.slice(), dose: data.dose !== null };
  const clamp = (value, count) => Math.min(Math.max(value, 0), count - 1);

  let layers;
  try {
    layers = decodeLayers();
  } catch (error) {
    status.textContent = "Cannot draw this case: " + error.message;
    status.classList.add("error");
    return;
  }

  // Every sheet into its layer (slice-major bytes), then each layer checked against its checksum.
  function decodeLayers() {
    const images = Array.from(document.querySelectorAll("#sheets img"));
    const decoded = {};
    for (const name of Object.keys(data.layers)) decoded[name] = new Uint8Array(sliceSize * slices);
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const perSheet = data.sheets.slicesPerSheet, tiles = data.sheets.columns;
    for (const image of images) {
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const layer = decoded[image.dataset.layer], first = Number(image.dataset.sheet) * perSheet;
      for (let tile = 0; tile < perSheet && first + tile < slices; tile++) {
        const left = (tile % tiles) * columns, top = Math.floor(tile / tiles) * rows;
        for (let row = 0; row < rows; row++) {
          const from = ((top + row) * canvas.width + left) * 4, to = (first + tile) * sliceSize + row * columns;
          for (let column = 0; column < columns; column++) layer[to + column] = pixels[from + 4 * column];
        }
      }
    }
    for (const [name, layer] of Object.entries(decoded)) {
      let sum = 0;
      for (let index = 0; index < layer.length; index++) sum += layer[index] * (index % 251 + 1);
      if (sum !== data.layers[name].checksum) {
        throw new Error("the " + name + " images decoded to other values than were written (this browser altered them), so nothing is drawn.");
      }
    }
    return decoded;
  }

  const canvas = document.getElementById("view"), context = canvas.getContext("2d");
  const scratch = document.createElement("canvas"), scratchContext = scratch.getContext("2d");
  const pixelsPerMM = data.display.pixels / Math.max(...counts.map((count, axis) => count * spacing[axis]));
  const slider = document.getElementById("slice"), position = document.getElementById("position");
  const doseBox = document.getElementById("dose");
  const structureBoxes = Array.from(document.querySelectorAll("input[data-structure]"));

  // A layer offset walk over the plane through the current position: offset = base + u du + v dv.
  function walk(plane) {
    const origin = state.position.slice();
    origin[plane.u] = 0;
    origin[plane.v] = plane.flip ? counts[plane.v] - 1 : 0;
    const base = origin[2] * sliceSize + origin[0] * columns + origin[1];
    return { base: base, du: stride[plane.u], dv: plane.flip ? -stride[plane.v] : stride[plane.v] };
  }

  function draw() {
    const plane = planes[state.plane];
    const width = counts[plane.u], height = counts[plane.v];
    const { base, du, dv } = walk(plane);
    scratch.width = width;
    scratch.height = height;
    const image = scratchContext.createImageData(width, height), rgba = image.data;
    const ct = layers.ct, dose = state.dose ? layers.dose : null, opacity = data.dose ? data.dose.opacity : 0;
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        const voxel = base + u * du + v * dv, pixel = 4 * (v * width + u);
        let red = ct ? ct[voxel] : 0, green = red, blue = red;
        const colour = dose ? doseColours[dose[voxel]] : null;
        if (colour) {
          red += (colour[0] - red) * opacity;
          green += (colour[1] - green) * opacity;
          blue += (colour[2] - blue) * opacity;
        }
        rgba[pixel] = red;
        rgba[pixel + 1] = green;
        rgba[pixel + 2] = blue;
        rgba[pixel + 3] = 255;
      }
    }
    scratchContext.putImageData(image, 0, 0);
    // Square millimetres on screen: each axis scaled by its own spacing.
    canvas.width = Math.round(width * spacing[plane.u] * pixelsPerMM);
    canvas.height = Math.round(height * spacing[plane.v] * pixelsPerMM);
    context.imageSmoothingEnabled = true;
    context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
    const scaleU = canvas.width / width, scaleV = canvas.height / height;
    for (const structure of structures) {
      if (structure.shown) drawContour(structure, base, du, dv, width, height, scaleU, scaleV);
    }
    drawMarks(plane, scaleU, scaleV);
    showState(plane);
  }

  // The boundary between a structure's shown voxels and the rest, as voxel edges.
  function drawContour(structure, base, du, dv, width, height, scaleU, scaleV) {
    const bytes = layers[structure.layer], bit = 1 << structure.bit;
    const inside = (u, v) => u >= 0 && v >= 0 && u < width && v < height && (bytes[base + u * du + v * dv] & bit) !== 0;
    const path = new Path2D();
    const edge = (u0, v0, u1, v1) => { path.moveTo(u0 * scaleU, v0 * scaleV); path.lineTo(u1 * scaleU, v1 * scaleV); };
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        if (!inside(u, v)) continue;
        if (!inside(u - 1, v)) edge(u, v, u, v + 1);
        if (!inside(u + 1, v)) edge(u + 1, v, u + 1, v + 1);
        if (!inside(u, v - 1)) edge(u, v, u + 1, v);
        if (!inside(u, v + 1)) edge(u, v + 1, u + 1, v + 1);
      }
    }
    context.strokeStyle = structure.colour;
    context.lineWidth = 1.5;
    context.stroke(path);
  }

  // Orientation letters at the edges, and ticks where the other two planes cross this one.
  function drawMarks(plane, scaleU, scaleV) {
    const across = (state.position[plane.u] + 0.5) * scaleU;
    const down = ((plane.flip ? counts[plane.v] - 1 - state.position[plane.v] : state.position[plane.v]) + 0.5) * scaleV;
    context.strokeStyle = "#ffffff";
    context.lineWidth = 1;
    context.beginPath();
    for (const [x0, y0, x1, y1] of [[across, 0, across, 10], [across, canvas.height - 10, across, canvas.height],
                                     [0, down, 10, down], [canvas.width - 10, down, canvas.width, down]]) {
      context.moveTo(x0, y0);
      context.lineTo(x1, y1);
    }
    context.stroke();
    context.fillStyle = "#ffffff";
    context.font = "bold 15px sans-serif";
    context.textAlign = "center";
    context.textBaseline = "middle";
    const [left, right, top, bottom] = plane.edges;
    context.fillText(left, 14, canvas.height / 2 - 14);
    context.fillText(right, canvas.width - 14, canvas.height / 2 - 14);
    context.fillText(top, canvas.width / 2 + 14, 14);
    context.fillText(bottom, canvas.width / 2 + 14, canvas.height - 14);
  }

  // Controls, the position line and the URL fragment follow the state.
  function showState(plane) {
    const axis = plane.axis, index = state.position[axis];
    for (const radio of document.querySelectorAll("input[name=plane]")) radio.checked = radio.value === state.plane;
    slider.max = String(counts[axis] - 1);
    slider.value = String(index);
    if (doseBox) doseBox.checked = state.dose;
    for (const box of structureBoxes) box.checked = structures[Number(box.dataset.structure)].shown;
    const factor = data.grid.factors[axis], first = index * factor;
    const last = Math.min(first + factor, data.grid.caseShape[axis]) - 1;
    const name = ["row", "column", "slice"][axis];
    position.textContent = state.plane + " " + index + " of 0–" + (counts[axis] - 1) + " · case " + name + " "
      + (first === last ? first : first + "–" + last) + " · " + ((first + last) / 2 * data.grid.caseSpacingMM[axis]).toFixed(1)
      + " mm from the first " + name;
    const fragment = new URLSearchParams({ plane: state.plane, slice: String(index) });
    if (!state.dose) fragment.set("dose", "off");
    const hidden = structures.filter(structure => !structure.shown).map(structure => structure.name);
    if (hidden.length) fragment.set("hide", hidden.join(","));
    try { history.replaceState(null, "", "#" + fragment.toString()); } catch (error) { /* some browsers refuse it for file: pages */ }
  }

  function readFragment() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (planes[fragment.get("plane")]) state.plane = fragment.get("plane");
    const axis = planes[state.plane].axis, slice = Number(fragment.get("slice"));
    if (fragment.has("slice") && Number.isInteger(slice)) state.position[axis] = clamp(slice, counts[axis]);
    if (fragment.get("dose") === "off") state.dose = false;
    const hidden = (fragment.get("hide") || "").split(",");
    for (const structure of structures) if (hidden.includes(structure.name)) structure.shown = false;
  }

  function step(delta) {
    const axis = planes[state.plane].axis;
    state.position[axis] = clamp(state.position[axis] + delta, counts[axis]);
    draw();
  }

  function toggleStructure(index) {
    const structure = structures[index];
    if (structure && structure.volumeCC > 0) { structure.shown = !structure.shown; draw(); }
  }

  const keys = {
    ArrowUp: () => step(1), ArrowRight: () => step(1), ArrowDown: () => step(-1), ArrowLeft: () => step(-1),
    PageUp: () => step(10), PageDown: () => step(-10), Home: () => step(-Infinity), End: () => step(Infinity),
    a: () => { state.plane = "axial"; draw(); }, c: () => { state.plane = "coronal"; draw(); }, s: () => { state.plane = "sagittal"; draw(); },
    d: () => { if (data.dose) { state.dose = !state.dose; draw(); } },
  };
  document.addEventListener("keydown", event => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    // The focused slider steps itself on arrows, Page Up/Down, Home and End.
    if (event.target === slider && !/^[acsd1-9]$/.test(event.key)) return;
    const action = keys[event.key] || (/^[1-9]$/.test(event.key) ? () => toggleStructure(Number(event.key) - 1) : null);
    if (!action) return;
    event.preventDefault();
    action();
  });
  slider.addEventListener("input", () => step(Number(slider.value) - state.position[planes[state.plane].axis]));
  for (const radio of document.querySelectorAll("input[name=plane]")) radio.addEventListener("change", () => { state.plane = radio.value; draw(); });
  if (doseBox) doseBox.addEventListener("change", () => { state.dose = doseBox.checked; draw(); });
  for (const box of structureBoxes) box.addEventListener("change", () => toggleStructure(Number(box.dataset.structure)));
  canvas.addEventListener("click", event => {
    const plane = planes[state.plane], box = canvas.getBoundingClientRect();
    const u = Math.floor((event.clientX - box.left) / box.width * counts[plane.u]);
    const v = Math.floor((event.clientY - box.top) / box.height * counts[plane.v]);
    state.position[plane.u] = clamp(u, counts[plane.u]);
    state.position[plane.v] = clamp(plane.flip ? counts[plane.v] - 1 - v : v, counts[plane.v]);
    draw();
  });
  canvas.addEventListener("wheel", event => { event.preventDefault(); step(Math.sign(event.deltaY)); }, { passive: false });

  readFragment();
  status.textContent = "";
  draw();
  document.body.dataset.viewer = "ready";
});
"""#
}
