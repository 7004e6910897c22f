// Charts of /api/v1/audit/timeseries/ answers, drawn with uPlot (served from its WebJar).
// Each chart's element keeps the uPlot instance (element.uplot) and the series as the API gave
// them (element.series: group -> counts), so what is drawn can be checked against the API.
import uPlot from './vendor/uplot/uPlot.esm.js';
import { h } from './view.js';

const COLOURS = ['#1456b8', '#c0392b', '#e67e22', '#8e44ad', '#16a085', '#7f8c8d', '#d4ac0d', '#2c3e50', '#e84393'];
const WIDTH = 560;
const HEIGHT = 220;

function xs(answer) {
  return answer.buckets.map((b) => Date.parse(b) / 1000);
}

function mount(container, options, data, series) {
  const element = h('div', { class: 'chart', role: 'img', 'aria-label': options.title });
  container.append(element);
  const width = Math.max(320, Math.min(container.clientWidth - 24 || WIDTH, 1300));
  const plot = new uPlot({ ...options, width, height: HEIGHT }, data, element);
  element.uplot = plot;
  element.series = series;
  return element;
}

/** Lines, one per named group of the answer (e.g. success and failure), labelled as given. */
export function lines(container, answer, labels, title) {
  const groups = Object.keys(labels);
  const byGroup = Object.fromEntries(answer.series.map((s) => [s.group, s.counts]));
  const zeros = answer.buckets.map(() => 0);
  const data = [xs(answer), ...groups.map((g) => byGroup[g] || zeros)];
  const series = Object.fromEntries(groups.map((g, i) => [g, data[i + 1]]));
  return mount(container, {
    title,
    series: [{}, ...groups.map((g, i) => ({ label: labels[g], stroke: COLOURS[i], width: 2, points: { show: false } }))],
    axes: [{}, { label: 'events' }],
    scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
  }, data, series);
}

/** Bars stacked by group (e.g. failures by reason): each drawn to the sum of itself and the groups below it. */
export function stacked(container, answer, title) {
  const groups = answer.series.map((s) => s.group === null ? '(none)' : s.group);
  const raw = answer.series.map((s) => s.counts);
  const sums = [];
  raw.forEach((counts, i) => {
    sums.push(counts.map((c, j) => c + (i > 0 ? sums[i - 1][j] : 0)));
  });
  // drawn top first so each lower band covers the part of the one above that is not its own
  const order = [...groups.keys()].reverse();
  const data = [xs(answer), ...order.map((i) => sums[i])];
  const bars = uPlot.paths.bars({ size: [0.8, 40] });
  const series = Object.fromEntries(groups.map((g, i) => [g, raw[i]]));
  return mount(container, {
    title,
    series: [{}, ...order.map((i) => ({
      label: groups[i], stroke: COLOURS[i % COLOURS.length], fill: COLOURS[i % COLOURS.length], paths: bars,
      points: { show: false },
      value: (u, v, si, idx) => idx === null ? '' : String(raw[i][idx]),
    }))],
    axes: [{}, { label: 'failures' }],
    scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
  }, data, series);
}
