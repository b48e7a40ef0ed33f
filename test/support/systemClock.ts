// The system clock stepped as an operator or NTP would step it: Date.now() moves, performance.now() goes on.
export interface SteppedClock {
  /** Sets Date.now() `ms` away from the real clock (negative: back); steps do not add up. */
  stepTo(ms: number): void;
  restore(): void;
}

/** Date.now() at the real time plus a step, from now until restore(). */
export function steppableSystemClock(): SteppedClock {
  const real = Date.now.bind(Date);
  let offsetMs = 0;
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => real() + offsetMs);
  return {
    stepTo: (ms) => void (offsetMs = ms),
    restore: () => spy.mockRestore(),
  };
}
