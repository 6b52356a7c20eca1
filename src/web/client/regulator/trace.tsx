import { useEffect, useMemo, useState } from 'preact/hooks';
import { formatDateTime, formatNumber } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { navigate } from '../router.js';
import { Chart } from './chart.js';
import { CodeForm, DownloadButton, shortCode, stepLabel, useT } from './common.js';
import type { TraceEdge, TraceResult } from './types.js';

type Direction = 'backward' | 'forward';

const traceHref = (code: string, direction: Direction) => `/regulator/trace?code=${encodeURIComponent(code)}&direction=${direction}`;

/** Trace (追溯): a code backward or forward as a graph of things, places and subjects, a timeline and its warnings. */
export function TraceScreen(props: { query: URLSearchParams }) {
  const t = useT();
  const code = props.query.get('code') ?? '';
  const direction: Direction = props.query.get('direction') === 'forward' ? 'forward' : 'backward';
  const [chosen, choose] = useState<Direction>(direction);
  useEffect(() => choose(direction), [direction]);
  const result = useApi<TraceResult>(code ? `/api/v1/trace?code=${encodeURIComponent(code)}&direction=${direction}` : null);
  return (
    <>
      <CodeForm key={code} code={code} onSubmit={(next) => navigate(traceHref(next, chosen))}>
        <fieldset class="inline" aria-label={t('regulator.trace.direction')}>
          <legend>{t('regulator.trace.direction')}</legend>
          {(['backward', 'forward'] as const).map((d) => (
            <label key={d} class="radio">
              <input type="radio" name="direction" value={d} checked={chosen === d}
                onChange={() => {
                  choose(d);
                  if (code) navigate(traceHref(code, d));
                }}
              />
              {t(`regulator.trace.${d}`)}
            </label>
          ))}
        </fieldset>
      </CodeForm>
      {!code && <p class="muted">{t('regulator.trace.hint')}</p>}
      {result.loading && <Loading />}
      {result.error !== undefined && <ErrorNote error={result.error} onRetry={result.reload} />}
      {result.data && <TraceView trace={result.data} code={code} />}
    </>
  );
}

function TraceView(props: { trace: TraceResult; code: string }) {
  const t = useT();
  const { trace } = props;
  const byId = useMemo(() => new Map(trace.nodes.map((n) => [n.id, n])), [trace]);
  const subjectName = (id: string | null | undefined) => trace.subjects.find((s) => s.id === id)?.name ?? '—';
  const placeName = (gln: string | null | undefined) => (gln ? (trace.locations.find((l) => l.gln === gln)?.name ?? gln) : '—');
  const recalled = trace.nodes.filter((n) => n.recalls.some((r) => r.status === 'open'));
  const option = useMemo(() => graphOption(trace, t, stepLabel), [trace]);
  const impactQuery = `code=${encodeURIComponent(props.code)}`;
  const nodeText = (id: string) => byId.get(id)?.text ?? id;
  return (
    <>
      <div class="cards">
        <div class="card">
          <div class="figure">{formatNumber(trace.nodes.length)}</div>
          {t('regulator.trace.things')}
        </div>
        <div class="card">
          <div class="figure">{formatNumber(new Set(trace.edges.map((e) => e.eventID)).size)}</div>
          {t('regulator.trace.events')}
        </div>
        <div class="card">
          <div class="figure">{formatNumber(trace.subjects.length)}</div>
          {t('regulator.trace.subjects')}
        </div>
        <div class="card">
          <div class="figure">{formatNumber(trace.locations.length)}</div>
          {t('regulator.trace.places')}
        </div>
      </div>

      <section aria-labelledby="trace-warnings">
        <h2 id="trace-warnings">{t('regulator.trace.warnings')}</h2>
        {trace.warnings.length === 0 && recalled.length === 0 ? (
          <p class="ok">{t('regulator.trace.no_warnings')}</p>
        ) : (
          <ul class="warnings" role="list">
            {recalled.map((n) => (
              <li key={n.id}>
                <span class="badge danger">{t('regulator.warning.recalled')}</span> {n.text}: {n.recalls.map((r) => r.reason).join('; ')}
              </li>
            ))}
            {trace.warnings.map((w, i) => (
              <li key={i}>
                <span class="badge warn">{t(w.startsWith('cycle') ? 'regulator.warning.cycle' : w.startsWith('broken link') ? 'regulator.warning.broken_link' : 'regulator.warning.cut')}</span> {w}
              </li>
            ))}
          </ul>
        )}
      </section>

      <h2>{t('regulator.trace.graph')}</h2>
      <p class="muted">{t('regulator.trace.graph_hint')}</p>
      <Chart
        option={option}
        label={t('regulator.trace.graph')}
        height={graphHeight(trace)}
        onClick={(params) => {
          const data = params.data as { code?: string } | undefined;
          if (params.dataType === 'node' && data?.code) navigate(traceHref(data.code, trace.direction));
        }}
        alternative={
          <>
            <table class="trace-nodes">
              <caption>{t('regulator.trace.nodes')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('regulator.trace.code')}</th>
                  <th scope="col">{t('regulator.trace.kind')}</th>
                  <th scope="col">{t('regulator.trace.product')}</th>
                  <th scope="col">{t('regulator.trace.holder')}</th>
                  <th scope="col">{t('regulator.trace.place')}</th>
                </tr>
              </thead>
              <tbody>
                {trace.nodes.map((n) => (
                  <tr key={n.id}>
                    <th scope="row">
                      <a href={traceHref(n.code, trace.direction)}>{n.text}</a>
                    </th>
                    <td>{t(`regulator.kind.${n.kind}` as never)}</td>
                    <td>{n.product?.name ?? '—'}</td>
                    <td>{subjectName(n.holder?.subjectId)}</td>
                    <td>{placeName(n.holder?.gln)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table class="trace-edges">
              <caption>{t('regulator.trace.edges')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('regulator.trace.from')}</th>
                  <th scope="col">{t('regulator.trace.to')}</th>
                  <th scope="col">{t('regulator.trace.step')}</th>
                  <th scope="col">{t('regulator.trace.time')}</th>
                  <th scope="col">{t('regulator.trace.quantity')}</th>
                </tr>
              </thead>
              <tbody>
                {trace.edges.map((e, i) => (
                  <tr key={i}>
                    <td>{nodeText(e.from)}</td>
                    <td>{nodeText(e.to)}</td>
                    <td>{stepLabel(e.bizStep)}</td>
                    <td>{formatDateTime(e.eventTime)}</td>
                    <td>{e.quantity === null ? '—' : `${formatNumber(e.quantity)} ${e.uom ?? ''}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table class="trace-parties">
              <caption>{t('regulator.trace.parties')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('regulator.trace.subject')}</th>
                  <th scope="col">{t('regulator.region')}</th>
                  <th scope="col">{t('regulator.trace.places')}</th>
                </tr>
              </thead>
              <tbody>
                {trace.subjects.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.name}</th>
                    <td>{s.regionCode}</td>
                    <td>
                      {trace.locations
                        .filter((l) => l.subjectId === s.id)
                        .map((l) => l.name ?? l.gln)
                        .join('、') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        }
      />

      <h2 id="timeline">{t('regulator.trace.timeline')}</h2>
      <Timeline edges={trace.edges} nodeText={nodeText} />

      <h2>{t('regulator.exports')}</h2>
      <div class="toolbar">
        <a class="button secondary" href={`/regulator/flow?${impactQuery}`}>
          {t('regulator.trace.to_flow')}
        </a>
        <DownloadButton path={`/api/v1/impact.xlsx?${impactQuery}`} label={t('regulator.export_xlsx')} fallbackName="impact.xlsx" />
        <DownloadButton path={`/api/v1/impact.csv?${impactQuery}`} label={t('regulator.export_csv')} fallbackName="impact.csv" />
        <a class="button secondary" href={`/regulator/recalls/new?${impactQuery}`}>
          {t('regulator.trace.start_recall')}
        </a>
      </div>
    </>
  );
}

/** The events of the trace in time order, one entry per event with the things it linked. */
function Timeline(props: { edges: TraceEdge[]; nodeText: (id: string) => string }) {
  const t = useT();
  const events = new Map<string, { edge: TraceEdge; pairs: TraceEdge[] }>();
  for (const edge of props.edges) {
    const known = events.get(edge.eventID);
    if (known) known.pairs.push(edge);
    else events.set(edge.eventID, { edge, pairs: [edge] });
  }
  const ordered = [...events.values()].sort((a, b) => Date.parse(a.edge.eventTime) - Date.parse(b.edge.eventTime));
  if (ordered.length === 0) return <p class="muted">{t('app.empty')}</p>;
  return (
    <ol class="timeline">
      {ordered.map(({ edge, pairs }) => {
        const from = [...new Set(pairs.map((p) => props.nodeText(p.from)))];
        const to = [...new Set(pairs.map((p) => props.nodeText(p.to)))];
        return (
          <li key={edge.eventID}>
            <time dateTime={edge.eventTime}>{formatDateTime(edge.eventTime)}</time> <strong>{stepLabel(edge.bizStep)}</strong>{' '}
            <span class="muted">({t(`regulator.relation.${edge.relation}`)})</span>
            <div>
              {from.join('、')} → {to.join('、')}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** Tall enough that the longest column of the graph keeps its labels apart. */
function graphHeight(trace: TraceResult): number {
  const perDepth = new Map<number, number>();
  for (const n of trace.nodes) perDepth.set(n.depth, (perDepth.get(n.depth) ?? 0) + 1);
  const longest = Math.max(trace.locations.length, trace.subjects.length, ...perDepth.values());
  return Math.min(1600, Math.max(420, longest * 42 + 100));
}

const CATEGORY_COLOURS = ['#0b5cad', '#1a7f37', '#8a5a00', '#6639ba', '#b3261e'];

/** Things laid out by depth from the code traced; the places that hold them, then their subjects, to the right. */
function graphOption(trace: TraceResult, t: ReturnType<typeof useT>, step: (s: string | null) => string) {
  const categories = [t('regulator.graph.thing'), t('regulator.graph.container'), t('regulator.graph.place'), t('regulator.graph.subject'), t('regulator.graph.recalled')];
  const maxDepth = trace.nodes.reduce((m, n) => Math.max(m, n.depth), 0);
  const sign = trace.direction === 'backward' ? -1 : 1;
  // Columns: the things by depth, then the places, then the subjects; each column centred on the row of the root.
  const placed: { column: number; node: Record<string, unknown> & { id: string } }[] = [];
  for (const n of trace.nodes)
    placed.push({
      column: n.depth,
      node: {
        id: n.id,
        name: shortCode(n.text),
        code: n.code,
        value: n.text,
        symbolSize: n.id === trace.root ? 26 : 18,
        category: n.recalls.some((r) => r.status === 'open') ? 4 : n.kind === 'container' ? 1 : 0,
      },
    });
  const placeIds = new Map<string, string>();
  for (const l of trace.locations) {
    placeIds.set(l.gln, `place:${l.gln}`);
    placed.push({ column: maxDepth + 1, node: { id: `place:${l.gln}`, name: l.name ?? l.gln, value: l.gln, symbol: 'rect', symbolSize: 16, category: 2 } });
  }
  for (const s of trace.subjects) placed.push({ column: maxDepth + 2, node: { id: `subject:${s.id}`, name: s.name, value: s.subjectCode, symbol: 'diamond', symbolSize: 20, category: 3 } });
  const heights = new Map<number, number>();
  for (const p of placed) heights.set(p.column, (heights.get(p.column) ?? 0) + 1);
  const rows = new Map<number, number>();
  const nodes = placed.map(({ column, node }) => {
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    return { ...node, x: sign * column * 220, y: (row - ((heights.get(column) ?? 1) - 1) / 2) * 70 };
  });
  const known = new Set(nodes.map((n) => n.id));
  // Past a few dozen edges their labels only cover each other; the timeline and the table say the same.
  const labelled = trace.edges.length <= 40;
  const links: Record<string, unknown>[] = trace.edges.map((e) => ({ source: e.from, target: e.to, label: { show: labelled, formatter: step(e.bizStep), fontSize: 11 } }));
  for (const n of trace.nodes) {
    const place = n.holder?.gln ? placeIds.get(n.holder.gln) : undefined;
    if (place) links.push({ source: n.id, target: place, lineStyle: { type: 'dashed', opacity: 0.4 } });
  }
  for (const l of trace.locations) if (l.subjectId && known.has(`subject:${l.subjectId}`)) links.push({ source: `place:${l.gln}`, target: `subject:${l.subjectId}`, lineStyle: { type: 'dotted', opacity: 0.6 } });
  return {
    color: CATEGORY_COLOURS,
    tooltip: { formatter: (p: { dataType: string; data: { value?: string; name?: string } }) => (p.dataType === 'node' ? String(p.data.value ?? p.data.name) : '') },
    legend: [{ data: categories }],
    animation: false,
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        draggable: true,
        categories: categories.map((name) => ({ name })),
        data: nodes,
        links,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 8,
        label: { show: true, position: 'bottom', fontSize: 11 },
        lineStyle: { color: '#57606a', width: 1.5, curveness: 0.08 },
        emphasis: { focus: 'adjacency' },
      },
    ],
  };
}
