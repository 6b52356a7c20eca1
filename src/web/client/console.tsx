import { render } from 'preact';
import { useMemo } from 'preact/hooks';
import { useApi } from './hooks.js';
import { ErrorNote, Layout, Loading, type NavItem } from './layout.js';
import { useLocation } from './router.js';
import { currentSession, signInAgain } from './session.js';
import { CodesScreen } from './console/codes.js';
import { CreditScreen } from './console/credit.js';
import { EventsScreen } from './console/events.js';
import { OverviewScreen } from './console/overview.js';
import { ProductsScreen } from './console/products.js';
import { RecallsScreen } from './console/recalls.js';
import { ConsoleContext, useT, type Subject } from './console/shared.js';
import { UsersScreen } from './console/users.js';

/** The screens of the console, by path; `admin` ones are listed for subject admins only. */
const SCREENS = [
  { path: '/console', key: 'console.nav.overview', view: OverviewScreen },
  { path: '/console/products', key: 'console.nav.products', view: ProductsScreen },
  { path: '/console/codes', key: 'console.nav.codes', view: CodesScreen },
  { path: '/console/events', key: 'console.nav.events', view: EventsScreen },
  { path: '/console/recalls', key: 'console.nav.recalls', view: RecallsScreen },
  { path: '/console/users', key: 'console.nav.users', view: UsersScreen },
  { path: '/console/credit', key: 'console.nav.credit', view: CreditScreen },
] as const;

/** The enterprise console (企业工作台): the screens of a subject's own users. */
function Console() {
  const t = useT();
  const session = currentSession() ?? signInAgain();
  const { path } = useLocation();
  const subjectId = session.user.subjectId;
  const subject = useApi<Subject>(subjectId ? `/api/v1/subjects/${encodeURIComponent(subjectId)}` : null);
  const screen = SCREENS.find((s) => s.path === path.replace(/\/+$/, '')) ?? SCREENS[0];
  // An operator's "users" screen is only their own account.
  const label = (s: (typeof SCREENS)[number]) => (s.path === '/console/users' && session.user.role !== 'subject_admin' ? t('console.account.title') : t(s.key));
  const nav: NavItem[] = SCREENS.map((s) => ({ href: s.path, label: label(s) }));
  const title = screen.path === '/console' ? t('app.console') : label(screen);
  const state = useMemo(
    () => (subject.data ? { session, subject: subject.data, isAdmin: session.user.role === 'subject_admin', reloadSubject: subject.reload } : null),
    [subject.data, session.token],
  );
  const View = screen.view;
  return (
    <Layout title={title} session={session} nav={nav} current={path}>
      {!subjectId ? (
        <p role="alert">{t('console.no_subject')}</p>
      ) : subject.error ? (
        <ErrorNote error={subject.error} onRetry={subject.reload} />
      ) : !state ? (
        <Loading />
      ) : (
        <ConsoleContext.Provider value={state}>
          <View />
        </ConsoleContext.Provider>
      )}
    </Layout>
  );
}

// The shell's "loading" line is replaced, not kept beside the screen as a status that never ends.
const root = document.getElementById('app')!;
root.replaceChildren();
render(<Console />, root);
