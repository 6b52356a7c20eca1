import { render } from 'preact';
import { translator } from './boot.js';
import type { RegulatorKey } from '../../i18n/web/index.js';
import { Layout } from './layout.js';
import { useLocation } from './router.js';
import { currentSession, signInAgain } from './session.js';

/** The regulator dashboard (监管驾驶舱): trace, flow, recalls, warnings and evaluation for a region. */
function Regulator() {
  const t = translator<RegulatorKey>();
  const session = currentSession() ?? signInAgain();
  const { path } = useLocation();
  return (
    <Layout title={t('app.regulator')} session={session} nav={[{ href: '/regulator', label: t('app.regulator') }]} current={path}>
      <p>{t('regulator.welcome')}</p>
    </Layout>
  );
}

render(<Regulator />, document.getElementById('app')!);
