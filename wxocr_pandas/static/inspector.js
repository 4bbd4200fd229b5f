// The inspector's image view and item table: an anywidget front-end module (no build step).
//
// Python (wxocr_pandas/widgets.py, class ReviewView) owns the data: the picture, its items,
// corrections. This module draws them and sends back what the reviewer does: a selection as
// [image_id, item], and corrections / accepts as messages naming their image_id, so a
// correction made on one image can never be stored under another.

const SVG_NS = "http://www.w3.org/2000/svg";
// ColorBrewer RdYlGn, low scores red, high scores green.
const STOPS = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];
const MAX_ZOOM = 40;
const LABEL_PX = 13;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function mix(a, b, t) {
  const channel = (hex, i) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) => Math.round(channel(a, i) + (channel(b, i) - channel(a, i)) * t));
  return `rgb(${out.join(",")})`;
}

export function scoreColor(score, low, high) {
  if (score === null || score === undefined || Number.isNaN(score)) return "rgb(128,128,128)";
  const t = high > low ? Math.min(Math.max((score - low) / (high - low), 0), 1) : 1;
  const at = t * (STOPS.length - 1);
  const i = Math.min(Math.floor(at), STOPS.length - 2);
  return mix(STOPS[i], STOPS[i + 1], at - i);
}

// Four decimals, cut rather than rounded, so 0.99995 never reads as a perfect 1.0000.
function formatScore(score) {
  return score === null || score === undefined ? "–" : (Math.floor(score * 1e4) / 1e4).toFixed(4);
}

function render({ model, el: host }) {
  const state = { zoom: 1, tx: 0, ty: 0, base: 1, editing: null, drag: null, url: null };

  // -- the DOM --------------------------------------------------------------------------------
  const labelsBox = el("input", { type: "checkbox", class: "wxocr-labels" });
  const filterInput = el("input", { type: "search", class: "wxocr-filter", placeholder: "text contains…" });
  const minInput = el("input", { type: "number", class: "wxocr-score-min", step: "0.01", min: "0", max: "1" });
  const maxInput = el("input", { type: "number", class: "wxocr-score-max", step: "0.01", min: "0", max: "1" });
  const reviewBox = el("input", { type: "checkbox", class: "wxocr-review" });
  const thresholdInput = el("input", { type: "number", class: "wxocr-threshold", step: "0.01", min: "0", max: "1" });
  const legend = el("span", { class: "wxocr-legend" });
  const zoomLabel = el("span", { class: "wxocr-zoom" }, "100%");
  const button = (text, title, onClick) => {
    const node = el("button", { type: "button", title }, text);
    node.addEventListener("click", onClick);
    return node;
  };
  const toolbar = el("div", { class: "wxocr-toolbar" },
    el("label", {}, labelsBox, " labels"),
    filterInput,
    el("label", { title: "score range shown" }, "score ", minInput, "–", maxInput),
    el("label", { title: "review mode: only items below the threshold, lowest first" },
      reviewBox, " review < ", thresholdInput),
    button("−", "zoom out (-)", () => zoomBy(1 / 1.5)),
    zoomLabel,
    button("+", "zoom in (+)", () => zoomBy(1.5)),
    button("fit", "whole image (0)", () => setZoom(1)),
    legend);

  const image = svg("image", { preserveAspectRatio: "none" });
  const boxes = svg("g", { class: "wxocr-boxes" });
  const labels = svg("g", { class: "wxocr-label-layer" });
  const view = svg("svg", { class: "wxocr-image-view" });
  view.append(image, boxes, labels);
  const busy = el("div", { class: "wxocr-busy" }, "reading…");
  const tooltip = el("div", { class: "wxocr-tooltip" });
  const viewport = el("div", { class: "wxocr-viewport" }, view, busy, tooltip);

  const editInput = el("input", { type: "text", class: "wxocr-edit-input" });
  const editLabel = el("span", { class: "wxocr-edit-label" });
  const editor = el("div", { class: "wxocr-editor" }, editLabel, editInput,
    button("save", "save the correction (Enter)", () => commitEdit()),
    button("cancel", "cancel (Esc)", () => closeEditor()));
  const columns = [["item", "#"], ["text", "text"], ["score", "score"], ["x", "x"], ["y", "y"]];
  const headRow = el("tr", {});
  for (const [key, title] of columns) {
    const th = el("th", { "data-key": key, title: `sort by ${title}` }, title);
    th.addEventListener("click", () => {
      if (model.get("sort_by") === key) model.set("ascending", !model.get("ascending"));
      else { model.set("sort_by", key); model.set("ascending", true); }
      model.save_changes();
    });
    headRow.append(th);
  }
  const tbody = el("tbody", {});
  const table = el("table", { class: "wxocr-table" }, el("thead", {}, headRow), tbody);
  const tableWrap = el("div", { class: "wxocr-table-wrap" }, table);
  const keysHelp = el("div", { class: "wxocr-keys" },
    "keys: j/↓ next · k/↑ previous · n next low score · e edit · a accept · +/− zoom · 0 fit · l labels");
  const side = el("div", { class: "wxocr-side" }, editor, tableWrap, keysHelp);
  const body = el("div", { class: "wxocr-body" }, viewport, side);
  const root = el("div", { class: "wxocr-inspector", tabindex: "0" }, toolbar, body);
  host.append(root);

  // -- data -----------------------------------------------------------------------------------
  const items = () => model.get("items");
  const selectedItem = () => {
    const selection = model.get("selection");
    return selection && selection[0] === model.get("image_id") ? selection[1] : null;
  };
  const shownText = (it) => (it.corrected ?? it.text);
  const visible = () => {
    const needle = model.get("text_filter").trim().toLowerCase();
    const low = model.get("score_min"), high = model.get("score_max");
    const review = model.get("review"), threshold = model.get("threshold");
    let rows = items().filter((it) => {
      if (needle && !shownText(it).toLowerCase().includes(needle)) return false;
      if (it.score === null) return !review;
      if (review && !(it.score < threshold)) return false;
      return it.score >= low && it.score <= high;
    });
    const key = review ? "score" : model.get("sort_by");
    const sign = review || model.get("ascending") ? 1 : -1;
    const value = (it) => (key === "text" ? shownText(it) : it[key]);
    rows = [...rows].sort((a, b) => {
      const va = value(a), vb = value(b);
      if (va === vb) return a.item - b.item;
      if (va === null) return 1;
      if (vb === null) return -1;
      return (va < vb ? -1 : 1) * sign;
    });
    return rows;
  };
  const lowQueue = () => items()
    .filter((it) => it.score !== null && it.score < model.get("threshold") && !it.accepted && it.corrected === null)
    .sort((a, b) => a.score - b.score || a.item - b.item);

  // -- geometry -------------------------------------------------------------------------------
  const size = () => [Math.max(model.get("img_w"), 1), Math.max(model.get("img_h"), 1)];
  function fit() {
    const [w, h] = size();
    const width = Math.max(body.clientWidth - side.offsetWidth - 12, 200);
    const height = Math.max(window.innerHeight * 0.7, 240);
    state.base = Math.min(width / w, height / h);
    // The viewport is exactly the image at zoom 1: no margins, true aspect ratio.
    viewport.style.width = `${w * state.base}px`;
    viewport.style.height = `${h * state.base}px`;
    view.setAttribute("width", w * state.base);
    view.setAttribute("height", h * state.base);
    view.setAttribute("viewBox", `0 0 ${w} ${h}`);
    image.setAttribute("width", w);
    image.setAttribute("height", h);
    clampPan();
    applyTransform();
  }
  function clampPan() {
    const [w, h] = size();
    const shownW = w * state.base * state.zoom, shownH = h * state.base * state.zoom;
    state.tx = Math.min(0, Math.max(state.tx, w * state.base - shownW));
    state.ty = Math.min(0, Math.max(state.ty, h * state.base - shownH));
  }
  function applyTransform() {
    view.style.transform = `translate(${state.tx}px, ${state.ty}px) scale(${state.zoom})`;
    zoomLabel.textContent = `${Math.round(state.zoom * 100)}%`;
    // Labels keep one size on screen whatever the zoom.
    labels.setAttribute("font-size", LABEL_PX / (state.base * state.zoom));
    if (Math.abs(model.get("zoom") - state.zoom) > 1e-9) {
      model.set("zoom", state.zoom);
      model.save_changes();
    }
  }
  function setZoom(zoom, cx = null, cy = null) {
    const [w, h] = size();
    const x = cx ?? (w * state.base) / 2, y = cy ?? (h * state.base) / 2;
    const next = Math.min(Math.max(zoom, 1), MAX_ZOOM);
    // Keep the point under (cx, cy) in place.
    state.tx = x - ((x - state.tx) * next) / state.zoom;
    state.ty = y - ((y - state.ty) * next) / state.zoom;
    state.zoom = next;
    clampPan();
    applyTransform();
  }
  const zoomBy = (factor) => setZoom(state.zoom * factor);
  function reveal(it) {
    // Pan (never zoom) so the item's box is inside the viewport.
    const xs = it.corners.map((p) => p[0]), ys = it.corners.map((p) => p[1]);
    const k = state.base * state.zoom;
    const [w, h] = size();
    const left = Math.min(...xs) * k + state.tx, right = Math.max(...xs) * k + state.tx;
    const top = Math.min(...ys) * k + state.ty, bottom = Math.max(...ys) * k + state.ty;
    const vw = w * state.base, vh = h * state.base;
    if (left < 0 || right > vw) state.tx -= (left + right) / 2 - vw / 2;
    if (top < 0 || bottom > vh) state.ty -= (top + bottom) / 2 - vh / 2;
    clampPan();
    applyTransform();
  }

  // -- drawing --------------------------------------------------------------------------------
  function drawPicture() {
    if (state.url) URL.revokeObjectURL(state.url);
    state.url = null;
    const data = model.get("picture");
    if (data && data.byteLength) {
      state.url = URL.createObjectURL(new Blob([data], { type: `image/${model.get("picture_format")}` }));
      image.setAttribute("href", state.url);
    } else {
      image.removeAttribute("href");
    }
    state.zoom = 1; state.tx = 0; state.ty = 0;
    fit();
  }
  function drawLegend() {
    const [low, high] = model.get("color_range");
    legend.replaceChildren(
      el("span", {}, `score ${formatScore(low)}`),
      el("span", { class: "wxocr-ramp", style: `background: linear-gradient(to right, ${STOPS.join(",")})` }),
      el("span", {}, formatScore(high)));
  }
  function drawItems() {
    const [low, high] = model.get("color_range");
    const shown = visible();
    const chosen = selectedItem();
    boxes.replaceChildren();
    labels.replaceChildren();
    for (const it of shown) {
      const color = scoreColor(it.score, low, high);
      const classes = ["wxocr-box"];
      if (it.item === chosen) classes.push("selected");
      if (it.corrected !== null) classes.push("corrected");
      if (it.accepted) classes.push("accepted");
      const polygon = svg("polygon", {
        points: it.corners.map((p) => p.join(",")).join(" "),
        class: classes.join(" "), "data-item": it.item, stroke: color, fill: color,
      });
      polygon.addEventListener("click", (event) => {
        if (state.drag && state.drag.moved) return;
        event.stopPropagation();
        select(it.item, false);
      });
      polygon.addEventListener("pointerenter", () => showTooltip(it));
      polygon.addEventListener("pointerleave", () => tooltip.classList.remove("shown"));
      boxes.append(polygon);
      if (model.get("labels") || it.item === chosen) {
        const [x, y] = it.corners[0];
        const text = svg("text", { x, y, class: classes.join(" ").replace("wxocr-box", "wxocr-label") });
        text.textContent = (it.corrected !== null ? "✎ " : "") + shownText(it);
        labels.append(text);
      }
    }
  }
  function showTooltip(it) {
    const fixed = it.corrected !== null ? ` → ${it.corrected}` : "";
    tooltip.textContent = `#${it.item} ${it.text}${fixed} · score ${formatScore(it.score)}`;
    tooltip.classList.add("shown");
  }
  function drawTable() {
    const chosen = selectedItem();
    const key = model.get("review") ? "score" : model.get("sort_by");
    const up = model.get("review") || model.get("ascending");
    for (const th of headRow.children) {
      th.classList.toggle("sorted", th.dataset.key === key);
      th.dataset.direction = th.dataset.key === key ? (up ? "▲" : "▼") : "";
    }
    tbody.replaceChildren();
    for (const it of visible()) {
      const textCell = el("td", { class: "wxocr-text" }, shownText(it));
      if (it.corrected !== null) textCell.append(el("del", {}, it.text));
      const row = el("tr", { "data-item": it.item },
        el("td", {}, `${it.item}${it.accepted ? " ✓" : ""}${it.corrected !== null ? " ✎" : ""}`),
        textCell,
        el("td", { class: "wxocr-score", style: `border-left: 6px solid ${scoreColor(it.score, ...model.get("color_range"))}` }, formatScore(it.score)),
        el("td", {}, Math.round(it.x)), el("td", {}, Math.round(it.y)));
      if (it.item === chosen) row.classList.add("selected");
      if (it.corrected !== null) row.classList.add("corrected");
      if (it.accepted) row.classList.add("accepted");
      row.addEventListener("click", () => select(it.item, true));
      row.addEventListener("dblclick", () => openEditor());
      tbody.append(row);
    }
    const row = tbody.querySelector("tr.selected");
    if (row) {
      // Scroll the table itself, never the page around the notebook.
      const top = row.offsetTop - table.tHead.offsetHeight, bottom = row.offsetTop + row.offsetHeight;
      if (top < tableWrap.scrollTop) tableWrap.scrollTop = top;
      else if (bottom > tableWrap.scrollTop + tableWrap.clientHeight) tableWrap.scrollTop = bottom - tableWrap.clientHeight;
    }
  }
  function drawControls() {
    labelsBox.checked = model.get("labels");
    reviewBox.checked = model.get("review");
    if (document.activeElement !== filterInput) filterInput.value = model.get("text_filter");
    if (document.activeElement !== minInput) minInput.value = model.get("score_min");
    if (document.activeElement !== maxInput) maxInput.value = model.get("score_max");
    if (document.activeElement !== thresholdInput) thresholdInput.value = model.get("threshold");
    root.classList.toggle("busy", model.get("busy"));
    root.classList.toggle("reviewing", model.get("review"));
  }
  function redraw() {
    drawControls();
    drawLegend();
    drawItems();
    drawTable();
  }

  // -- actions --------------------------------------------------------------------------------
  function select(item, fromTable) {
    model.set("selection", item === null ? null : [model.get("image_id"), item]);
    model.save_changes();
    const it = items().find((candidate) => candidate.item === item);
    if (it && fromTable) reveal(it);
  }
  function step(offset) {
    const rows = visible();
    if (!rows.length) return;
    const at = rows.findIndex((it) => it.item === selectedItem());
    const next = at < 0 ? (offset > 0 ? 0 : rows.length - 1) : Math.min(Math.max(at + offset, 0), rows.length - 1);
    select(rows[next].item, true);
  }
  function nextLow(skip = null) {
    const queue = lowQueue().filter((it) => it.item !== skip);
    if (!queue.length) return;
    const at = queue.findIndex((it) => it.item === selectedItem());
    select(queue[(at + 1) % queue.length].item, true);
  }
  function openEditor() {
    const item = selectedItem();
    const it = items().find((candidate) => candidate.item === item);
    if (!it) return;
    state.editing = { imageId: model.get("image_id"), item };
    editLabel.textContent = `#${item} (read “${it.text}”)`;
    editInput.value = shownText(it);
    editor.classList.add("open");
    editInput.focus();
    editInput.select();
  }
  function closeEditor() {
    state.editing = null;
    editor.classList.remove("open");
    root.focus({ preventScroll: true });
  }
  function commitEdit() {
    if (!state.editing) return;
    model.send({ kind: "correct", image_id: state.editing.imageId, item: state.editing.item, text: editInput.value });
    closeEditor();
  }
  function accept() {
    const item = selectedItem();
    if (item === null) return;
    model.send({ kind: "accept", image_id: model.get("image_id"), item });
    nextLow(item);
  }

  // -- events ---------------------------------------------------------------------------------
  const keys = {
    j: () => step(1), ArrowDown: () => step(1), k: () => step(-1), ArrowUp: () => step(-1),
    n: () => nextLow(), e: () => openEditor(), Enter: () => openEditor(), a: () => accept(),
    "+": () => zoomBy(1.5), "=": () => zoomBy(1.5), "-": () => zoomBy(1 / 1.5), 0: () => setZoom(1),
    l: () => { model.set("labels", !model.get("labels")); model.save_changes(); },
    Escape: () => select(null, false),
  };
  root.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return; // Ctrl+S, Shift+Enter... stay JupyterLab's
    if (event.target === editInput) {
      if (event.key === "Enter") commitEdit();
      else if (event.key === "Escape") closeEditor();
      else { event.stopPropagation(); return; }
    } else if (event.target.tagName === "INPUT" && event.target.type !== "checkbox") {
      event.stopPropagation(); // typing in a filter box is not a shortcut, ours or JupyterLab's
      return;
    } else if (event.shiftKey && event.key === "Enter") {
      return;
    } else if (keys[event.key]) {
      keys[event.key]();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  root.addEventListener("pointerdown", (event) => {
    if (!editor.contains(event.target) && !toolbar.contains(event.target)) root.focus({ preventScroll: true });
  });
  viewport.addEventListener("wheel", (event) => {
    event.preventDefault();
    const rect = viewport.getBoundingClientRect();
    setZoom(state.zoom * Math.exp(-event.deltaY * 0.002), event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  viewport.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    state.drag = { x: event.clientX, y: event.clientY, tx: state.tx, ty: state.ty, moved: false };
  });
  window.addEventListener("pointermove", onPointerMove);
  window.addEventListener("pointerup", onPointerUp);
  function onPointerMove(event) {
    const rect = viewport.getBoundingClientRect();
    tooltip.style.left = `${event.clientX - rect.left + 12}px`;
    tooltip.style.top = `${event.clientY - rect.top + 12}px`;
    const drag = state.drag;
    if (!drag) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    viewport.classList.add("panning");
    state.tx = drag.tx + dx;
    state.ty = drag.ty + dy;
    clampPan();
    applyTransform();
  }
  function onPointerUp() {
    viewport.classList.remove("panning");
    // Let the click that ends a drag see `moved`, then forget the drag.
    setTimeout(() => { state.drag = null; }, 0);
  }

  labelsBox.addEventListener("change", () => { model.set("labels", labelsBox.checked); model.save_changes(); });
  reviewBox.addEventListener("change", () => {
    model.set("review", reviewBox.checked);
    model.save_changes();
    if (reviewBox.checked) nextLow();
    root.focus({ preventScroll: true });
  });
  filterInput.addEventListener("input", () => { model.set("text_filter", filterInput.value); model.save_changes(); });
  const number = (input, name) => input.addEventListener("change", () => {
    const value = parseFloat(input.value);
    if (!Number.isNaN(value)) { model.set(name, value); model.save_changes(); }
  });
  number(minInput, "score_min");
  number(maxInput, "score_max");
  number(thresholdInput, "threshold");

  model.on("change:picture", drawPicture);
  model.on("change:img_w change:img_h", fit);
  model.on("change:image_id", () => { if (state.editing) closeEditor(); });
  model.on("change:items change:selection change:labels change:text_filter change:score_min " +
    "change:score_max change:review change:threshold change:sort_by change:ascending " +
    "change:color_range change:busy change:image_id", redraw);
  const resize = new ResizeObserver(() => fit());
  resize.observe(body);
  drawPicture();
  redraw();

  return () => {
    resize.disconnect();
    window.removeEventListener("pointermove", onPointerMove);
    window.removeEventListener("pointerup", onPointerUp);
    if (state.url) URL.revokeObjectURL(state.url);
  };
}

export default { render };
