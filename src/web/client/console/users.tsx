import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatDate } from '../boot.js';
import { useApi, useSending } from '../hooks.js';
import { ErrorNote, Loading } from '../layout.js';
import { Done, ProblemNote, StatusBadge, useConsole, useT, type Page } from './shared.js';

interface User {
  id: string;
  username: string;
  displayName: string;
  role: string;
  status: 'active' | 'disabled';
  createdAt: string;
}

/** The subject's users (for its admins) and the signed-in user's own account. */
export function UsersScreen() {
  const { isAdmin } = useConsole();
  return (
    <>
      {isAdmin && <SubjectUsers />}
      <MyAccount />
    </>
  );
}

function SubjectUsers() {
  const t = useT();
  const { subject, session } = useConsole();
  const users = useApi<Page<User>>(`/api/v1/users?subjectId=${subject.id}&limit=500`);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const toggle = async (user: User) => {
    setError(null);
    try {
      await api('PATCH', `/api/v1/users/${user.id}`, { body: { status: user.status === 'active' ? 'disabled' : 'active' } });
      setDone(t(user.status === 'active' ? 'console.users.disabled' : 'console.users.enabled', { name: user.username }));
      users.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">{t('console.users.title')}</h2>
      <Done text={done} />
      <ProblemNote error={error} />
      {users.error ? (
        <ErrorNote error={users.error} onRetry={users.reload} />
      ) : !users.data ? (
        <Loading />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('console.users.username')}</th>
              <th scope="col">{t('console.users.display_name')}</th>
              <th scope="col">{t('console.users.role')}</th>
              <th scope="col">{t('console.subject.status')}</th>
              <th scope="col">{t('console.product.created')}</th>
              <th scope="col">{t('console.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.username}</th>
                <td>{u.displayName}</td>
                <td>{t(`role.${u.role}` as never)}</td>
                <td>
                  <StatusBadge status={u.status} />
                </td>
                <td>{formatDate(u.createdAt)}</td>
                <td>
                  {u.id !== session.user.id && (
                    <div class="toolbar">
                      <button type="button" class="secondary" onClick={() => setPasswordFor(u)} aria-label={t('console.users.set_password_named', { name: u.username })}>
                        {t('console.users.set_password')}
                      </button>
                      <button type="button" class="secondary" onClick={() => toggle(u)}>
                        {u.status === 'active' ? t('console.users.disable') : t('console.users.enable')}
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {passwordFor && (
        <PasswordForm
          key={passwordFor.id}
          title={t('console.users.set_password_title', { name: passwordFor.username })}
          userId={passwordFor.id}
          own={false}
          onDone={() => {
            setDone(t('console.users.password_set', { name: passwordFor.username }));
            setPasswordFor(null);
          }}
          onCancel={() => setPasswordFor(null)}
        />
      )}
      <AddOperator
        onAdded={(u) => {
          setDone(t('console.users.added', { name: u.username }));
          users.reload();
        }}
      />
    </section>
  );
}

function AddOperator(props: { onAdded: (user: User) => void }) {
  const t = useT();
  const { subject } = useConsole();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, send } = useSending();
  const submit = async (event: Event) => {
    event.preventDefault();
    await send(async () => {
      const user = await api<User>('POST', '/api/v1/users', { body: { username: username.trim(), ...(displayName.trim() ? { displayName: displayName.trim() } : {}), role: 'subject_operator', subjectId: subject.id } });
      if (password) await api('PUT', `/api/v1/users/${user.id}/password`, { body: { password } });
      setUsername('');
      setDisplayName('');
      setPassword('');
      props.onAdded(user);
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-operator-title">
      <h3 id="add-operator-title">{t('console.users.add_operator')}</h3>
      <label>
        {t('console.users.username')}
        <input value={username} onInput={(e) => setUsername(e.currentTarget.value)} required minLength={2} maxLength={64} autoComplete="off" />
      </label>
      <label>
        {t('console.users.display_name')}
        <input value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} maxLength={100} />
      </label>
      <label>
        {t('console.users.initial_password')}
        <input type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} minLength={10} maxLength={200} autoComplete="new-password" aria-describedby="password-rule" />
      </label>
      <p id="password-rule" class="muted">
        {t('console.users.password_rule')}
      </p>
      <ProblemNote error={error} />
      <button type="submit" disabled={busy}>
        {t('console.users.add')}
      </button>
    </form>
  );
}

function MyAccount() {
  const t = useT();
  const { session } = useConsole();
  const [done, setDone] = useState<string | null>(null);
  return (
    <section aria-labelledby="account-title">
      <h2 id="account-title">{t('console.account.title')}</h2>
      <p>
        {session.user.username} · {t(`role.${session.user.role}` as never)}
      </p>
      <Done text={done} />
      <PasswordForm title={t('console.account.change_password')} userId={session.user.id} own onDone={() => setDone(t('console.account.password_changed'))} />
    </section>
  );
}

/** Setting a password: one's own needs the current one; a subject admin sets an operator's without. */
function PasswordForm(props: { title: string; userId: string; own: boolean; onDone: () => void; onCancel?: () => void }) {
  const t = useT();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, send } = useSending();
  const formId = `password-${props.userId}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (password !== repeat) return setError(new Error(t('console.account.mismatch')));
    await send(async () => {
      await api('PUT', `/api/v1/users/${props.userId}/password`, { body: { password, ...(props.own ? { currentPassword: current } : {}) } });
      setCurrent('');
      setPassword('');
      setRepeat('');
      props.onDone();
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby={`${formId}-title`}>
      <h3 id={`${formId}-title`}>{props.title}</h3>
      {props.own && (
        <label>
          {t('console.account.current')}
          <input type="password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required autoComplete="current-password" />
        </label>
      )}
      <label>
        {t('console.account.new')}
        <input type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={10} maxLength={200} autoComplete="new-password" />
      </label>
      <label>
        {t('console.account.repeat')}
        <input type="password" value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} required minLength={10} maxLength={200} autoComplete="new-password" />
      </label>
      <ProblemNote error={error} />
      <div class="toolbar">
        <button type="submit" disabled={busy}>
          {t('app.save')}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            {t('app.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
