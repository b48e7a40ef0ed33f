// How long a WebSocket goes unread after sending faster than its allowance, or than all sockets' together.
import { MessageAllowances, messagesOfCheck } from '../../src/graphql/messageAllowance';

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

  it('counts a message that cost as much as many as that many, against the socket and all sockets alike', () => {
    const allowances = new MessageAllowances({ perSocket: 20, allSockets: 100 }, clock);
    const costly = allowances.forSocket();
    expect(costly.take(100)).toBe(0); // the whole burst of each, at once
    expect(costly.take(80)).toBe(4_000); // its own: 80 at 20 a second
    expect(allowances.forSocket().take()).toBe(810); // all sockets': 81 at 100 a second
  });

  it('counts a check of 8 ms as 80 more messages, and one of under 0.1 ms as none', () => {
    expect([messagesOfCheck(8), messagesOfCheck(0.099), messagesOfCheck(0.25)]).toEqual([80, 0, 2]);
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
