import { useMemo } from 'preact/hooks';
import { formatDateTime, formatNumber } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { navigate } from '../router.js';
import { Chart } from './chart.js';
import { DownloadButton, percent, useT } from './common.js';
import { MEASURES, type Ranking, type UnitEvaluation } from './types.js';

const PERIODS = ['day', 'week', 'month'] as const;

const GRADE_BADGE: Record<string, string> = { A: 'ok', B: 'ok', C: 'warn', D: 'danger' };

/** Evaluation (分级监测评价): the ranked units of a period with their inputs, the exports, and one unit's trend. */
export function EvaluationScreen(props: { query: URLSearchParams }) {
  const t = useT();
  const period = (PERIODS as readonly string[]).includes(props.query.get('period') ?? '') ? props.query.get('period')! : 'month';
  const at = props.query.get('at') ?? '';
  const unit = props.query.get('unit');
  const periodQuery = `period=${period}${at ? `&at=${encodeURIComponent(at)}` : ''}`;
  const ranking = useApi<Ranking>(`/api/v1/evaluations?${periodQuery}`);
  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(props.query);
    for (const [k, v] of Object.entries(changes)) v === null || v === '' ? next.delete(k) : next.set(k, v);
    navigate(`/regulator/evaluation?${next.toString()}`);
  };
  const selected = unit ?? ranking.data?.items[0]?.unit.id ?? null;
  return (
    <>
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget as HTMLFormElement);
          go({ period: String(form.get('period')), at: String(form.get('at') ?? '') });
        }}
      >
        <label>
          {t('regulator.evaluation.period')}
          <select name="period" value={period}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`regulator.evaluation.period.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('regulator.evaluation.at')}
          <input name="at" value={at} maxLength={10} placeholder={t('regulator.evaluation.at_placeholder')} />
        </label>
        <button type="submit">{t('regulator.evaluation.show')}</button>
        <DownloadButton path={`/api/v1/evaluations.csv?${periodQuery}`} label={t('regulator.export_csv')} fallbackName="evaluation.csv" />
        <DownloadButton path={`/api/v1/evaluations.xlsx?${periodQuery}`} label={t('regulator.export_xlsx')} fallbackName="evaluation.xlsx" />
      </form>
      {ranking.loading && <Loading />}
      {ranking.error !== undefined && <ErrorNote error={ranking.error} onRetry={ranking.reload} />}
      {ranking.data && (
        <>
          <p class="muted">{t('regulator.evaluation.period_of', { key: ranking.data.period.key, time: formatDateTime(ranking.data.evaluatedAt) })}</p>
          {ranking.data.items.length === 0 ? (
            <p class="muted">{t('regulator.evaluation.none')}</p>
          ) : (
            <div class="table-scroll">
              <table class="ranking">
                <thead>
                  <tr>
                    <th scope="col">{t('regulator.evaluation.rank')}</th>
                    <th scope="col">{t('regulator.evaluation.unit')}</th>
                    <th scope="col">{t('regulator.region')}</th>
                    <th scope="col">{t('regulator.evaluation.score')}</th>
                    <th scope="col">{t('regulator.evaluation.grade')}</th>
                    {MEASURES.map((m) => (
                      <th scope="col" key={m}>
                        {t(`regulator.measure.${m}`)}
                      </th>
                    ))}
                    <th scope="col">{t('regulator.evaluation.change')}</th>
                  </tr>
                </thead>
                <tbody>
                  {ranking.data.items.map((e) => (
                    <tr key={e.unit.id} class={e.unit.id === selected ? 'selected' : undefined}>
                      <td>{e.rank ?? '—'}</td>
                      <th scope="row">
                        <button type="button" class="link" onClick={() => go({ unit: e.unit.id })} aria-pressed={e.unit.id === selected}>
                          {e.unit.name}
                        </button>
                        <div class="muted">{t(`regulator.evaluation.unit_kind.${e.unit.kind}`)}</div>
                      </th>
                      <td>{e.unit.regionCode ?? '—'}</td>
                      <td>{formatNumber(e.score)}</td>
                      <td>
                        <span class={`badge ${GRADE_BADGE[e.grade] ?? ''}`}>{e.grade}</span>
                      </td>
                      {MEASURES.map((m) => (
                        <td key={m}>{percent(e.measures[m].value)}</td>
                      ))}
                      <td>{e.change === null ? '—' : `${e.change > 0 ? '+' : ''}${formatNumber(e.change)}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {selected && <UnitTrend id={selected} periodQuery={periodQuery} />}
        </>
      )}
    </>
  );
}

function UnitTrend(props: { id: string; periodQuery: string }) {
  const t = useT();
  const unit = useApi<UnitEvaluation>(`/api/v1/evaluations/${encodeURIComponent(props.id)}?${props.periodQuery}`);
  const option = useMemo(
    () =>
      unit.data && {
        color: ['#0b5cad'],
        tooltip: { trigger: 'axis' },
        grid: { left: 50, right: 20, bottom: 40 },
        xAxis: { type: 'category', data: unit.data.trend.map((p) => p.period) },
        yAxis: { type: 'value', min: 0, max: 100 },
        animation: false,
        series: [{ type: 'line', name: t('regulator.evaluation.score'), data: unit.data.trend.map((p) => p.score), connectNulls: false, label: { show: true } }],
      },
    [unit.data],
  );
  return (
    <section aria-labelledby="trend-heading">
      <h2 id="trend-heading">{t('regulator.evaluation.trend', { name: unit.data?.unit.name ?? '' })}</h2>
      {unit.loading && <Loading />}
      {unit.error !== undefined && <ErrorNote error={unit.error} onRetry={unit.reload} />}
      {unit.data && option && (
        <Chart
          option={option}
          label={t('regulator.evaluation.trend', { name: unit.data.unit.name })}
          height={300}
          alternative={
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('regulator.evaluation.period')}</th>
                  <th scope="col">{t('regulator.evaluation.score')}</th>
                  <th scope="col">{t('regulator.evaluation.grade')}</th>
                </tr>
              </thead>
              <tbody>
                {unit.data.trend.map((p) => (
                  <tr key={p.period}>
                    <th scope="row">{p.period}</th>
                    <td>{p.score === null ? '—' : formatNumber(p.score)}</td>
                    <td>{p.grade ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
      )}
    </section>
  );
}
