import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ConsoleKey } from '../../../i18n/web/index.js';
import { ApiProblem } from '../api.js';
import { translator } from '../boot.js';
import type { Session } from '../session.js';

/** The API's answers, as the server types them (only types cross: test/architecture.test.ts). */
export type { Location, Page, Product, Subject } from '../../../domain/master-data.js';
import type { Location, Page, Subject } from '../../../domain/master-data.js';

export const useT = () => translator<ConsoleKey>();

/** What every console screen knows: who is signed in and the subject they act for. */
export interface ConsoleState {
  session: Session;
  subject: Subject;
  /** Subject admins manage the subject's products and users; operators record. */
  isAdmin: boolean;
  reloadSubject: () => void;
}

export const ConsoleContext = createContext<ConsoleState | null>(null);

export function useConsole(): ConsoleState {
  return useContext(ConsoleContext)!;
}

export const PRODUCT_CLASSES = ['edible_agricultural', 'food', 'drug', 'agricultural_input', 'special_equipment', 'hazardous', 'rare_earth', 'import_export'] as const;

/** A problem from the API with the fields it names, or any other failure, announced to screen readers. */
export function ProblemNote(props: { error: unknown }) {
  const t = useT();
  if (!props.error) return null;
  const problem = props.error instanceof ApiProblem ? props.error : null;
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  return (
    <div class="error" role="alert">
      <p>{t('app.error', { message })}</p>
      {problem && problem.errors.length > 0 && (
        <ul>
          {problem.errors.slice(0, 10).map((e, i) => (
            <li key={i}>
              {e.pointer ? <code>{e.pointer}</code> : null} {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A polite announcement of what just happened (saved, captured …). */
export function Done(props: { text: string | null }) {
  return (
    <p class="ok" role="status">
      {props.text ?? ''}
    </p>
  );
}

export function StatusBadge(props: { status: string }) {
  const t = useT();
  const tone = props.status === 'active' || props.status === 'acknowledged' || props.status === 'issued' ? 'ok' : props.status === 'suspended' || props.status === 'notified' ? 'warn' : 'danger';
  return <span class={`badge ${tone}`}>{t(`console.status.${props.status}` as ConsoleKey)}</span>;
}

/** Saves a Blob under a name, as a click on a download link would. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Shows a count that stopped at the page size as "500+". */
export const countOf = (page: Page<unknown> | undefined): string => (page ? `${page.items.length}${page.nextCursor ? '+' : ''}` : '…');

/** A location as the forms name it: its name and GLN (or local code). */
export const placeLabel = (l: Location): string => `${l.name} (${l.gln ?? l.localCode ?? l.id})`;

/** The units of measure the forms offer (UN/ECE Rec 20 codes, as EPCIS quantities carry them). */
export const UNITS = ['EA', 'KGM', 'TNE', 'LTR', 'H87'] as const;

/** A unit-of-measure choice, labelled by the caller. */
export function UnitSelect(props: { value: string; onChange: (uom: string) => void }) {
  const t = useT();
  return (
    <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      {UNITS.map((u) => (
        <option key={u} value={u}>
          {t(`console.unit.${u}`)}
        </option>
      ))}
    </select>
  );
}
