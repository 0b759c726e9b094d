import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '@mlops-actions/loadgen';

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly and counts exactly rate × duration', () => {
    const s = new ArrivalSchedule({ rate: 1000, durationMs: 1000 });
    expect(s.measuredCount).toBe(1000);
    expect(s.timeOf(0)).toBe(0);
    expect(s.timeOf(1)).toBeCloseTo(1, 9);
    expect(s.timeOf(999)).toBeCloseTo(999, 9);
    const odd = new ArrivalSchedule({ rate: 3, durationMs: 1000 });
    expect(odd.measuredCount).toBe(3);
    expect(odd.timeOf(2)).toBeCloseTo(666.667, 2);
  });

  it('puts the warm-up first at the starting rate and measures after it', () => {
    const s = new ArrivalSchedule({ rate: 100, durationMs: 2000, warmupMs: 500 });
    expect(s.warmupCount).toBe(50);
    expect(s.measuredCount).toBe(200);
    expect(s.total).toBe(250);
    expect(s.isMeasured(49)).toBe(false);
    expect(s.isMeasured(50)).toBe(true);
    expect(s.timeOf(49)).toBeLessThan(500);
    expect(s.timeOf(50)).toBe(500);
    for (let i = 1; i < s.total; i++) expect(s.timeOf(i)).toBeGreaterThan(s.timeOf(i - 1));
  });

  it('ramps linearly between stage targets (k6 ramping-arrival-rate)', () => {
    // 0 → 100/s over 2 s (100 arrivals), hold 100/s for 1 s (100), down to 0 over 1 s (50).
    const s = new ArrivalSchedule({
      stages: [
        { target: 100, durationMs: 2000 },
        { target: 100, durationMs: 1000 },
        { target: 0, durationMs: 1000 },
      ],
    });
    expect(s.durationMs).toBe(4000);
    expect(s.measuredCount).toBe(250);
    // N(t) = 25 t² in the ramp: arrival j at sqrt(j/25) s.
    expect(s.timeOf(25)).toBeCloseTo(1000, 6);
    expect(s.timeOf(100)).toBeCloseTo(2000, 6);
    expect(s.timeOf(150)).toBeCloseTo(2500, 6);
    expect(s.timeOf(249)).toBeLessThan(4000);
    let previous = -1;
    const perSecond = [0, 0, 0, 0];
    for (let i = 0; i < s.total; i++) {
      const t = s.timeOf(i);
      expect(t).toBeGreaterThan(previous);
      previous = t;
      perSecond[Math.floor(t / 1000)]!++;
    }
    expect(perSecond).toEqual([25, 75, 100, 50]);
    expect(s.rateAt(1000)).toBeCloseTo(50, 9);
    expect(s.rateAt(3500)).toBeCloseTo(50, 9);
  });

  it('stops at maxRequests', () => {
    const s = new ArrivalSchedule({ rate: 1000, durationMs: 60_000, maxRequests: 500 });
    expect(s.measuredCount).toBe(500);
    expect(s.cutByMaxRequests).toBe(true);
  });

  it('refuses both or neither of rate and stages', () => {
    expect(() => new ArrivalSchedule({ durationMs: 1000 })).toThrow(/exactly one/);
    expect(() => new ArrivalSchedule({ rate: 1, stages: [] })).toThrow(/exactly one/);
  });
});
