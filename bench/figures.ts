/** What every bench returns: figures measured against their targets, and how to print them. */

/** One measured figure. `met` compares `value` with `target` as `compare` says. */
export interface Figure {
  name: string;
  /** The measured value, in `unit`; `NaN` when it could not be measured. */
  value: number;
  unit: string;
  target: number;
  /** `max`: the value must be at most the target; `below`: strictly under; `min`: at least. */
  compare: 'max' | 'below' | 'min';
  /** How it was measured (window, runs, spread …), printed under the table. */
  note?: string;
}

/** Options every bench takes. */
export interface BenchOptions {
  /** A quick run: few iterations and short windows, the same code paths. */
  smoke: boolean;
}

export function met(figure: Figure): boolean {
  if (Number.isNaN(figure.value)) return false;
  if (figure.compare === 'min') return figure.value >= figure.target;
  if (figure.compare === 'below') return figure.value < figure.target;
  return figure.value <= figure.target;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The nearest-rank percentile `p` (0–100) of `values`: the smallest value with at least p % of them at or below it. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Milliseconds as printed in notes: whole numbers. */
export const ms = (values: number[]) => values.map((value) => Math.round(value)).join(', ');

function amount(value: number, unit: string): string {
  if (Number.isNaN(value)) return 'n/a';
  const digits = Number.isInteger(value) ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

const SIGNS = { max: '≤', below: '<', min: '≥' } as const;

/** The figures as a Markdown table (figure, measured, target, ✓/✗), then their notes. */
export function table(figures: Figure[]): string {
  const rows = figures.map((figure) => [
    figure.name,
    amount(figure.value, figure.unit),
    `${SIGNS[figure.compare]} ${amount(figure.target, figure.unit)}`,
    met(figure) ? '✓' : '✗',
  ]);
  const header = ['figure', 'measured', 'target', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const notes = figures
    .filter((figure) => figure.note)
    .map((figure) => `- ${figure.name}: ${figure.note}`);
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line), '', ...notes].join('\n');
}
