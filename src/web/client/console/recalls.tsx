import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatDateTime, formatNumber } from '../boot.js';
import { useApi, useSending } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { Done, ProblemNote, StatusBadge, UnitSelect, useT, type Page } from './shared.js';

interface Amount {
  quantity: number;
  uom: string;
}

export interface Notice {
  id: string;
  recallId: string;
  status: 'notified' | 'acknowledged';
  recall: { kind: 'recall' | 'stop_trade'; level: number | null; reason: string; status: 'open' | 'closed'; createdAt: string };
  holdings: string[];
  createdAt: string;
  acknowledgedAt: string | null;
  outcome: { found: Amount[]; returned: Amount[]; destroyed: Amount[]; note: string | null } | null;
}

const OUTCOMES = ['found', 'returned', 'destroyed'] as const;

/** Recall and stop-trade notices addressed to the subject: open ones first, each answered with what was done. */
export function RecallsScreen() {
  const t = useT();
  const notices = useApi<Page<Notice>>('/api/v1/notices?limit=100');
  const [done, setDone] = useState<string | null>(null);
  if (notices.error) return <ErrorNote error={notices.error} onRetry={notices.reload} />;
  if (!notices.data) return <Loading />;
  const open = notices.data.items.filter((n) => n.status === 'notified');
  const answered = notices.data.items.filter((n) => n.status !== 'notified');
  return (
    <>
      <Done text={done} />
      <h2>{t('console.recalls.open', { count: open.length })}</h2>
      {open.length === 0 && <p class="muted">{t('console.recalls.none_open')}</p>}
      {open.map((n) => (
        <NoticeCard
          key={n.id}
          notice={n}
          onAcknowledged={() => {
            setDone(t('console.recalls.acknowledged'));
            notices.reload();
          }}
        />
      ))}
      <h2>{t('console.recalls.answered')}</h2>
      {answered.length === 0 ? <p class="muted">{t('app.empty')}</p> : answered.map((n) => <NoticeCard key={n.id} notice={n} />)}
    </>
  );
}

function NoticeCard(props: { notice: Notice; onAcknowledged?: () => void }) {
  const t = useT();
  const { notice } = props;
  const open = notice.status === 'notified';
  const titleId = `notice-${notice.id}`;
  return (
    <article class={open ? 'notice open' : 'notice'} aria-labelledby={titleId}>
      <h3 id={titleId}>
        {t(`console.recall.kind.${notice.recall.kind}`)}
        {notice.recall.level ? ` · ${t('console.recall.level', { level: notice.recall.level })}` : ''}: {notice.recall.reason}
      </h3>
      <p>
        <StatusBadge status={notice.status} /> {t('console.recalls.notified_at', { at: formatDateTime(notice.createdAt) })}
        {notice.recall.status === 'closed' ? ` · ${t('console.recalls.closed')}` : ''}
      </p>
      <p>{t('console.recalls.holdings', { count: notice.holdings.length })}</p>
      <ul class="codes">
        {notice.holdings.slice(0, 20).map((h) => (
          <li key={h}>
            <code>{h}</code>
          </li>
        ))}
        {notice.holdings.length > 20 && <li>… +{notice.holdings.length - 20}</li>}
      </ul>
      {notice.outcome && (
        <p>
          {OUTCOMES.map((o) => `${t(`console.recalls.${o}`)}: ${notice.outcome![o].map((a) => `${formatNumber(a.quantity)} ${t(`console.unit.${a.uom}` as never)}`).join(', ') || '0'}`).join(' · ')}
          {notice.outcome.note ? ` · ${notice.outcome.note}` : ''}
          {notice.acknowledgedAt ? ` · ${formatDateTime(notice.acknowledgedAt)}` : ''}
        </p>
      )}
      {open && props.onAcknowledged && <AcknowledgeForm notice={notice} onDone={props.onAcknowledged} />}
    </article>
  );
}

function AcknowledgeForm(props: { notice: Notice; onDone: () => void }) {
  const t = useT();
  const [amounts, setAmounts] = useState<Record<(typeof OUTCOMES)[number], string>>({ found: '', returned: '', destroyed: '' });
  const [uom, setUom] = useState('EA');
  const [note, setNote] = useState('');
  const { busy, error, send } = useSending();
  const id = props.notice.id;
  const submit = async (event: Event) => {
    event.preventDefault();
    await send(async () => {
      const body: Record<string, unknown> = note.trim() ? { note: note.trim() } : {};
      for (const o of OUTCOMES) if (amounts[o] !== '') body[o] = [{ quantity: Number(amounts[o]), uom }];
      await api('POST', `/api/v1/notices/${id}/acknowledge`, { body });
      props.onDone();
    });
  };
  return (
    <form onSubmit={submit} aria-label={t('console.recalls.acknowledge')}>
      <div class="toolbar">
        {OUTCOMES.map((o) => (
          <label key={o}>
            {t(`console.recalls.${o}`)}
            <input type="number" min={0} step="any" value={amounts[o]} onInput={(e) => setAmounts({ ...amounts, [o]: e.currentTarget.value })} />
          </label>
        ))}
        <label>
          {t('console.events.unit')}
          <UnitSelect value={uom} onChange={setUom} />
        </label>
      </div>
      <label>
        {t('console.recalls.note')}
        <textarea value={note} onInput={(e) => setNote(e.currentTarget.value)} maxLength={1000} rows={2} />
      </label>
      <ProblemNote error={error} />
      <button type="submit" disabled={busy}>
        {t('console.recalls.acknowledge')}
      </button>
    </form>
  );
}
