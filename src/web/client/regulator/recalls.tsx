import { useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.js';
import { formatDateTime, formatNumber } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { navigate } from '../router.js';
import { DownloadButton, amounts, percent, useT } from './common.js';
import { impactQueryOf } from './flow.js';
import type { Impact, Page, Progress, Recall } from './types.js';

const recallHref = (id: string) => `/regulator/recalls/${encodeURIComponent(id)}`;

export function RecallKind(props: { recall: Pick<Recall, 'kind' | 'level' | 'status'> }) {
  const t = useT();
  const { recall } = props;
  return (
    <>
      <span class={`badge ${recall.status === 'open' ? 'danger' : 'ok'}`}>{t(`regulator.recall.status.${recall.status}`)}</span>{' '}
      {t(`regulator.recall.kind.${recall.kind}`)}
      {recall.level !== null && ` · ${t('regulator.recall.level_n', { level: recall.level })}`}
    </>
  );
}

/** Recalls (召回): the ones this key sees whole, newest first, and the way to start one. */
export function RecallsScreen() {
  const t = useT();
  const recalls = useApi<Page<Recall>>('/api/v1/recalls?limit=200');
  return (
    <>
      <div class="toolbar">
        <a class="button" href="/regulator/recalls/new">
          {t('regulator.recalls.start')}
        </a>
        <button type="button" class="secondary" onClick={recalls.reload}>
          {t('regulator.refresh')}
        </button>
      </div>
      {recalls.loading && <Loading />}
      {recalls.error !== undefined && <ErrorNote error={recalls.error} onRetry={recalls.reload} />}
      {recalls.data &&
        (recalls.data.items.length === 0 ? (
          <p class="muted">{t('regulator.recalls.none')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('regulator.recall.reason')}</th>
                <th scope="col">{t('regulator.recall.kind')}</th>
                <th scope="col">{t('regulator.recall.affected')}</th>
                <th scope="col">{t('regulator.recall.created')}</th>
              </tr>
            </thead>
            <tbody>
              {recalls.data.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={recallHref(r.id)}>{r.reason}</a>
                  </th>
                  <td>
                    <RecallKind recall={r} />
                  </td>
                  <td>{t('regulator.recall.affected_counts', { subjects: r.affected.subjects.length, locations: r.affected.locations.length })}</td>
                  <td>{formatDateTime(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </>
  );
}

/** Starting a recall: the codes, the reason and the level, with who it would reach before it is sent. */
export function NewRecallScreen(props: { query: URLSearchParams }) {
  const t = useT();
  const [codes, setCodes] = useState(props.query.getAll('code').join('\n'));
  const [reason, setReason] = useState('');
  const [level, setLevel] = useState('1');
  const [kind, setKind] = useState<'recall' | 'stop_trade'>('recall');
  const [preview, setPreview] = useState<Impact | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const list = codes
    .split(/\n/)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);

  const assess = async () => {
    setError(undefined);
    setBusy(true);
    try {
      setPreview(await api<Impact>('GET', `/api/v1/impact?${impactQueryOf(list)}`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const start = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const recall = await api<Recall>('POST', '/api/v1/recalls', { body: { codes: list, reason, kind, ...(kind === 'recall' ? { level: Number(level) } : {}) } });
      navigate(recallHref(recall.id));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <form onSubmit={start}>
      <label>
        {t('regulator.recall.codes')}
        <textarea name="codes" rows={4} value={codes} required onInput={(e) => setCodes((e.target as HTMLTextAreaElement).value)} aria-describedby="codes-hint" />
      </label>
      <p id="codes-hint" class="muted">
        {t('regulator.recall.codes_hint')}
      </p>
      <label>
        {t('regulator.recall.reason')}
        <input name="reason" value={reason} required maxLength={500} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t('regulator.recall.kind')}
        <select name="kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as 'recall' | 'stop_trade')}>
          <option value="recall">{t('regulator.recall.kind.recall')}</option>
          <option value="stop_trade">{t('regulator.recall.kind.stop_trade')}</option>
        </select>
      </label>
      {kind === 'recall' && (
        <label>
          {t('regulator.recall.level')}
          <select name="level" value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}>
            {['1', '2', '3'].map((l) => (
              <option key={l} value={l}>
                {t('regulator.recall.level_n', { level: l })}
              </option>
            ))}
          </select>
        </label>
      )}
      <div class="toolbar">
        <button type="button" class="secondary" onClick={assess} disabled={busy || list.length === 0}>
          {t('regulator.recall.preview')}
        </button>
        <button type="submit" class="danger" disabled={busy}>
          {t('regulator.recall.submit')}
        </button>
      </div>
      {error !== undefined && <ProblemNote error={error} />}
      {preview && (
        <section aria-labelledby="preview-heading" role="status">
          <h2 id="preview-heading">{t('regulator.recall.preview_heading')}</h2>
          <p>{t('regulator.recall.affected_counts', { subjects: preview.subjects.length, locations: preview.locations.length })}</p>
          <AffectedTable subjects={preview.subjects.map((s) => ({ ...s, regionLabel: s.region ?? s.regionCode }))} locations={preview.locations.map((l) => ({ gln: l.gln, name: l.name, regionCode: l.region ?? l.regionCode }))} />
          <p class="muted">{t('regulator.recall.preview_note')}</p>
        </section>
      )}
    </form>
  );
}

function ProblemNote(props: { error: unknown }) {
  const t = useT();
  const problem = props.error instanceof ApiProblem ? props.error : null;
  return (
    <div class="error" role="alert">
      <p>{t('app.error', { message: problem?.detail ?? String(props.error) })}</p>
      {problem && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function AffectedTable(props: { subjects: { id: string; name: string; subjectCode: string; regionLabel: string }[]; locations: { gln: string; name: string | null; regionCode: string | null }[] }) {
  const t = useT();
  return (
    <>
      <table>
        <caption>{t('regulator.recall.affected_subjects')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('regulator.trace.subject')}</th>
            <th scope="col">{t('regulator.subject_code')}</th>
            <th scope="col">{t('regulator.region')}</th>
          </tr>
        </thead>
        <tbody>
          {props.subjects.map((s) => (
            <tr key={s.id}>
              <th scope="row">{s.name}</th>
              <td>{s.subjectCode}</td>
              <td>{s.regionLabel}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption>{t('regulator.recall.affected_locations')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('regulator.trace.place')}</th>
            <th scope="col">GLN</th>
            <th scope="col">{t('regulator.region')}</th>
          </tr>
        </thead>
        <tbody>
          {props.locations.map((l) => (
            <tr key={l.gln}>
              <th scope="row">{l.name ?? '—'}</th>
              <td>{l.gln}</td>
              <td>{l.regionCode ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** One recall: who it reached, its progress (refreshed on request) and closing it. */
export function RecallScreen(props: { id: string }) {
  const t = useT();
  const recall = useApi<Recall>(`/api/v1/recalls/${encodeURIComponent(props.id)}`);
  const progress = useApi<Progress>(`/api/v1/recalls/${encodeURIComponent(props.id)}/progress`);
  const [note, setNote] = useState('');
  const [closeError, setCloseError] = useState<unknown>(undefined);
  const [closing, setClosing] = useState(false);
  if (recall.loading && !recall.data) return <Loading />;
  if (recall.error !== undefined) return <ErrorNote error={recall.error} onRetry={recall.reload} />;
  const r = recall.data!;
  const close = async (event: Event) => {
    event.preventDefault();
    setClosing(true);
    setCloseError(undefined);
    try {
      await api('POST', `/api/v1/recalls/${encodeURIComponent(r.id)}/close`, { body: note ? { note } : {} });
      recall.reload();
      progress.reload();
    } catch (e) {
      setCloseError(e);
    } finally {
      setClosing(false);
    }
  };
  const p = progress.data;
  return (
    <>
      <h2>{r.reason}</h2>
      <p>
        <RecallKind recall={r} /> · {t('regulator.recall.created_at', { time: formatDateTime(r.createdAt) })}
        {r.closedAt && ` · ${t('regulator.recall.closed_at', { time: formatDateTime(r.closedAt) })}`}
      </p>
      {r.closingNote && <p>{t('regulator.recall.closing_note', { note: r.closingNote })}</p>}
      <p>
        {t('regulator.recall.roots')}: {r.roots.join('、')}
      </p>

      <section aria-labelledby="progress-heading">
        <h2 id="progress-heading">{t('regulator.recall.progress')}</h2>
        <button type="button" class="secondary" onClick={progress.reload} disabled={progress.loading}>
          {t('regulator.refresh')}
        </button>
        {progress.error !== undefined && <ErrorNote error={progress.error} onRetry={progress.reload} />}
        {p && (
          <div role="status" aria-live="polite">
            <div class="cards">
              <div class="card">
                <div class="figure">{formatNumber(p.notices)}</div>
                {t('regulator.recall.notified')}
              </div>
              <div class="card">
                <div class="figure">{formatNumber(p.acknowledged)}</div>
                {t('regulator.recall.acknowledged')}
                <progress max={Math.max(p.notices, 1)} value={p.acknowledged} aria-label={t('regulator.recall.acknowledged')} />
              </div>
              <div class="card">
                <div class="figure">{formatNumber(p.flagged.length)}</div>
                {t('regulator.recall.flagged')}
              </div>
            </div>
            <table class="recall-progress">
              <thead>
                <tr>
                  <th scope="col">{t('regulator.flow.uom')}</th>
                  <th scope="col">{t('regulator.recall.distributed')}</th>
                  <th scope="col">{t('regulator.recall.recovered')}</th>
                  <th scope="col">{t('regulator.recall.recovered_share')}</th>
                </tr>
              </thead>
              <tbody>
                {[...new Set([...p.distributed, ...p.recovered].map((a) => a.uom))].map((uom) => {
                  const distributed = p.distributed.find((a) => a.uom === uom)?.quantity ?? 0;
                  const recovered = p.recovered.find((a) => a.uom === uom)?.quantity ?? 0;
                  return (
                    <tr key={uom}>
                      <th scope="row">{uom}</th>
                      <td>{formatNumber(distributed)}</td>
                      <td>{formatNumber(recovered)}</td>
                      <td>
                        <progress max={Math.max(distributed, 1)} value={Math.min(recovered, distributed)} aria-label={`${t('regulator.recall.recovered_share')} ${uom}`} />{' '}
                        {percent(distributed > 0 ? recovered / distributed : null)}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {p.flagged.length > 0 && (
              <>
                <h3>{t('regulator.recall.flagged')}</h3>
                <ul>
                  {p.flagged.map((f) => (
                    <li key={f.eventID}>
                      <span class="badge danger">{f.bizStep ?? '—'}</span> {formatDateTime(f.eventTime)} {f.codes.join('、')}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </section>

      <section aria-labelledby="affected-heading">
        <h2 id="affected-heading">{t('regulator.recall.affected')}</h2>
        <p>
          {t('regulator.recall.affected_counts', { subjects: r.affected.subjects.length, locations: r.affected.locations.length })} · {amounts(r.affected.quantities)}
        </p>
        <AffectedTable subjects={r.affected.subjects.map((s) => ({ ...s, regionLabel: s.regionCode }))} locations={r.affected.locations} />
      </section>

      <div class="toolbar">
        <DownloadButton path={`/api/v1/recalls/${encodeURIComponent(r.id)}/dossier.xlsx`} label={t('regulator.recall.dossier')} fallbackName="recall.xlsx" />
      </div>

      {r.status === 'open' && (
        <form onSubmit={close} aria-labelledby="close-heading">
          <h2 id="close-heading">{t('regulator.recall.close')}</h2>
          <label>
            {t('regulator.recall.close_note')}
            <textarea name="note" rows={2} maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          </label>
          <button type="submit" disabled={closing}>
            {t('regulator.recall.close_submit')}
          </button>
          {closeError !== undefined && <ProblemNote error={closeError} />}
        </form>
      )}
    </>
  );
}
