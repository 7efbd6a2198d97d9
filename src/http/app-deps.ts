import type { Clock } from '../engine/clock.js';
import type { Db } from '../db/open-db.js';
import type { Engine } from '../engine/engine.js';
import type { Settings } from '../engine/settings.js';
import type { SelfListener } from '../core/self-target.js';
import type { ParseInbox } from '../use-cases/receive-inbound.js';
import type { SmtpLog } from '../smtp/smtp-log.js';

/** What the HTTP app is built from (the composition root hands these in). */
export interface AppDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly settings: Settings;
  /** The seed of sent messages' lifecycles when the scenario file names none (see `SendDeps`). */
  readonly seed: string;
  /** Where mjsim itself listens, once it does (registration refuses webhook URLs that point there). */
  readonly selfListener?: () => SelfListener | undefined;
  /** Where inbound mail for parse routes goes (built from the rest when not given). */
  readonly inbox?: ParseInbox;
  /** The SMTP relay's ports and open connections, when it runs (for `/sim/health`). */
  readonly smtp?: () => { port: number; smtpsPort: number | null; connections: number } | undefined;
  /** The SMTP relay's recent replies (`GET /sim/smtp/log`, the dashboard). */
  readonly smtpLog?: SmtpLog;
}
