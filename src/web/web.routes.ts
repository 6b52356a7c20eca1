import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { App } from '../http/app.js';
import { webAssets } from '../http/assets.js';
import { chooseLanguage } from '../i18n/index.js';
import { screenMessages, type Screen } from '../i18n/web/index.js';
import { renderShell } from './shell.js';

/** The scripts may talk only to this origin and load nothing from elsewhere; no page may frame them. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The signed-in screens: `/sign-in`, the enterprise console under `/console` and the regulator dashboard under
 * `/regulator`. Each path answers with the screen's shell (its text and script, no data); the script reads the API
 * with the user's own key, so the API's rules decide what the screen shows. Assets have content-hashed names and
 * are kept by browsers for a year.
 */
export function webRoutes(app: App): void {
  const assets = webAssets();

  const shell = (screen: Screen, entry: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const script = assets.entry(entry);
    const style = assets.entry('app.css');
    if (!script || !style) throw new DomainError('unavailable', 'web-assets-missing', 'the web pages are not built: run npm run build');
    const language = chooseLanguage((request.query as { lang?: string }).lang, request.headers['accept-language']);
    const messages = screenMessages(language, screen);
    const title = screen === 'sign-in' ? messages['sign_in.title']! : messages[`app.${screen}`]!;
    return reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-language')
      .type('text/html; charset=utf-8')
      .send(renderShell({ screen, language, title, messages, script, style }));
  };

  const hidden = { config: { public: true }, schema: { hide: true } } as const;
  app.get('/sign-in', hidden, shell('sign-in', 'sign-in.tsx'));
  for (const screen of ['console', 'regulator'] as const) {
    app.get(`/${screen}`, hidden, shell(screen, `${screen}.tsx`));
    app.get(`/${screen}/*`, hidden, shell(screen, `${screen}.tsx`));
  }

  app.get('/assets/:name', hidden, async (request, reply) => {
    const asset = assets.file((request.params as { name: string }).name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply.header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').type(asset.type).send(asset.body);
  });
}
