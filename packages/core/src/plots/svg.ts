/** Attribute values; undefined ones are left out. */
export type Attrs = Record<string, string | number | undefined>;

export const FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif";
export const TEXT_COLOR = "#222222";
export const MUTED_TEXT_COLOR = "#555555";
export const AXIS_COLOR = "#444444";
export const GRID_COLOR = "#e6e6e6";
/** matplotlib's tab10 colours, for one line per series. */
const SERIES_COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

/** A coordinate or size with at most two decimals, so that the SVG stays small and stable. */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

function attributes(attrs: Attrs): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? num(v) : escapeXml(v!)}"`)
    .join("");
}

/** An element; `children` is markup (escape text with `text` or `escapeXml`). */
export function el(tag: string, attrs: Attrs, children?: string | readonly string[]): string {
  const inner = typeof children === "string" ? children : children?.join("");
  return inner === undefined || inner === ""
    ? `<${tag}${attributes(attrs)}/>`
    : `<${tag}${attributes(attrs)}>${inner}</${tag}>`;
}

export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el("text", { x, y, ...attrs }, escapeXml(content));
}

/** Rough rendered width of `content` in DejaVu Sans, whose glyphs average about 0.6 em. */
export function textWidth(content: string, fontSize: number): number {
  return content.length * fontSize * 0.6;
}

export function polyline(points: readonly (readonly [number, number])[], attrs: Attrs): string {
  return el("polyline", {
    points: points.map(([x, y]) => `${num(x)},${num(y)}`).join(" "),
    fill: "none",
    ...attrs,
  });
}

/** A standalone SVG document on a white background. */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT_FAMILY}" fill="${TEXT_COLOR}">`,
    el("rect", { width, height, fill: "#ffffff" }),
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** The title centred at the top of a figure. */
export function title(width: number, content: string): string {
  return text(width / 2, 30, content, { "text-anchor": "middle", "font-size": 18, "font-weight": "bold" });
}
