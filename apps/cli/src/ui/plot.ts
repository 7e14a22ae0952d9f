import asciichart from 'asciichart';

/** Overlay series in a terminal line chart (asciichart), with a legend. */
export function plot(title: string, series: { name: string; values: readonly number[]; color: 'default' | 'blue' | 'red' | 'green' }[], height = 8): string {
  const colors = { default: asciichart.default, blue: asciichart.blue, red: asciichart.red, green: asciichart.green };
  const useColor = Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'];
  const chart = asciichart.plot(
    series.map((s) => [...s.values]),
    { height, ...(useColor ? { colors: series.map((s) => colors[s.color]) } : {}), format: (x: number) => x.toFixed(3).padStart(8) },
  );
  const legend = useColor
    ? series.map((s) => `${colors[s.color]}━━ ${s.name}${asciichart.reset}`).join('   ')
    : series.length > 1
      ? `(${series.map((s) => s.name).join(' and ')} drawn together: one line where they agree)`
      : '';
  return `${title}   ${legend}\n${chart}`;
}
