/**
 * The signed-in user's key, kept in sessionStorage: it lives as long as the tab and is sent as a bearer header, never
 * as a cookie, so no other site can make the browser use it (no CSRF).
 */
export interface Session {
  token: string;
  keyId: string;
  expiresAt: string;
  user: { id: string; username: string; displayName: string; role: string; subjectId: string | null; regionPrefix: string | null };
}

const STORAGE_KEY = 'zhuisu.session';

export function currentSession(): Session | null {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (!stored) return null;
  const session = JSON.parse(stored) as Session;
  if (Date.parse(session.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
  return session;
}

export function keepSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Sends the reader to sign in, coming back here afterwards. */
export function signInAgain(reason?: 'expired'): never {
  forgetSession();
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/sign-in?next=${encodeURIComponent(next)}${reason ? `&reason=${reason}` : ''}`);
  throw new Error('signing in again');
}

/** The screen a role starts at after signing in. */
export function homeOf(role: string): string {
  return role === 'regulator' || role === 'platform_admin' || role === 'auditor' ? '/regulator' : '/console';
}
