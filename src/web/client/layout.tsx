import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { api } from './api.js';
import { otherLanguageHref, translator } from './boot.js';
import { onLinkClick } from './router.js';
import { forgetSession, type Session } from './session.js';

export interface NavItem {
  href: string;
  label: string;
}

/**
 * The frame of a signed-in screen: a skip link, the header with the user, the language switch and signing out, the
 * screen's navigation, and the main region. Same-screen links navigate without reloading.
 */
export function Layout(props: { title: string; session: Session; nav: NavItem[]; current: string; children: ComponentChildren }) {
  const t = translator();
  useEffect(() => {
    document.title = `${props.title} · ${t('app.name')}`;
  }, [props.title]);
  const signOut = async () => {
    try {
      await api('DELETE', '/api/v1/sessions/current');
    } finally {
      forgetSession();
      window.location.assign('/sign-in');
    }
  };
  const { user } = props.session;
  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        {t('app.skip_to_content')}
      </a>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <span class="who">{t('app.signed_in_as', { name: user.displayName || user.username, role: t(`role.${user.role}` as never) })}</span>
        <a class="lang" href={otherLanguageHref()} data-reload>
          {t('app.other_language')}
        </a>
        <button type="button" class="link" onClick={signOut}>
          {t('app.sign_out')}
        </button>
      </header>
      <nav class="sidenav" aria-label={props.title}>
        <ul>
          {props.nav.map((item) => (
            <li key={item.href}>
              <a href={item.href} aria-current={isCurrent(props.current, item.href) ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </div>
  );
}

function isCurrent(path: string, href: string): boolean {
  const target = href.split('?')[0]!;
  return path === target || (target.split('/').length > 2 && path.startsWith(`${target}/`));
}

/** Loading, error and empty states, the same on every screen. */
export function Loading() {
  return (
    <p class="loading" role="status">
      {translator()('app.loading')}
    </p>
  );
}

export function ErrorNote(props: { error: unknown; onRetry?: () => void }) {
  const t = translator();
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  return (
    <div class="error" role="alert">
      <p>{t('app.error', { message })}</p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
