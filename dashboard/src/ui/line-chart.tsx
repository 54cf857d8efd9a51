/**
 * A time series chart drawn by uPlot (a canvas; 50 KB, no dependencies). Loaded on demand with the Overview. The
 * canvas is one image to assistive technology: `summary` says in words what it shows.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  /** One value per time; null leaves a gap. */
  values: Array<number | null>;
  color: string;
}

export default function LineChart(props: { times: number[]; series: Series[]; unit: string; summary: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const data = [props.times, ...props.series.map((s) => s.values)] as uPlot.AlignedData;

  useEffect(() => {
    const element = box.current!;
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: 200,
        series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false }))],
        axes: [{}, { label: props.unit, size: 60 }],
        scales: {
          // At least the last five minutes, so that a few readings do not stretch over years.
          x: { time: true, range: (_u, min, max) => [Math.min(min, max - 300), max] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        },
        legend: { show: true },
        cursor: { show: true },
      },
      data,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: 200 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
    // The chart is made once; the data effect below feeds it.
  }, []);

  useEffect(() => plot.current?.setData(data), [data]);

  return <div ref={box} class="chart" role="img" aria-label={props.summary} />;
}
