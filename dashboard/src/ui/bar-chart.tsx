/** Horizontal bars in SVG (no script-set styles, so the CSP holds), one per label, with its count written beside it. */

export function BarChart({ bars, summary }: { bars: Array<{ label: string; value: number }>; summary: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 28;
  return (
    <svg
      class="bars"
      role="img"
      aria-label={summary}
      viewBox={`0 0 600 ${bars.length * row}`}
      width="100%"
      height={bars.length * row}
      preserveAspectRatio="xMinYMin meet"
    >
      {bars.map((bar, i) => (
        <g key={bar.label} transform={`translate(0 ${i * row})`}>
          <text x="0" y="18" class="bar-label">
            {bar.label}
          </text>
          <rect x="200" y="4" height="18" width={Math.max(2, (bar.value / max) * 330)} class="bar" />
          <text x={210 + (bar.value / max) * 330} y="18" class="bar-value">
            {bar.value}
          </text>
        </g>
      ))}
    </svg>
  );
}
