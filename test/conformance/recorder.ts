/**
 * Records what the product and the emulator say to each other: an observer on the emulator's
 * server (the emulator calls it for every request it answers and every request inside `$batch`),
 * so nothing of the product is patched. `divergencesOf` checks the recording against the CSDL and
 * folds repeats of one finding on one endpoint into one line with a count.
 */
import type { EmulatorObserver } from '../../src/emulator/server.js';
import { checkExchange, type Divergence, type RecordedExchange } from './check-exchange.js';

export class ExchangeRecorder implements EmulatorObserver {
  readonly exchanges: RecordedExchange[] = [];

  readonly exchange = (exchange: RecordedExchange): void => {
    this.exchanges.push(exchange);
  };
}

export interface ConformanceSummary {
  /** Every endpoint seen (`GET /beta/users/{key}/authentication/methods`) with how often. */
  readonly endpoints: ReadonlyMap<string, number>;
  /** One line per distinct finding: `endpoint [side rule] message (×n)`. */
  readonly divergences: readonly string[];
  readonly unchecked: readonly string[];
}

export function summarise(exchanges: readonly RecordedExchange[]): ConformanceSummary {
  const endpoints = new Map<string, number>();
  const divergences = new Map<string, number>();
  const unchecked = new Set<string>();
  for (const exchange of exchanges) {
    const checked = checkExchange(exchange);
    endpoints.set(checked.endpoint, (endpoints.get(checked.endpoint) ?? 0) + 1);
    for (const divergence of checked.divergences) {
      const line = lineOf(divergence);
      divergences.set(line, (divergences.get(line) ?? 0) + 1);
    }
    for (const name of checked.unchecked) unchecked.add(`${checked.endpoint}: ${name}`);
  }
  return {
    endpoints,
    divergences: [...divergences].map(([line, count]) => (count > 1 ? `${line} (×${String(count)})` : line)).sort(),
    unchecked: [...unchecked].sort(),
  };
}

/** Array indexes are folded so one finding on many items reads once. */
function lineOf(divergence: Divergence): string {
  return `${divergence.endpoint} [${divergence.side} ${divergence.rule}] ${divergence.message.replace(/\[\d+\]/g, '[]')}`;
}
