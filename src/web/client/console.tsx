import { render } from 'preact';
import { translator } from './boot.js';
import type { ConsoleKey } from '../../i18n/web/index.js';
import { Layout } from './layout.js';
import { useLocation } from './router.js';
import { currentSession, signInAgain } from './session.js';

/** The enterprise console (企业工作台): the screens of a subject's own users. */
function Console() {
  const t = translator<ConsoleKey>();
  const session = currentSession() ?? signInAgain();
  const { path } = useLocation();
  return (
    <Layout title={t('app.console')} session={session} nav={[{ href: '/console', label: t('app.console') }]} current={path}>
      <p>{t('console.welcome')}</p>
    </Layout>
  );
}

render(<Console />, document.getElementById('app')!);
