/**
 * A user's status once apply or verify has run: migrated, unchanged, partial, conflict, skipped,
 * unmatched, rejected or failed. A domain status every layer speaks (plan decides it, the journal
 * stores it, the reports and commands show it), so it sits at the top of `src/` like `log.ts`.
 */
import { everyMember } from './union-members.js';

export type FinalUserStatus = 'migrated' | 'unchanged' | 'partial' | 'conflict' | 'skipped' | 'unmatched' | 'rejected' | 'failed';

export const FINAL_USER_STATUSES = everyMember<FinalUserStatus>()('migrated', 'unchanged', 'partial', 'conflict', 'skipped', 'unmatched', 'rejected', 'failed');
