// How long a WebSocket goes unread after sending faster than its allowance, or than all sockets' together.
import { MessageAllowances } from '../../src/graphql/messageAllowance';

describe('MessageAllowances', () => {
  let now = 0;
  const clock = () => now;
  const takeMany = (socket: { take(): number }, count: number): number => {
    let wait = 0;
    for (let i = 0; i < count; i++) wait = socket.take();
    return wait;
  };
  beforeEach(() => (now = 1_000_000));

  it("lets a quiet socket send five seconds' worth at once, then makes it wait for what it sent beyond", () => {
    const socket = new MessageAllowances({ perSocket: 20, allSockets: 10_000 }, clock).forSocket();
    expect(takeMany(socket, 100)).toBe(0);
    expect(socket.take()).toBe(50); // one message over: 1/20 s
    expect(takeMany(socket, 19)).toBe(1_000); // twenty over: a second
  });

  it('refills with time, up to the burst and no further', () => {
    const socket = new MessageAllowances({ perSocket: 20, allSockets: 10_000 }, clock).forSocket();
    takeMany(socket, 120);
    now += 1_000; // pays back the twenty over
    expect(socket.take()).toBe(50);
    now += 60_000; // a long quiet spell
    expect(takeMany(socket, 100)).toBe(0);
    expect(socket.take()).toBe(50);
  });

  it('makes every socket wait once all of them together have sent more than one second of the shared allowance', () => {
    const allowances = new MessageAllowances({ perSocket: 1_000, allSockets: 100 }, clock);
    const first = allowances.forSocket();
    const second = allowances.forSocket();
    expect(takeMany(first, 60)).toBe(0);
    expect(takeMany(second, 40)).toBe(0);
    // Each is well within its own allowance, but the hundred a second they share is spent.
    expect(first.take()).toBe(10);
    expect(second.take()).toBe(20);
  });

  it("lets a socket's subscribes take a page's first checks at once (250 ms), then 10 ms a second", () => {
    const allowances = new MessageAllowances({ perSocket: 20, allSockets: 1_000 }, clock);
    const page = allowances.forSocket();
    // Four new documents on a fresh, busy service, 50 ms beyond the free part each: all sockets' allowance (100 ms at
    // once) takes two at a time, the socket's own all four.
    expect([50.1, 50.1].map((ms) => page.checked(ms))).toEqual([0, 0]);
    now += 1_000;
    expect([50.1, 50.1].map((ms) => page.checked(ms))).toEqual([0, 0]);
    now += 1_000; // 20 ms more of the socket's own
    expect(page.checked(80.1)).toBe(1_000); // 10 ms past it, at 10 ms a second
  });

  it('counts a check of up to 0.1 ms (a document checked before) as nothing beyond its message', () => {
    const allowances = new MessageAllowances({ perSocket: 20, allSockets: 1_000 }, clock);
    const page = allowances.forSocket();
    for (let i = 0; i < 10_000; i++) expect(page.checked(0.1)).toBe(0);
  });

  it("makes every socket wait once checks together went past a tenth of a second, each socket's own burst notwithstanding", () => {
    const allowances = new MessageAllowances({ perSocket: 20, allSockets: 1_000 }, clock);
    const heavy = allowances.forSocket();
    const other = allowances.forSocket();
    expect(heavy.checked(150.1)).toBe(500); // 50 ms past the shared 100, at 100 ms a second
    expect(other.take()).toBe(500);
    expect(other.wait()).toBe(500);
    now += 500;
    expect(other.wait()).toBe(0);
  });

  it('keeps sockets apart: one that floods does not spend what another may send', () => {
    const allowances = new MessageAllowances({ perSocket: 10, allSockets: 100_000 }, clock);
    const flooding = allowances.forSocket();
    const quiet = allowances.forSocket();
    expect(takeMany(flooding, 1_000)).toBeGreaterThan(90_000);
    expect(takeMany(quiet, 50)).toBe(0);
  });
});

describe('MessageAllowances.wait', () => {
  it('says how long is left without taking, messages taken since included', () => {
    let now = 0;
    const socket = new MessageAllowances({ perSocket: 10, allSockets: 10_000 }, () => now).forSocket();
    for (let i = 0; i < 51; i++) socket.take();
    expect(socket.wait()).toBe(100);
    for (let i = 0; i < 20; i++) socket.take();
    expect(socket.wait()).toBe(2_100);
    now += 2_000;
    expect(socket.wait()).toBe(100);
    expect(socket.wait()).toBe(100);
    now += 100;
    expect(socket.wait()).toBe(0);
  });
});
