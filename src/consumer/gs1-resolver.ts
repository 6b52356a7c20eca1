import { CANONICAL_DIGITAL_LINK_BASE, digitalLinkPrimaryKeys } from '../codes/gs1/index.js';
import { identifierOf } from '../codes/registry.js';
import type { CodeReading } from '../codes/scheme.js';

/**
 * The GS1 resolver conventions (GS1-Conformant Resolver Standard): the link types a code's page offers, a linkset
 * (RFC 9264) listing them, and the resolver's self-description at /.well-known/gs1resolver. Pure.
 */

/** The GS1 Web Vocabulary namespace link types are named in (`gs1:pip` is short for `${GS1_VOC_NS}pip`). */
export const GS1_VOC_NS = 'https://gs1.org/voc/';
export const GS1_VOC = { pip: 'pip', traceability: 'traceability', recallStatus: 'recallStatus', defaultLink: 'defaultLink' } as const;

/** Where a code's page lives here: its Digital Link path for GS1 keys, /q/{code} for every other scheme. */
export function codePagePath(reading: CodeReading): string {
  return pagePathOf(identifierOf(reading), reading.canonical);
}

/** The page path of a code by its identifier (canonical Digital Link or urn:zhuisu:…) and its printed text. */
export function pagePathOf(identifier: string, printed: string): string {
  if (identifier.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/`)) return identifier.slice(CANONICAL_DIGITAL_LINK_BASE.length);
  return `/q/${encodeURIComponent(printed)}`;
}

export interface LinkType {
  type: string;
  title: { 'zh-CN': string; en: string };
  mediaType: string;
  href(root: string, pagePath: string, canonical: string): string;
}

/** The links every code's page offers besides itself (gs1:pip, the default): each a redirect target of `?linkType=`. */
export const LINK_TYPES: LinkType[] = [
  {
    type: GS1_VOC.traceability,
    title: { 'zh-CN': '追溯信息（含存证）', en: 'Traceability record with proofs' },
    mediaType: 'application/json',
    href: (root, _path, canonical) => `${root}/api/v1/resolve?code=${encodeURIComponent(canonical)}`,
  },
  {
    type: GS1_VOC.recallStatus,
    title: { 'zh-CN': '召回状态', en: 'Recall status' },
    mediaType: 'text/html',
    href: (root, path) => `${root}${path}#recall`,
  },
];

/** The code's links as an RFC 9264 linkset: the page (also the default link) and every other link type. */
export function linksetOf(root: string, pagePath: string, identifier: string): { linkset: Record<string, unknown>[] } {
  const page = [
    { href: `${root}${pagePath}`, title: '追溯查询', hreflang: ['zh-CN'], type: 'text/html' },
    { href: `${root}${pagePath}?lang=en`, title: 'Traceability page', hreflang: ['en'], type: 'text/html' },
  ];
  const entry: Record<string, unknown> = {
    anchor: identifier,
    [`${GS1_VOC_NS}${GS1_VOC.defaultLink}`]: [page[0]],
    [`${GS1_VOC_NS}${GS1_VOC.pip}`]: page,
  };
  for (const link of LINK_TYPES) {
    entry[`${GS1_VOC_NS}${link.type}`] = [{ href: link.href(root, pagePath, identifier), title: link.title['zh-CN'], type: link.mediaType }];
  }
  return { linkset: [entry] };
}

/** /.well-known/gs1resolver: what this resolver answers. */
export function resolverDescription(root: string, name: string) {
  return {
    name,
    resolverRoot: root,
    supportedPrimaryKeys: digitalLinkPrimaryKeys(),
    supportedLinkTypes: [GS1_VOC.pip, ...LINK_TYPES.map((l) => l.type)].map((type) => ({ namespace: GS1_VOC_NS, prefix: 'gs1:', linkType: type })),
    linkTypeDefaultCanBeLinkset: false,
    supportedContextValuesEnumerated: { lang: ['zh-CN', 'en'] },
    validatesAIcombination: true,
  };
}
