import { useState } from 'preact/hooks';
import { api, download } from '../api.js';
import { formatDate, formatDateTime, formatNumber } from '../boot.js';
import { useApi, useSending } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { Done, ProblemNote, saveBlob, StatusBadge, useConsole, useT, type Page, type Product } from './shared.js';

export type { CodeBatch as Batch } from '../../../issuance/issuance.repository.js';
import type { CodeBatch as Batch } from '../../../issuance/issuance.repository.js';

interface IssuedCode {
  code: string;
  text: string;
  link: string;
  status: 'issued' | 'void';
}

const SCHEMES = ['gs1-sgtin', 'gs1-sscc', 'platform-code'] as const;
type Scheme = (typeof SCHEMES)[number];
const SYMBOLOGIES = ['qr', 'gs1-datamatrix', 'gs1-128', 'code128', 'datamatrix'] as const;

/** Issuing codes (GS1 serials for a product and lot, SSCCs, the platform's 追溯码) and printing their labels. */
export function CodesScreen() {
  const { subject } = useConsole();
  const t = useT();
  const products = useApi<Page<Product>>(`/api/v1/products?owner=${subject.id}&limit=500`);
  const batches = useApi<Page<Batch>>(`/api/v1/codes/batches?subject=${subject.id}&limit=100`);
  const [done, setDone] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const productsById = new Map((products.data?.items ?? []).map((p) => [p.id, p]));
  return (
    <>
      <Done text={done} />
      {subject.status !== 'active' ? (
        <p class="error">{t('console.codes.not_active')}</p>
      ) : products.data ? (
        <IssueForm
          products={products.data.items.filter((p) => p.status === 'active')}
          onIssued={(batch) => {
            setDone(t('console.codes.issued', { count: batch.quantity }));
            setOpen(batch.id);
            batches.reload();
          }}
        />
      ) : null}
      <h2>{t('console.codes.batches')}</h2>
      {batches.error ? (
        <ErrorNote error={batches.error} onRetry={batches.reload} />
      ) : !batches.data ? (
        <Loading />
      ) : batches.data.items.length === 0 ? (
        <p class="muted">{t('app.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('console.codes.created')}</th>
              <th scope="col">{t('console.codes.scheme')}</th>
              <th scope="col">{t('console.product.name')}</th>
              <th scope="col">{t('console.codes.lot')}</th>
              <th scope="col">{t('console.codes.expiry')}</th>
              <th scope="col">{t('console.codes.quantity')}</th>
              <th scope="col">{t('console.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {batches.data.items.map((b) => (
              <tr key={b.id}>
                <td>{formatDateTime(b.createdAt)}</td>
                <td>{t(`console.scheme.${b.scheme}` as never)}</td>
                <td>{b.productId ? (productsById.get(b.productId)?.name ?? b.productId) : '—'}</td>
                <td>{b.lot ?? '—'}</td>
                <td>{b.expiry ? formatDate(b.expiry) : '—'}</td>
                <td>{formatNumber(b.quantity)}</td>
                <td>
                  <button type="button" class="secondary" aria-expanded={open === b.id} onClick={() => setOpen(open === b.id ? null : b.id)}>
                    {t('console.codes.open_batch')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && batches.data?.items.find((b) => b.id === open) && <BatchPanel batch={batches.data.items.find((b) => b.id === open)!} product={productsById.get(batches.data.items.find((b) => b.id === open)!.productId ?? '')} />}
    </>
  );
}

function IssueForm(props: { products: Product[]; onIssued: (batch: Batch) => void }) {
  const t = useT();
  const { subject } = useConsole();
  const [scheme, setScheme] = useState<Scheme>('gs1-sgtin');
  const eligible = props.products.filter((p) => scheme !== 'gs1-sgtin' || p.gtin);
  const [productId, setProductId] = useState('');
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const [quantity, setQuantity] = useState('10');
  const [prefix, setPrefix] = useState(subject.companyPrefixes[0] ?? '');
  const { busy, error, send } = useSending();
  const chosen = eligible.find((p) => p.id === productId) ?? eligible[0];
  // The drug sector profile asks for the expiry from commissioning on (docs/EVALUATION.md).
  const expiryRequired = scheme !== 'gs1-sscc' && chosen?.productClass === 'drug';
  const submit = async (event: Event) => {
    event.preventDefault();
    await send(async () => {
      const body =
        scheme === 'gs1-sscc'
          ? { scheme, quantity: Number(quantity), subjectId: subject.id, ...(prefix ? { companyPrefix: prefix } : {}) }
          : { scheme, quantity: Number(quantity), productId: chosen?.id, ...(lot.trim() ? { lot: lot.trim() } : {}), ...(expiry ? { expiry } : {}) };
      const issued = await api<{ batch: Batch }>('POST', '/api/v1/codes/issue', { body });
      props.onIssued(issued.batch);
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="issue-title">
      <h2 id="issue-title">{t('console.codes.issue_title')}</h2>
      <label>
        {t('console.codes.scheme')}
        <select value={scheme} onChange={(e) => setScheme(e.currentTarget.value as Scheme)} aria-describedby="scheme-hint">
          {SCHEMES.map((s) => (
            <option key={s} value={s}>
              {t(`console.scheme.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <p id="scheme-hint" class="muted">
        {t(`console.codes.hint.${scheme}`)}
      </p>
      {scheme === 'gs1-sscc' ? (
        <label>
          {t('console.subject.prefixes')}
          <select value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)}>
            {subject.companyPrefixes.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <>
          <label>
            {t('console.product.name')}
            <select value={chosen?.id ?? ''} onChange={(e) => setProductId(e.currentTarget.value)} required>
              {eligible.length === 0 && <option value="">{t('console.codes.no_products')}</option>}
              {eligible.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} {p.spec ? `· ${p.spec}` : ''} ({p.gtin ?? p.localCode})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('console.codes.lot')}
            <input value={lot} onInput={(e) => setLot(e.currentTarget.value)} maxLength={20} required={scheme === 'gs1-sgtin'} />
          </label>
          <label>
            {t('console.codes.expiry')}
            {expiryRequired ? ` ${t('console.codes.expiry_required')}` : ''}
            <input type="date" value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} required={expiryRequired} />
          </label>
        </>
      )}
      <label>
        {t('console.codes.quantity')}
        <input type="number" min={1} max={100000} value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} required />
      </label>
      <ProblemNote error={error} />
      <button type="submit" disabled={busy}>
        {t('console.codes.issue')}
      </button>
    </form>
  );
}

/** A batch's codes and its labels: A4 sheets as PDF, ZPL for thermal printers, one code's symbol as SVG. */
function BatchPanel(props: { batch: Batch; product: Product | undefined }) {
  const t = useT();
  const { batch } = props;
  const codes = useApi<Page<IssuedCode>>(`/api/v1/codes/batches/${batch.id}/codes?limit=20`);
  const gs1 = batch.scheme.startsWith('gs1-');
  const [symbology, setSymbology] = useState<string>('qr');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const fetchFile = async (path: string, accept: string, fallbackName: string) => {
    setError(null);
    setDone(null);
    try {
      const file = await download(path, accept);
      saveBlob(file.blob, file.fileName ?? fallbackName);
      setDone(t('console.codes.downloaded', { name: file.fileName ?? fallbackName }));
    } catch (e) {
      setError(e);
    }
  };
  const labels = (format: 'pdf' | 'zpl') =>
    fetchFile(`/api/v1/codes/batches/${batch.id}/labels?format=${format}&symbology=${symbology}`, format === 'pdf' ? 'application/pdf' : 'text/plain', `labels-${batch.id}.${format}`);
  return (
    <section aria-labelledby="batch-title">
      <h2 id="batch-title">{t('console.codes.batch_title', { product: props.product?.name ?? t(`console.scheme.${batch.scheme}` as never), lot: batch.lot ?? '—' })}</h2>
      <div class="toolbar">
        <label>
          {t('console.codes.symbology')}
          <select value={symbology} onChange={(e) => setSymbology(e.currentTarget.value)}>
            {SYMBOLOGIES.filter((s) => gs1 || !s.startsWith('gs1-')).map((s) => (
              <option key={s} value={s}>
                {t(`console.symbology.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => labels('pdf')}>
          {t('console.codes.labels_pdf')}
        </button>
        <button type="button" class="secondary" onClick={() => labels('zpl')}>
          {t('console.codes.labels_zpl')}
        </button>
      </div>
      <Done text={done} />
      <ProblemNote error={error} />
      {codes.error ? (
        <ErrorNote error={codes.error} onRetry={codes.reload} />
      ) : !codes.data ? (
        <Loading />
      ) : (
        <table>
          <caption class="muted">{t('console.codes.first_codes', { shown: codes.data.items.length, total: formatNumber(batch.quantity) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console.codes.code')}</th>
              <th scope="col">{t('console.subject.status')}</th>
              <th scope="col">{t('console.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {codes.data.items.map((c) => (
              <tr key={c.code}>
                <td>
                  <code>{c.text}</code>
                  <br />
                  <a href={c.link} target="_blank" rel="noopener">
                    {t('console.codes.public_page')}
                  </a>
                </td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={t('console.codes.svg_named', { code: c.text })}
                    onClick={() => fetchFile(`/api/v1/codes/symbol?code=${encodeURIComponent(c.code)}&format=svg&symbology=${symbology}`, 'image/svg+xml', `${c.text.replace(/[^\w.-]+/g, '_')}.svg`)}
                  >
                    SVG
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
