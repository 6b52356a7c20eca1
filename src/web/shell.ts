import type { Language } from '../i18n/index.js';
import type { Screen } from '../i18n/web/index.js';

export interface ShellInput {
  screen: Screen;
  language: Language;
  title: string;
  messages: Record<string, string>;
  /** The asset names of the bundle (with their content hashes for cache busting). */
  script: string;
  style: string;
}

/**
 * The HTML every signed-in screen starts from: no data, only the screen's text in the chosen language and its
 * script. The data comes from the API with the user's own key, so the page can show nothing the key may not read.
 */
export function renderShell(input: ShellInput): string {
  const boot = JSON.stringify({ screen: input.screen, language: input.language, messages: input.messages });
  return `<!doctype html>
<html lang="${input.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<link rel="stylesheet" href="/assets/${input.style}">
</head>
<body>
<div id="app"><p class="loading" role="status">${escapeHtml(input.messages['app.loading'] ?? '')}</p></div>
<noscript><p class="noscript">${input.language === 'en' ? 'This page needs JavaScript.' : '此页面需要启用 JavaScript。'}</p></noscript>
<script id="boot" type="application/json">${scriptSafe(boot)}</script>
<script type="module" src="/assets/${input.script}"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a script element must not be able to close it. */
function scriptSafe(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
