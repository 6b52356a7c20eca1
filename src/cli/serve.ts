import type { Config } from '../config.js';
import { loadDemo } from '../demo/demo.js';
import { buildHttpApp } from '../http/app.js';
import { createPlatform } from '../platform.js';

/** Starts the platform: migrate, listen, load start-up data, then report ready. Stops cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  const platform = await createPlatform(config);
  const app = await buildHttpApp(platform);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ database: platform.database.description, platformLevel: config.level, adminToken: config.adminToken ? 'set' : 'unset' }, 'zhuisu listening');
  try {
    if (config.demo && (await loadDemo(platform.services))) app.log.info('demo data loaded');
  } catch (error) {
    // A half-started server must not linger: say why and stop.
    app.log.error({ err: error }, 'start-up data could not be loaded');
    await app.close();
    await platform.close();
    process.exit(1);
  }
  platform.ready = true;
  if (platform.forwarder) {
    platform.forwarder.start();
    app.log.info({ upstream: config.upstreamUrl }, 'forwarding accepted events upstream');
  }
}
