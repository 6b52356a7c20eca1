import { useMemo } from 'preact/hooks';
import { formatDateTime, formatNumber } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { navigate } from '../router.js';
import { Chart } from './chart.js';
import { CodeForm, DownloadButton, useT } from './common.js';
import type { Balance, Impact } from './types.js';

type Holder = Impact['holders'][number];

interface RegionNode {
  code: string;
  name: string | null;
  level: 'province' | 'city' | 'county';
  subjects: number;
  locations: number;
  holders: Holder[];
  children: RegionNode[];
}

/** The codes of a flow query: `code` repeated, as the impact API takes them. */
export const impactQueryOf = (codes: string[]) => codes.map((c) => `code=${encodeURIComponent(c)}`).join('&');

/** Flow by region (流向): where the goods of a code went, as a province › city › county tree with quantities. */
export function FlowScreen(props: { query: URLSearchParams }) {
  const t = useT();
  const codes = props.query.getAll('code');
  const query = impactQueryOf(codes);
  const impact = useApi<Impact>(codes.length > 0 ? `/api/v1/impact?${query}` : null);
  return (
    <>
      <CodeForm key={codes.join('|')} code={codes[0] ?? ''} onSubmit={(code) => navigate(`/regulator/flow?${impactQueryOf([code])}`)} />
      {codes.length === 0 && <p class="muted">{t('regulator.flow.hint')}</p>}
      {impact.loading && <Loading />}
      {impact.error !== undefined && <ErrorNote error={impact.error} onRetry={impact.reload} />}
      {impact.data && <FlowView impact={impact.data} query={query} />}
    </>
  );
}

/** The holders' balances added per unit of measure (units are never mixed). */
function addBalances(holders: Holder[]): Balance[] {
  const sums = new Map<string, Balance>();
  for (const h of holders)
    for (const b of h.balances) {
      const s = sums.get(b.uom) ?? { uom: b.uom, produced: 0, received: 0, shipped: 0, sold: 0, dispensed: 0, consumed: 0, remaining: 0 };
      for (const k of ['produced', 'received', 'shipped', 'sold', 'dispensed', 'consumed', 'remaining'] as const) s[k] += b[k];
      sums.set(b.uom, s);
    }
  return [...sums.values()].sort((a, b) => a.uom.localeCompare(b.uom));
}

function regionTree(impact: Impact): RegionNode[] {
  const nodes = impact.regions.map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    subjects: r.subjectIds.length,
    locations: r.locationGlns.length,
    holders: impact.holders.filter((h) => h.regionCode?.startsWith(r.code)),
    children: [] as RegionNode[],
  }));
  const roots: RegionNode[] = [];
  for (const node of nodes.sort((a, b) => a.code.localeCompare(b.code))) {
    const parent = nodes.filter((p) => p !== node && node.code.startsWith(p.code) && p.code.length < node.code.length).sort((a, b) => b.code.length - a.code.length)[0];
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

function FlowView(props: { impact: Impact; query: string }) {
  const t = useT();
  const { impact } = props;
  const tree = useMemo(() => regionTree(impact), [impact]);
  const option = useMemo(() => flowChart(tree, t), [tree]);
  return (
    <>
      <p class="muted">{t('regulator.flow.assessed', { time: formatDateTime(impact.assessedAt), things: formatNumber(impact.things.length) })}</p>
      <div class="cards">
        <div class="card">
          <div class="figure">{formatNumber(impact.subjects.length)}</div>
          {t('regulator.flow.subjects')}
        </div>
        <div class="card">
          <div class="figure">{formatNumber(impact.locations.length)}</div>
          {t('regulator.flow.locations')}
        </div>
        <div class="card">
          <div class="figure">{formatNumber(impact.regions.filter((r) => r.level === 'province').length)}</div>
          {t('regulator.flow.provinces')}
        </div>
      </div>
      {impact.warnings.length > 0 && (
        <ul class="warnings">
          {impact.warnings.map((w, i) => (
            <li key={i}>
              <span class="badge warn">{t('regulator.warning.trace')}</span> {w}
            </li>
          ))}
        </ul>
      )}

      <h2 id="region-tree-heading">{t('regulator.flow.tree')}</h2>
      {tree.length === 0 ? (
        <p class="muted">{t('app.empty')}</p>
      ) : (
        <ul class="region-tree" aria-labelledby="region-tree-heading">
          {tree.map((node) => (
            <RegionItem key={node.code} node={node} />
          ))}
        </ul>
      )}

      <h2>{t('regulator.flow.chart')}</h2>
      <Chart option={option} label={t('regulator.flow.chart')} alternative={<TotalsTable balances={impact.totals} caption={t('regulator.flow.totals')} />} height={360} />

      <h2>{t('regulator.flow.holders')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('regulator.flow.holder')}</th>
            <th scope="col">{t('regulator.region')}</th>
            <th scope="col">{t('regulator.flow.balances')}</th>
            <th scope="col">{t('regulator.flow.period')}</th>
          </tr>
        </thead>
        <tbody>
          {impact.holders.map((h, i) => (
            <tr key={h.subjectId ?? i}>
              <th scope="row">{h.name ?? h.glns.join(', ')}</th>
              <td>{h.region ?? h.regionCode ?? '—'}</td>
              <td>{h.balances.map((b) => t('regulator.flow.balance', { uom: b.uom, received: formatNumber(b.received + b.produced), shipped: formatNumber(b.shipped), remaining: formatNumber(b.remaining) })).join(' · ')}</td>
              <td>
                {formatDateTime(h.firstDate)} – {formatDateTime(h.lastDate)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div class="toolbar">
        <DownloadButton path={`/api/v1/impact.xlsx?${props.query}`} label={t('regulator.export_xlsx')} fallbackName="impact.xlsx" />
        <DownloadButton path={`/api/v1/impact.csv?${props.query}`} label={t('regulator.export_csv')} fallbackName="impact.csv" />
      </div>
    </>
  );
}

/** A region as a nested list item: screen readers announce the nesting level, no widget to learn. */
function RegionItem(props: { node: RegionNode }) {
  const t = useT();
  const { node } = props;
  const balances = addBalances(node.holders);
  return (
    <li data-level={node.level}>
      <span class="region-name">
        {node.name ?? node.code} <span class="muted">{node.code}</span>
      </span>{' '}
      <span>{t('regulator.flow.region_counts', { subjects: node.subjects, locations: node.locations })}</span>
      {balances.length > 0 && <span class="muted"> · {balances.map((b) => t('regulator.flow.quantity', { quantity: formatNumber(b.received + b.produced), uom: b.uom })).join(' · ')}</span>}
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child) => (
            <RegionItem key={child.code} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}

function TotalsTable(props: { balances: Balance[]; caption: string }) {
  const t = useT();
  const columns = ['produced', 'received', 'shipped', 'sold', 'dispensed', 'consumed', 'remaining'] as const;
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('regulator.flow.uom')}</th>
          {columns.map((c) => (
            <th scope="col" key={c}>
              {t(`regulator.balance.${c}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.balances.map((b) => (
          <tr key={b.uom}>
            <th scope="row">{b.uom}</th>
            {columns.map((c) => (
              <td key={c}>{formatNumber(b[c])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Received (or produced) and remaining per county, one bar group per unit of measure. */
function flowChart(tree: RegionNode[], t: ReturnType<typeof useT>) {
  const leaves: RegionNode[] = [];
  const walk = (n: RegionNode) => (n.children.length === 0 ? leaves.push(n) : n.children.forEach(walk));
  tree.forEach(walk);
  const uoms = [...new Set(leaves.flatMap((l) => addBalances(l.holders).map((b) => b.uom)))];
  const series = uoms.flatMap((uom) =>
    (['in', 'remaining'] as const).map((which) => ({
      type: 'bar',
      name: `${t(which === 'in' ? 'regulator.flow.series_in' : 'regulator.flow.series_remaining')} (${uom})`,
      data: leaves.map((l) => {
        const b = addBalances(l.holders).find((x) => x.uom === uom);
        return b ? (which === 'in' ? b.received + b.produced : b.remaining) : 0;
      }),
    })),
  );
  return {
    color: ['#0b5cad', '#1a7f37', '#8a5a00', '#6639ba'],
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: { left: 60, right: 20, bottom: 60 },
    xAxis: { type: 'category', data: leaves.map((l) => l.name ?? l.code), axisLabel: { interval: 0, rotate: leaves.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value' },
    animation: false,
    series,
  };
}
