/**
 * The report's charts: Vega-Lite specs compiled by vega-lite and rendered to SVG by vega's
 * headless renderer in Node (no browser, no network, no script in the page).
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';

type Row = Record<string, string | number | null>;

const WIDTH = 420;
const HEIGHT = 220;
const config = { font: 'sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240 }, legend: { labelLimit: 260, orient: 'bottom' } };

export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Bars of `y` by a categorical `x`, in the given order. */
export function barChart(rows: Row[], x: string, y: string,
  o: { xTitle: string; yTitle: string; sort?: boolean; color?: string; labelAngle?: number; labels?: Array<string | number> }): vl.TopLevelSpec {
  return {
    config, width: WIDTH, height: HEIGHT, data: { values: rows }, mark: { type: 'bar', color: o.color ?? '#4c78a8' },
    encoding: {
      x: { field: x, type: 'ordinal', title: o.xTitle, sort: o.sort === false ? null : undefined,
        axis: { labelAngle: o.labelAngle ?? 0, ...(o.labels ? { values: o.labels } : {}) } },
      y: { field: y, type: 'quantitative', title: o.yTitle },
      tooltip: [{ field: x }, { field: y }],
    },
  } as vl.TopLevelSpec;
}

/** Horizontal bars (long labels on the y axis), in the given order. */
export function hbarChart(rows: Row[], label: string, value: string, o: { labelTitle: string; valueTitle: string }): vl.TopLevelSpec {
  return {
    config, width: WIDTH - 80, height: Math.max(60, 22 * rows.length), data: { values: rows },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: label, type: 'nominal', title: o.labelTitle, sort: null },
      x: { field: value, type: 'quantitative', title: o.valueTitle },
    },
  } as vl.TopLevelSpec;
}

export function scatterChart(rows: Row[], x: string, y: string, o: { xTitle: string; yTitle: string }): vl.TopLevelSpec {
  return {
    config, width: WIDTH, height: HEIGHT + 60, data: { values: rows },
    mark: { type: 'point', filled: true, size: 12, opacity: 0.5, color: '#4c78a8' },
    encoding: { x: { field: x, type: 'quantitative', title: o.xTitle }, y: { field: y, type: 'quantitative', title: o.yTitle } },
  } as vl.TopLevelSpec;
}

/** A histogram of `field` in bins of `step` over [lo, hi]. */
export function histogramChart(rows: Row[], field: string, o: { title: string; step: number; extent: [number, number] }): vl.TopLevelSpec {
  return {
    config, width: WIDTH, height: HEIGHT, data: { values: rows }, mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field, type: 'quantitative', bin: { step: o.step, extent: o.extent }, title: o.title },
      y: { aggregate: 'count', type: 'quantitative', title: 'neurons' },
    },
  } as vl.TopLevelSpec;
}

/** Lines of `y` against `x`, one per `series`, with points. */
export function lineChart(rows: Row[], x: string, y: string, series: string, o: { xTitle: string; yTitle: string }): vl.TopLevelSpec {
  return {
    config, width: WIDTH, height: HEIGHT, data: { values: rows }, mark: { type: 'line', point: true },
    encoding: {
      x: { field: x, type: 'quantitative', title: o.xTitle, axis: { tickMinStep: 1, format: 'd' } },
      y: { field: y, type: 'quantitative', title: o.yTitle, scale: { zero: false } },
      color: { field: series, type: 'nominal', title: null },
    },
  } as vl.TopLevelSpec;
}
