import { regionPath } from '../codes/region.js';
import { bareTerm } from '../epcis/cbv.js';
import { stepKey, translator, type Language, type MessageKey } from '../i18n/index.js';
import type { Resolution, ResolvedStep } from '../resolver/answer.js';

/**
 * The consumer page: what a phone shows after scanning a code in a shop. Server-rendered HTML with its style inline and
 * no script, so it works on a slow phone and without JavaScript; a recall or stop-trade order is the first thing on
 * it, in red. Pure: a resolver answer and a language in, a page out.
 */

/** What the page shows of an answer, the same for the page and its JSON twin. */
export interface ConsumerView {
  resolution: Resolution;
  /** Whether this platform checked the answer's checkpoint signature and every step's inclusion proof. */
  verified: boolean;
  /** The first step with a place: where the goods, or what they were made from, started. */
  origin: { place: string | null; region: string | null; eventTime: string } | null;
  /** The subject of the first step that made the goods or issued their code. */
  producer: { name: string; region: string | null } | null;
  inspections: ResolvedStep[];
  /** Every certificate the steps cite, once each, in the order met. */
  certificates: string[];
  /** The GB/T 2260 region whose regulators answer for the goods: the producer's, else the first place's, else any subject's. */
  supervisingRegion: string | null;
}

const MAKING_STEPS = new Set(['commissioning', 'creating_class_instance', 'harvesting', 'slaughtering', 'transforming']);

export function consumerView(resolution: Resolution, verified: boolean): ConsumerView {
  const bare = (step: ResolvedStep) => (step.bizStep ? bareTerm(step.bizStep) : '');
  const first = resolution.steps.find((s) => s.place);
  const maker = resolution.steps.find((s) => s.subject && MAKING_STEPS.has(bare(s)));
  return {
    resolution,
    verified,
    origin: first?.place ? { place: first.place.name, region: regionText(first.place.regionCode), eventTime: first.eventTime } : null,
    producer: maker?.subject ? { name: maker.subject.name, region: regionText(maker.subject.regionCode) } : null,
    inspections: resolution.steps.filter((s) => bare(s) === 'inspecting'),
    certificates: [...new Set(resolution.steps.flatMap((s) => s.certificationInfo))],
    supervisingRegion: maker?.subject?.regionCode ?? first?.place?.regionCode ?? resolution.steps.find((s) => s.subject)?.subject?.regionCode ?? null,
  };
}

/**
 * The page's content as JSON text: what the page shows, each step without its inclusion proof (the resolver's answer
 * at `proofs` carries them, for checking offline), so that the answer a phone fetches stays small.
 */
export function consumerJson(view: ConsumerView, proofsHref: string): string {
  const { resolution: r } = view;
  return JSON.stringify({
    code: r.code,
    text: r.text,
    product: r.product,
    recall: r.recalls.find((x) => x.status === 'open') ?? null,
    recalled: r.recalled,
    recalls: r.recalls,
    producer: view.producer,
    origin: view.origin,
    steps: r.steps.map(({ proof, ...step }) => ({ ...step, leafIndex: proof.leafIndex })),
    inspections: view.inspections.map((s) => s.eventID),
    certificates: view.certificates,
    verified: view.verified,
    checkpoint: { treeSize: r.checkpoint.treeSize, note: r.checkpoint.note },
    answeredBy: r.answeredBy,
    proofs: proofsHref,
    complaints: '/api/v1/complaints',
  });
}

/** A region code as people write it: 浙江省 杭州市 西湖区 (the table's 市辖区 placeholder left out). */
export function regionText(code: string | null | undefined): string | null {
  if (!code) return null;
  const names = regionPath(code).map((r) => r.name).filter((name) => name !== '市辖区' && name !== '县');
  return names.length ? names.join(' ') : code;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f4f5f7}
header{background:#0b5394;color:#fff;padding:.75rem 1rem;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}h1{font-size:1.1rem;margin:0}main{max-width:40rem;margin:0 auto;padding:1rem}
section{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem}h2{font-size:1rem;margin:0 0 .5rem;color:#0b5394}
.alert{background:#b00020;color:#fff}.alert h2{color:#fff;font-size:1.25rem}.ok{border-left:.4rem solid #1e7b34}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
ol{margin:0;padding-left:1.25rem}li{margin:.4rem 0}time{color:#555;font-size:.9rem;display:block}
.verified{color:#1e7b34;font-weight:bold}.unverified{color:#b00020;font-weight:bold}.fail{color:#b00020;font-weight:bold}
details{margin-top:.5rem}pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.75rem;background:#f4f5f7;padding:.5rem}
form{display:flex;gap:.5rem;flex-wrap:wrap}input[type=text]{flex:1 1 14rem;font-size:1rem;padding:.6rem;border:1px solid #888;border-radius:.3rem}
button,.button{font-size:1rem;padding:.6rem 1rem;border:0;border-radius:.3rem;background:#0b5394;color:#fff;text-decoration:none;display:inline-block}
textarea,input[type=tel]{width:100%;font-size:1rem;padding:.4rem;margin:.2rem 0 .6rem}#complaint summary{cursor:pointer;list-style:none;background:#555}a:focus,button:focus,input:focus,textarea:focus,summary:focus{outline:3px solid #f9a825;outline-offset:2px}#scanner video{width:100%;max-height:60vh;background:#000;border-radius:.3rem}[hidden]{display:none!important}footer{text-align:center;color:#555;font-size:.85rem;padding:1rem}
`;

interface Frame {
  language: Language;
  title: string;
  /** The same page in the other language. */
  otherLanguageHref: string;
  body: string;
}

function frame({ language, title, otherLanguageHref, body }: Frame): string {
  const t = translator(language);
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(t('site.title'))}</title><style>${STYLE}</style></head>
<body><header><h1><a href="/">${escapeHtml(t('site.title'))}</a></h1><a href="${escapeHtml(otherLanguageHref)}" hreflang="${language === 'en' ? 'zh-CN' : 'en'}">${escapeHtml(t('page.other_language'))}</a></header>
<main>${body}</main></body></html>`;
}

/** Formats an event time in China Standard Time, the way the reader's language writes dates. */
function when(eventTime: string, language: Language): string {
  const date = new Date(eventTime);
  if (Number.isNaN(date.getTime())) return eventTime;
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function renderCodePage(view: ConsumerView, language: Language, otherLanguageHref: string): string {
  const t = translator(language);
  const { resolution: r } = view;
  const e = escapeHtml;
  const open = r.recalls.filter((x) => x.status === 'open');
  const parts: string[] = [];
  if (open.length) {
    parts.push(
      `<section class="alert" role="alert" id="recall">${open
        .map((x) => `<h2>${e(t(x.kind === 'stop_trade' ? 'page.stop_trade' : 'page.recalled'))}</h2><dl><dt>${e(t('page.recall.reason'))}</dt><dd>${e(x.reason)}</dd><dt>${e(t('page.recall.since'))}</dt><dd>${e(when(x.createdAt, language))}</dd></dl>`)
        .join('')}</section>`,
    );
  } else {
    parts.push(`<section class="ok" id="recall"><p>${e(t('page.ok'))}</p></section>`);
  }
  const facts: [MessageKey, string | null][] = [
    ['page.product', r.product ? r.product.name : null],
    ['page.code', r.text],
    ['page.producer', view.producer ? [view.producer.name, view.producer.region].filter(Boolean).join(' · ') : null],
    ['page.origin', view.origin ? [view.origin.place, view.origin.region].filter(Boolean).join(' · ') : null],
  ];
  parts.push(
    `<section id="product"><h2>${e(r.product?.name ?? r.text)}</h2><dl>${facts
      .filter(([, value]) => value)
      .map(([key, value]) => `<dt>${e(t(key))}</dt><dd>${e(value!)}</dd>`)
      .join('')}</dl></section>`,
  );
  const stepItem = (s: ResolvedStep) => {
    const place = s.place ? (s.place.name ?? t('page.unknown_place')) : null;
    const where = [place, regionText(s.place?.regionCode ?? s.subject?.regionCode), s.subject && s.subject.name !== place ? s.subject.name : null].filter(Boolean).join(' · ');
    const result = s.disposition ? bareTerm(s.disposition) : undefined;
    const verdict = result === 'conformant' || result === 'non_conformant' ? ` <span class="${result === 'non_conformant' ? 'fail' : ''}">${e(t(`page.result.${result}`))}</span>` : '';
    return `<li><time datetime="${e(s.eventTime)}">${e(when(s.eventTime, language))}</time><strong>${e(t(stepKey(s.bizStep)))}</strong>${verdict}${where ? `<br>${e(where)}` : ''}</li>`;
  };
  parts.push(`<section id="chain"><h2>${e(t('page.chain'))}</h2>${r.steps.length ? `<ol>${r.steps.map(stepItem).join('')}</ol>` : `<p>${e(t('page.nothing'))}</p>`}</section>`);
  if (view.inspections.length) parts.push(`<section id="inspections"><h2>${e(t('page.inspections'))}</h2><ol>${view.inspections.map(stepItem).join('')}</ol></section>`);
  if (view.certificates.length) {
    // A certificate is a URI to follow or a number to read; only web addresses become links.
    const item = (c: string) => (/^https?:\/\//.test(c) ? `<li><a href="${e(c)}" rel="noopener noreferrer">${e(c)}</a></li>` : `<li>${e(c)}</li>`);
    parts.push(`<section id="certificates"><h2>${e(t('page.certificates'))}</h2><ul>${view.certificates.map(item).join('')}</ul></section>`);
  }
  parts.push(
    `<section id="proof"><h2>${e(t('page.proof'))}</h2><p class="${view.verified ? 'verified' : 'unverified'}">${view.verified ? '✓ ' : '✗ '}${e(t(view.verified ? 'page.verified' : 'page.unverified'))}</p>` +
      `<p>${e(t('page.proof.detail', { events: r.steps.length, size: r.checkpoint.treeSize }))}</p><details><summary>${e(r.answeredBy.origin)}</summary><pre>${e(r.checkpoint.note)}</pre></details></section>`,
  );
  parts.push(complaintForm(r.text, language));
  return frame({ language, title: r.product?.name ?? r.text, otherLanguageHref, body: parts.join('\n') });
}

/** The complaint button: a form that works without scripts, sent to the regulators of the goods' region. */
function complaintForm(code: string, language: Language): string {
  const t = translator(language);
  const e = escapeHtml;
  return `<section id="complaint"><details><summary class="button">${e(t('complaint.button'))}</summary><form method="post" action="/complaints">
<input type="hidden" name="code" value="${e(code)}"><input type="hidden" name="lang" value="${language}">
<label for="complaint-text">${e(t('complaint.text'))}</label><textarea id="complaint-text" name="text" required minlength="5" maxlength="1000" rows="4"></textarea>
<label for="complaint-contact">${e(t('complaint.contact'))}</label><input id="complaint-contact" type="tel" name="contact" autocomplete="tel" maxlength="20">
<p class="hint">${e(t('complaint.hint'))}</p><button type="submit">${e(t('complaint.submit'))}</button></form></details></section>`;
}

/** The answer to a complaint sent from a code's page: received, or why not, with the way back. */
export function renderComplaintAnswer(language: Language, otherLanguageHref: string, answer: { received: boolean; detail?: string; backHref: string }): string {
  const t = translator(language);
  const e = escapeHtml;
  const body = answer.received
    ? `<section role="status"><h2>${e(t('complaint.received'))}</h2><p>${e(t('complaint.received.detail'))}</p><p><a class="button" href="${e(answer.backHref)}">${e(t('complaint.back'))}</a></p></section>`
    : `<section role="alert"><h2>${e(t('complaint.refused'))}</h2><p>${e(answer.detail ?? '')}</p><p><a class="button" href="${e(answer.backHref)}">${e(t('complaint.back'))}</a></p></section>`;
  return frame({ language, title: t(answer.received ? 'complaint.received' : 'complaint.refused'), otherLanguageHref, body });
}

export function renderHomePage(language: Language, otherLanguageHref: string, scanScript?: string): string {
  const t = translator(language);
  const e = escapeHtml;
  // The camera button stays hidden unless the scan script finds a camera API: without scripts the form is the page.
  const scanner = scanScript
    ? `<p><button type="button" id="scan" hidden>${e(t('home.scan'))}</button></p>
<div id="scanner" hidden><video muted playsinline aria-label="${e(t('home.scan'))}"></video><p id="scan-status" role="status" data-looking="${e(t('home.scan.looking'))}" data-unavailable="${e(t('home.scan.unavailable'))}"></p><button type="button">${e(t('home.scan.cancel'))}</button></div>
<script type="module" src="/assets/${e(scanScript)}"></script>`
    : '';
  const body = `<section><h2>${e(t('home.heading'))}</h2><p id="hint">${e(t('home.hint'))}</p>
<form method="get" action="/lookup" role="search"><input type="text" name="code" required aria-describedby="hint" aria-label="${e(t('home.heading'))}" placeholder="${e(t('home.placeholder'))}" autocomplete="off"><input type="hidden" name="lang" value="${language}"><button type="submit">${e(t('home.submit'))}</button></form>${scanner}</section>`;
  return frame({ language, title: t('home.heading'), otherLanguageHref, body });
}

export function renderErrorPage(language: Language, otherLanguageHref: string, kind: 'malformed' | 'unknown', detail: string): string {
  const t = translator(language);
  const e = escapeHtml;
  const title = t(kind === 'malformed' ? 'error.malformed.title' : 'error.unknown.title');
  const body = `<section role="alert"><h2>${e(title)}</h2><p>${e(kind === 'unknown' ? t('error.unknown.detail') : detail)}</p><p><a class="button" href="/?lang=${language}">${e(t('error.back'))}</a></p></section>`;
  return frame({ language, title, otherLanguageHref, body });
}
