import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.js';
import { formatDateTime } from '../boot.js';
import { ErrorNote, Loading } from '../layout.js';
import type { Session } from '../session.js';
import { stepLabel, useT } from './common.js';
import type { Page, Ranking, Recall } from './types.js';

/** One thing a regulator should act on, whatever module recorded it. */
export interface Warning {
  kind: 'flagged' | 'stop_trade' | 'inspection' | 'witness' | 'refusal';
  at: string | null;
  subject: string;
  detail: string;
  href?: string;
}

interface StoredEvent {
  eventID?: string;
  eventTime: string;
  bizStep?: string;
  bizLocation?: { id: string };
  readPoint?: { id: string };
  epcList?: string[];
  quantityList?: { epcClass: string; quantity?: number; uom?: string }[];
  parentID?: string;
}

/** A receipt, sale or dispensing of recalled codes after the recall (GET /api/v1/recalls/flagged). */
interface FlaggedMovement {
  eventID: string;
  bizStep: string | null;
  eventTime: string;
  codes: string[];
  recall: { id: string; kind: string; level: number | null; reason: string; createdAt: string };
}

/**
 * Gathers the warnings from the APIs that record them, each within what the key may read: receipts and sales of
 * recalled codes, stop-trade orders (automatic ones follow a failed inspection), failed
 * inspections, refused batches of connected systems (the evaluation) and, for admins, the witness's alarms.
 */
export async function loadWarnings(session: Session): Promise<Warning[]> {
  const warnings: Warning[] = [];
  const optional = async <T,>(read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ApiProblem && (error.status === 403 || error.status === 404)) return null;
      throw error;
    }
  };
  const [recalls, flagged, inspections, ranking, alarms] = await Promise.all([
    api<Page<Recall>>('GET', '/api/v1/recalls?limit=200'),
    api<{ items: FlaggedMovement[] }>('GET', '/api/v1/recalls/flagged'),
    optional(() => api<{ epcisBody: { queryResults: { resultsBody: { eventList: StoredEvent[] } } } }>('GET', '/epcis/events?EQ_bizStep=inspecting&EQ_disposition=non_conformant&perPage=100', { headers: { accept: 'application/ld+json' } })),
    optional(() => api<Ranking>('GET', '/api/v1/evaluations')),
    session.user.role === 'platform_admin'
      ? optional(() => api<Page<{ id: string; origin: string; kind: string; at: string; actor: string }>>('GET', '/api/v1/witness/alarms?limit=50'))
      : Promise.resolve(null),
  ]);
  for (const f of flagged.items)
    warnings.push({ kind: 'flagged', at: f.eventTime, subject: f.recall.reason, detail: `${stepLabel(f.bizStep)} ${f.codes.join('、')}`, href: `/regulator/recalls/${encodeURIComponent(f.recall.id)}` });
  const open = recalls.items.filter((r) => r.status === 'open');
  for (const r of open.filter((r) => r.kind === 'stop_trade'))
    warnings.push({ kind: 'stop_trade', at: r.createdAt, subject: r.reason, detail: r.roots.join('、'), href: `/regulator/recalls/${encodeURIComponent(r.id)}` });
  for (const e of inspections?.epcisBody.queryResults.resultsBody.eventList ?? []) {
    const things = [...(e.epcList ?? []), ...(e.quantityList ?? []).map((q) => q.epcClass), ...(e.parentID ? [e.parentID] : [])];
    warnings.push({ kind: 'inspection', at: e.eventTime, subject: e.bizLocation?.id ?? e.readPoint?.id ?? '—', detail: things.join('、'), href: things[0] ? `/regulator/trace?code=${encodeURIComponent(things[0])}&direction=forward` : undefined });
  }
  for (const unit of ranking?.items ?? [])
    if (unit.measures.rejection.refused > 0)
      warnings.push({
        kind: 'refusal',
        at: ranking!.evaluatedAt,
        subject: unit.unit.name,
        detail: `${unit.measures.rejection.refused}/${unit.measures.rejection.submissions} · ${Object.entries(unit.measures.rejection.errorCodes)
          .map(([code, n]) => `${code} ×${n}`)
          .join(', ')}`,
        href: '/regulator/evaluation',
      });
  for (const a of alarms?.items ?? []) warnings.push({ kind: 'witness', at: a.at, subject: a.origin, detail: `${a.kind} · ${a.actor}` });
  return warnings.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
}

export function useWarnings(session: Session) {
  const [state, setState] = useState<{ warnings?: Warning[]; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadWarnings(session).then(
      (warnings) => live && setState({ warnings, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

const BADGE: Record<Warning['kind'], string> = { flagged: 'danger', stop_trade: 'danger', inspection: 'danger', witness: 'danger', refusal: 'warn' };

/** Risk warnings (风险预警). */
export function WarningsScreen(props: { session: Session }) {
  const t = useT();
  const state = useWarnings(props.session);
  const [kind, setKind] = useState<'all' | Warning['kind']>('all');
  const shown = (state.warnings ?? []).filter((w) => kind === 'all' || w.kind === kind);
  return (
    <>
      <p class="muted">{t('regulator.warnings.intro')}</p>
      <div class="toolbar">
        <label>
          {t('regulator.warnings.filter')}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
            <option value="all">{t('regulator.warnings.all')}</option>
            {(['flagged', 'stop_trade', 'inspection', 'refusal', 'witness'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`regulator.warning.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={state.reload}>
          {t('regulator.refresh')}
        </button>
      </div>
      {state.loading && <Loading />}
      {state.error !== undefined && <ErrorNote error={state.error} onRetry={state.reload} />}
      {state.warnings &&
        (shown.length === 0 ? (
          <p class="ok">{t('regulator.warnings.none')}</p>
        ) : (
          <table class="warnings">
            <thead>
              <tr>
                <th scope="col">{t('regulator.warnings.kind')}</th>
                <th scope="col">{t('regulator.warnings.time')}</th>
                <th scope="col">{t('regulator.warnings.subject')}</th>
                <th scope="col">{t('regulator.warnings.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((w, i) => (
                <tr key={i}>
                  <td>
                    <span class={`badge ${BADGE[w.kind]}`}>{t(`regulator.warning.kind.${w.kind}`)}</span>
                  </td>
                  <td>{formatDateTime(w.at)}</td>
                  <th scope="row">{w.href ? <a href={w.href}>{w.subject}</a> : w.subject}</th>
                  <td class="code">{w.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </>
  );
}
