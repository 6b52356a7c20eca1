import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { download } from '../api.js';
import { formatNumber, translator } from '../boot.js';
import type { RegulatorKey } from '../../../i18n/web/index.js';
import type { Amount } from './types.js';

export const useT = () => translator<RegulatorKey>();

/** The label of a CBV business step, bare or as a URI; an unknown step shows its own name. */
export function stepLabel(bizStep: string | null | undefined): string {
  const t = useT();
  if (!bizStep) return t('step.other');
  const bare = bizStep.replace(/^.*[/:-]/, '');
  const key = `step.${bare}` as RegulatorKey;
  const label = t(key);
  return label === key ? bare : label;
}

/** Quantities per unit of measure, never added across units. */
export function amounts(list: Amount[]): string {
  return list.length === 0 ? '—' : list.map((a) => `${formatNumber(a.quantity)} ${a.uom}`).join(' · ');
}

export const percent = (share: number | null | undefined): string => (share === null || share === undefined ? '—' : `${formatNumber(Math.round(share * 1000) / 10)}%`);

/** A file from the API, fetched with the user's key and handed to the browser to save. */
export function DownloadButton(props: { path: string; accept?: string; label: string; fallbackName: string }) {
  const t = useT();
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const save = async () => {
    setState('busy');
    try {
      const { blob, fileName } = await download(props.path, props.accept);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = fileName ?? props.fallbackName;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState('idle');
    } catch {
      setState('failed');
    }
  };
  return (
    <span>
      <button type="button" class="secondary" onClick={save} disabled={state === 'busy'}>
        {props.label}
      </button>
      {state === 'failed' && (
        <span class="error" role="alert">
          {' '}
          {t('regulator.download_failed')}
        </span>
      )}
    </span>
  );
}

/** The one code field of the trace and flow screens: any form the scanner reads. */
export function CodeForm(props: { code: string; onSubmit: (code: string) => void; children?: ComponentChildren }) {
  const t = useT();
  const [code, setCode] = useState(props.code);
  return (
    <form
      class="toolbar"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        if (code.trim()) props.onSubmit(code.trim());
      }}
    >
      <label>
        {t('regulator.code')}
        <input name="code" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} required autoComplete="off" spellcheck={false} placeholder={t('regulator.code_placeholder')} />
      </label>
      {props.children}
      <button type="submit">{t('app.search')}</button>
    </form>
  );
}

/** A short form of a long code for a chart label: the tail, which is what tells siblings apart. */
export function shortCode(text: string): string {
  return text.length > 28 ? `…${text.slice(-26)}` : text;
}
