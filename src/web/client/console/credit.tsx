import { ApiProblem } from '../api.js';
import { formatDateTime, formatNumber } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import type { Notice } from './recalls.js';
import { StatusBadge, useConsole, useT, type Page } from './shared.js';
import type { RecallView } from '../../../recall/recall.service.js';

interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  changes: { from?: string; to?: string; reason?: string | null } | null;
}

/** A recall as the API lists it (the server's type). */
type Recall = RecallView;

interface Evaluation {
  score: number;
  grade: string;
  period: { label?: string; start?: string; end?: string } | string;
  measures: Record<string, { value: number | null }>;
}

/**
 * What the platform holds about the subject's standing: its status and the record of its changes, the recalls it
 * started and those that reached it, and its evaluation where the subject may read it.
 */
export function CreditScreen() {
  const t = useT();
  const { subject, isAdmin } = useConsole();
  const history = useApi<Page<AuditEntry>>(isAdmin ? `/api/v1/audit?subjectId=${subject.id}&action=subject.status&limit=100` : null);
  const initiated = useApi<Page<Recall>>('/api/v1/recalls?limit=100');
  const notices = useApi<Page<Notice>>('/api/v1/notices?limit=100');
  const evaluation = useApi<Evaluation>(`/api/v1/evaluations/${subject.id}`);
  return (
    <>
      <p class="muted">{t('console.credit.about')}</p>
      <h2>{t('console.credit.status')}</h2>
      <p>
        <StatusBadge status={subject.status} /> {subject.statusReason ? t('console.overview.status_reason', { reason: subject.statusReason }) : ''}
      </p>
      <h3>{t('console.credit.history')}</h3>
      {!isAdmin ? (
        <p class="muted">{t('console.credit.history_admin_only')}</p>
      ) : history.error ? (
        <ErrorNote error={history.error} onRetry={history.reload} />
      ) : !history.data ? (
        <Loading />
      ) : history.data.items.length === 0 ? (
        <p class="muted">{t('console.credit.no_changes')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('console.credit.at')}</th>
              <th scope="col">{t('console.credit.change')}</th>
              <th scope="col">{t('console.credit.reason')}</th>
              <th scope="col">{t('console.credit.by')}</th>
            </tr>
          </thead>
          <tbody>
            {history.data.items.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>
                  {e.changes?.from ? <StatusBadge status={e.changes.from} /> : '—'} → {e.changes?.to ? <StatusBadge status={e.changes.to} /> : '—'}
                </td>
                <td>{e.changes?.reason ?? '—'}</td>
                <td>{e.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('console.credit.evaluation')}</h2>
      {evaluation.error ? (
        evaluation.error instanceof ApiProblem && (evaluation.error.status === 403 || evaluation.error.status === 404) ? (
          <p class="muted">{t(evaluation.error.status === 403 ? 'console.credit.evaluation_forbidden' : 'console.credit.evaluation_none')}</p>
        ) : (
          <ErrorNote error={evaluation.error} onRetry={evaluation.reload} />
        )
      ) : !evaluation.data ? (
        <Loading />
      ) : (
        <p>
          {t('console.credit.score', { score: formatNumber(Math.round(evaluation.data.score * 10) / 10), grade: evaluation.data.grade })}
        </p>
      )}
      <h2>{t('console.credit.recalls_initiated')}</h2>
      {initiated.error ? (
        <ErrorNote error={initiated.error} onRetry={initiated.reload} />
      ) : !initiated.data ? (
        <Loading />
      ) : (
        <RecallTable rows={initiated.data.items.map((r) => ({ id: r.id, kind: r.kind, level: r.level, reason: r.reason, status: r.status, at: r.createdAt, extra: t('console.credit.affected', { count: r.affected.subjects.length }) }))} />
      )}
      <h2>{t('console.credit.recalls_affected')}</h2>
      {notices.error ? (
        <ErrorNote error={notices.error} onRetry={notices.reload} />
      ) : !notices.data ? (
        <Loading />
      ) : (
        <RecallTable rows={notices.data.items.map((n) => ({ id: n.id, kind: n.recall.kind, level: n.recall.level, reason: n.recall.reason, status: n.status, at: n.createdAt, extra: t('console.recalls.holdings', { count: n.holdings.length }) }))} />
      )}
    </>
  );
}

function RecallTable(props: { rows: { id: string; kind: string; level: number | null; reason: string; status: string; at: string; extra: string }[] }) {
  const t = useT();
  if (props.rows.length === 0) return <p class="muted">{t('app.empty')}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('console.credit.at')}</th>
          <th scope="col">{t('console.credit.kind')}</th>
          <th scope="col">{t('console.credit.reason')}</th>
          <th scope="col">{t('console.subject.status')}</th>
          <th scope="col">{t('console.credit.scope')}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.id}>
            <td>{formatDateTime(r.at)}</td>
            <td>
              {t(`console.recall.kind.${r.kind}` as never)}
              {r.level ? ` · ${t('console.recall.level', { level: r.level })}` : ''}
            </td>
            <td>{r.reason}</td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>{r.extra}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
