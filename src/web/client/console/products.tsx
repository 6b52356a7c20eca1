import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatDate } from '../boot.js';
import { useApi, useSending } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { Done, PRODUCT_CLASSES, ProblemNote, StatusBadge, useConsole, useT, type Page, type Product } from './shared.js';

/** The subject's products with their catalogue classification: listed, registered, changed. */
export function ProductsScreen() {
  const t = useT();
  const { subject, isAdmin } = useConsole();
  const products = useApi<Page<Product>>(`/api/v1/products?owner=${subject.id}&limit=500`);
  const [editing, setEditing] = useState<Product | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const saved = (message: string) => {
    setDone(message);
    setEditing(null);
    products.reload();
  };
  return (
    <>
      <Done text={done} />
      {products.error ? <ErrorNote error={products.error} onRetry={products.reload} /> : !products.data ? <Loading /> : <ProductTable products={products.data.items} onEdit={isAdmin ? setEditing : null} />}
      {isAdmin && editing && <ProductForm key={editing.id} product={editing} onSaved={(p) => saved(t('console.products.updated', { name: p.name }))} onCancel={() => setEditing(null)} />}
      {isAdmin && !editing && <ProductForm key="new" product={null} onSaved={(p) => saved(t('console.products.created', { name: p.name }))} />}
      {!isAdmin && <p class="muted">{t('console.products.admin_only')}</p>}
    </>
  );
}

function ProductTable(props: { products: Product[]; onEdit: ((p: Product) => void) | null }) {
  const t = useT();
  if (props.products.length === 0) return <p class="muted">{t('console.products.none')}</p>;
  return (
    <table>
      <caption class="muted">{t('console.products.caption', { count: props.products.length })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('console.product.name')}</th>
          <th scope="col">{t('console.product.code')}</th>
          <th scope="col">{t('console.product.spec')}</th>
          <th scope="col">{t('console.product.class')}</th>
          <th scope="col">{t('console.product.category')}</th>
          <th scope="col">{t('console.subject.status')}</th>
          <th scope="col">{t('console.product.created')}</th>
          {props.onEdit ? <th scope="col">{t('console.actions')}</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.products.map((p) => (
          <tr key={p.id}>
            <th scope="row">{p.name}</th>
            <td>
              <code>{p.gtin ? `GTIN ${p.gtin}` : p.localCode}</code>
            </td>
            <td>{p.spec ?? '—'}</td>
            <td>{t(`console.class.${p.productClass}` as never)}</td>
            <td>{p.category ?? '—'}</td>
            <td>
              <StatusBadge status={p.status} />
            </td>
            <td>{formatDate(p.createdAt)}</td>
            {props.onEdit ? (
              <td>
                <button type="button" class="secondary" onClick={() => props.onEdit!(p)} aria-label={t('console.products.edit_named', { name: p.name })}>
                  {t('console.edit')}
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Registers a product (GTIN or a local code) or changes one; the code of a registered product is fixed. */
function ProductForm(props: { product: Product | null; onSaved: (p: Product) => void; onCancel?: () => void }) {
  const t = useT();
  const { subject } = useConsole();
  const existing = props.product;
  const [codeKind, setCodeKind] = useState<'gtin' | 'local'>('gtin');
  const [code, setCode] = useState('');
  const [name, setName] = useState(existing?.name ?? '');
  const [spec, setSpec] = useState(existing?.spec ?? '');
  const [productClass, setProductClass] = useState<string>(existing?.productClass ?? 'food');
  const [category, setCategory] = useState(existing?.category ?? '');
  const [status, setStatus] = useState(existing?.status ?? 'active');
  const { busy, error, send } = useSending();
  const heading = useRef<HTMLHeadingElement>(null);
  // Choosing "edit" in the table takes the reader to the form.
  useEffect(() => {
    if (existing) heading.current?.focus();
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    await send(async () => {
      const common = { name: name.trim(), spec: spec.trim() || null, productClass, category: category.trim() || null };
      const saved = existing
        ? await api<Product>('PATCH', `/api/v1/products/${existing.id}`, { body: { ...common, status } })
        : await api<Product>('POST', `/api/v1/subjects/${subject.id}/products`, { body: { ...common, ...(codeKind === 'gtin' ? { gtin: code.trim() } : { localCode: code.trim() }) } });
      props.onSaved(saved);
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="product-form-title">
      <h2 id="product-form-title" ref={heading} tabIndex={-1}>{existing ? t('console.products.edit_title', { name: existing.name }) : t('console.products.new_title')}</h2>
      {!existing && (
        <fieldset>
          <legend>{t('console.product.code_kind')}</legend>
          <label class="inline">
            <input type="radio" name="code-kind" checked={codeKind === 'gtin'} onChange={() => setCodeKind('gtin')} /> GTIN
          </label>
          <label class="inline">
            <input type="radio" name="code-kind" checked={codeKind === 'local'} onChange={() => setCodeKind('local')} /> {t('console.product.local_code')}
          </label>
          <label>
            {codeKind === 'gtin' ? t('console.product.gtin') : t('console.product.local_code')}
            {/* Keyed by kind: a GTIN field has a digits-only pattern, a local code field none at all. */}
            {codeKind === 'gtin' ? (
              <input key="gtin" value={code} onInput={(e) => setCode(e.currentTarget.value)} required inputMode="numeric" pattern={'\\d{8}|\\d{12,14}'} maxLength={14} />
            ) : (
              <input key="local" value={code} onInput={(e) => setCode(e.currentTarget.value)} required maxLength={64} />
            )}
          </label>
        </fieldset>
      )}
      <label>
        {t('console.product.name')}
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={200} />
      </label>
      <label>
        {t('console.product.spec')}
        <input value={spec} onInput={(e) => setSpec(e.currentTarget.value)} maxLength={200} placeholder={t('console.product.spec_hint')} />
      </label>
      <label>
        {t('console.product.class')}
        <select value={productClass} onChange={(e) => setProductClass(e.currentTarget.value)}>
          {PRODUCT_CLASSES.map((c) => (
            <option key={c} value={c}>
              {t(`console.class.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('console.product.category')}
        <input value={category} onInput={(e) => setCategory(e.currentTarget.value)} maxLength={64} aria-describedby="category-hint" />
      </label>
      <p id="category-hint" class="muted">
        {t('console.product.category_hint')}
      </p>
      {existing && (
        <label>
          {t('console.subject.status')}
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as Product['status'])}>
            <option value="active">{t('console.status.active')}</option>
            <option value="discontinued">{t('console.status.discontinued')}</option>
          </select>
        </label>
      )}
      <ProblemNote error={error} />
      <div class="toolbar">
        <button type="submit" disabled={busy}>
          {existing ? t('app.save') : t('console.products.create')}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            {t('app.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
