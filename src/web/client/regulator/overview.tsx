import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api } from '../api.js';
import { formatNumber } from '../boot.js';
import { useApi } from '../hooks.js';
import { navigate } from '../router.js';
import type { Session } from '../session.js';
import { CodeForm, useT } from './common.js';
import type { Page, Ranking, Recall } from './types.js';
import { useWarnings } from './warnings.js';

interface Member {
  id: string;
  name: string;
  lastLagMs: number | null;
  eventsReceived: number;
}

/** The federation's members, when this key may read them (admins and platform auditors); null otherwise. */
function useMembers(role: string): Member[] | null {
  const [members, setMembers] = useState<Member[] | null>(null);
  useEffect(() => {
    if (role !== 'platform_admin' && role !== 'auditor') return;
    api<{ members: Member[] }>('GET', '/api/v1/federation/status').then(
      (status) => setMembers(status.members),
      (error: unknown) => {
        if (!(error instanceof ApiProblem)) throw error;
      },
    );
  }, []);
  return members;
}

/** The dashboard's first page: what is open, what needs attention, how the connected systems do; each card a link. */
export function OverviewScreen(props: { session: Session }) {
  const t = useT();
  const recalls = useApi<Page<Recall>>('/api/v1/recalls?limit=200');
  const warnings = useWarnings(props.session);
  const ranking = useApi<Ranking>('/api/v1/evaluations');
  const members = useMembers(props.session.user.role);
  const open = recalls.data?.items.filter((r) => r.status === 'open') ?? [];
  const figure = (value: number | undefined) => <div class="figure">{value === undefined ? '…' : formatNumber(value)}</div>;
  const lagged = members?.filter((m) => m.lastLagMs !== null).map((m) => m.lastLagMs!) ?? [];
  const { user } = props.session;
  return (
    <>
      <p class="muted">{user.regionPrefix !== null ? t('regulator.overview.region', { region: user.regionPrefix || t('regulator.overview.nationwide') }) : t('regulator.overview.all')}</p>
      <CodeForm code="" onSubmit={(code) => navigate(`/regulator/trace?code=${encodeURIComponent(code)}&direction=backward`)} />
      <ul class="cards" role="list">
        <li class="card">
          <a href="/regulator/recalls">
            {figure(recalls.data ? open.length : undefined)}
            {t('regulator.overview.open_recalls')}
          </a>
          {recalls.data && <div class="muted">{t('regulator.overview.stop_trades', { count: open.filter((r) => r.kind === 'stop_trade').length })}</div>}
        </li>
        <li class="card">
          <a href="/regulator/warnings">
            {figure(warnings.warnings?.length)}
            {t('regulator.overview.warnings')}
          </a>
        </li>
        <li class="card">
          <a href="/regulator/evaluation">
            {figure(ranking.data?.items.length)}
            {t('regulator.overview.units')}
          </a>
          {ranking.data && <div class="muted">{t('regulator.overview.grade_d', { count: ranking.data.items.filter((e) => e.grade === 'D').length })}</div>}
        </li>
        {members && (
          <li class="card">
            <a href="/regulator/evaluation">
              {figure(members.length)}
              {t('regulator.overview.members')}
            </a>
            <div class="muted">{lagged.length > 0 ? t('regulator.overview.max_lag', { minutes: formatNumber(Math.round(Math.max(...lagged) / 60_000)) }) : t('regulator.overview.no_lag')}</div>
          </li>
        )}
      </ul>
      {(recalls.error !== undefined || ranking.error !== undefined || warnings.error !== undefined) && (
        <p class="error" role="alert">
          {t('regulator.overview.partial')}
        </p>
      )}
    </>
  );
}
