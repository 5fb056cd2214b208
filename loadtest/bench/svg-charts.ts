// Two small chart kinds drawn as plain SVG text (no chart library, no external service): a
// per-request timeline for the flip test and grouped bars for throughput and latency.
import type { FlipRequest } from './flip-timeline';

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const FONT = 'font-family="sans-serif" font-size="12"';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function svg(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** A "nice" axis step (1, 2 or 5 × 10^n) giving about `ticks` intervals up to max. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

export interface TimelinePanel {
  label: string;
  requests: FlipRequest[];
  /** Where an ideal schedule would have finished, drawn as a dashed line. */
  idealMs?: number;
}

/** One panel per mode, one bar per request from send to reply; colour = answering server. */
export function timelineChart(title: string, panels: TimelinePanel[]): string {
  const left = 120;
  const width = 820;
  const plot = width - left - 20;
  const row = 12;
  const maxMs = Math.max(1, ...panels.flatMap((p) => [...p.requests.map((r) => r.replyMs), p.idealMs ?? 0]));
  const step = niceStep(maxMs / 1000, 8);
  const x = (ms: number): number => left + (ms / maxMs) * plot;
  const body: string[] = [];
  let y = 40;
  for (const panel of panels) {
    const servers = [...new Set(panel.requests.map((r) => r.servedBy))];
    const height = Math.max(1, panel.requests.length) * row;
    body.push(`<text x="${left - 8}" y="${y + height / 2 + 4}" text-anchor="end">${esc(panel.label)}</text>`);
    body.push(`<rect x="${left}" y="${y - 2}" width="${plot}" height="${height + 4}" fill="#f6f6f6"/>`);
    panel.requests.forEach((r, i) => {
      const colour = PALETTE[servers.indexOf(r.servedBy) % PALETTE.length];
      const barWidth = Math.max(1, x(r.replyMs) - x(r.sentMs));
      body.push(
        `<rect x="${x(r.sentMs).toFixed(1)}" y="${y + i * row}" width="${barWidth.toFixed(1)}" height="${row - 3}" fill="${colour}"><title>${esc(`${r.servedBy}: ${(r.replyMs / 1000).toFixed(2)} s`)}</title></rect>`,
      );
    });
    if (panel.idealMs !== undefined) {
      body.push(
        `<line x1="${x(panel.idealMs).toFixed(1)}" x2="${x(panel.idealMs).toFixed(1)}" y1="${y - 2}" y2="${y + height + 2}" stroke="#333" stroke-dasharray="4 3"/>`,
      );
    }
    y += height + 14;
  }
  for (let s = 0; s <= maxMs / 1000 + 1e-9; s += step) {
    body.push(
      `<line x1="${x(s * 1000).toFixed(1)}" x2="${x(s * 1000).toFixed(1)}" y1="34" y2="${y - 8}" stroke="#ccc" stroke-width="0.5"/>`,
    );
    body.push(`<text x="${x(s * 1000).toFixed(1)}" y="${y + 6}" text-anchor="middle">${Number(s.toFixed(3))} s</text>`);
  }
  body.push(
    `<text x="${left}" y="${y + 24}" fill="#555">bar = one request from send to reply, colour = answering process, dashed = ideal ⌈10/C⌉·T</text>`,
  );
  return svg(width, y + 34, title, body);
}

export interface BarGroup {
  label: string;
  /** One value per series, same order as the series names. */
  values: number[];
}

/** Grouped vertical bars: one group per mode, one bar per series, value printed on top. */
export function barChart(title: string, unit: string, series: string[], groups: BarGroup[]): string {
  const top = 50;
  const plotHeight = 220;
  const left = 60;
  const bar = 36;
  const legendStep = 90;
  const groupWidth = series.length * bar + 30;
  const width = Math.max(420, left + groups.length * groupWidth + 20, left + series.length * legendStep);
  const maxValue = Math.max(1e-9, ...groups.flatMap((g) => g.values));
  const step = niceStep(maxValue, 5);
  const yMax = Math.ceil(maxValue / step) * step;
  const y = (v: number): number => top + plotHeight - (v / yMax) * plotHeight;
  const body: string[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    body.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    body.push(
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(6))}</text>`,
    );
  }
  body.push(
    `<text x="14" y="${top + plotHeight / 2}" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle">${esc(unit)}</text>`,
  );
  groups.forEach((group, g) => {
    const x0 = left + 15 + g * groupWidth;
    group.values.forEach((value, s) => {
      const x = x0 + s * bar;
      body.push(
        `<rect x="${x}" y="${y(value).toFixed(1)}" width="${bar - 4}" height="${(top + plotHeight - y(value)).toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}"><title>${esc(`${group.label} ${series[s]}: ${value}`)}</title></rect>`,
      );
      body.push(
        `<text x="${x + (bar - 4) / 2}" y="${(y(value) - 4).toFixed(1)}" text-anchor="middle" font-size="9">${Math.round(value)}</text>`,
      );
    });
    body.push(
      `<text x="${x0 + (series.length * bar) / 2}" y="${top + plotHeight + 16}" text-anchor="middle">${esc(group.label)}</text>`,
    );
  });
  series.forEach((name, s) => {
    const x = left + s * legendStep;
    body.push(
      `<rect x="${x}" y="${top + plotHeight + 28}" width="10" height="10" fill="${PALETTE[s % PALETTE.length]}"/>`,
    );
    body.push(`<text x="${x + 14}" y="${top + plotHeight + 37}">${esc(name)}</text>`);
  });
  return svg(width, top + plotHeight + 50, title, body);
}

export interface LinePanel {
  /** e.g. "req/s" */
  unit: string;
  /** Series name → [seconds since the start, value] points. */
  series: Map<string, Array<[number, number]>>;
}

/** Panels stacked vertically over one time axis, one line per series (same colour in every panel). */
export function lineChart(title: string, panels: LinePanel[]): string {
  const left = 70;
  const width = 820;
  const plot = width - left - 20;
  const panelHeight = 160;
  const names = [...new Set(panels.flatMap((p) => [...p.series.keys()]))].sort();
  const points = panels.flatMap((p) => [...p.series.values()].flat());
  const maxS = Math.max(1, ...points.map(([s]) => s));
  const x = (s: number): number => left + (s / maxS) * plot;
  const body: string[] = [];
  let top = 40;
  for (const panel of panels) {
    const values = [...panel.series.values()].flat().map(([, v]) => v);
    const step = niceStep(Math.max(1e-9, ...values), 4);
    const yMax = Math.ceil(Math.max(1e-9, ...values) / step) * step;
    const y = (v: number): number => top + panelHeight - (v / yMax) * panelHeight;
    for (let v = 0; v <= yMax + step / 2; v += step) {
      body.push(
        `<line x1="${left}" x2="${left + plot}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
      );
      body.push(
        `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(4))}</text>`,
      );
    }
    body.push(
      `<text x="14" y="${top + panelHeight / 2}" transform="rotate(-90 14 ${top + panelHeight / 2})" text-anchor="middle">${esc(panel.unit)}</text>`,
    );
    for (const [name, line] of panel.series) {
      const path = line.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      body.push(
        `<polyline points="${path}" fill="none" stroke-width="1.5" stroke="${PALETTE[names.indexOf(name) % PALETTE.length]}"><title>${esc(name)}</title></polyline>`,
      );
    }
    top += panelHeight + 30;
  }
  const step = niceStep(maxS, 8);
  for (let s = 0; s <= maxS + 1e-9; s += step) {
    body.push(`<text x="${x(s).toFixed(1)}" y="${top}" text-anchor="middle">${Number(s.toFixed(1))} s</text>`);
  }
  names.forEach((name, i) => {
    const lx = left + (i % 4) * 190;
    const ly = top + 20 + Math.floor(i / 4) * 16;
    body.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    body.push(`<text x="${lx + 14}" y="${ly}">${esc(name)}</text>`);
  });
  return svg(width, top + 30 + Math.ceil(names.length / 4) * 16, title, body);
}
