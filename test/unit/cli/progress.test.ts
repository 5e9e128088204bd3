/**
 * The progress line a person watches: it says when the work waits on Graph and when it goes on,
 * gives time left in minutes and hours from the step's own estimate, and a resumed run's bar
 * starts from what is already done.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressFor } from '../../../src/cli/progress.js';
import { formatCountdown, formatDuration } from '../../../src/cli/render/durations.js';
import { secondsToWrite } from '../../../src/migrate/time-left.js';

function terminal(): { stream: PassThrough; last: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  return { stream, last: () => text.split('\r\x1b[2K').filter((line) => line !== '').at(-1) ?? '' };
}

describe('progress line', () => {
  it('continues a resumed run from what is done and gives time left in minutes and hours, not seconds', () => {
    let now = 1_000_000;
    const { stream, last } = terminal();
    const progress = progressFor(stream, { enabled: true, isTTY: true, clock: { now: () => now } });
    progress.start('Applying', 20_000, { done: 6_000, secondsLeft: (remaining) => remaining * 0.43 });
    now += 1_000;
    progress.advance(20);
    expect(last()).toBe('Applying [#######.................] 30% 6,020/20,000 — about 1 h 40 min left');
    expect(last()).not.toMatch(/~|\d s left/);
    progress.finish();
  });

  it('says what it waits for and when the next room comes, counting down', () => {
    let now = 1_000_000;
    const { stream, last } = terminal();
    const progress = progressFor(stream, { enabled: true, isTTY: true, clock: { now: () => now } });
    progress.start('Applying', 1_000, { secondsLeft: () => 900 });
    progress.waiting({ what: "waiting for Graph's write budget", next: 'next room in', until: now + 100_000 });
    expect(last()).toBe("Applying [........................] 0% 0/1,000 — waiting for Graph's write budget, next room in 1:40 — about 15 min left");
    now += 60_000;
    progress.advance(0);
    now += 1_000;
    progress.advance(0);
    expect(last()).toContain('next room in 0:39');
    progress.waiting(null);
    now += 1_000;
    progress.advance(1);
    expect(last()).not.toContain('waiting');
    progress.finish();
  });
});

describe('time left', () => {
  it('at the write budget: what the window still admits goes at once, the rest at 20 writes/s (docs/performance.md)', () => {
    // 10,000 users, ~21,300 writes at Graph's 3,000 per 150 s: (21,300 − 3,000) ÷ 20 = 915 s.
    expect(secondsToWrite(21_300, { writesPerWindow: 3_000, windowMs: 150_000 }, 0, null)).toBe(915);
    expect(formatDuration(915)).toBe('15 min');
    // A full window admits nothing more now.
    expect(secondsToWrite(3_000, { writesPerWindow: 3_000, windowMs: 150_000 }, 3_000, null)).toBe(150);
  });

  it('at the rate answered over the last minutes when that is slower than the budget', () => {
    expect(secondsToWrite(600, { writesPerWindow: 3_000, windowMs: 150_000 }, 2_900, 60)).toBe(600);
    expect(secondsToWrite(0, { writesPerWindow: 3_000, windowMs: 150_000 }, 0, 60)).toBe(0);
  });

  it('reads as a person would say it', () => {
    expect([30, 89, 6_000, 7_200, 106_500].map(formatDuration)).toEqual(['less than a minute', '1 min', '1 h 40 min', '2 h', '29 h 35 min']);
    expect([7_000, 100_000, 3_723_000].map(formatCountdown)).toEqual(['0:07', '1:40', '1:02:03']);
  });
});
