import type { FastifyReply, FastifyRequest } from 'fastify';
import { CANONICAL_DIGITAL_LINK_BASE, DIGITAL_LINK_CONVENIENCE_ALPHAS, digitalLinkPrimaryKeys } from '../codes/gs1/index.js';
import { scanCode } from '../codes/registry.js';
import { DomainError } from '../domain/errors.js';
import type { App } from '../http/app.js';
import { webAssets } from '../http/assets.js';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n/index.js';
import type { Platform } from '../platform.js';
import { renderCodePage, renderErrorPage, renderHomePage } from './consumer.page.js';
import { codePagePath, LINK_TYPES, linksetOf, pagePathOf, resolverDescription } from './gs1-resolver.js';

/**
 * The public query window (统一的公共服务窗口): the page of every code at its GS1 Digital Link path (`/01/{gtin}/21/…`,
 * any primary key) and at `/q/{code}` for the Chinese schemes (`/c/{code}` too: the platform's own labels print it),
 * the portal's home page, and the GS1 resolver conventions: `/.well-known/gs1resolver`, `?linkType=` redirects and
 * `?linkType=all` as an RFC 9264 linkset. The answer is the resolver's (docs/RESOLVER.md), so a code held by another
 * platform shows here too. HTML by default; `Accept: application/json` gets the same content as JSON.
 */
export function consumerRoutes(app: App, platform: Platform): void {
  const { consumer } = platform.services;
  const root = platform.config.publicUrl;

  const show = async (request: FastifyRequest, reply: FastifyReply, scanned: string) => {
    const query = request.query as Record<string, string | undefined>;
    const language = chooseLanguage(query.lang, request.headers['accept-language']);
    const json = wantsJson(request.headers.accept);
    const other = otherLanguageHref(request.url, language);
    // A recall shows from the next request on: pages are never kept by caches.
    reply.header('cache-control', 'no-cache').header('vary', 'accept, accept-language');

    let page: Awaited<ReturnType<typeof consumer.page>>;
    try {
      page = await consumer.page(scanned, (code) => `${root}/api/v1/resolve?code=${encodeURIComponent(code)}`);
    } catch (error) {
      if (json || !(error instanceof DomainError) || (error.kind !== 'invalid' && error.kind !== 'not_found')) throw error;
      const [status, kind] = error.kind === 'invalid' ? [400, 'malformed' as const] : [404, 'unknown' as const];
      return reply.code(status).type('text/html; charset=utf-8').send(renderErrorPage(language, other, kind, error.message));
    }
    const { view } = page;
    const { code, text } = view.resolution;
    const pagePath = pagePathOf(code, text);
    const linkType = query.linkType;
    if (linkType === 'all') return reply.type('application/linkset+json').serializer(JSON.stringify).send(linksetOf(root, pagePath, code));
    const target = linkType === undefined ? undefined : LINK_TYPES.find((l) => l.type === linkType || `gs1:${l.type}` === linkType);
    // gs1:pip and any link type not offered get the default link: this page, as GS1 resolvers do.
    if (target) return reply.redirect(target.href(root, pagePath, code), 307);
    reply.header('link', `<${root}${pagePath}?linkType=all>; rel="linkset"; type="application/linkset+json"`);
    if (json) return reply.type('application/json; charset=utf-8').send(page.json());
    return reply.type('text/html; charset=utf-8').send(renderCodePage(view, language, other));
  };

  const hidden = { config: { public: true }, schema: { hide: true } } as const;
  const digitalLinkPage = async (request: FastifyRequest, reply: FastifyReply) => show(request, reply, `${CANONICAL_DIGITAL_LINK_BASE}${request.url.split('?')[0]}`);
  for (const ai of [...digitalLinkPrimaryKeys(), ...Object.keys(DIGITAL_LINK_CONVENIENCE_ALPHAS)]) app.get(`/${ai}/*`, hidden, digitalLinkPage);
  for (const prefix of ['q', 'c']) {
    app.get(`/${prefix}/*`, hidden, async (request, reply) => show(request, reply, decoded((request.params as { '*': string })['*'])));
  }

  app.get('/', hidden, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const language = chooseLanguage(query.lang, request.headers['accept-language']);
    return reply.type('text/html; charset=utf-8').send(renderHomePage(language, otherLanguageHref(request.url, language), webAssets().entry('scan.ts')));
  });

  // The home page's form: the code typed or scanned, sent to its page.
  app.get('/lookup', hidden, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const language = chooseLanguage(query.lang, request.headers['accept-language']);
    const scan = scanCode(query.code?.trim() ?? '');
    if (!scan.ok) return reply.code(400).type('text/html; charset=utf-8').send(renderErrorPage(language, otherLanguageHref(request.url, language), 'malformed', scan.reason));
    return reply.redirect(`${codePagePath(scan.readings[0]!)}?lang=${language}`, 303);
  });

  app.get(
    '/.well-known/gs1resolver',
    { config: { public: true }, schema: { summary: 'This platform as a GS1 conformant resolver: root, primary keys and link types', tags: ['consumer'], security: [] } },
    async (_request, reply) => reply.type('application/json').serializer(JSON.stringify).send(resolverDescription(root, platform.config.platformName)),
  );
}

/** A path segment as typed; one with a stray '%' is read as it stands, and the scanner says what is wrong with it. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** JSON when the client asks for it before HTML: a browser's Accept lists text/html first. */
function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = accept.search(/application\/(ld\+)?json/);
  const html = accept.indexOf('text/html');
  return json !== -1 && (html === -1 || json < html);
}

function otherLanguageHref(url: string, language: Language): string {
  const [path = '/', search = ''] = url.split('?');
  const params = new URLSearchParams(search);
  params.set('lang', LANGUAGES.find((l) => l !== language)!);
  return `${path}?${params.toString()}`;
}

