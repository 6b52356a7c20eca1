import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatDateTime } from '../boot.js';
import { useApi } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { useLocation } from '../router.js';
import { CodeInput, type CodeReading } from '../ui/code-input.js';
import { buildEvent, captureDocument, isGln, profileElements, STEPS, type GoodsLine, type Step } from './epcis-document.js';
import type { Batch } from './codes.js';
import { placeLabel, ProblemNote, UnitSelect, useConsole, useT, type Location, type Page, type Product } from './shared.js';

interface Line extends GoodsLine {
  key: number;
  scanned: string;
  gtin: string | null;
  target: string;
}

interface CaptureJob {
  captureID: string;
  success: boolean;
  eventCount: number;
  errors: { eventIndex?: number; pointer?: string; message: string }[];
  warnings: { message: string }[];
  eventIDs: string[];
}

/** What a code names that is counted one by one; lots and product classes are counted by quantity. */
const INSTANCE_TARGETS = new Set(['item', 'container', 'asset', 'equipment']);
const QUANTITY_TARGETS = new Set(['lot', 'class']);
let lineKeys = 0;
/** The most codes of a batch put into one event form; a bigger batch is shipped by its lot, with a quantity. */
const BATCH_LINES = 1_000;

const batchLabel = (b: Batch, products: Product[], t: ReturnType<typeof useT>): string =>
  [products.find((p) => p.id === b.productId)?.name ?? t(`console.scheme.${b.scheme}` as never), b.lot ? t('console.events.batch_lot', { lot: b.lot }) : null, t('console.events.batch_count', { count: b.quantity }), formatDateTime(b.createdAt)]
    .filter(Boolean)
    .join(' · ');

/** Recording what happened to goods: one form per business step, scanned codes filling the goods, sent as EPCIS 2.0. */
export function EventsScreen() {
  const t = useT();
  const { subject } = useConsole();
  const { query } = useLocation();
  const step = (STEPS as readonly string[]).includes(query.get('step') ?? '') ? (query.get('step') as Step) : 'ship';
  const locations = useApi<Page<Location>>(`/api/v1/subjects/${subject.id}/locations?limit=500`);
  const products = useApi<Page<Product>>(`/api/v1/products?owner=${subject.id}&limit=500`);
  const batches = useApi<Page<Batch>>(`/api/v1/codes/batches?subject=${subject.id}&limit=100`);
  const [round, setRound] = useState(0);
  return (
    <>
      <nav aria-label={t('console.events.steps')}>
        <ul class="tabs">
          {STEPS.map((s) => (
            <li key={s}>
              <a href={`/console/events?step=${s}`} aria-current={s === step ? 'page' : undefined}>
                {t(`console.step.${s}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {subject.status !== 'active' ? (
        <p class="error" role="alert">
          {t('console.events.not_active')}
        </p>
      ) : locations.error ? (
        <ErrorNote error={locations.error} onRetry={locations.reload} />
      ) : !locations.data || !products.data ? (
        <Loading />
      ) : (
        <EventForm
          key={step}
          step={step}
          places={locations.data.items.filter((l) => l.gln && l.status === 'active')}
          products={products.data.items}
          batches={batches.data?.items ?? []}
          onCaptured={() => setRound(round + 1)}
        />
      )}
      <RecentEvents round={round} />
    </>
  );
}

function EventForm(props: { step: Step; places: Location[]; products: Product[]; batches: Batch[]; onCaptured: () => void }) {
  const t = useT();
  const { step } = props;
  const [place, setPlace] = useState(props.places[0]?.gln ?? '');
  const [partner, setPartner] = useState('');
  const [disposition, setDisposition] = useState<'conformant' | 'non_conformant'>('conformant');
  const [time, setTime] = useState(localNow());
  const [goods, setGoods] = useState<Line[]>([]);
  const [outputs, setOutputs] = useState<Line[]>([]);
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [job, setJob] = useState<CaptureJob | null>(null);
  const [busy, setBusy] = useState(false);
  const needsPartner = step === 'ship' || step === 'receive';
  const partnerValid = !needsPartner || isGln(partner.trim());
  // Said while typing only once the text is long enough to be a GLN (a scanned label is read on Enter).
  const partnerWrong = /^\d{13,}$/.test(partner.trim()) && !partnerValid;
  const productClass = props.products.find((p) => p.gtin && [...goods, ...outputs].some((l) => l.gtin === p.gtin))?.productClass ?? null;
  // A cleared time field must not break the form: the event is built for now until a time is given.
  const chosenTime = new Date(time);
  const timeValid = !Number.isNaN(chosenTime.getTime());
  const event = buildEvent({ step, eventTime: timeValid ? chosenTime : new Date(), place, partner: partner.trim(), disposition, goods, outputs, lot: lot.trim(), expiry });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setJob(null);
    if (!partnerValid) return setError(new Error(t('console.events.gln_invalid')));
    if (!timeValid) return setError(new Error(t('console.events.time_required')));
    if (goods.length === 0) return setError(new Error(t('console.events.no_goods')));
    if (step === 'transform' && outputs.length === 0) return setError(new Error(t('console.events.no_outputs')));
    setBusy(true);
    try {
      const captured = await api<CaptureJob>('POST', '/epcis/capture', { body: captureDocument(event) });
      setJob(captured);
      if (captured.success) {
        setGoods([]);
        setOutputs([]);
        props.onCaptured();
      }
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  if (props.places.length === 0) return <p class="error">{t('console.events.no_places')}</p>;
  return (
    <form onSubmit={submit} aria-labelledby="event-form-title">
      <h2 id="event-form-title">{t('console.events.form_title', { step: t(`console.step.${step}`) })}</h2>
      <p class="muted">{t(`console.events.about.${step}`)}</p>
      <label>
        {step === 'ship' ? t('console.events.from_place') : t('console.events.place')}
        <select value={place} onChange={(e) => setPlace(e.currentTarget.value)}>
          {props.places.map((l) => (
            <option key={l.id} value={l.gln!}>
              {placeLabel(l)}
            </option>
          ))}
        </select>
      </label>
      {needsPartner && (
        <label>
          {step === 'ship' ? t('console.events.destination') : t('console.events.source')}
          <input
            value={partner}
            onInput={(e) => setPartner(e.currentTarget.value)}
            onKeyDown={(e) => {
              // A scanned location label ((414)…, a Digital Link) is read to its GLN instead of submitting the form.
              if (e.key !== 'Enter' || isGln(partner.trim())) return;
              e.preventDefault();
              void glnOfScan(partner.trim()).then((gln) => gln && setPartner(gln));
            }}
            required
            autoComplete="off"
            aria-invalid={partnerWrong ? true : undefined}
            aria-describedby="partner-hint"
          />
        </label>
      )}
      {needsPartner && (
        <p id="partner-hint" class={partnerWrong ? 'error' : 'muted'}>
          {partnerWrong ? t('console.events.gln_invalid') : t('console.events.gln_hint')}
        </p>
      )}
      {step === 'inspect' && (
        <fieldset>
          <legend>{t('console.events.result')}</legend>
          {(['conformant', 'non_conformant'] as const).map((d) => (
            <label class="inline" key={d}>
              <input type="radio" name="disposition" checked={disposition === d} onChange={() => setDisposition(d)} /> {t(`console.disposition.${d}`)}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        {t('console.events.time')}
        <input type="datetime-local" value={time} onInput={(e) => setTime(e.currentTarget.value)} required step={1} />
      </label>
      <GoodsList id="goods" title={step === 'transform' ? t('console.events.inputs') : t('console.events.goods')} lines={goods} onChange={setGoods} batches={props.batches} products={props.products} />
      {step === 'transform' && <GoodsList id="outputs" title={t('console.events.outputs')} lines={outputs} onChange={setOutputs} />}
      {step === 'transform' && (
        <div class="toolbar">
          <label>
            {t('console.events.output_lot')}
            <input value={lot} onInput={(e) => setLot(e.currentTarget.value)} maxLength={20} />
          </label>
          <label>
            {t('console.codes.expiry')}
            {productClass === 'drug' ? ` ${t('console.codes.expiry_required')}` : ''}
            <input type="date" value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} required={productClass === 'drug'} />
          </label>
        </div>
      )}
      <ProfileCheck productClass={productClass} event={event} />
      <ProblemNote error={error} />
      {job && <JobResult job={job} />}
      <button type="submit" disabled={busy}>
        {t('console.events.submit', { step: t(`console.step.${step}`) })}
      </button>
    </form>
  );
}

/** The goods of an event: each scan adds a line; lots and products get a quantity and unit. */
function GoodsList(props: { id: string; title: string; lines: Line[]; onChange: (lines: Line[]) => void; batches?: Batch[]; products?: Product[] }) {
  const t = useT();
  const [note, setNote] = useState<string | null>(null);
  const [batchId, setBatchId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const batches = props.batches ?? [];
  /** Every code of an issued batch, one line each: a serialised lot shipped whole without scanning each label. */
  const addBatch = async () => {
    const batch = batches.find((b) => b.id === (batchId || batches[0]?.id));
    if (!batch) return;
    setError(null);
    try {
      const page = await api<Page<{ code: string; text: string; status: string }>>('GET', `/api/v1/codes/batches/${batch.id}/codes?limit=${BATCH_LINES}`);
      const known = new Set(props.lines.map((l) => l.identifier));
      const fresh = page.items.filter((c) => c.status === 'issued' && !known.has(c.code));
      const gtin = props.products?.find((p) => p.id === batch.productId)?.gtin ?? null;
      const target = batch.scheme === 'gs1-sscc' ? 'container' : 'item';
      props.onChange([...props.lines, ...fresh.map((c) => ({ key: ++lineKeys, identifier: c.code, kind: 'instance' as const, quantity: 1, uom: 'EA', scanned: c.text, gtin, target }))]);
      setNote(t(page.nextCursor ? 'console.events.batch_added_first' : 'console.events.batch_added', { count: fresh.length }));
    } catch (e) {
      setError(e);
    }
  };
  const add = (reading: CodeReading, scanned: string) => {
    const kind = INSTANCE_TARGETS.has(reading.target) ? 'instance' : QUANTITY_TARGETS.has(reading.target) ? 'quantity' : null;
    if (!kind) return setNote(t('console.events.not_goods', { code: scanned, target: t(`console.target.${reading.target}` as never) }));
    const identifier = reading.identifier;
    if (props.lines.some((l) => l.identifier === identifier)) return setNote(t('console.events.already_listed', { code: scanned }));
    setNote(t('console.events.added', { code: reading.canonical, kind: reading.schemeName }));
    props.onChange([...props.lines, { key: ++lineKeys, identifier, kind, quantity: 1, uom: 'EA', scanned: reading.canonical, gtin: reading.fields.gtin ?? null, target: reading.target }]);
  };
  const change = (key: number, patch: Partial<Line>) => props.onChange(props.lines.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  return (
    <fieldset>
      <legend>{props.title}</legend>
      <CodeInput
        id={`${props.id}-scan`}
        onRead={add}
        text={{
          label: t('console.events.scan'),
          hint: t('console.events.scan_hint'),
          camera: t('console.events.camera'),
          stopCamera: t('console.events.camera_stop'),
          unreadable: (reason) => t('console.events.unreadable', { reason }),
        }}
      />
      {batches.length > 0 && (
        <div class="toolbar">
          <label>
            {t('console.events.batch')}
            <select value={batchId || batches[0]!.id} onChange={(e) => setBatchId(e.currentTarget.value)}>
              {batches.map((b) => (
                <option key={b.id} value={b.id}>
                  {batchLabel(b, props.products ?? [], t)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="secondary" onClick={addBatch}>
            {t('console.events.add_batch')}
          </button>
        </div>
      )}
      <ProblemNote error={error} />
      <p class="muted" role="status">
        {note ?? ''}
      </p>
      {props.lines.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('console.codes.code')}</th>
              <th scope="col">{t('console.events.kind')}</th>
              <th scope="col">{t('console.events.quantity')}</th>
              <th scope="col">{t('console.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {props.lines.map((l) => (
              <tr key={l.key}>
                <th scope="row">
                  <code>{l.scanned}</code>
                </th>
                <td>{t(`console.target.${l.target}` as never)}</td>
                <td>
                  {l.kind === 'instance' ? (
                    '1'
                  ) : (
                    <div class="toolbar">
                      <label>
                        {t('console.events.quantity_of', { code: l.scanned })}
                        <input type="number" min={0} step="any" value={l.quantity} required onInput={(e) => change(l.key, { quantity: Number(e.currentTarget.value) })} />
                      </label>
                      <label>
                        {t('console.events.unit')}
                        <UnitSelect value={l.uom} onChange={(uom) => change(l.key, { uom })} />
                      </label>
                    </div>
                  )}
                </td>
                <td>
                  <button type="button" class="secondary" aria-label={t('console.events.remove_named', { code: l.scanned })} onClick={() => props.onChange(props.lines.filter((x) => x.key !== l.key))}>
                    {t('console.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </fieldset>
  );
}

/**
 * The key data elements the evaluation holds this event to: its sector profile when the goods are of a class that has
 * one, the CBV basics otherwise. Shown open while one is missing.
 */
function ProfileCheck(props: { productClass: string | null; event: Record<string, unknown> }) {
  const t = useT();
  const { profile, elements } = profileElements(props.event, props.productClass);
  const missing = elements.some((e) => !e.present);
  return (
    <details class="profile" open={missing}>
      <summary>{t('console.events.profile', { profile: profile === 'default' ? t('console.events.profile_default') : t(`console.class.${profile}` as never) })}</summary>
      <ul>
        {elements.map((e) => (
          <li key={e.element} class={e.present ? 'ok' : 'warn'}>
            {e.present ? '✓ ' : '○ '}
            {t(`console.element.${e.element}`)}
            {e.present ? '' : ` ${t('console.events.missing')}`}
          </li>
        ))}
      </ul>
    </details>
  );
}

function JobResult(props: { job: CaptureJob }) {
  const t = useT();
  const { job } = props;
  return job.success ? (
    <div class="ok" role="status">
      <p>{t('console.events.captured', { count: job.eventCount })}</p>
      <ul>
        {job.eventIDs.map((id) => (
          <li key={id}>
            <code>{id}</code>
          </li>
        ))}
      </ul>
    </div>
  ) : (
    <div class="error" role="alert">
      <p>{t('console.events.refused')}</p>
      <ul>
        {job.errors.map((e, i) => (
          <li key={i}>{e.message}</li>
        ))}
      </ul>
    </div>
  );
}

interface QueryDocument {
  epcisBody: { queryResults: { resultsBody: { eventList: Record<string, any>[] } } };
}

/** The latest events the subject may read, its own and those at its places. */
function RecentEvents(props: { round: number }) {
  const t = useT();
  const events = useApi<QueryDocument>('/epcis/events?perPage=20&orderBy=eventTime&orderDirection=DESC');
  useEffect(() => {
    if (props.round) events.reload();
  }, [props.round]);
  const list = events.data?.epcisBody.queryResults.resultsBody.eventList;
  return (
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">{t('console.events.recent')}</h2>
      {events.error ? (
        <ErrorNote error={events.error} onRetry={events.reload} />
      ) : !list ? (
        <Loading />
      ) : list.length === 0 ? (
        <p class="muted">{t('app.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('console.events.time')}</th>
              <th scope="col">{t('console.events.step')}</th>
              <th scope="col">{t('console.events.disposition')}</th>
              <th scope="col">{t('console.events.place')}</th>
              <th scope="col">{t('console.events.goods')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <tr key={e.eventID}>
                <td>{formatDateTime(e.eventTime)}</td>
                <td>{cbvTerm(e.bizStep, t, 'bizstep')}</td>
                <td>{cbvTerm(e.disposition, t, 'disp')}</td>
                <td>
                  <code>{placeOf(e)}</code>
                </td>
                <td>{thingsOf(e).map((thing) => <div key={thing}><code>{thing}</code></div>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const KNOWN_BIZ_STEPS = new Set(['commissioning', 'decommissioning', 'receiving', 'shipping', 'packing', 'unpacking', 'inspecting', 'retail_selling', 'destroying', 'storing']);
const KNOWN_DISPOSITIONS = new Set(['active', 'inactive', 'in_progress', 'in_transit', 'retail_sold', 'conformant', 'non_conformant', 'sellable_accessible', 'sellable_not_accessible', 'destroyed', 'recalled', 'expired']);
/** A CBV term in the reader's language where the console names it, else as CBV spells it. */
const cbvTerm = (term: unknown, t: ReturnType<typeof useT>, kind: 'bizstep' | 'disp') => {
  if (typeof term !== 'string') return '—';
  const bare = term.replace(/^.*[/:]/, '').replace(/^(BizStep|Disp)-/, '');
  return (kind === 'bizstep' ? KNOWN_BIZ_STEPS : KNOWN_DISPOSITIONS).has(bare) ? t(`console.${kind}.${bare}` as never) : bare;
};
const placeOf = (e: Record<string, any>) => String(e.bizLocation?.id ?? e.readPoint?.id ?? '—').replace('https://id.gs1.org/414/', '');
function thingsOf(e: Record<string, any>): string[] {
  const things = [
    ...(e.epcList ?? []),
    ...(e.inputEPCList ?? []),
    ...(e.outputEPCList ?? []),
    ...(e.childEPCs ?? []),
    ...(e.parentID ? [e.parentID] : []),
    ...[...(e.quantityList ?? []), ...(e.inputQuantityList ?? []), ...(e.outputQuantityList ?? []), ...(e.childQuantityList ?? [])].map((q: any) => `${q.epcClass} × ${q.quantity ?? ''} ${q.uom ?? ''}`),
  ] as string[];
  return things.length > 5 ? [...things.slice(0, 5), `… +${things.length - 5}`] : things;
}

/** The GLN of a scanned location code, or null when the text names no location. */
async function glnOfScan(text: string): Promise<string | null> {
  if (!text) return null;
  try {
    const { readings } = await api<{ readings: CodeReading[] }>('GET', `/api/v1/codes/parse?text=${encodeURIComponent(text)}`);
    return readings.find((r) => r.target === 'location' && r.fields.gln)?.fields.gln ?? null;
  } catch {
    return null;
  }
}

/** Now, as a datetime-local input writes it (local time, to the second). */
function localNow(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}
