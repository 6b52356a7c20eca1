import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { EChartsCoreOption, EChartsType } from 'echarts/core';
import { translator } from '../boot.js';
import type { RegulatorKey } from '../../../i18n/web/index.js';

/**
 * An ECharts chart, loaded on first use (its own chunk of the bundle), with its data again as text: a chart is a
 * picture, so a screen reader, a keyboard user and a test read the table in `alternative`.
 */
export function Chart(props: {
  option: EChartsCoreOption;
  label: string;
  alternative: ComponentChildren;
  height?: number;
  onClick?: (params: { dataType?: string; data?: unknown }) => void;
}) {
  const t = translator<RegulatorKey>();
  const box = useRef<HTMLDivElement>(null);
  const click = useRef(props.onClick);
  click.current = props.onClick;
  useEffect(() => {
    let disposed = false;
    let chart: EChartsType | undefined;
    const resize = () => chart?.resize();
    void import('./echarts.js').then(({ echarts }) => {
      if (disposed || !box.current) return;
      const drawn = echarts.init(box.current, undefined, { renderer: 'canvas' });
      drawn.setOption(props.option);
      drawn.on('click', (params) => click.current?.(params as { dataType?: string; data?: unknown }));
      chart = drawn;
      // Something to wait for: a test or a screenshot script knows the picture is drawn.
      box.current.dataset.drawn = 'true';
      window.addEventListener('resize', resize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', resize);
      chart?.dispose();
    };
  }, [props.option]);
  return (
    <figure class="figure-chart">
      <div class="chart" ref={box} role="img" aria-label={props.label} style={props.height ? { height: `${props.height}px` } : undefined} />
      <details class="chart-text">
        <summary>{t('regulator.chart.as_text', { label: props.label })}</summary>
        {props.alternative}
      </details>
    </figure>
  );
}
