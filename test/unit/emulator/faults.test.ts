import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultSpec } from '../../../src/emulator/faults.js';

describe('--faults spec', () => {
  it('parses every setting', () => {
    expect(parseFaultSpec('seed=7,5xx=0.05,status=500|503,latency=20-80,drop=0.01,lost=0.02,stall=0.005,lostWrites=2,429=0.03,retryAfter=0.25,reject=+14255550100|+44 20 7946 0000')).toEqual({
      seed: 7,
      serverErrorRate: 0.05,
      serverErrorStatuses: [500, 503],
      latencyMs: { min: 20, max: 80 },
      dropRate: 0.01,
      lostResponseRate: 0.02,
      lostWriteAnswers: 2,
      stallRate: 0.005,
      throttleRate: 0.03,
      retryAfterSeconds: 0.25,
      refusedPhoneNumbers: ['+14255550100', '+442079460000'],
    });
    expect(parseFaultSpec('latency=15').latencyMs).toEqual({ min: 15, max: 15 });
  });

  it.each(['5xx=1.5', 'latency=80-20', 'seed=x', 'status=404', 'jitter=3', '5xx=0.6,drop=0.6', 'reject=4255550100', 'reject=+1|+2', 'retryAfter=0', 'retryAfter=x', 'lostWrites=-1', '429=0.5,5xx=0.6'])('refuses %s as a usage error', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(expect.objectContaining({ exitCode: 2, code: 'EMULATOR_FAULTS_INVALID' }) as Error);
  });

  it('decides the same faults for the same seed and request number', () => {
    const plans = (seed: number): string[] => {
      const injector = new FaultInjector(parseFaultSpec(`seed=${seed},5xx=0.2,drop=0.1,latency=0-100`));
      return Array.from({ length: 50 }, () => JSON.stringify(injector.next(false)));
    };
    expect(plans(11)).toEqual(plans(11));
    expect(plans(11)).not.toEqual(plans(12));
    const kinds = new Set(plans(11).map((plan) => (JSON.parse(plan) as { kind: string }).kind));
    expect(kinds).toEqual(new Set(['none', 'serverError', 'drop']));
  });

  it('never drops or stalls a request inside a batch', () => {
    const injector = new FaultInjector(parseFaultSpec('drop=0.5,stall=0.5'));
    expect(new Set(Array.from({ length: 30 }, () => injector.next(true).kind))).toEqual(new Set(['none']));
  });
});
