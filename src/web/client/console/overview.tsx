import { Fragment } from 'preact';
import { formatDate, formatDateTime } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote } from '../layout.js';
import type { Notice } from './recalls.js';
import { countOf, StatusBadge, useConsole, useT, type Location, type Page, type Product } from './shared.js';

const LIMIT = 500;

/** The subject at a glance: open recall notices first, then its profile and how much it has registered. */
export function OverviewScreen() {
  const t = useT();
  const { subject, isAdmin } = useConsole();
  const notices = useApi<Page<Notice>>(`/api/v1/notices?limit=100`);
  const products = useApi<Page<Product>>(`/api/v1/products?owner=${subject.id}&limit=${LIMIT}`);
  const locations = useApi<Page<Location>>(`/api/v1/subjects/${subject.id}/locations?limit=${LIMIT}`);
  const batches = useApi<Page<unknown>>(`/api/v1/codes/batches?subject=${subject.id}&limit=${LIMIT}`);
  const users = useApi<Page<unknown>>(isAdmin ? `/api/v1/users?subjectId=${subject.id}&limit=${LIMIT}` : null);
  const open = (notices.data?.items ?? []).filter((n) => n.status === 'notified');
  return (
    <>
      {open.length > 0 && (
        <section class="alert-box" role="alert" aria-labelledby="open-notices">
          <h2 id="open-notices">{t('console.overview.open_notices', { count: open.length })}</h2>
          <ul>
            {open.map((n) => (
              <li key={n.id}>
                <strong>{t(`console.recall.kind.${n.recall.kind}`)}</strong>
                {n.recall.level ? ` · ${t('console.recall.level', { level: n.recall.level })}` : ''} · {n.recall.reason} · {formatDateTime(n.createdAt)}{' '}
                <a href="/console/recalls">{t('console.overview.answer_notice')}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {notices.error ? <ErrorNote error={notices.error} onRetry={notices.reload} /> : null}
      {subject.status !== 'active' && (
        <p class="error" role="alert">
          {t(`console.overview.status_note.${subject.status}`)} {subject.statusReason ? t('console.overview.status_reason', { reason: subject.statusReason }) : ''}
        </p>
      )}
      <h2>{t('console.overview.profile')}</h2>
      <dl class="facts">
        <dt>{t('console.subject.name')}</dt>
        <dd>{subject.name}</dd>
        <dt>{t('console.subject.code')}</dt>
        <dd>
          <code>{subject.subjectCode}</code>
        </dd>
        <dt>{t('console.subject.region')}</dt>
        <dd>{subject.regionCode}</dd>
        <dt>{t('console.subject.status')}</dt>
        <dd>
          <StatusBadge status={subject.status} />
        </dd>
        <dt>{t('console.subject.roles')}</dt>
        <dd>{subject.roles.map((r) => t(`console.subject_role.${r}` as never)).join('、')}</dd>
        <dt>{t('console.subject.prefixes')}</dt>
        <dd>{subject.companyPrefixes.length ? subject.companyPrefixes.join(', ') : '—'}</dd>
        {subject.address ? (
          <>
            <dt>{t('console.subject.address')}</dt>
            <dd>{subject.address}</dd>
          </>
        ) : null}
        {subject.licences.map((l, i) => (
          <Fragment key={i}>
            <dt>{l.type}</dt>
            <dd>
              {l.number}
              {l.validUntil ? ` · ${t('console.subject.valid_until', { date: formatDate(l.validUntil) })}` : ''}
            </dd>
          </Fragment>
        ))}
      </dl>
      <h2>{t('console.overview.counts')}</h2>
      <div class="cards">
        <Card label={t('console.nav.products')} value={countOf(products.data)} href="/console/products" />
        <Card label={t('console.overview.locations')} value={countOf(locations.data)} />
        <Card label={t('console.overview.batches')} value={countOf(batches.data)} href="/console/codes" />
        <Card label={t('console.overview.open_notice_count')} value={notices.data ? String(open.length) : '…'} href="/console/recalls" />
        {isAdmin ? <Card label={t('console.nav.users')} value={countOf(users.data)} href="/console/users" /> : null}
      </div>
      <h2>{t('console.overview.locations')}</h2>
      <LocationTable locations={locations.data?.items} />
    </>
  );
}

function Card(props: { label: string; value: string; href?: string }) {
  return (
    <div class="card">
      <div class="figure">{props.value}</div>
      <div>{props.href ? <a href={props.href}>{props.label}</a> : props.label}</div>
    </div>
  );
}

function LocationTable(props: { locations: Location[] | undefined }) {
  const t = useT();
  if (!props.locations) return null;
  if (props.locations.length === 0) return <p class="muted">{t('app.empty')}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('console.location.name')}</th>
          <th scope="col">{t('console.location.gln')}</th>
          <th scope="col">{t('console.location.kind')}</th>
          <th scope="col">{t('console.subject.region')}</th>
          <th scope="col">{t('console.subject.status')}</th>
        </tr>
      </thead>
      <tbody>
        {props.locations.map((l) => (
          <tr key={l.id}>
            <td>{l.name}</td>
            <td>
              <code>{l.gln ?? l.localCode ?? '—'}</code>
            </td>
            <td>{l.kind ?? '—'}</td>
            <td>{l.regionCode}</td>
            <td>
              <StatusBadge status={l.status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
