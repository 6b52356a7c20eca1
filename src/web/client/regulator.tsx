import { render } from 'preact';
import { translator } from './boot.js';
import type { RegulatorKey } from '../../i18n/web/index.js';
import { Layout, type NavItem } from './layout.js';
import { EvaluationScreen } from './regulator/evaluation.js';
import { FlowScreen } from './regulator/flow.js';
import { OverviewScreen } from './regulator/overview.js';
import { NewRecallScreen, RecallScreen, RecallsScreen } from './regulator/recalls.js';
import { TraceScreen } from './regulator/trace.js';
import { WarningsScreen } from './regulator/warnings.js';
import { useLocation } from './router.js';
import { currentSession, signInAgain } from './session.js';

/** The regulator dashboard (监管驾驶舱): trace, flow, recalls, warnings and evaluation for a region. */
function Regulator() {
  const t = translator<RegulatorKey>();
  const session = currentSession() ?? signInAgain();
  const { path, query } = useLocation();
  const nav: NavItem[] = [
    { href: '/regulator', label: t('regulator.nav.overview') },
    { href: '/regulator/trace', label: t('regulator.nav.trace') },
    { href: '/regulator/flow', label: t('regulator.nav.flow') },
    { href: '/regulator/recalls', label: t('regulator.nav.recalls') },
    { href: '/regulator/warnings', label: t('regulator.nav.warnings') },
    { href: '/regulator/evaluation', label: t('regulator.nav.evaluation') },
  ];
  const recall = /^\/regulator\/recalls\/([^/]+)$/.exec(path)?.[1];
  let title: string;
  let screen;
  if (path === '/regulator/trace') [title, screen] = [t('regulator.trace.title'), <TraceScreen query={query} />];
  else if (path === '/regulator/flow') [title, screen] = [t('regulator.flow.title'), <FlowScreen query={query} />];
  else if (path === '/regulator/recalls') [title, screen] = [t('regulator.recalls.title'), <RecallsScreen />];
  else if (recall === 'new') [title, screen] = [t('regulator.recall_new.title'), <NewRecallScreen query={query} />];
  else if (recall) [title, screen] = [t('regulator.recall.title'), <RecallScreen key={recall} id={decodeURIComponent(recall)} />];
  else if (path === '/regulator/warnings') [title, screen] = [t('regulator.warnings.title'), <WarningsScreen session={session} />];
  else if (path === '/regulator/evaluation') [title, screen] = [t('regulator.evaluation.title'), <EvaluationScreen query={query} />];
  else if (path === '/regulator' || path === '/regulator/') [title, screen] = [t('app.regulator'), <OverviewScreen session={session} />];
  else [title, screen] = [t('regulator.not_found.title'), <p>{t('regulator.not_found.text')}</p>];
  return (
    <Layout title={title} session={session} nav={nav} current={path}>
      {screen}
    </Layout>
  );
}

// The shell's "loading" line is replaced, not kept beside the screen as a status that never ends.
const root = document.getElementById('app')!;
root.replaceChildren();
render(<Regulator />, root);
