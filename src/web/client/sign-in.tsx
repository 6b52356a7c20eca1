import { render } from 'preact';
import { useState } from 'preact/hooks';
import { otherLanguageHref, translator } from './boot.js';
import { homeOf, keepSession, type Session } from './session.js';

function SignIn() {
  const t = translator();
  const params = new URLSearchParams(window.location.search);
  const [message, setMessage] = useState(params.get('reason') === 'expired' ? t('app.session_expired') : '');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setMessage('');
    try {
      const response = await fetch('/api/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') }),
      });
      if (response.status === 429) {
        setMessage(t('sign_in.throttled', { seconds: response.headers.get('retry-after') ?? '60' }));
        return;
      }
      if (!response.ok) {
        setMessage(t('sign_in.failed'));
        return;
      }
      const session = (await response.json()) as Session;
      keepSession(session);
      const next = params.get('next');
      // Only a path on this site: an open redirect would hand the fresh key's page to anyone's link.
      window.location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : homeOf(session.user.role));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <p class="brand">{t('app.name')}</p>
      <h1>{t('sign_in.title')}</h1>
      <form onSubmit={submit} aria-describedby="sign-in-hint">
        <label>
          {t('sign_in.username')}
          <input name="username" autocomplete="username" required autoFocus />
        </label>
        <label>
          {t('sign_in.password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <p class="error" role="alert" aria-live="assertive">
          {message}
        </p>
        <button type="submit" disabled={busy}>
          {t('sign_in.submit')}
        </button>
      </form>
      <p id="sign-in-hint" class="hint">
        {t('sign_in.hint')}
      </p>
      <p>
        <a href={otherLanguageHref()}>{t('app.other_language')}</a>
      </p>
    </main>
  );
}

render(<SignIn />, document.getElementById('app')!);
